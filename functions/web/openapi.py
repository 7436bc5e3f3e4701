"""``GET /openapi.json``: the HTTP API described in OpenAPI 3.1, derived from the schemas.

Built at request time from ``schemas/request.schema.json`` (JSON Schema 2020-12 is OpenAPI 3.1's
own dialect, so the request schema is used as it is): the description cannot drift from the
validation. Every route of the app is listed, pages included, with every status it answers.
"""

from __future__ import annotations

import copy
from typing import Any

from chalice.app import Blueprint, Response

from functions.domain import schemas
from functions.domain.reference import reference_data
from functions.runtime.settings import get_settings
from functions.web.responses import json_response

openapi = Blueprint(__name__)

JSON = "application/json"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"
ERRORS = {"$ref": "#/components/schemas/Errors"}
PAGE = {"type": "string"}

# What each status means, once for every route.
REASONS = {
    200: "OK (for the form's POST with _action=save: the answers saved as a draft)",
    201: "Created (or, for a submission id seen before, the first answer again)",
    400: "The body or the link cannot be read",
    403: "Wrong purpose, not a voter any more, the anti-forgery check failed, or a browser's"
    " request from another site (Origin, Sec-Fetch-Site)",
    404: "No such request (or no such file)",
    409: "Already done: a vote recorded, a closed round, a submission id with other content",
    410: "The link has expired (or the saved draft it opens is no longer kept)",
    413: "The body is larger than 64 KiB",
    415: "The body is neither JSON nor form-encoded",
    422: "The content breaks the schema's or the form's rules (every error, with its path)",
    429: "Too many requests of this kind from this address this hour (see Retry-After)",
    503: "A dependency failed; nothing was saved (see Retry-After)",
}


