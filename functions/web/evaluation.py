"""The evaluation pages: ``/evaluate/{token}`` (a personal link: the host's, an expert's) and
``/evaluate/room/{token}`` (an activity's shared link, for the participants; its QR code is made
by ``ops evaluation room --qr``).

GET and HEAD show the form and change nothing (mail scanners fetch links); only a POST with the
anti-forgery token, from the page's own origin, within its rate window, records an answer. The
form is generated from schemas/evaluation.schema.json and works without JavaScript; the honeypot
of the request form traps bots the same way (a decoy thank-you, nothing stored).
"""

from __future__ import annotations

import hashlib
from typing import Any

from chalice.app import Blueprint, Request, Response

from functions.adapters import links
from functions.domain.errors import (
    AlreadyEvaluated,
    DomainError,
    EvaluationClosed,
    EvaluationFull,
    InvalidRequest,
)
from functions.domain.evaluation import ROOM_CAP
from functions.domain.ratelimit import Window
from functions.presentation.formdata import HONEYPOT, document_from_form
from functions.presentation.i18n import gettext_for
from functions.web import csrf
from functions.web.body import FORM, read_body
from functions.web.errors import error_page, status_of
from functions.web.failures import guarded
from functions.web.guard import state_change
from functions.web.pages import language_of, page

evaluation = Blueprint(__name__)

# A room's QR code: big enough to read from the back of a room when shown on a screen.
QR_SCALE = 8


def _scope(token: str) -> str:
    return "evaluation:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _path(token: str, shared: bool) -> str:
    return f"/evaluate/room/{token}" if shared else f"/evaluate/{token}"


def _problem(error: DomainError) -> Response:
    """The shared error page, in the reader's language (these pages have no JSON)."""
    request = evaluation.current_request
    token = str((request.uri_params or {}).get("token", ""))
    shared = "/room/" in str((request.context or {}).get("resourcePath", ""))
    return error_page(error, language_of(request), here=_path(token, shared))


def _form_page(
    request: Request,
    token: str,
    link: links.EvaluationLink,
    language: str,
    status: int = 200,
    values: dict[str, list[str]] | None = None,
    errors: list[Any] | None = None,
) -> Response:
    # On use: the evaluation service and the form built from the schema serve these pages
    # only, not the API Lambda's cold start.
    from functions.domain.reference import ACTIVITY_TYPES
    from functions.presentation.formspec import evaluation_form
    from functions.services import evaluation as service
    from functions.web.form import error_views, sections_view

    about = service.evaluated(link)
    if about.answered:
        return _message(language, "already", 200, _path(token, link.shared))
    spec = evaluation_form()
    inline, summary = error_views(errors or [], spec, language, "evaluation.schema.json")
    form_token, cookie = csrf.issue(request, _scope(token))
    _ = gettext_for(language)
    response = page(
        "evaluation.html",
        language,
        status,
        title=spec.title,
        about=about,
        activity_type=ACTIVITY_TYPES.get(about.activity_type, about.activity_type),
        shared=link.shared,
        sections=sections_view(spec, language, values or {}, inline),
        hidden=[(csrf.FIELD, form_token)],
        summary=summary,
        honeypot=HONEYPOT,
        form_action=f"{_path(token, link.shared)}?lang={language}",
        submit_label=_("Send the evaluation"),
        here=_path(token, link.shared),
    )
    response.headers.update(cookie)
    return response


def _message(language: str, kind: str, status: int, here: str) -> Response:
    """The page after an answer (``thanks``), or why there is no form (``already``, ``full``,
    ``closed``)."""
    return page("evaluation_done.html", language, status, kind=kind, here=here)


def _show(token: str, shared: bool) -> Response:
    request = evaluation.current_request
    language = language_of(request)
    link = links.read_evaluation_token(token, shared)
    try:
        return _form_page(request, token, link, language)
    except EvaluationClosed as error:
        return _message(language, "closed", status_of(error), _path(token, shared))


def _answer(token: str, shared: bool) -> Response:
    from functions.services import evaluation as service  # on use: see _form_page

    request = evaluation.current_request
    # Another site's request is refused first; a room's participants share an address.
    if shared:
        state_change(request, Window.EVALUATION_ROOM, ROOM_CAP)
    else:
        state_change(request, Window.EVALUATION)
    language = language_of(request)
    here = _path(token, shared)
    link = links.read_evaluation_token(token, shared)
    _, body = read_body(request, allowed=(FORM,))
    csrf.verify(request, _scope(token), (body.get(csrf.FIELD) or [""])[-1])
    values = {name: list(v) for name, v in body.items() if not name.startswith("_")}
    if any(v.strip() for v in values.pop(HONEYPOT, [])):
        return _message(language, "thanks", 201, here)  # a bot: a decoy thank-you, nothing stored
    from functions.domain import schemas

    document = document_from_form(values, schemas.load("evaluation.schema.json"))
    document.setdefault("evaluation", {})
    try:
        service.submit(link, document, language)
    except InvalidRequest as error:
        return _form_page(request, token, link, language, 422, values, error.errors)
    except AlreadyEvaluated as error:
        return _message(language, "already", status_of(error), here)
    except EvaluationFull as error:
        return _message(language, "full", status_of(error), here)
    except EvaluationClosed as error:
        return _message(language, "closed", status_of(error), _path(token, shared))
    return _message(language, "thanks", 201, here)


@evaluation.route("/evaluate/{token}", methods=["GET", "HEAD"])
@guarded(_problem)
def show_personal_evaluation(token: str) -> Response:
    """A personal evaluation form. Reads only: a scanner's GET or HEAD changes nothing."""
    return _show(token, shared=False)


@evaluation.route("/evaluate/{token}", methods=["POST"], content_types=[])
@guarded(_problem)
def answer_personal_evaluation(token: str) -> Response:
    """Record the answer of the person the link belongs to: once."""
    return _answer(token, shared=False)


@evaluation.route("/evaluate/room/{token}", methods=["GET", "HEAD"])
@guarded(_problem)
def show_room_evaluation(token: str) -> Response:
    """An activity's shared evaluation form, for its participants. Reads only."""
    return _show(token, shared=True)


@evaluation.route("/evaluate/room/{token}", methods=["POST"], content_types=[])
@guarded(_problem)
def answer_room_evaluation(token: str) -> Response:
    """Record one anonymous answer, while the activity takes more."""
    return _answer(token, shared=True)
