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


def _mail() -> list[mailbox.SentMail] | Response:
    if get_settings().stage != "local":
        return json_error(NotFound("the mailbox exists only in the local stage"))
    try:
        return mailbox.sent_mail(mailbox.fetch_moto_data(aws_endpoint_url()))
    except mailbox.MailboxUnavailable as error:
        log.warning("the local mailbox cannot be read: %s", error)  # local only: moto's URL
        return json_error(Unavailable(str(error)))


@devmail.route("/_dev/mail", methods=["GET"])
def mail_page() -> Response:
    """Every email sent through SES, newest first, links clickable."""
    mail = _mail()
    if isinstance(mail, Response):
        return mail
    body = render("dev/mail.html", "en", mail=mail, linkified=mailbox.linkified)
    return Response(body=body, status_code=200, headers=dict(page_headers(MAILBOX_POLICY)))


@devmail.route("/_dev/mail.json", methods=["GET"])
def mail_json() -> Response:
    """The same mail as JSON, for tests and scripts."""
    mail = _mail()
    if isinstance(mail, Response):
        return mail
    return json_response({"mail": [m.as_json() for m in mail]})
