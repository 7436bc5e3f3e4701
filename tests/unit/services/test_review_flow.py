"""The committee's review as use cases: submit, dispatch, vote, decide once, tell everyone once."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from functions.adapters import links
from functions.domain.errors import (
    AlreadyVoted,
    InvalidRequest,
    NotAVoter,
    NotFound,
    RoundClosed,
    SubmissionConflict,
    TransitionNotAllowed,
)
from functions.domain.mail import PARTNER, MailKind, member, officer
from functions.domain.requests import Status
from functions.domain.voting import Choice, Outcome
from functions.services import intake, partner, review, sweep
from tests.unit.services.conftest import World, example_request

VOTERS = ("intpa", "home", "eeas")


def submitted(world: World, **changes: object) -> str:
    document = example_request()
    document.update(changes)
    answer = intake.submit(document)
    assert world.review_tasks[-1] == (answer.id, 1)
    return answer.id


def dispatched(world: World) -> str:
    request_id = submitted(world)
    world.advance(minutes=1)
    review.dispatch_review(request_id, 1)
    return request_id


def vote(request_id: str, member_id: str, choice: Choice, comment: str | None = None) -> Outcome:
    link = links.ReviewLink(request_id, member_id, 1)
    return review.cast_vote(link, choice, comment).outcome


def test_a_submission_is_stored_with_its_first_event_and_queued(world: World) -> None:
    answer = intake.submit(example_request())
    stored = world.repo.get_request(answer.id)
    assert stored is not None
    assert (stored.status, stored.round, stored.region) == ("submitted", 1, "africa")
    assert stored.reference == answer.reference and answer.reference.startswith("MX-2026-")
    assert [e.action for e in world.repo.partition(answer.id).events] == ["submitted"]
    assert "diallo" not in (stored.email_hash or "")
    assert world.review_tasks == [(answer.id, 1)]


def test_reference_numbers_follow_each_other(world: World) -> None:
    first = intake.submit(example_request()).reference
    second = intake.submit(example_request()).reference
    assert int(second.rsplit("-", 1)[1]) == int(first.rsplit("-", 1)[1]) + 1


def test_an_invalid_document_stores_and_queues_nothing(world: World) -> None:
    document = example_request()
    document["contact"]["email"] = "not an address"
    with pytest.raises(InvalidRequest):
        intake.submit(document)
    assert world.review_tasks == []
    assert list(world.repo.requests_in_status(Status.SUBMITTED)) == []


def test_the_same_submission_id_returns_the_first_answer_and_another_body_conflicts(
    world: World,
) -> None:
    document = {**example_request(), "submission_id": "3c0f6c1e-1111-4e1e-9a1a-0a5b0f7d2c11"}
    first = intake.submit(document)
    again = intake.submit(document)
    assert (again.id, again.reference, again.created) == (first.id, first.reference, False)
    assert len(world.review_tasks) == 1
    other = {**document, "request": {**document["request"], "title": "Another request"}}
    with pytest.raises(SubmissionConflict):
        intake.submit(other)


def test_dispatch_opens_the_round_once_and_asks_every_voter(world: World) -> None:
    request_id = submitted(world)
    assert review.dispatch_review(request_id, 1) == 4  # the receipt and three voters
    assert world.repo.get_request(request_id).status == Status.UNDER_REVIEW  # type: ignore[union-attr]
    queued = world.take_notifications()
    assert {(n.kind, n.recipient) for n in queued} == {
        (MailKind.RECEIPT, PARTNER),
        *((MailKind.REVIEW_REQUEST, member(m)) for m in VOTERS),
    }
    review.dispatch_review(request_id, 1)  # redelivered: the same emails, sent once by mail
    events = [e.action for e in world.repo.partition(request_id).events]
    assert events.count("review_opened") == 1


def test_a_stale_or_unknown_task_is_dropped(world: World) -> None:
    request_id = dispatched(world)
    assert review.dispatch_review(request_id, 2) == 0
    assert review.dispatch_review("f" * 32, 1) == 0


def test_unanimous_approval_decides_once_and_tells_partner_officer_and_committee(
    world: World,
) -> None:
    request_id = dispatched(world)
    world.take_notifications()
    assert vote(request_id, "intpa", Choice.APPROVE) is Outcome.PENDING
    assert vote(request_id, "home", Choice.APPROVE) is Outcome.PENDING
    assert vote(request_id, "eeas", Choice.APPROVE) is Outcome.APPROVED
    stored = world.repo.get_request(request_id)
    assert stored is not None and stored.status == Status.APPROVED and stored.decided_at
    queued = world.take_notifications()
    assert {(n.kind, n.recipient) for n in queued} == {
        (MailKind.DECISION_PARTNER, PARTNER),
        (MailKind.DECISION_OFFICER, officer("po-africa")),
        *((MailKind.DECISION_COMMITTEE, member(m)) for m in (*VOTERS, "near")),
    }
    with pytest.raises(RoundClosed):
        vote(request_id, "home", Choice.REJECT, "too late")


def test_only_the_vote_that_decided_is_told_so(world: World) -> None:
    request_id = dispatched(world)
    link = links.ReviewLink(request_id, "intpa", 1)
    first = review.cast_vote(link, Choice.APPROVE, None)
    assert (first.outcome, first.decided) == (Outcome.PENDING, False)
    vote(request_id, "home", Choice.APPROVE)
    last = review.cast_vote(links.ReviewLink(request_id, "eeas", 1), Choice.APPROVE, None)
    assert (last.outcome, last.decided) == (Outcome.APPROVED, True)
    # A vote of the same moment that reads the same votes lost the status change: not its say.
    assert review.settle_round(request_id, 1) == review.Settlement(Outcome.APPROVED, False)


def test_last_votes_of_the_same_moment_decide_once_and_one_is_told_so(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_id = dispatched(world)
    world.take_notifications()
    barrier = threading.Barrier(len(VOTERS))
    record = world.repo.record_vote

    def record_then_wait(*args: Any) -> None:  # every vote stored before any is counted
        record(*args)
        barrier.wait(timeout=10)

    monkeypatch.setattr(world.repo, "record_vote", record_then_wait)
    results: dict[str, review.VoteResult] = {}

    def cast(member_id: str) -> None:
        results[member_id] = review.cast_vote(
            links.ReviewLink(request_id, member_id, 1), Choice.APPROVE, None
        )

    threads = [threading.Thread(target=cast, args=(m,)) for m in VOTERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {r.outcome for r in results.values()} == {Outcome.APPROVED}
    assert sorted(r.decided for r in results.values()) == [False, False, True]
    queued = world.take_notifications()
    assert [n.kind for n in queued].count(MailKind.DECISION_PARTNER) == 1


def test_a_member_votes_once_per_round(world: World) -> None:
    request_id = dispatched(world)
    vote(request_id, "intpa", Choice.APPROVE)
    with pytest.raises(AlreadyVoted):
        vote(request_id, "intpa", Choice.REJECT, "changed my mind")
    assert [v.choice for v in world.repo.round_votes(request_id, 1).values()] == ["approve"]


def test_observers_and_removed_members_do_not_vote(world: World) -> None:
    request_id = dispatched(world)
    with pytest.raises(NotAVoter):
        vote(request_id, "near", Choice.APPROVE)
    world.repo.remove_member("home")
    with pytest.raises(NotAVoter):
        vote(request_id, "home", Choice.APPROVE)


def test_a_delegate_votes_for_the_member(world: World) -> None:
    request_id = dispatched(world)
    since = world.now.date().isoformat()  # the conftest's delegation of "eeas" starts today
    link = links.ReviewLink(request_id, "eeas", 1, links.Holder.DELEGATE, since)
    review.cast_vote(link, Choice.APPROVE, None)
    cast = world.repo.round_votes(request_id, 1)["eeas"]
    assert cast.cast_by == "delegate:eeas"


def test_a_rejection_keeps_the_reasons_the_partner_reads(world: World) -> None:
    request_id = dispatched(world)
    assert vote(request_id, "home", Choice.REJECT, "Outside the facility's scope.") is (
        Outcome.REJECTED
    )
    stored = world.repo.get_request(request_id)
    assert stored is not None
    assert (stored.status, stored.decision_reason) == ("rejected", "Outside the facility's scope.")


def test_a_question_pauses_the_round_and_the_answer_opens_the_next(world: World) -> None:
    request_id = dispatched(world)
    vote(request_id, "home", Choice.MORE_INFORMATION, "Which member states are involved?")
    view = partner.status_view(request_id)
    assert (view.status, view.question) == (
        Status.INFORMATION_REQUESTED,
        "Which member states are involved?",
    )
    new_round = partner.answer_question(
        request_id, "Spain and Portugal.", {"title": "A corrected title"}
    )
    stored = world.repo.get_request(request_id)
    assert stored is not None
    assert (new_round, stored.status, stored.round, stored.open_question) == (
        2,
        Status.SUBMITTED,
        2,
        None,
    )
    assert stored.title == "A corrected title"
    assert world.review_tasks[-1] == (request_id, 2)
    with pytest.raises(TransitionNotAllowed):
        partner.answer_question(request_id, "again", {})
    with pytest.raises(RoundClosed):  # the first round's links stop working
        vote(request_id, "intpa", Choice.APPROVE)


def test_a_correction_that_breaks_the_schema_changes_nothing(world: World) -> None:
    request_id = dispatched(world)
    vote(request_id, "home", Choice.MORE_INFORMATION, "Please say more.")
    with pytest.raises(InvalidRequest):
        partner.answer_question(request_id, "Here it is.", {"title": "x" * 5000})
    assert world.repo.get_request(request_id).status == Status.INFORMATION_REQUESTED  # type: ignore[union-attr]


def test_withdrawal_tells_the_officer_and_the_voters_and_is_final(world: World) -> None:
    request_id = dispatched(world)
    world.take_notifications()
    partner.withdraw(request_id)
    assert world.repo.get_request(request_id).status == Status.WITHDRAWN  # type: ignore[union-attr]
    assert {(n.kind, n.recipient) for n in world.take_notifications()} == {
        (MailKind.WITHDRAWN, officer("po-africa")),
        *((MailKind.WITHDRAWN, member(m)) for m in VOTERS),
    }
    with pytest.raises(TransitionNotAllowed):
        partner.withdraw(request_id)


def test_a_request_withdrawn_before_review_tells_only_the_officer(world: World) -> None:
    request_id = submitted(world)
    partner.withdraw(request_id)
    assert [n.recipient for n in world.take_notifications()] == [officer("po-africa")]


def test_the_status_view_shows_the_public_timeline_only(world: World) -> None:
    request_id = dispatched(world)
    vote(request_id, "intpa", Choice.APPROVE)
    view = partner.status_view(request_id)
    assert [e.action for e in view.timeline] == ["submitted", "review_opened"]
    with pytest.raises(NotFound):
        partner.status_view("0" * 32)


def test_every_later_round_reads_the_whole_conversation(world: World) -> None:
    request_id = dispatched(world)
    vote(request_id, "home", Choice.MORE_INFORMATION, "Which member states are involved?")
    asked = next(
        e for e in world.repo.partition(request_id).events if e.action == "information_requested"
    )
    assert asked.detail == {
        "question": "Which member states are involved?",
        "asked_by": [{"member": "home", "body": "DG HOME"}],  # ids and bodies: no name
    }
    world.advance(days=1)
    partner.answer_question(request_id, "Spain and Portugal.", {"title": "A corrected title"})
    [exchange] = review.conversation_of(request_id)
    assert (exchange.round, exchange.asked_by, exchange.answer) == (
        1,
        ("DG HOME",),
        "Spain and Portugal.",
    )
    [change] = exchange.changes
    assert (change.field, change.after) == ("title", "A corrected title")
    assert change.before == example_request()["request"]["title"]
    world.take_notifications()
    world.sent.clear()
    review.dispatch_review(request_id, 2)
    world.deliver_all()
    reviews = [m for m in world.sent if m.kind == "review_request"]
    assert len(reviews) == 3
    for mail in reviews:
        text = mail.text
        assert "Which member states are involved?" in text and "Spain and Portugal." in text
        assert "DG HOME" in text and change.before in text and "A corrected title" in text
        assert mail.to == "lukas@home.example.org" or "Lukas Schneider" not in text
    world.sent.clear()
    world.advance(days=7, hours=1)
    assert sweep.sweep(world.now)["reminded"] == 1
    world.deliver_all()
    reminders = [m for m in world.sent if m.kind == "reminder"]
    assert len(reminders) == 3
    for mail in reminders:
        assert "Which member states are involved?" in mail.text and "DG HOME" in mail.text
        assert "Spain and Portugal." in mail.text and "A corrected title" in mail.text
