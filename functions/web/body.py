"""Reading a request body: size, media type, JSON or form fields, with a domain error for each
refusal (:class:`~functions.domain.errors.UnreadableBody`; web/errors.py gives the status)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Request

from functions.domain.errors import (
    BadEncoding,
    BodyTooLarge,
    MalformedJson,
    UnreadableBody,
    UnsupportedMediaType,
)
from functions.web.negotiation import FORM, JSON, media_type

MAX_BODY_BYTES = 64 * 1024
MAX_FORM_FIELDS = 500  # the request form has about 60; parse_qs refuses more with a ValueError

__all__ = ["FORM", "JSON", "MAX_BODY_BYTES", "media_type", "read_body"]


def read_body(request: Request, allowed: tuple[str, ...] = (JSON, FORM)) -> tuple[str, Any]:
    """The media type and the parsed body: a JSON value, or form fields as lists of strings."""
    kind = media_type(request)
    if kind not in allowed:
        raise UnsupportedMediaType(f"Send the body as {' or '.join(allowed)}.")
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise BodyTooLarge(f"The body must be at most {MAX_BODY_BYTES // 1024} KiB.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadEncoding("The body must be encoded as UTF-8.") from error
    if kind == FORM:
        try:
            return kind, parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
        except ValueError as error:
            raise UnreadableBody(f"A form has at most {MAX_FORM_FIELDS} fields.") from error
    try:
        return kind, json.loads(text)
    except ValueError as error:
        raise MalformedJson("The body is not valid JSON.") from error
    except RecursionError as error:  # "[" * 32000: the parser's recursion limit, not a 500
        raise MalformedJson("The body's JSON is nested too deep.") from error
