"""The local mailbox: every email the stack sent, to read and click through. Local stage only.

``app.py`` registers this blueprint only when the stage at import is ``local``, so the routes do
not exist in any deployed stage; each handler checks the stage again, in case of a mistake there.
Mail content is attacker-controlled (a partner writes the request): the text body is escaped
with its URLs linked, and the HTML body is shown in a sandboxed frame without scripts.
"""

from __future__ import annotations

import logging

from chalice.app import Blueprint, Response

from functions.adapters import mailbox
from functions.domain.errors import NotFound, Unavailable
from functions.presentation.render import render
from functions.runtime.settings import aws_endpoint_url, get_settings
from functions.web.errors import json_error
from functions.web.headers import page_headers
from functions.web.responses import json_response

devmail = Blueprint(__name__)
log = logging.getLogger(__name__)

# srcdoc frames inherit this policy: no script anywhere, no remote loads; inline style is allowed
# because email HTML is styled inline.
MAILBOX_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; frame-ancestors 'none'"
)


def _number(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _page() -> mailbox.Page | Response:
    if get_settings().stage != "local":
        return json_error(NotFound("the mailbox exists only in the local stage"))
    query = devmail.current_request.query_params
    number = _number(query.get("page") if query else None, 1)
    per_page = _number(query.get("per_page") if query else None, mailbox.PER_PAGE)
    try:
        return mailbox.mail_page(aws_endpoint_url(), number, per_page)
    except mailbox.MailboxUnavailable as error:
        log.warning("the local mailbox cannot be read: %s", error)  # local only: moto's URL
        return json_error(Unavailable(str(error)))


def _link(path: str, page: mailbox.Page, number: int) -> str:
    """The URL of another page, keeping a per_page that is not the default."""
    suffix = f"&per_page={page.per_page}" if page.per_page != mailbox.PER_PAGE else ""
    return f"{path}?page={number}{suffix}"


@devmail.route("/_dev/mail", methods=["GET"])
def mail_page() -> Response:
    """The sent emails a page at a time (?page=, from 1), newest first, links clickable."""
    page = _page()
    if isinstance(page, Response):
        return page
    body = render(
        "dev/mail.html",
        "en",
        page=page,
        mail=page.mail,
        newer=_link("/_dev/mail", page, page.number - 1) if page.has_newer else "",
        older=_link("/_dev/mail", page, page.number + 1) if page.has_older else "",
        linkified=mailbox.linkified,
    )
    return Response(body=body, status_code=200, headers=dict(page_headers(MAILBOX_POLICY)))


@devmail.route("/_dev/mail.json", methods=["GET"])
def mail_json() -> Response:
    """The same page as JSON, for tests and scripts: ``older`` is the next page's URL, or null."""
    page = _page()
    if isinstance(page, Response):
        return page
    path = "/_dev/mail.json"
    return json_response(
        {
            "mail": [m.as_json() for m in page.mail],
            "page": page.number,
            "per_page": page.per_page,
            "total": page.total,
            "newer": _link(path, page, page.number - 1) if page.has_newer else None,
            "older": _link(path, page, page.number + 1) if page.has_older else None,
        }
    )
