"""Reading a request body: size, media type, JSON or form fields, with a clear error for each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Request

MAX_BODY_BYTES = 64 * 1024
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


@dataclass
class BodyError(Exception):
    """The body cannot be read; ``status`` is 400, 413 or 415."""

    status: int
    code: str
    message: str


def media_type(request: Request) -> str:
    """The media type of the body without parameters (``charset``), lower case."""
    header = str(request.headers.get("content-type", ""))
    return header.split(";")[0].strip().lower()


def read_body(request: Request, allowed: tuple[str, ...] = (JSON, FORM)) -> tuple[str, Any]:
    """The media type and the parsed body: a JSON value, or form fields as lists of strings."""
    kind = media_type(request)
    if kind not in allowed:
        raise BodyError(415, "unsupported_media_type", f"Send the body as {' or '.join(allowed)}.")
    raw = request.raw_body or b""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(413, "too_large", f"The body must be at most {MAX_BODY_BYTES // 1024} KiB.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(400, "bad_encoding", "The body must be encoded as UTF-8.") from error
    if kind == FORM:
        return kind, parse_qs(text, keep_blank_values=True, max_num_fields=500)
    try:
        return kind, json.loads(text)
    except ValueError as error:
        raise BodyError(400, "malformed_json", "The body is not valid JSON.") from error
