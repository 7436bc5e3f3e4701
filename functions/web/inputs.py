"""Small helpers for the service's HTML forms: reading fields and telling JSON clients apart."""

from __future__ import annotations

from chalice.app import Request

from functions.web.body import FORM, read_body


def form_fields(request: Request) -> dict[str, str]:
    """The last value of each field of a form-encoded POST (400/413/415 as :class:`BodyError`)."""
    _, body = read_body(request, allowed=(FORM,))
    return {name: values[-1] for name, values in body.items()}


def wants_json(request: Request) -> bool:
    """True when the client asks for JSON rather than a page."""
    accept = str(request.headers.get("accept", ""))
    return "application/json" in accept and "text/html" not in accept


def query_token(request: Request) -> str:
    """The ``token`` query parameter, or an empty string."""
    return str(request.query_params.get("token", "")) if request.query_params else ""
