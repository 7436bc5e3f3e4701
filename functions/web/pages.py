"""HTML answers: rendered pages with the headers every page carries (web/headers.py).

Error pages are answered by web/errors.py, which knows each error's status and page kind.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalice.app import Request, Response

from functions.presentation.i18n import negotiate
from functions.web.headers import page_headers


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
    headers = {**page_headers(), **context.pop("headers", {})}
    # Jinja2 only when a page is rendered, not at import.
    from functions.presentation.render import render

    body = render(f"pages/{template}", language, **context)
    return Response(body=body, status_code=status, headers=headers)
