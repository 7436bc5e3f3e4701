"""JSON answers, with the security headers every answer carries (web/headers.py)."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Response

from functions.web.headers import json_headers


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer with the security headers every answer carries."""
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status,
        headers={**json_headers(), **(headers or {})},
    )
