"""HTML answers: rendered pages with the headers every page carries."""

from __future__ import annotations

from typing import Any

from chalice.app import Request, Response

from functions.i18n import negotiate

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


def language_of(request: Request) -> str:
    """The page language: ``?lang=``, then ``Accept-Language``, then English."""
    asked = request.query_params.get("lang") if request.query_params else None
    return negotiate(asked, request.headers.get("accept-language"))


def page(template: str, language: str, status: int = 200, **context: Any) -> Response:
    """A rendered page. HEAD gets the same headers; API Gateway drops the body."""
    from functions.render import render  # Jinja2 only when a page is rendered, not at import

    body = render(f"pages/{template}", language, **context)
    return Response(body=body, status_code=status, headers=dict(PAGE_HEADERS))
