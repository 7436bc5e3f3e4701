"""The partner's status page: follow the request, answer the committee's question, withdraw.

Every route needs the signed status token from the receipt; the POSTs need the anti-forgery
token of the page as well. Withdrawing asks first: GET .../withdraw shows the confirmation (and
changes nothing), its warning button POSTs.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalice.app import Blueprint, Response

from functions.adapters import links
from functions.domain import text as text_rule
from functions.domain.errors import DomainError, InvalidRequest, TransitionNotAllowed
from functions.domain.ratelimit import Window
from functions.domain.validation import field_title
from functions.web import csrf
from functions.web.attachments import file_views
from functions.web.errors import error_page, field_errors_body, json_error, status_of
from functions.web.failures import guarded
from functions.web.guard import state_change
from functions.web.inputs import form_fields, query_token
from functions.web.negotiation import wants_json
from functions.web.pages import here_of, language_of, page
from functions.web.responses import json_response

partner = Blueprint(__name__)

ANSWER_LIMIT = 5000


def _scope(request_id: str) -> str:
    return f"status:{request_id}"


def _status_page(
    request_id: str, token: str, language: str, status: int = 200, **extra: Any
) -> Response:
    # Imported on use: the partner's service (and the review service it uses) serves these
    # pages only; at module level it would add to every cold start of the API Lambda.
    from functions.services import partner as service

    view = service.status_view(request_id, language)
    form_token, cookie = csrf.issue(partner.current_request, _scope(request_id))
    response = page(
        "status.html",
        language,
        status,
        view=view,
        token=token,
        here=f"/requests/{request_id}?{urlencode({'token': token})}",
        csrf_token=form_token,
        correctable=service.CORRECTABLE,
        files=file_views(view.attachments, language),
        field_titles={name: field_title(f"/request/{name}") for name in service.CORRECTABLE},
        errors=extra.pop("errors", []),
        values=extra.pop("values", {}),
        **extra,
    )
    response.headers.update(cookie)
    return response


def _problem(error: DomainError) -> Response:
    """The error page in the reader's language, or the JSON error for a client that asked."""
    request = partner.current_request
    if wants_json(request):
        return json_error(error)
    return error_page(error, language_of(request), here=here_of(request))


@partner.route("/requests/{request_id}", methods=["GET", "HEAD"])
@guarded(_problem)
def show_status(request_id: str) -> Response:
    """Where the request stands, its public timeline, the open question; JSON on request."""
    from functions.services import partner as service  # on use: see _status_page

    request = partner.current_request
    token = query_token(request)
    links.read_status_token(token, request_id)
    if wants_json(request):
        return json_response(service.status_view(request_id).as_json())
    return _status_page(request_id, token, language_of(request))


def _checked_post(request_id: str, window: Window) -> dict[str, str]:
    request = partner.current_request
    state_change(request, window)  # another site's request is refused first
    links.read_status_token(query_token(request), request_id)
    fields = form_fields(request)
    csrf.verify(request, _scope(request_id), fields.get(csrf.FIELD))
    return fields


@partner.route("/requests/{request_id}/answer", methods=["POST"], content_types=[])
@guarded(_problem)
def answer(request_id: str) -> Response:
    """The partner answers the committee's question (and may correct the request)."""
    from functions.services import partner as service  # on use: see _status_page

    request = partner.current_request
    language, token = language_of(request), query_token(request)
    fields = _checked_post(request_id, Window.ANSWER)
    text = text_rule.normalised(fields.get("answer", "")).strip()
    corrections = {
        k: fields[f"request.{k}"] for k in service.CORRECTABLE if f"request.{k}" in fields
    }
    if not text or len(text) > ANSWER_LIMIT or text_rule.problem(text, multiline=True):
        # The text rule of every multi-line field (functions/domain/text.py); a form cannot
        # send a lone surrogate, so what it refuses here is a control character.
        code = (
            "answer_required"
            if not text
            else "answer_too_long"
            if len(text) > ANSWER_LIMIT
            else "answer_control_character"
        )
        errors = [{"field": "answer", "code": code}]  # the page words these itself
        return _status_page(request_id, token, language, 422, errors=errors, values=fields)
    try:
        service.answer_question(request_id, text, corrections)
    except TransitionNotAllowed as error:
        return _status_page(request_id, token, language, status_of(error), notice="not_open")
    except InvalidRequest as error:
        errors = [
            {"field": e["path"], "code": e["code"], "message": e["message"]}
            for e in field_errors_body(error.errors)["errors"]
        ]
        status = status_of(error)
        return _status_page(request_id, token, language, status, errors=errors, values=fields)
    return _status_page(request_id, token, language, 200, notice="answered")


@partner.route("/requests/{request_id}/withdraw", methods=["GET", "HEAD"])
@guarded(_problem)
def confirm_withdrawal(request_id: str) -> Response:
    """Asks before the irreversible step (a page, no script needed); changes nothing."""
    from functions.services import partner as service  # on use: see _status_page

    request = partner.current_request
    language, token = language_of(request), query_token(request)
    links.read_status_token(token, request_id)
    view = service.status_view(request_id, language)
    if not view.can_withdraw:
        return _status_page(request_id, token, language, 409, notice="not_open")
    form_token, cookie = csrf.issue(request, _scope(request_id))
    query = urlencode({"token": token})
    response = page(
        "withdraw.html",
        language,
        view=view,
        token=token,
        here=f"/requests/{request_id}/withdraw?{query}",
        back=f"/requests/{request_id}?{query}",
        csrf_token=form_token,
    )
    response.headers.update(cookie)
    return response


@partner.route("/requests/{request_id}/withdraw", methods=["POST"], content_types=[])
@guarded(_problem)
def withdraw(request_id: str) -> Response:
    """The partner withdraws the request."""
    from functions.services import partner as service  # on use: see _status_page

    request = partner.current_request
    language, token = language_of(request), query_token(request)
    _checked_post(request_id, Window.WITHDRAWAL)
    try:
        service.withdraw(request_id)
    except TransitionNotAllowed as error:
        return _status_page(request_id, token, language, status_of(error), notice="not_open")
    return _status_page(request_id, token, language, 200, notice="withdrawn")
