"""Small helpers for the service's HTML forms: reading fields and the status link's token."""

from __future__ import annotations

from chalice.app import Request

from functions.web.body import FORM, read_body


def form_fields(request: Request) -> dict[str, str]:
    """The last value of each field of a form-encoded POST (an ``UnreadableBody`` otherwise)."""
    _, body = read_body(request, allowed=(FORM,))
    return {name: values[-1] for name, values in body.items()}


def query_token(request: Request) -> str:
    """The ``token`` query parameter, or an empty string."""
    return str(request.query_params.get("token", "")) if request.query_params else ""
