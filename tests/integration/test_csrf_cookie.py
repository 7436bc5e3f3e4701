"""The anti-forgery cookie: minted by the server only, ``__Host-`` prefixed (issue 14, item 13)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from tests.integration.helpers import FORM, form_fields_of
from tests.support import Stack


def csrf_cookie(response: Any) -> tuple[str, str, str]:
    """The anti-forgery cookie a response sets: its name, value and attributes."""
    header = str(response.headers["Set-Cookie"])
    name, _, rest = header.partition("=")
    value, _, attributes = rest.partition(";")
    return name, value, attributes


def test_the_anti_forgery_cookie_has_the_host_prefix(client: Any, stack: Stack) -> None:
    name, _, attributes = csrf_cookie(client.http.get("/"))
    assert name == "__Host-mieux_csrf"
    parts = {part.strip().split("=")[0].lower() for part in attributes.split(";")}
    assert {"secure", "httponly", "path", "samesite"} <= parts and "domain" not in parts
    assert "Path=/;" in attributes + ";" and "SameSite=Strict" in attributes


def test_a_cookie_the_client_chose_is_replaced_and_its_token_refused(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    """Cookie tossing: a value planted in the victim's browser (by a sibling subdomain, say)
    must not be one the attacker holds a valid token for."""
    chosen = "A" * 40
    planted = f"mieux_csrf={chosen}; __Host-mieux_csrf={chosen}"
    page = client.http.get("/", headers={"Cookie": planted})
    assert csrf_cookie(page)[1] != chosen
    token = re.search(r'name="_csrf" value="([^"]+)"', page.body.decode("utf-8"))
    assert token is not None
    fields = [
        ("_csrf", token.group(1)),
        ("_html", "1"),
        ("website", ""),
        *form_fields_of(valid_request),
    ]
    headers = {"Content-Type": FORM, "Accept": "text/html", "Cookie": planted}
    answer = client.http.post("/requests", body=urlencode(fields), headers=headers)
    assert answer.status_code == 403
    assert stack.items_of_kind("request") == []


def test_a_cookie_the_server_signed_is_kept_across_pages(client: Any, stack: Stack) -> None:
    """Two tabs of the same browser: the second page keeps the cookie the first one set."""
    name, value, _ = csrf_cookie(client.http.get("/"))
    again = client.http.get("/", headers={"Cookie": f"{name}={value}"})
    assert csrf_cookie(again)[1] == value


def test_the_test_stage_sends_no_hsts(client: Any, stack: Stack) -> None:
    assert "Strict-Transport-Security" not in client.http.get("/").headers
