"""Routes of the intake: submit a request, the schema for clients, health."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Request, Response

from functions.domain import schemas
from functions.domain.errors import InvalidRequest, SubmissionConflict
from functions.presentation.formdata import document_from_form
from functions.services import intake as intake_service
from functions.web.body import FORM, BodyError, read_body
from functions.web.failures import guarded, json_unavailable
from functions.web.form import HONEYPOT, answer_form_post, rate_limited_page, wants_html
from functions.web.responses import error_response, field_errors_body, json_response

intake = Blueprint(__name__)

__all__ = ["HONEYPOT", "intake"]


def _document(kind: str, body: Any) -> tuple[Any, bool]:
    """The request document and whether the honeypot was filled."""
    if kind == FORM:
        fields: dict[str, list[str]] = dict(body)
        trap = any(v.strip() for v in fields.pop(HONEYPOT, []))
        for name in [n for n in fields if n.startswith("_")]:
            fields.pop(name)  # form plumbing (csrf, language), not part of the request
        return document_from_form(fields, schemas.request_schema()), trap
    if isinstance(body, dict) and HONEYPOT in body:
        trap = bool(str(body.pop(HONEYPOT) or "").strip())
        return body, trap
    return body, False


def source_address(request: Request) -> str:
    """The client's address as API Gateway saw it (never stored: only a keyed hash is)."""
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def rate_limited_response(retry_after: int) -> Response:
    """The API's 429, with ``Retry-After``."""
    response = error_response(
        429, "rate_limited", "Too many requests from this address; try again later."
    )
    response.headers["Retry-After"] = str(retry_after)
    return response


# ``content_types=[]`` turns off Chalice's own 415 check, so that every refusal has our JSON shape.
@intake.route("/requests", methods=["POST"], content_types=[])
@guarded(json_unavailable)
def submit_request() -> Response:
    """Validate, store and queue a request for technical assistance."""
    request = intake.current_request
    limit = intake_service.count_submission(source_address(request))
    if not limit.allowed:
        if wants_html(request):
            return rate_limited_page(request, limit.retry_after)
        return rate_limited_response(limit.retry_after)
    try:
        kind, body = read_body(request)
    except BodyError as error:
        return error_response(error.status, error.code, error.message)
    if kind == FORM and wants_html(request, body):
        return answer_form_post(request, body)
    document, trapped = _document(kind, body)
    if trapped:
        return json_response(intake_service.decoy_submission().as_json(), 201)
    try:
        result = intake_service.submit(document)
    except InvalidRequest as error:
        return json_response(field_errors_body(error.errors), 422)
    except SubmissionConflict as error:
        return error_response(409, "submission_conflict", str(error), "/submission_id")
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
