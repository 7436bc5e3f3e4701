"""Routes of the intake: submit a request, the schema for clients, health."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from functions.domain import schemas
from functions.domain.errors import DomainError
from functions.domain.ratelimit import Window
from functions.presentation.formdata import HONEYPOT, FormRequest, request_from_form
from functions.services import intake as intake_service
from functions.web.body import FORM, read_body
from functions.web.errors import error_page, json_error
from functions.web.failures import guarded
from functions.web.form import answer_form_post, check_form_token
from functions.web.guard import state_change
from functions.web.negotiation import wants_html
from functions.web.pages import language_of
from functions.web.responses import json_response

intake = Blueprint(__name__)


def posted_document(
    kind: str, body: Any, from_form: Callable[[Any], FormRequest] = request_from_form
) -> tuple[Any, bool]:
    """The document of a POST (form fields or JSON) and whether the honeypot was filled: the
    request's, or with ``from_form`` another generated form's (the roster's)."""
    if kind == FORM:
        posted = from_form(body)  # the same path as the hosted form's (web/form.py)
        return posted.document, posted.trapped
    if isinstance(body, dict) and HONEYPOT in body:
        trap = bool(str(body.pop(HONEYPOT) or "").strip())
        return body, trap
    return body, False


def _answer(error: DomainError) -> Response:
    """A refusal: the shared page for a browser posting the form, JSON for everyone else."""
    return refusal(intake.current_request, error)


def refusal(request: Any, error: DomainError) -> Response:
    """A refusal of a public form's POST: the shared page for a browser, JSON for the rest."""
    if wants_html(request):
        return error_page(error, language_of(request))
    return json_error(error)


# ``content_types=[]`` turns off Chalice's own 415 check, so that every refusal has our JSON shape.
@intake.route("/requests", methods=["POST"], content_types=[])
@guarded(_answer, refused="RequestsRefused")
def submit_request() -> Response:
    """Validate, store and queue a request for technical assistance."""
    request = intake.current_request
    state_change(request, Window.SUBMISSION)  # another site's request is refused first
    kind, body = read_body(request)
    if kind == FORM:  # a browser's form: never without the anti-forgery token
        if wants_html(request, body):
            return answer_form_post(request, body)
        check_form_token(request, body)
    document, trapped = posted_document(kind, body)
    if trapped:
        return json_response(intake_service.decoy_submission(document).as_json(), 201)
    result = intake_service.submit(document)
    replayed = {} if result.created else {"Idempotent-Replayed": "true"}
    return json_response(result.as_json(), 201, replayed)


@intake.route("/schemas/request.json", methods=["GET"])
def request_schema() -> Response:
    """The request schema, for clients that validate before sending."""
    return json_response(schemas.request_schema(), headers={"Cache-Control": "public, max-age=300"})


@intake.route("/health", methods=["GET"])
def health() -> Response:
    """Liveness: the code loaded and the schema parsed. Touches no AWS service."""
    schemas.validator("request.schema.json")
    return json_response({"status": "ok"})
