"""The Expert Roster's public faces: the registration form, the focal point's link, the
expert's own page.

The form is generated from schemas/expert.schema.json by the same generator, posted with the
same body limits, negotiation, anti-forgery token, rate window and honeypot as the request
form (functions/web/form.py, functions/web/intake.py). Every emailed link shows on GET and
HEAD and changes nothing (mail scanners fetch links); only a POST with the page's anti-forgery
token, from a button a person pressed, acts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import quote

from chalice.app import Blueprint, Response

from functions.adapters import links
from functions.domain import schemas
from functions.domain.errors import Conflict, DomainError, InvalidRequest
from functions.domain.ratelimit import Window
from functions.presentation.formdata import expert_from_form
from functions.web import csrf
from functions.web.body import FORM, read_body
from functions.web.errors import error_page, status_of
from functions.web.failures import guarded
from functions.web.form import EXPERT_FORM, answer_posted_form, check_form_token, form_page
from functions.web.guard import state_change
from functions.web.inputs import form_fields, query_token
from functions.web.intake import posted_document, refusal
from functions.web.negotiation import wants_html
from functions.web.pages import here_of, language_of, page
from functions.web.responses import json_response

experts = Blueprint(__name__)


def _service() -> Any:
    # Imported on use: the roster's service serves these routes only; at module level it
    # would add to every cold start of the API Lambda.
    from functions.services import experts as service

    return service


def _problem(error: DomainError) -> Response:
    """The error page in the reader's language (these pages have no JSON)."""
    request = experts.current_request
    return error_page(error, language_of(request), here=here_of(request))


def _answer(error: DomainError) -> Response:
    return refusal(experts.current_request, error)


# --- registration ----------------------------------------------------------------------------


@experts.route("/experts", methods=["GET"])
def registration_form() -> Response:
    """The roster's registration form (``/experts/`` too), in the reader's language."""
    request = experts.current_request
    return form_page(request, language_of(request), kind=EXPERT_FORM)


def _registered(result: Any, language: str) -> Response:
    return page("expert_registered.html", language, 201)


@experts.route("/experts", methods=["POST"], content_types=[])
@guarded(_answer)
def register() -> Response:
    """Register an expert: the form's POST (a page back) or JSON (201 with the expert's id)."""
    service = _service()
    request = experts.current_request
    state_change(request, Window.REGISTRATION)  # another site's request is refused first
    kind, body = read_body(request)
    if kind == FORM:  # a browser's form: never without the anti-forgery token
        if wants_html(request, body):
            return answer_posted_form(
                request,
                body,
                EXPERT_FORM,
                expert_from_form,
                service.register,
                service.decoy_registration,
                _registered,
            )
        check_form_token(request, body, EXPERT_FORM.scope)
    document, trapped = posted_document(kind, body, expert_from_form)
    result = service.decoy_registration() if trapped else service.register(document)
    return json_response(result.as_json(), 201)


@experts.route("/schemas/expert.json", methods=["GET"])
def expert_schema() -> Response:
    """The registration schema, for clients that validate before sending."""
    schema = schemas.load("expert.schema.json")
    return json_response(schema, headers={"Cache-Control": "public, max-age=300"})


# --- the focal point's link ------------------------------------------------------------------


class Answered(NamedTuple):
    """What a link's POST came to: the service's outcome, or the page that says why not."""

    outcome: Any
    language: str


def _answer_by_link(
    token: str,
    window: Window,
    scope: str,
    yes: str,
    show: Callable[..., Response],
    service_call: Callable[[], Callable[[Any, bool, str], Any]],
    read_link: Callable[[str], Any],
) -> Answered:
    """The POST of a link that asks one question (a focal point's, an invitation's): the route's
    rate window and the other-site check first, then the anti-forgery token of the page; the
    answer is ``yes`` or "decline" (with a reason), given once to the service's call (imported
    on use: ``service_call``). A missing answer, a refused reason or an answer already given comes
    back as the link's page (``show``) at its field."""
    request = experts.current_request
    state_change(request, window)  # another site's request is refused first
    language = language_of(request)
    link = read_link(token)
    fields = form_fields(request)
    csrf.verify(request, scope, fields.get(csrf.FIELD))
    answer = fields.get("answer", "")
    if answer not in (yes, "decline"):
        errors = [{"field": "answer", "code": "choose"}]
        return Answered(show(token, language, 422, errors=errors, values=fields), language)
    try:
        outcome = service_call()(link, answer == yes, fields.get("reason", ""))
        return Answered(outcome, language)
    except InvalidRequest as error:
        errors = [{"field": e.path.lstrip("/"), "code": e.code} for e in error.errors]
        page_ = show(token, language, status_of(error), errors=errors, values=fields)
        return Answered(page_, language)
    except Conflict as error:
        return Answered(show(token, language, status_of(error), already_answered=True), language)


