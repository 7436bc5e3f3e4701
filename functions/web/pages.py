"""HTML answers: rendered pages with the headers every page carries."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalice.app import Request, Response

from functions.presentation.i18n import negotiate

# Everything is served by the app itself: no CDN, no inline script, no framing.
PAGE_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}

# The error pages every flow shares: ``error_page(kind, ...)`` renders pages/error.html.
ERROR_STATUS = {
    "expired": 410,  # a signed link past its age
    "invalid": 400,  # a link that was altered or cut short
    "already_voted": 409,  # a member's vote in this round is recorded already
    "rate_limited": 429,  # too many requests from one address this hour
    "not_found": 404,  # no such request, or erased
    "forbidden": 403,  # the form's anti-forgery check failed
    "already_sent": 409,  # a form sent once is sent again with other answers
    "unavailable": 503,  # a dependency failed; nothing was half-done
    "wrong_purpose": 403,  # a signed link of another kind, or for another request
    "not_a_voter": 403,  # the member behind a review link no longer votes
    "bad_form": 400,  # a form body that cannot be read
}


def language_of(request: Request) -> str:
    """The page language: ``?lang=``, then ``Accept-Language``, then English."""
    asked = request.query_params.get("lang") if request.query_params else None
    return negotiate(asked, request.headers.get("accept-language"))


def here_of(request: Request) -> str:
    """This page's path and query without ``lang``: the language switcher links keep the rest
    (a status page's token, for example). Pass it to :func:`page` as ``here=``."""
    path = str((request.context or {}).get("path") or "/")
    query = [(k, v) for k, v in (request.query_params or {}).items() if k != "lang"]
    return path + ("?" + urlencode(query) if query else "")


def page(template: str, language: str, status: int = 200, **context: Any) -> Response:
    """A rendered page. HEAD gets the same headers; API Gateway drops the body."""
    headers = {**PAGE_HEADERS, **context.pop("headers", {})}
    from functions.presentation.render import (
        render,
    )  # Jinja2 only when a page is rendered, not at import

    body = render(f"pages/{template}", language, **context)
    return Response(body=body, status_code=status, headers=headers)


def error_page(kind: str, language: str, status: int | None = None, **context: Any) -> Response:
    """One of the shared error pages (see ``ERROR_STATUS``), in the reader's language."""
    return page("error.html", language, status or ERROR_STATUS[kind], kind=kind, **context)
