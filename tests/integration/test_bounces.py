"""SES bounces and complaints, through SNS, into the suppression list (the ``bounces`` Lambda)."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from functions.services import suppression
from functions.workers.bounces import BadNotification, read_notification
from tests.support import Stack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ses"


def fixture(name: str) -> dict[str, Any]:
    return dict(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def deliver(client: Any, notification: dict[str, Any]) -> Any:
    """Invoke the bounces Lambda the way SNS does."""
    event = client.events.generate_sns_event(message=json.dumps(notification))
    return client.lambda_.invoke("bounces", event)


def suppressed_items(stack: Stack) -> list[dict[str, Any]]:
    return stack.items_of_kind("suppression")


def test_a_permanent_bounce_suppresses_the_address(client: Any, stack: Stack) -> None:
    deliver(client, fixture("bounce_permanent.json"))
    assert suppression.is_suppressed("unknown.user@example.org")  # case does not matter
    assert suppression.is_suppressed("  Unknown.User@Example.org ")
    assert not suppression.is_suppressed("someone.else@example.org")
    (item,) = suppressed_items(stack)
    digest = hashlib.sha256(b"unknown.user@example.org").hexdigest()
    assert item["pk"]["S"] == f"SUPPRESS#{digest}"
    assert item["reason"]["S"] == "bounce"
    assert "example.org" not in json.dumps(item).lower()  # only the hash is stored


def test_a_complaint_suppresses_the_address(client: Any, stack: Stack) -> None:
    deliver(client, fixture("complaint.json"))
    assert suppression.is_suppressed("member@example.eu")
    (item,) = suppressed_items(stack)
    assert item["reason"]["S"] == "complaint"


def test_a_transient_bounce_suppresses_nothing(client: Any, stack: Stack) -> None:
    deliver(client, fixture("bounce_transient.json"))
    assert not suppression.is_suppressed("unknown.user@example.org")
    assert suppressed_items(stack) == []


def test_a_delivery_or_a_withdrawn_complaint_suppresses_nothing(client: Any, stack: Stack) -> None:
    deliver(client, fixture("delivery.json"))
    withdrawn = fixture("complaint.json")
    withdrawn["complaint"]["complaintFeedbackType"] = "not-spam"
    deliver(client, withdrawn)
    assert suppressed_items(stack) == []


def test_identity_notifications_with_several_recipients_are_read_too(
    client: Any, stack: Stack
) -> None:
    deliver(client, fixture("bounce_notification.json"))
    assert suppression.is_suppressed("gone@example.net")
    assert suppression.is_suppressed("also.gone@example.net")
    assert len(suppressed_items(stack)) == 2


def test_a_redelivered_notice_changes_nothing(client: Any, stack: Stack) -> None:
    deliver(client, fixture("complaint.json"))
    first = suppressed_items(stack)
    later = fixture("bounce_permanent.json")
    later["bounce"]["bouncedRecipients"][0]["emailAddress"] = "member@example.eu"
    deliver(client, fixture("complaint.json"))
    deliver(client, later)
    assert suppressed_items(stack) == first  # the first reason and time are kept


def test_no_address_reaches_the_logs(
    client: Any, stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("bounce_permanent.json", "complaint.json", "bounce_notification.json"):
        deliver(client, fixture(name))
    logged = caplog.text.lower()
    assert "suppressed" in logged
    for address in ("unknown.user@example.org", "member@example.eu", "gone@example.net"):
        assert address not in logged
    assert "@" not in logged


@pytest.mark.parametrize(
    "message", ["not json", "[1, 2]", '{"eventType": "Bounce", "bounce": {"bouncedRecipients": 5}}']
)
def test_a_message_that_is_not_an_ses_notice_is_refused(message: str) -> None:
    with pytest.raises(BadNotification):
        read_notification(message)


def test_a_refused_message_fails_the_invocation_and_stores_nothing(
    client: Any, stack: Stack
) -> None:
    event = client.events.generate_sns_event(message="not json")
    with pytest.raises(BadNotification):
        client.lambda_.invoke("bounces", event)
    assert suppressed_items(stack) == []
