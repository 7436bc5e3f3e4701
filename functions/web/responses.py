"""JSON answers and the one place where domain errors become HTTP statuses."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

from functions.domain.errors import FieldError
from functions.domain.validation import field_title
from functions.presentation.messages import message_for

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer with the security headers every answer carries."""
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            **SECURITY_HEADERS,
            **(headers or {}),
        },
    )


def field_errors_body(errors: list[FieldError]) -> dict[str, Any]:
    """``{"errors": [{"path", "code", "message"}]}``; limits are kept for clients that want them."""
    return {
        "errors": [
            {
                "path": error.path,
                "code": error.code,
                "message": message_for(error, field_title),
                **({"params": error.params} if error.params else {}),
            }
            for error in errors
        ]
    }


def error_response(status: int, code: str, message: str, path: str = "") -> Response:
    """An error about the request as a whole, in the same shape as validation errors."""
    return json_response({"errors": [{"path": path, "code": code, "message": message}]}, status)
