"""Emails that cannot go: an unbuildable address, a dead worker's claim, a suppressed recipient."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from functions.domain import clock
from functions.domain.mail import (
    PARTNER,
    MailKind,
    MailRecord,
    MailState,
    Notification,
    member,
    officer,
)
from functions.domain.requests import document_fingerprint
from functions.ops.requests import requests as requests_command
from functions.services import intake, review, suppression, sweep
from functions.services.mail import LEASE_SECONDS, MAX_ATTEMPTS
from tests.unit.services.conftest import World, example_request

PARTNER_EMAIL = "a.diallo@interieur.example.sn"


def opened(world: World) -> str:
    request_id = intake.submit(example_request()).id
    review.dispatch_review(request_id, 1)
    return request_id


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


# --- item 3: an address the mailer cannot build ----------------------------------------------


@pytest.mark.parametrize("address", ["a,b@x.y", "ü@x.y", ".a@x.y", "a@x..y"])
def test_a_stored_address_that_cannot_be_built_is_a_permanent_rejection(
    world: World, caplog: pytest.LogCaptureFixture, address: str
) -> None:
    """Stored before the rule (or by a bug): refused for good, on the record, never retried."""
    caplog.set_level(logging.DEBUG)
    request_id = opened(world)
    stored = world.repo.get_request(request_id)
    assert stored is not None
    document = {**stored.document, "contact": {**stored.document["contact"], "email": address}}
    assert world.repo.replace_contact(request_id, document, document_fingerprint(document))

    outcomes = world.deliver_all()
    assert outcomes.count("rejected: invalid_address") == 1  # the receipt; the members' go
    assert outcomes.count("sent") == 3
    found = world.repo.partition(request_id)
    [receipt] = [record for record in found.mail if record.kind is MailKind.RECEIPT]
    assert (receipt.state, receipt.error) == (MailState.REJECTED, "invalid_address")
    [rejected] = [e for e in found.events if e.action == "mail_rejected"]
    assert rejected.detail["code"] == "invalid_address"
    assert address not in str(rejected.detail) and address not in _logged(caplog)
    # The region's officer hears of it (the partner's email), then the redelivery sends nothing.
    told = Notification(request_id, MailKind.PARTNER_UNREACHABLE, 1, officer("po-africa"))
    assert world.take_notifications() == [told._replace(key="receipt:rejected")]
    world.notifications.append(Notification(request_id, MailKind.RECEIPT, 1, PARTNER))
    assert world.deliver_all() == ["duplicate"]  # redelivered: not retried


# --- item 3: a claim left by a worker that died --------------------------------------------------


def _dead_claim(world: World, request_id: str, attempts: int = 1) -> Notification:
    """A claim on the receipt taken now by a worker that then died (before SES or after)."""
    receipt = Notification(request_id, MailKind.RECEIPT, 1, PARTNER)
    claim = MailRecord.claim(receipt, clock.iso(world.now))._replace(attempts=attempts)
    assert world.repo.claim_mail(claim)
    return receipt


def test_the_sweep_queues_again_an_email_whose_claim_went_stale(world: World) -> None:
    request_id = opened(world)
    world.take_notifications()
    receipt = _dead_claim(world, request_id)

    world.advance(seconds=LEASE_SECONDS - 1)  # still within the lease: the worker may be alive
    assert sweep.sweep(world.now)["reclaimed"] == 0
    assert world.take_notifications() == []

    world.advance(seconds=2)
    assert sweep.sweep(world.now)["reclaimed"] == 1
    assert world.take_notifications() == [receipt]
    world.notifications.append(receipt)
    assert world.deliver_all() == ["sent"]
    assert [s.to for s in world.sent] == [PARTNER_EMAIL]

    world.advance(hours=1)
    assert sweep.sweep(world.now)["reclaimed"] == 0  # sent: nothing left to recover
    assert world.take_notifications() == []


def test_the_sweep_gives_up_on_an_email_that_kills_every_worker(world: World) -> None:
    """A claim taken over MAX_ATTEMPTS times is a poison message: recorded, not requeued."""
    request_id = opened(world)
    world.take_notifications()
    receipt = _dead_claim(world, request_id, attempts=MAX_ATTEMPTS)
    world.advance(minutes=15)
    assert sweep.sweep(world.now)["reclaimed"] == 0
    assert world.take_notifications() == []
    record = world.repo.get_mail(receipt)
    assert record is not None
    assert (record.state, record.error) == (MailState.REJECTED, "abandoned")
    assert any(e.action == "mail_rejected" for e in world.repo.partition(request_id).events)


def _resend(request_id: str) -> tuple[int, str]:
    args = ["resend", "--request", request_id, "--kind", "receipt", "--recipient", "partner"]
    result = CliRunner().invoke(requests_command, args)
    return result.exit_code, result.output


def test_resend_takes_over_a_stale_claim_and_refuses_a_fresh_one(world: World) -> None:
    request_id = opened(world)
    world.take_notifications()
    receipt = _dead_claim(world, request_id)

    code, output = _resend(request_id)
    assert code == 1 and "being sent right now" in output  # fresh: a worker may be sending
    assert world.take_notifications() == []

    world.advance(seconds=LEASE_SECONDS + 1)
    code, output = _resend(request_id)
    assert code == 0 and "queued again" in output, output
    assert world.take_notifications() == [receipt]
    world.notifications.append(receipt)
    assert world.deliver_all() == ["sent"]


# --- item 9: the suppression list --------------------------------------------------------------


def test_a_suppressed_partner_gets_no_mail_and_the_regions_officers_are_told(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert suppression.suppress(PARTNER_EMAIL.upper(), "bounce")
    request_id = opened(world)

    outcomes = world.deliver_all()
    assert sorted(outcomes) == ["sent", "sent", "sent", "suppressed"]
    assert PARTNER_EMAIL not in [s.to for s in world.sent]
    found = world.repo.partition(request_id)
    [record] = [e for e in found.events if e.action == "mail_suppressed"]
    assert record.detail == {"kind": "receipt", "recipient": "partner"}
    assert not record.public
    [receipt] = [m for m in found.mail if m.kind is MailKind.RECEIPT]
    assert (receipt.state, receipt.error) == (MailState.REJECTED, "suppressed")

    told = world.take_notifications()  # the officers of Africa (Senegal), not those of Asia
    assert told == [
        Notification(request_id, MailKind.PARTNER_UNREACHABLE, 1, officer("po-africa"), "receipt")
    ]
    world.notifications.extend(told)
    assert world.deliver_all() == ["sent"]
    [notice] = world.sent[-1:]
    assert (notice.to, notice.kind) == ("amina@icmpd.example.org", "partner_unreachable")
    assert PARTNER_EMAIL not in notice.text
    assert PARTNER_EMAIL not in _logged(caplog)

    world.notifications.append(Notification(request_id, MailKind.RECEIPT, 1, PARTNER))
    assert world.deliver_all() == ["duplicate"]  # redelivered: recorded and told once
    assert world.take_notifications() == []


def test_a_suppressed_member_gets_no_mail_and_the_request_records_it(world: World) -> None:
    assert suppression.suppress("lukas@home.example.org", "complaint")
    request_id = opened(world)
    note = Notification(request_id, MailKind.REVIEW_REQUEST, 1, member("home"))
    assert note in world.notifications
    world.deliver_all()
    assert "lukas@home.example.org" not in [s.to for s in world.sent]
    assert len(world.sent) == 3
    events = world.repo.partition(request_id).events
    assert [e.detail for e in events if e.action == "mail_suppressed"] == [
        {"kind": "review_request", "recipient": "member:home"}
    ]
    assert world.take_notifications() == []  # only a partner out of reach is told to officers
