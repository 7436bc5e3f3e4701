"""The page for a request that cannot be honoured: a bad link, a forged form, an unreadable body."""

from __future__ import annotations

from chalice.app import Response

from functions.adapters import links
from functions.domain.errors import NotFound
from functions.web.body import BodyError
from functions.web.csrf import CsrfError
from functions.web.pages import error_page

# What a page handler turns into an error page (anything else is a bug, or a 503 by `guarded`).
PROBLEMS = (links.LinkError, CsrfError, BodyError, NotFound)


def problem_kind(error: Exception) -> tuple[str, int]:
    """The error page's kind and the HTTP status for one of :data:`PROBLEMS`."""
    if isinstance(error, links.LinkError):
        return error.code, error.status
    if isinstance(error, CsrfError):
        return "forbidden", 403
    if isinstance(error, BodyError):
        return "bad_form", error.status
    return "not_found", 404


def problem_page(error: Exception, language: str, here: str) -> Response:
    """The shared error page for ``error``, in the reader's language."""
    kind, status = problem_kind(error)
    return error_page(kind, language, status, here=here)