def _focal_scope(token: str) -> str:
    return "focal:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _focal_page(token: str, language: str, status: int = 200, **extra: Any) -> Response:
    from functions.presentation.formspec import expert_form
    from functions.presentation.readout import read_request

    view = _service().focal_view(links.read_focal_token(token))
    form_token, cookie = csrf.issue(experts.current_request, _focal_scope(token))
    response = page(
        "focal_point.html",
        language,
        status,
        view=view,
        parts=read_request(expert_form(), view.expert.document, language),
        csrf_token=form_token,
        action=f"/experts/confirm/{token}",
        here=f"/experts/confirm/{token}",
        errors=extra.pop("errors", []),
        values=extra.pop("values", {}),
        **extra,
    )
    response.headers.update(cookie)
    return response


@experts.route("/experts/confirm/{token}", methods=["GET", "HEAD"])
@guarded(_problem)
def show_registration(token: str) -> Response:
    """The registration the focal point is asked to confirm. Reads only (scanners stop here)."""
    return _focal_page(token, language_of(experts.current_request))


@experts.route("/experts/confirm/{token}", methods=["POST"], content_types=[])
@guarded(_problem)
def answer_registration(token: str) -> Response:
    """The focal point confirms the registration, or declines it with a reason. Once."""
    answered = _answer_by_link(
        token,
        Window.FOCAL_ANSWER,
        _focal_scope(token),
        "confirm",
        _focal_page,
        lambda: _service().answer_registration,
        links.read_focal_token,
    )
    if isinstance(answered.outcome, Response):
        return answered.outcome
    view = answered.outcome
    return page(
        "focal_answered.html",
        answered.language,
        200,
        decided=view.expert.status,
        name=view.expert.document["expert"]["name"],
        here=f"/experts/confirm/{token}",
    )


# --- the expert's own page -------------------------------------------------------------------


@experts.route("/experts/me", methods=["GET", "HEAD"])
@guarded(_problem)
def expert_page() -> Response:
    """The expert's registration and where it stands, by the signed link of the receipt.
    Reads only."""
    request = experts.current_request
    return _own_page(query_token(request), language_of(request))


def _own_page(token: str, language: str, status: int = 200, **extra: Any) -> Response:
    from functions.presentation.formspec import expert_form
    from functions.presentation.readout import read_request

    expert_id = links.read_expert_token(token)
    service = _service()
    expert = service.own_page(expert_id)
    return page(
        "expert_page.html",
        language,
        status,
        expert=expert,
        invitations=service.own_invitations(expert_id),
        token=token,
        parts=read_request(expert_form(), expert.document, language),
        here=f"/experts/me?token={quote(token, safe='')}",
        notice=extra.pop("notice", ""),
    )


def _profile_scope(token: str) -> str:
    # The expert, not the link's text: every own-page link of theirs (each email mints one)
    # opens a form that saves.
    return "profile:" + links.read_expert_token(token)


def _edit_page(
    token: str,
    language: str,
    values: dict[str, list[str]],
    errors: list[Any] | None = None,
    status: int = 200,
) -> Response:
    """The registration form filled with ``values``, posting back to the own page's link."""
    from functions.presentation.formdata import HONEYPOT
    from functions.presentation.formspec import expert_form
    from functions.web.form import error_views, sections_view

    spec = expert_form()
    inline, summary = error_views(errors or [], spec, language, EXPERT_FORM.schema)
    form_token, cookie = csrf.issue(experts.current_request, _profile_scope(token))
    hidden = [(f.name, (values.get(f.name) or [""])[-1]) for f in spec.hidden]
    path = f"/experts/me/edit?token={quote(token, safe='')}"
    response = page(
        "expert_edit.html",
        language,
        status,
        title="Update your registration",  # translated by the template, as every form title
        sections=sections_view(spec, language, values, inline),
        hidden=[*hidden, (csrf.FIELD, form_token)],
        summary=summary,
        honeypot=HONEYPOT,
        form_kind=EXPERT_FORM.name,
        form_action=f"{path}&lang={language}",
        here=path,
    )
    response.headers.update(cookie)
    return response


