"""Routes of the attached files (issue 20): upload straight to S3, then the app's confirmation.

With JavaScript (``/static/app.js``) the form uploads in place: ``POST /attachments/uploads``
(JSON) gives a presigned POST, the browser sends the file to S3, and
``POST /attachments/confirmations`` (JSON) checks and records it. Without JavaScript, each file
has a small page of its own (``GET /attachments/upload/{slot}``, opened from the form in a new
tab so the form keeps its answers) whose ``<form>`` posts straight to S3; S3 then sends the
browser to ``GET /attachments/confirm`` with ``success_action_redirect``. That GET changes
nothing (a GET never does here): it shows a button whose POST confirms the upload, behind the
origin check and the anti-forgery token like every POST. The form sends the files' holder
token with the request, and the request gets the files (web/form.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from chalice.app import Blueprint, Response

from functions.adapters import links
from functions.domain.attachments import MAX_MEGABYTES, Attachment
from functions.domain.errors import DomainError, InvalidRequest
from functions.domain.ratelimit import Window
from functions.domain.words import N_
from functions.presentation.i18n import gettext_for
from functions.presentation.messages import message_for
from functions.runtime.settings import get_settings
from functions.services import attachments as attachments_service
from functions.web import csrf
from functions.web.body import FORM, JSON, read_body
from functions.web.errors import error_page, json_error
from functions.web.failures import guarded
from functions.web.guard import refuse_cross_site, state_change
from functions.web.headers import PAGE_POLICY
from functions.web.pages import here_of, language_of, page
from functions.web.responses import json_response

attachments = Blueprint(__name__)

SCOPE = "attachment"  # the anti-forgery scope of the confirmation's form
LETTER_TITLE = N_("Official letter from the head of your institution")
SUPPORTING_TITLE = N_("Supporting document %(number)s")
ACCEPTED = N_(
    "PDF, Word, Excel, PowerPoint, OpenDocument, PNG or JPEG, at most %(limit)s MB. The type is"
    " read from the file itself."
)


def slot_title(slot: str, language: str) -> str:
    """The name of a slot of the form, in the reader's language."""
    _ = gettext_for(language)
    if slot == "letter":
        return _(LETTER_TITLE)
    return _(SUPPORTING_TITLE) % {"number": slot.rsplit("-", 1)[-1]}


def _query(name: str) -> str:
    params = attachments.current_request.query_params
    return str(params.get(name, "")) if params else ""


def _answer(error: DomainError) -> Response:
    return error_page(error, language_of(attachments.current_request))


def _json_answer(error: DomainError) -> Response:
    return json_error(error)


def _upload_policy(url: str) -> str:
    """The page policy with the bucket as a form target: the page's form posts to S3."""
    parts = urlsplit(url)
    bucket_origin = f"{parts.scheme}://{parts.netloc}"
    return PAGE_POLICY.replace("form-action 'self'", f"form-action 'self' {bucket_origin}")


def _confirm_url(language: str) -> str:
    # "{token}" is filled in by the service with the upload's own confirmation token.
    return get_settings().public_url(f"/attachments/confirm?lang={language}&token={{token}}")


def _upload_page(
    holder_token: str, slot: str, language: str, status: int = 200, error: str = ""
) -> Response:
    upload = attachments_service.start_upload(holder_token, slot, _confirm_url(language))
    return page(
        "attachment_upload.html",
        language,
        status,
        slot=slot,
        slot_title=slot_title(slot, language),
        action=upload.url,
        fields=list(upload.fields.items()),
        accepted=gettext_for(language)(ACCEPTED) % {"limit": MAX_MEGABYTES},
        error=error,
        here=here_of(attachments.current_request),
        headers={"Content-Security-Policy": _upload_policy(upload.url)},
    )


@attachments.route("/attachments/upload/{slot}", methods=["GET"])
@guarded(_answer)
def upload_page(slot: str) -> Response:
    """The page of one file, for browsers without JavaScript: its form posts to S3."""
    language = language_of(attachments.current_request)
    return _upload_page(_query("holder"), slot, language)


@attachments.route("/attachments/confirm", methods=["GET"])
@guarded(_answer)
def confirm_page() -> Response:
    """Where S3 sends the browser after an upload: a button that confirms it (no change)."""
    request = attachments.current_request
    language = language_of(request)
    token = _query("token")
    _, slot, _key = links.read_uploaded_token(token)
    form_token, cookie = csrf.issue(request, SCOPE)
    return page(
        "attachment_confirm.html",
        language,
        slot_title=slot_title(slot, language),
        token=token,
        csrf_token=form_token,
        here=here_of(request),
        headers=cookie,
    )


@attachments.route("/attachments/confirm", methods=["POST"], content_types=[])
@guarded(_answer)
def confirm_upload() -> Response:
    """Check the uploaded file and record it; or the file's page again with the reason."""
    request = attachments.current_request
    language = language_of(request)
    state_change(request, Window.UPLOAD)
    _, body = read_body(request, allowed=(FORM,))
    fields = {name: values[-1] for name, values in body.items()}
    csrf.verify(request, SCOPE, fields.get(csrf.FIELD))
    token = fields.get("token", "")
    holder, slot, _key = links.read_uploaded_token(token)
    try:
        attached = attachments_service.confirm(token)
    except InvalidRequest as refused:
        _ = gettext_for(language)
        message = message_for(refused.errors[0], lambda _path: slot_title(slot, language), _)
        return _upload_page(links.upload_token(holder), slot, language, 422, message)
    return page(
        "attachment_done.html",
        language,
        slot_title=slot_title(slot, language),
        file_name=attached.file_name,
        size_kb=max(1, attached.size // 1024),
    )


def file_views(found: Iterable[Attachment], language: str) -> list[dict[str, Any]]:
    """A request's files as the review and status pages list them (5-minute links)."""
    return [
        {
            "title": slot_title(shown.attachment.slot, language),
            "file_name": shown.attachment.file_name,
            "size_kb": max(1, shown.attachment.size // 1024),
            "url": shown.download_url,
            "state": shown.attachment.scan.value,
        }
        for shown in attachments_service.shown(found)
    ]


# --- JSON, for the form's script -------------------------------------------------------------


def _json_body() -> dict[str, Any]:
    _, body = read_body(attachments.current_request, allowed=(JSON,))
    if not isinstance(body, dict):
        raise InvalidRequest([])
    return body


@attachments.route("/attachments/uploads", methods=["POST"], content_types=[])
@guarded(_json_answer)
def start_upload() -> Response:
    """A presigned POST for one file of the form: ``{"holder", "slot"}`` in, ``{"url",
    "fields", "confirm_token"}`` out (no call to AWS: the signature is computed here)."""
    refuse_cross_site(attachments.current_request)
    body = _json_body()
    slot = str(body.get("slot", ""))
    upload = attachments_service.start_upload(str(body.get("holder", "")), slot)
    return json_response(
        {"url": upload.url, "fields": upload.fields, "confirm_token": upload.confirm_token}
    )


@attachments.route("/attachments/confirmations", methods=["POST"], content_types=[])
@guarded(_json_answer)
def confirm_upload_json() -> Response:
    """Check and record an uploaded file: ``{"token"}`` in; the file as recorded out, or 422
    with the reason at the slot's field."""
    state_change(attachments.current_request, Window.UPLOAD)
    attached = attachments_service.confirm(str(_json_body().get("token", "")))
    return json_response(
        {
            "slot": attached.slot,
            "file_name": attached.file_name,
            "media_type": attached.file_type.value,
            "size": attached.size,
        }
    )
