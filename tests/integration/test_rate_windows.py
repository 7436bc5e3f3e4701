"""Rate windows that cannot be stepped around (issue 14, item 11).

An IPv6 /64 is one address (a host is usually given a whole /64); every state-changing route
has a per-address window; a refusal costs one UpdateItem, the window's counter, and nothing else.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from chalice.local import LambdaEventConverter

from tests.integration.helpers import (
    PARTNER,
    Browser,
    mail_to,
    path_of,
    record_operations,
    review_path,
)
from tests.support import Stack

FORM = "application/x-www-form-urlencoded"
JSON = {"Content-Type": "application/json"}


def from_address(monkeypatch: pytest.MonkeyPatch, address: str) -> None:
    """The source address the next requests of the test client come from."""
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def test_an_ipv6_64_is_one_address_and_ipv4_is_its_address() -> None:
    from functions.domain.ratelimit import rate_address

    assert rate_address("2001:db8:1:2::1") == rate_address("2001:db8:1:2:ffff:ee:dd:9")
    assert rate_address("2001:db8:1:2::1") != rate_address("2001:db8:1:3::1")
    assert rate_address("192.0.2.7") != rate_address("192.0.2.8")
    assert rate_address("::ffff:192.0.2.7") == rate_address("192.0.2.7")
    assert rate_address("2001:DB8:1:2::1") == rate_address("2001:db8:1:2::1")
    assert rate_address("not an address") == "not an address"


def test_addresses_of_one_ipv6_64_share_the_submission_window(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    statuses = []
    for host in range(21):
        from_address(monkeypatch, f"2001:db8:5:6:{host:x}::1")
        answer = client.http.post("/requests", body="{}", headers=JSON)
        statuses.append(answer.status_code)
    assert statuses == [422] * 20 + [429]
    from_address(monkeypatch, "2001:db8:5:7::1")  # the next /64: another address
    answer = client.http.post("/requests", body="{}", headers=JSON)
    assert answer.status_code == 422
    for rate in stack.items_of_kind("rate"):
        assert "2001" not in json.dumps(rate)


def status_path() -> str:
    [receipt] = mail_to(PARTNER, "receipt")
    return path_of(receipt.link("/requests/"))


@pytest.mark.parametrize("route", ["vote", "answer", "withdraw"])
def test_votes_answers_and_withdrawals_have_a_window_and_a_refusal_costs_one_write(
    client: Any,
    stack: Stack,
    submitted: str,
    monkeypatch: pytest.MonkeyPatch,
    route: str,
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_HOUR", "2")
    request_path, query = status_path().split("?")
    path = {
        "vote": review_path("intpa"),
        "answer": f"{request_path}/answer?{query}",
        "withdraw": f"{request_path}/withdraw?{query}",
    }[route]
    browser = Browser(client)
    for _ in range(2):  # a stale token: refused by the anti-forgery check, but counted
        assert browser.post(path, {"_csrf": "stale"}).status_code == 403
    calls = record_operations(monkeypatch)
    refused = browser.post(path, {"_csrf": "stale"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert "text/html" in refused.headers["Content-Type"]
    assert calls == [("UpdateItem", "")]
    # Each route has its own window: a submission from the same address still passes.
    answer = client.http.post("/requests", body="{}", headers=JSON)
    assert answer.status_code == 422


def test_the_status_page_answers_a_json_client_429_in_json(
    client: Any, stack: Stack, submitted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PER_HOUR", "0")
    request_path, query = status_path().split("?")
    answer = client.http.post(
        f"{request_path}/withdraw?{query}",
        body=urlencode({"_csrf": "x"}),
        headers={"Content-Type": FORM, "Accept": "application/json"},
    )
    assert answer.status_code == 429 and answer.headers["Retry-After"]
    assert json.loads(answer.body)["errors"][0]["code"] == "rate_limited"