@experts.route("/experts/me/edit", methods=["GET", "HEAD"])
@guarded(_problem)
def edit_profile() -> Response:
    """The registration form, filled with the stored registration. Reads only."""
    from functions.presentation.formdata import form_values

    request = experts.current_request
    token = query_token(request)
    expert = _service().own_page(links.read_expert_token(token))
    return _edit_page(token, language_of(request), form_values(expert.document))


@experts.route("/experts/me/edit", methods=["POST"], content_types=[])
@guarded(_problem)
def update_profile() -> Response:
    """Save the expert's changes (the whole registration, validated like a new one): the form
    again with every error at its field (422), or the own page with the changes."""
    from functions.presentation.formdata import expert_from_form

    request = experts.current_request
    state_change(request, Window.PROFILE)  # another site's request is refused first
    language = language_of(request)
    token = query_token(request)
    expert_id = links.read_expert_token(token)
    _, body = read_body(request, allowed=(FORM,))
    csrf.verify(request, _profile_scope(token), (body.get(csrf.FIELD) or [""])[-1])
    posted = expert_from_form(body)
    if posted.trapped:  # a bot that filled the honeypot: nothing changes
        return _own_page(token, language, 200)
    try:
        _service().update_profile(expert_id, posted.document)
    except InvalidRequest as error:
        return _edit_page(token, language, posted.values, error.errors, status_of(error))
    return _own_page(token, language, 200, notice="updated")


# --- an invitation's link -------------------------------------------------------------------


def _invitation_scope(token: str) -> str:
    return "invitation:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _invitation_page(token: str, language: str, status: int = 200, **extra: Any) -> Response:
    from functions.domain.reference import ACTIVITY_TYPES, country_names

    view = _service().invitation_view(links.read_invitation_token(token))
    form_token, cookie = csrf.issue(experts.current_request, _invitation_scope(token))
    response = page(
        "invitation.html",
        language,
        status,
        view=view,
        activity_type=ACTIVITY_TYPES.get(view.need.type, view.need.type),
        place=country_names(language).get(view.need.country, view.need.country),
        csrf_token=form_token,
        action=f"/experts/invitation/{token}",
        here=f"/experts/invitation/{token}",
        errors=extra.pop("errors", []),
        values=extra.pop("values", {}),
        **extra,
    )
    response.headers.update(cookie)
    return response


@experts.route("/experts/invitation/{token}", methods=["GET", "HEAD"])
@guarded(_problem)
def show_invitation(token: str) -> Response:
    """The activity an expert is invited to, and the answer. Reads only (scanners stop here)."""
    return _invitation_page(token, language_of(experts.current_request))


@experts.route("/experts/invitation/{token}", methods=["POST"], content_types=[])
@guarded(_problem)
def answer_invitation(token: str) -> Response:
    """The expert accepts (a place, if one is left) or declines with a reason. Once."""
    answered = _answer_by_link(
        token,
        Window.INVITATION_ANSWER,
        _invitation_scope(token),
        "accept",
        _invitation_page,
        lambda: _service().answer_invitation,
        links.read_invitation_token,
    )
    if isinstance(answered.outcome, Response):
        return answered.outcome
    return page(
        "invitation_answered.html",
        answered.language,
        200,
        outcome=answered.outcome,
        here=f"/experts/invitation/{token}",
    )


@experts.route("/experts/me/leave", methods=["GET", "HEAD"])
@guarded(_problem)
def confirm_leaving() -> Response:
    """Asks first: what leaving erases, and a warning button. Changes nothing."""
    request = experts.current_request
    token = query_token(request)
    expert = _service().own_page(links.read_expert_token(token))
    form_token, cookie = csrf.issue(request, _leave_scope(token))
    response = page(
        "expert_leave.html",
        language_of(request),
        expert=expert,
        token=token,
        csrf_token=form_token,
        here=here_of(request),
    )
    response.headers.update(cookie)
    return response


@experts.route("/experts/me/leave", methods=["POST"], content_types=[])
@guarded(_problem)
def leave() -> Response:
    """The expert leaves the roster: their personal data erased, deployments kept as counts."""
    request = experts.current_request
    state_change(request, Window.LEAVING)
    token = query_token(request)
    expert_id = links.read_expert_token(token)
    fields = form_fields(request)
    csrf.verify(request, _leave_scope(token), fields.get(csrf.FIELD))
    _service().leave_roster(expert_id)
    return page("expert_left.html", language_of(request), 200)


def _leave_scope(token: str) -> str:
    return "leave:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
