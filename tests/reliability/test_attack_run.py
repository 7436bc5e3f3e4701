"""What the outside attack run of issue 14 tried on the HTTP faces, kept closed (items 1, 8, 12).

- item 1: hostile documents (infra/bench/validation.py) answered 422 at their field;
- item 8: bodies that made the app raise (more than 500 form fields, a 5,000-digit field name or
  JSON key, a dotted name thousands of parts deep, JSON nested 32,000 deep) answered with a
  clear 4xx on every POST route, never a 500 (a property test over routes and sizes);
- item 12: control characters refused in a ballot's comment and a partner's answer.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra.bench.validation import hostile_documents
from tests.integration.helpers import (
    PARTNER,
    Browser,
    assert_nothing_stored_or_published,
    mail_to,
    path_of,
    post,
    request_item,
    review_path,
    run_workers,
)
from tests.support import Stack

JSON = {"Content-Type": "application/json", "Accept": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def status_path() -> str:
    [receipt] = mail_to(PARTNER, "receipt")
    return path_of(receipt.link("/requests/"))


def on_route(route: str, action: str = "") -> str:
    """The path of a partner's POST route (``/answer``, ``/withdraw``) with its status token."""
    path, query = status_path().split("?")
    return f"{path}/{action}?{query}" if action else route


@pytest.mark.parametrize(
    "name", ["/contact/email: backtracking", "/request/topics: objects", "/request: 5,000"]
)
def test_hostile_documents_get_a_422_at_their_field(client: Any, stack: Stack, name: str) -> None:
    [hostile] = [h for h in hostile_documents() if h.name.startswith(name)]
    answer = post(client, hostile.document)
    assert answer.status_code == 422, answer.body
    assert hostile.path in [e["path"] for e in json.loads(answer.body)["errors"]]
    assert_nothing_stored_or_published(stack)


# --- item 8: no body makes a POST route answer 500 ----------------------------------------------


def many_fields(count: int) -> tuple[str, dict[str, str]]:
    return "&".join(f"f{i}=1" for i in range(count)), FORM


def long_digit_name(digits: int) -> tuple[str, dict[str, str]]:
    number = "9" * digits
    names = [f"request.topics.{number}", number, f"institution.co_requesters.{number}.name"]
    return urlencode({name: "x" for name in names}), FORM


def deep_name(parts: int) -> tuple[str, dict[str, str]]:
    return urlencode({"request." + ".".join(["x"] * parts): "1", "contact.0" * parts: "1"}), FORM


def long_digit_key(digits: int) -> tuple[str, dict[str, str]]:
    return json.dumps({"request": {"9" * digits: 1}, "9" * digits: {"9" * digits: 1}}), JSON


def deep_json(depth: int) -> tuple[str, dict[str, str]]:
    return "[" * depth + "]" * depth, JSON


def deep_json_in_a_field(depth: int) -> tuple[str, dict[str, str]]:
    return '{"request": {"title": ' + "[" * depth + "]" * depth + "}}", JSON


SHAPES = {
    "more than 500 form fields": (many_fields, st.integers(501, 5000)),
    "a field name of thousands of digits": (long_digit_name, st.integers(4300, 15000)),
    "a field name thousands of parts deep": (deep_name, st.integers(1000, 3000)),
    "a JSON key of thousands of digits": (long_digit_key, st.integers(4300, 15000)),
    "JSON nested thousands deep": (deep_json, st.integers(900, 32000)),
    "JSON nested thousands deep in a field": (deep_json_in_a_field, st.integers(900, 32000)),
}
ROUTES = ["/requests", "/review", "/answer", "/withdraw"]


@st.composite
def hostile_bodies(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    name = draw(st.sampled_from(sorted(SHAPES)))
    make, sizes = SHAPES[name]
    body, headers = make(draw(sizes))
    return name, body, headers


@pytest.fixture
def open_client(client: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The test client with the rate limit out of the way (every example comes from one address)."""
    monkeypatch.setenv("RATE_LIMIT_PER_HOUR", "100000")
    return client


@settings(max_examples=60)
@given(route=st.sampled_from(ROUTES), hostile=hostile_bodies())
def test_no_hostile_body_makes_a_post_route_answer_500(
    open_client: Any,
    stack: Stack,
    submitted: str,
    route: str,
    hostile: tuple[str, str, dict[str, str]],
) -> None:
    client, (name, body, headers) = open_client, hostile
    path = {
        "/requests": "/requests",
        "/review": review_path("intpa"),
        "/answer": on_route(route, "answer"),
        "/withdraw": on_route(route, "withdraw"),
    }[route]
    answer = client.http.post(path, body=body, headers=headers)
    assert answer.status_code in {400, 403, 413, 415, 422}, (name, route, answer.body[:300])
    if answer.headers.get("Content-Type", "").startswith("application/json"):
        errors = json.loads(answer.body)["errors"]
        assert errors and all({"path", "code", "message"} <= set(e) for e in errors), errors
    assert request_item(stack)["status"]["S"] == "under_review"  # nothing acted on


def test_a_deep_json_body_is_a_clear_400(client: Any, stack: Stack) -> None:
    answer = client.http.post("/requests", body="[" * 32_000 + "]" * 32_000, headers=JSON)
    assert answer.status_code == 400
    [error] = json.loads(answer.body)["errors"]
    assert error["code"] == "malformed_json" and "deep" in error["message"], error


def test_a_form_field_name_of_five_thousand_digits_is_refused_at_its_field(
    client: Any, stack: Stack
) -> None:
    number = "9" * 5000
    browser = Browser(client)  # a form post needs the form's anti-forgery token and cookie
    token = browser.csrf_from(browser.get("/"))
    answer = browser.post("/requests", {"_csrf": token, number: "x"})
    assert answer.status_code == 422, answer.body
    assert f"/{number}" in [e["path"] for e in json.loads(answer.body)["errors"]]


# --- item 12: the text rule on the ballot and the partner's answer -------------------------------


def test_a_comment_with_control_characters_is_refused_and_nothing_recorded(
    client: Any, stack: Stack, submitted: str
) -> None:
    answer = Browser(client).vote(review_path("intpa"), "reject", "Not eligible\x1b[2J\x07")
    assert answer.status_code == 422
    assert "invisible control character" in answer.body.decode("utf-8")
    assert stack.items_of_kind("vote") == []


def test_an_answer_with_control_characters_is_refused_and_nothing_changes(
    client: Any, stack: Stack, submitted: str
) -> None:
    assert Browser(client).vote(review_path("home"), "more_information", "Who?").status_code == 200
    run_workers(client, stack)
    partner = Browser(client)
    page = partner.get(status_path())
    answer = partner.post(
        on_route("/answer", "answer") + "&lang=en",  # the link's own language is French
        {"_csrf": partner.csrf_from(page), "answer": "Police\x00 and\x1b[31m NGOs"},
    )
    assert answer.status_code == 422
    assert "invisible control character" in answer.body.decode("utf-8")
    assert request_item(stack)["status"]["S"] == "information_requested"
