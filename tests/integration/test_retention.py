"""Retention: final requests get one expiry on every item; expired items are gone for reads."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from functions.adapters.repository import repository
from functions.domain import clock as core_clock
from functions.services import retention
from functions.services import sweep as sweeping
from functions.services.partner import withdraw
from tests.integration.helpers import (
    MEMBER_EMAIL,
    Browser,
    mail_to,
    path_of,
    request_item,
    run_workers,
)
from tests.integration.sweeping import FrozenClock
from tests.support import Stack

DAY = 86400


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


@pytest.fixture
def opened(clock: FrozenClock, submitted: str) -> str:
    return submitted


def vote(client: Any, member: str, choice: str, comment: str = "") -> None:
    [mail] = mail_to(MEMBER_EMAIL[member], "review_request")[-1:]
    answer = Browser(client).vote(path_of(mail.link("/review/")), choice, comment)
    assert answer.status_code == 200


def expiries(stack: Stack) -> dict[str, int | None]:
    """Every item of the (one) request's partition -> its expiry."""
    return {
        item["sk"]["S"]: int(item["expires_at"]["N"]) if "expires_at" in item else None
        for item in stack.items()
        if item["pk"]["S"].startswith("REQ#")
    }


def test_a_rejected_request_expires_whole_after_the_retention_period(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    vote(client, "intpa", "reject", "Outside the facility's scope.")
    run_workers(client, stack)
    final = core_clock.parse_iso(request_item(stack)["status_since"]["S"])
    # Votes, events and mail records carry no expiry while the request is open.
    assert None in expiries(stack).values()
    clock.advance(minutes=59)
    assert sweeping.sweep()["retained"] == 0  # the outcome emails may still be going out
    clock.advance(minutes=2)
    assert sweeping.sweep()["retained"] == 1
    expected = int(final.timestamp()) + 730 * DAY
    kinds = {item["kind"]["S"] for item in stack.items() if item["pk"]["S"].startswith("REQ#")}
    assert {"request", "event", "vote", "mail"} <= kinds
    assert set(expiries(stack).values()) == {expected}
    clock.advance(hours=1)
    assert sweeping.sweep()["retained"] == 0  # done once


def test_the_retention_period_is_a_setting(
    client: Any,
    stack: Stack,
    opened: str,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RETENTION_DAYS", "90")
    withdraw(opened)
    run_workers(client, stack)
    final = core_clock.parse_iso(request_item(stack)["status_since"]["S"])
    clock.advance(hours=2)
    assert sweeping.sweep()["retained"] == 1
    assert set(expiries(stack).values()) == {int(final.timestamp()) + 90 * DAY}


def test_an_approved_request_without_an_action_keeps_its_expiry_from_submission(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    submitted_expiry = int(request_item(stack)["expires_at"]["N"])
    for member in MEMBER_EMAIL:
        vote(client, member, "approve")
    run_workers(client, stack)
    clock.advance(hours=2)
    assert sweeping.sweep()["retained"] == 1
    assert set(expiries(stack).values()) == {submitted_expiry}


def test_an_approved_request_is_kept_until_its_action_ends_plus_retention(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    for member in MEMBER_EMAIL:
        vote(client, member, "approve")
    run_workers(client, stack)
    # An Action as the operations part records it: sk ACTION in the request's partition.
    stack.dynamodb.put_item(
        TableName=stack.env["TABLE_NAME"],
        Item={
            "pk": {"S": f"REQ#{opened}"},
            "sk": {"S": "ACTION"},
            "kind": {"S": "action"},
            "ends_on": {"S": "2028-06-30"},
        },
    )
    assert retention.apply_retention(opened) > 0
    end = retention.target_expiry("approved", "", None, date(2028, 6, 30), 730)
    assert end == int(core_clock.parse_iso("2028-07-01T00:00:00.000000Z").timestamp()) + 730 * DAY
    assert set(expiries(stack).values()) == {end}
    assert retention.apply_retention(opened) == 0  # idempotent


def test_open_requests_get_no_final_expiry() -> None:
    for status in ("submitted", "under_review", "information_requested"):
        assert retention.target_expiry(status, "2027-01-01T00:00:00.000000Z", 5, None, 730) is None


def test_a_mail_record_written_after_the_expiry_is_set_expires_with_its_request(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    vote(client, "intpa", "reject", "Outside the facility's scope.")
    clock.advance(hours=2)
    sweeping.sweep()  # the retention is set before the outcome emails are delivered
    run_workers(client, stack)
    assert len(set(expiries(stack).values())) == 1


def test_expired_items_are_gone_for_every_read(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    token_path = path_of(mail_to("a.diallo@interieur.example.sn", "receipt")[0].link("/requests/"))
    assert client.http.get(token_path).status_code == 200
    expiry = int(request_item(stack)["expires_at"]["N"])
    clock.advance(seconds=expiry - int(core_clock.now().timestamp()) + 1)
    # moto never deletes expired items: they are all still in the table ...
    assert request_item(stack)["status"]["S"] == "under_review"
    # ... and no read of the service sees them.
    assert repository().get_request(opened) is None
    assert repository().partition(opened).request is None
    assert list(repository().requests_in_status("under_review")) == []
    assert set(sweeping.sweep().values()) == {0}
    assert client.http.get(token_path).status_code == 404
