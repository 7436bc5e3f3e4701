"""The sweep, Actions, retention and erasure as use cases on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.adapters import links
from functions.domain import schemas
from functions.domain.mail import PARTNER, MailKind, member, officer
from functions.domain.requests import Status
from functions.domain.voting import Choice
from functions.services import actions, erasure, intake, retention, review, suppression, sweep
from tests.unit.services.conftest import World, example_request

# The Action schema's own example: six activities in 2027, the last on 7 December.
PLAN = schemas.example("action.schema.json")


def opened(world: World) -> str:
    request_id = intake.submit(example_request()).id
    review.dispatch_review(request_id, 1)
    world.take_notifications()
    return request_id


def approved(world: World) -> str:
    request_id = opened(world)
    for member_id in ("intpa", "home", "eeas"):
        review.cast_vote(links.ReviewLink(request_id, member_id, 1), Choice.APPROVE, None)
    world.take_notifications()
    return request_id


def test_reminders_go_once_per_interval_to_those_who_have_not_voted(world: World) -> None:
    request_id = opened(world)
    review.cast_vote(links.ReviewLink(request_id, "home", 1), Choice.APPROVE, None)
    world.advance(days=7, hours=1)
    assert sweep.sweep(world.now)["reminded"] == 1
    assert sweep.sweep(world.now)["reminded"] == 0
    reminded = world.take_notifications()
    assert {(n.kind, n.recipient) for n in reminded} == {
        (MailKind.REMINDER, member("intpa")),
        (MailKind.REMINDER, member("eeas")),
    }
    world.advance(days=7)
    assert sweep.sweep(world.now)["reminded"] == 1  # the next interval


def test_an_open_round_is_escalated_to_the_officer_once(world: World) -> None:
    opened(world)
    world.advance(days=15)
    assert sweep.sweep(world.now)["escalated"] == 1
    assert sweep.sweep(world.now)["escalated"] == 0
    assert (MailKind.ESCALATION, officer("po-africa")) in {
        (n.kind, n.recipient) for n in world.take_notifications()
    }


def test_a_request_stuck_in_submitted_is_published_again_once(world: World) -> None:
    request_id = intake.submit(example_request()).id
    world.review_tasks.clear()
    world.advance(minutes=20)
    assert sweep.sweep(world.now)["stuck"] == 1
    assert sweep.sweep(world.now)["stuck"] == 0
    assert world.review_tasks == [(request_id, 1)]


def test_an_unanswered_question_expires_and_everyone_is_told(world: World) -> None:
    request_id = opened(world)
    review.cast_vote(links.ReviewLink(request_id, "home", 1), Choice.MORE_INFORMATION, "Why?")
    world.take_notifications()
    world.advance(days=31)
    assert sweep.sweep(world.now)["expired"] == 1
    assert world.repo.get_request(request_id).status == Status.CLOSED  # type: ignore[union-attr]
    assert {(n.kind, n.recipient) for n in world.take_notifications()} == {
        (MailKind.INFORMATION_EXPIRED, PARTNER),
        (MailKind.INFORMATION_EXPIRED, officer("po-africa")),
    }


def test_outcome_emails_that_were_never_queued_are_queued_again_once(world: World) -> None:
    request_id = approved(world)  # its outcome notifications were taken, never delivered
    world.advance(minutes=20)
    assert sweep.sweep(world.now)["renotified"] == 1
    assert sweep.sweep(world.now)["renotified"] == 0
    kinds = {n.kind for n in world.take_notifications()}
    assert MailKind.DECISION_PARTNER in kinds
    assert world.repo.get_request(request_id).status == Status.APPROVED  # type: ignore[union-attr]


def test_positive_silence_approves_for_the_silent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POSITIVE_SILENCE_DAYS", "10")
    request_id = opened(world)
    review.cast_vote(links.ReviewLink(request_id, "home", 1), Choice.APPROVE, None)
    world.advance(days=11)
    assert sweep.sweep(world.now)["silence"] == 1
    votes = world.repo.round_votes(request_id, 1)
    assert {m: v.silent for m, v in votes.items()} == {"home": False, "intpa": True, "eeas": True}
    assert world.repo.get_request(request_id).status == Status.APPROVED  # type: ignore[union-attr]


def test_an_action_is_published_once_then_updated_by_version(world: World) -> None:
    request_id = approved(world)
    first = actions.record_action(request_id, PLAN)
    assert (first.first, first.version, first.ends_on) == (True, 1, "2027-12-07")
    assert [n.kind for n in world.take_notifications()] == [MailKind.ACTION_PUBLISHED]
    second = actions.record_action(request_id, PLAN)
    assert (second.first, second.version) == (False, 2)
    assert world.take_notifications() == []
    assert actions.set_activity_status(request_id, 1, "done") is True
    assert actions.set_activity_status(request_id, 1, "done") is False
    changed = world.take_notifications()
    assert [(n.kind, n.key) for n in changed] == [
        (MailKind.ACTIVITY_CHANGED, "activity-1-done"),
        (MailKind.EVALUATION_HOST, "activity-1-done"),  # the host's evaluation link
    ]
    stored = actions.current_action(request_id)
    assert stored is not None and stored.version == 3


def test_only_an_approved_request_gets_an_action(world: World) -> None:
    request_id = opened(world)
    with pytest.raises(actions.ActionError, match="only approved"):
        actions.record_action(request_id, PLAN)


def test_retention_gives_every_item_one_expiry_after_the_action_ends(world: World) -> None:
    request_id = approved(world)
    actions.record_action(request_id, PLAN)
    assert retention.apply_retention(request_id) > 0
    assert retention.apply_retention(request_id) == 0
    stored = world.repo.get_request(request_id)
    assert stored is not None and stored.expires_at is not None
    # 730 days after the day after the Action's last day.
    assert stored.expires_at == int(datetime(2027, 12, 8, tzinfo=UTC).timestamp()) + 730 * 86400


def test_erasure_removes_the_contact_everywhere(world: World) -> None:
    request_id = opened(world)
    address = "a.diallo@interieur.example.sn"
    suppression.suppress(address, "bounce")
    report = erasure.erase_person(address)
    assert report.requests == [request_id]
    assert report.changed["request"] == 1 and report.changed["suppression"] == 1
    stored = world.repo.get_request(request_id)
    assert stored is not None
    assert stored.document["contact"]["email"] == erasure.ERASED
    assert stored.email_hash is None
    assert world.repo.request_ids_by_email_hash(stored.fingerprint) == []
    assert not suppression.is_suppressed(address)
    assert erasure.erase_person(address).anything is False


def test_erasure_of_a_member_removes_them_and_their_comments(world: World) -> None:
    request_id = opened(world)
    review.cast_vote(
        links.ReviewLink(request_id, "home", 1), Choice.REJECT, "Lukas Schneider says no"
    )
    report = erasure.erase_person("lukas@home.example.org")
    assert report.changed["member"] == 1
    assert world.repo.member("home") is None
    stored = world.repo.get_request(request_id)
    assert stored is not None and "Schneider" not in (stored.decision_reason or "")