def _answers(statuses: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Responses: for each status, its media types and their schemas."""
    return {
        str(status): {
            "description": REASONS[status],
            "content": {media: {"schema": schema} for media, schema in content.items()},
        }
        for status, content in statuses.items()
    }


def _pages(*statuses: int) -> dict[str, Any]:
    return _answers({status: {HTML: PAGE} for status in statuses})


def _form_body(fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema = {"type": "object", "properties": fields, "required": required}
    return {"required": True, "content": {FORM: {"schema": schema}}}


# Signed tokens are URL-safe base64 with dots; request ids are 32 hex digits.
URL_SAFE = {"type": "string", "pattern": "^[A-Za-z0-9_.-]+$"}
TOKEN = {"name": "token", "in": "path", "required": True, "schema": URL_SAFE}
REQUEST_ID = {"name": "request_id", "in": "path", "required": True, "schema": URL_SAFE}
STATUS_TOKEN = {"name": "token", "in": "query", "required": True, "schema": URL_SAFE}
CSRF = {"_csrf": {"type": "string"}}


def _intake() -> dict[str, Any]:
    either = {JSON: ERRORS, HTML: PAGE}
    return {
        "/requests": {
            "post": {
                "summary": "Submit a request for technical assistance",
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {"schema": {"$ref": "#/components/schemas/Request"}},
                        FORM: {
                            "schema": {
                                "description": "The hosted form's fields, named by their path "
                                "in the request (institution.name, ...), with the form's "
                                "anti-forgery token (_csrf) and cookie, whatever the Accept; "
                                "with Accept: text/html the answer is a page. _action=save "
                                "saves the answers as a draft instead (200: the link to "
                                "continue is emailed); _draft, a saved draft's token, "
                                "continues that draft.",
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            }
                        },
                    },
                },
                "responses": _answers(
                    {
                        200: {HTML: PAGE},
                        201: {JSON: {"$ref": "#/components/schemas/Submitted"}, HTML: PAGE},
                        400: {JSON: ERRORS},
                        403: either,
                        409: either,
                        413: {JSON: ERRORS},
                        415: {JSON: ERRORS},
                        422: either,
                        429: either,
                        503: {JSON: ERRORS},
                    }
                ),
            }
        },
        "/schemas/request.json": {
            "get": {
                "summary": "The request schema (JSON Schema 2020-12)",
                "responses": _answers({200: {JSON: {"type": "object"}}}),
            }
        },
        "/health": {
            "get": {
                "summary": "Liveness (touches no AWS service)",
                "responses": _answers(
                    {200: {JSON: {"type": "object", "properties": {"status": {"const": "ok"}}}}}
                ),
            }
        },
        "/openapi.json": {
            "get": {
                "summary": "This description",
                "responses": _answers({200: {JSON: {"type": "object"}}}),
            }
        },
    }


def _pages_routes() -> dict[str, Any]:
    vote = {
        "choice": {"type": "string", "enum": ["approve", "reject", "more_information"]},
        "comment": {"type": "string"},
        **CSRF,
    }
    shown = _pages(200, 400, 403, 404, 410, 503)
    return {
        "/": {"get": {"summary": "The hosted form", "responses": _pages(200)}},
        "/static/{name}": {
            "get": {
                "summary": "The app's own CSS and script",
                "parameters": [
                    {"name": "name", "in": "path", "required": True, "schema": URL_SAFE}
                ],
                "responses": _answers(
                    {200: {"text/css": PAGE, "text/javascript": PAGE}, 404: {HTML: PAGE}}
                ),
            }
        },
        "/drafts/{draft_id}": {
            "parameters": [
                {"name": "draft_id", "in": "path", "required": True, "schema": URL_SAFE},
                STATUS_TOKEN,
            ],
            "get": {
                "summary": "The form with a saved draft's answers (changes nothing)",
                "responses": _pages(200, 400, 403, 410, 503),
            },
        },
        "/review/{token}": {
            "parameters": [TOKEN],
            "get": {"summary": "A member's review page (changes nothing)", "responses": shown},
            "head": {"summary": "As GET, without a body", "responses": shown},
            "post": {
                "summary": "Record the member's vote (anti-forgery token and cookie needed)",
                "requestBody": _form_body(vote, ["choice", "_csrf"]),
                "responses": _pages(200, 400, 403, 404, 409, 410, 413, 415, 422, 429, 503),
            },
        },
        "/requests/{request_id}": {
            "parameters": [REQUEST_ID, STATUS_TOKEN],
            "get": {
                "summary": "Where the request stands (a page, or JSON with Accept: "
                "application/json)",
                "responses": _answers(
                    {
                        200: {HTML: PAGE, JSON: {"type": "object"}},
                        **{s: {HTML: PAGE, JSON: ERRORS} for s in (400, 403, 404, 410)},
                        503: {HTML: PAGE},
                    }
                ),
            },
        },
        "/requests/{request_id}/answer": {
            "parameters": [REQUEST_ID, STATUS_TOKEN],
            "post": {
                "summary": "The partner answers the committee's question",
                "requestBody": _form_body({"answer": {"type": "string"}, **CSRF}, ["_csrf"]),
                "responses": _partner_post_answers(),
            },
        },
        "/requests/{request_id}/withdraw": {
            "parameters": [REQUEST_ID, STATUS_TOKEN],
            "get": {
                "summary": "Asks the partner to confirm the withdrawal (changes nothing)",
                "responses": _pages(200, 400, 403, 404, 409, 410, 503),
            },
            "head": {
                "summary": "As GET, without a body",
                "responses": _pages(200, 400, 403, 404, 409, 410, 503),
            },
            "post": {
                "summary": "The partner withdraws the request",
                "requestBody": _form_body(dict(CSRF), ["_csrf"]),
                "responses": _partner_post_answers(),
            },
        },
    }


def _partner_post_answers() -> dict[str, Any]:
    statuses = (400, 403, 404, 410, 413, 415, 429)
    return _answers(
        {
            **{s: {HTML: PAGE} for s in (200, 409, 422, 503)},
            **{s: {HTML: PAGE, JSON: ERRORS} for s in statuses},
        }
    )


def _request_component() -> dict[str, Any]:
    """The request schema with the eligibility rules it cannot hold itself, written as JSON
    Schema from the reference lists: eligible countries, and topics of the chosen area."""
    request = copy.deepcopy(schemas.request_schema())
    for key in ("$schema", "$id"):
        request.pop(key, None)
    reference = reference_data()
    institution = request["properties"]["institution"]["properties"]
    institution["country"]["enum"] = sorted(reference.countries)
    section = request["properties"]["request"]
    for pillar in reference.pillars:
        topics = sorted(t for t, p in reference.topic_pillar.items() if p == pillar)
        section.setdefault("allOf", []).append(
            {
                "if": {"properties": {"pillar": {"const": pillar}}, "required": ["pillar"]},
                "then": {"properties": {"topics": {"items": {"enum": topics}}}},
            }
        )
    return request


def _components() -> dict[str, Any]:
    request = _request_component()
    error = {
        "type": "object",
        "required": ["path", "code", "message"],
        "properties": {
            "path": {"type": "string", "description": "JSON pointer to the field, or ''"},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "params": {"type": "object"},
        },
    }
    submitted = {
        "type": "object",
        "required": ["id", "reference", "status", "status_url"],
        "properties": {
            "id": {"type": "string"},
            "reference": {"type": "string", "pattern": "^MX-[0-9]{4}-[0-9]{4,}$"},
            "status": {"type": "string"},
            "status_url": {"type": "string"},
        },
    }
    errors = {
        "type": "object",
        "required": ["errors"],
        "properties": {"errors": {"type": "array", "items": error, "minItems": 1}},
    }
    return {"schemas": {"Request": request, "Submitted": submitted, "Errors": errors}}


def describe() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the service."""
    schema = schemas.request_schema()
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "MIEUX requests for technical assistance",
            "version": "1",
            "description": schema.get("description", ""),
        },
        "servers": [{"url": get_settings().public_base_url.rstrip("/")}],
        "paths": {**_intake(), **_pages_routes()},
        "components": _components(),
    }


@openapi.route("/openapi.json", methods=["GET"])
def openapi_document() -> Response:
    """The API description, derived from the schemas on every call."""
    return json_response(describe(), headers={"Cache-Control": "public, max-age=300"})
