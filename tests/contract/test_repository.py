"""The Repository contract (functions/adapters/repository.py), one suite for every implementation.

Each test runs against the in-memory fake and against DynamoDB in moto (``repo`` in
conftest.py), so a service test that passes on the fake passes on the table. The clock is
stopped at ``T0`` and moved by the tests (``frozen``).
"""

from __future__ import annotations

import copy
import inspect
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from itertools import product

import pytest

from functions.adapters.dynamodb.fake import InMemoryRepository
from functions.adapters.repository import Repository
from functions.domain import clock
from functions.domain.attachments import Attachment, FileType, ScanState
from functions.domain.errors import AlreadyVoted, Conflict, RoundClosed
from functions.domain.experts import Places
from functions.domain.mail import PARTNER, MailKind, MailState, member, officer
from functions.domain.records import Draft
from functions.domain.requests import Status, document_fingerprint, sources_of
from tests.contract import factories as make
from tests.contract.conftest import Clock
from tests.contract.factories import T0

LATER = "2026-11-28T09:30:00.000000Z"


def stored(repo: Repository, request_id: str = "r1", **overrides: object) -> None:
    """Create a request (with its first event and submission marker) through the contract."""
    the_request = make.request(request_id, **overrides)
    repo.create_request(the_request, make.event(request_id), make.submission(the_request))


def in_parallel(count: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in ``count`` threads started together; each outcome or raised error."""
    outcomes: list[object] = [None] * count
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        try:
            outcomes[i] = work(i)
        except Exception as error:
            outcomes[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


# --- counters -------------------------------------------------------------------------------------


def test_reference_numbers_count_up_per_year(repo: Repository) -> None:
    assert [repo.next_reference_number(2026) for _ in range(3)] == [1, 2, 3]
    assert repo.next_reference_number(2027) == 1
    assert repo.next_reference_number(2026) == 4


def test_submissions_are_counted_per_address_and_hour(repo: Repository) -> None:
    hour = 1_795_000_000 // 3600 * 3600
    assert [repo.count_attempt("submission", "a", hour) for _ in range(3)] == [1, 2, 3]
    assert repo.count_attempt("submission", "a", hour + 3600) == 1
    assert repo.count_attempt("submission", "b", hour) == 1


def test_each_purpose_has_its_own_window(repo: Repository) -> None:
    hour = 1_795_000_000 // 3600 * 3600
    assert [repo.count_attempt("vote", "a", hour) for _ in range(2)] == [1, 2]
    assert repo.count_attempt("answer", "a", hour) == 1
    assert repo.count_attempt("submission", "a", hour) == 1
    assert repo.count_attempt("vote", "a", hour + 3600) == 1


# --- requests -------------------------------------------------------------------------------------


def test_a_created_request_reads_back_with_its_event_and_marker(repo: Repository) -> None:
    the_request = make.request("r1")
    first = make.event("r1", detail={"reference": the_request.reference}, public=True)
    repo.create_request(the_request, first, make.submission(the_request))

    assert repo.get_request("r1") == the_request
    assert repo.get_submission("sub-r1") == make.submission(the_request)
    everything = repo.partition("r1")
    assert everything.request == the_request
    assert everything.events == [first]
    assert (everything.votes, everything.mail, everything.action) == ([], [], None)


def test_a_request_may_come_without_a_submission_marker(repo: Repository) -> None:
    repo.create_request(make.request("r1", submission_id=None), make.event("r1"))
    assert repo.get_request("r1") is not None
    assert repo.get_submission("sub-r1") is None


def test_nothing_is_found_for_an_unknown_id(repo: Repository) -> None:
    assert repo.get_request("nope") is None
    assert repo.get_submission("nope") is None
    assert repo.partition("nope") == (None, [], [], [], None, (), ())
    assert repo.request_and_round_votes("nope", 1) == (None, [])
    assert repo.round_votes("nope", 1) == {}
    assert repo.get_action("nope") is None


def test_a_second_submission_with_the_same_marker_conflicts_and_stores_nothing(
    repo: Repository,
) -> None:
    stored(repo, "r1")
    second = make.request("r2", submission_id="sub-r1")
    with pytest.raises(Conflict):
        repo.create_request(second, make.event("r2"), make.submission(second))

    assert repo.get_request("r2") is None
    assert repo.partition("r2") == (None, [], [], [], None, (), ())
    marker = repo.get_submission("sub-r1")
    assert marker is not None and marker.request_id == "r1"


def test_values_read_are_copies_of_what_is_stored(repo: Repository) -> None:
    the_request = make.request("r1")
    first = make.event("r1", detail={"nested": {"list": [1, 2]}})
    repo.create_request(the_request, first, make.submission(the_request))
    the_request.document["request"]["title"] = "changed by the caller after writing"
    first.detail["nested"]["list"].append(3)

    read = repo.get_request("r1")
    assert read is not None
    assert read.document == make.document()
    read.document["contact"]["name"] = "changed by the caller after reading"
    assert repo.get_request("r1") == make.request("r1")

    events = repo.partition("r1").events
    assert events[0].detail == {"nested": {"list": [1, 2]}}
    events[0].detail["nested"]["list"].clear()
    assert repo.partition("r1").events[0].detail == {"nested": {"list": [1, 2]}}

    assert repo.save_action(make.action("r1"), make.event("r1", "action_published"), None)
    action = repo.get_action("r1")
    assert action is not None
    action.plan["activities"].clear()
    assert repo.get_action("r1") == make.action("r1")


# --- status changes -------------------------------------------------------------------------------


def test_a_status_change_moves_the_request_and_writes_its_event(
    repo: Repository, frozen: Clock
) -> None:
    stored(repo, "r1")
    frozen.move(hours=1)
    moved = make.event("r1", "review_started", at=clock.iso(frozen.now()), actor="system")

    assert repo.change_status("r1", "under_review", moved)

    after = repo.get_request("r1")
    assert after is not None
    assert after.status == "under_review"
    assert after.status_since == clock.iso(frozen.now())
    assert after.updated_at == clock.iso(frozen.now())
    assert after.version == 2
    assert after.document == make.document()
    assert repo.partition("r1").events == [make.event("r1"), moved]


def test_a_status_changes_only_from_the_sources_the_transition_table_allows(
    repo: Repository,
) -> None:
    for source, target in product(Status, Status):
        request_id = f"{source}-{target}"
        stored(repo, request_id, status=source.value)
        allowed = source in sources_of(target)

        won = repo.change_status(request_id, target, make.event(request_id, f"to_{target}"))

        assert won is allowed, (source, target)
        after = repo.get_request(request_id)
        assert after is not None
        assert after.status == (target if allowed else source), (source, target)
        assert len(repo.partition(request_id).events) == (2 if allowed else 1), (source, target)


def test_a_status_changes_only_in_the_given_round(repo: Repository) -> None:
    stored(repo, "r1", status="under_review", round=2)
    assert not repo.change_status("r1", "approved", make.event("r1", "approved"), round_number=1)
    assert repo.get_request("r1") == make.request("r1", status="under_review", round=2)
    assert len(repo.partition("r1").events) == 1

    assert repo.change_status("r1", "approved", make.event("r1", "approved"), round_number=2)
    after = repo.get_request("r1")
    assert after is not None and after.status == "approved"


def test_a_status_change_of_a_missing_request_is_lost(repo: Repository) -> None:
    assert not repo.change_status("nope", "under_review", make.event("nope"))
    assert repo.partition("nope").events == []


def test_a_status_change_sets_fields_and_none_removes_them(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    answered = make.document()
    answered["request"]["objectives"] = "Answered objectives."

    assert repo.change_status(
        "r1", "information_requested", make.event("r1", "asked"), open_question="Which regions?"
    )
    asked = repo.get_request("r1")
    assert asked is not None and asked.open_question == "Which regions?"

    assert repo.change_status(
        "r1",
        "submitted",
        make.event("r1", "answered", at=LATER),
        round=2,
        document=answered,
        open_question=None,
    )
    back = repo.get_request("r1")
    assert back is not None
    assert (back.status, back.round, back.open_question) == ("submitted", 2, None)
    assert back.document == answered

    assert repo.change_status("r1", "under_review", make.event("r1", "review", at=LATER))
    assert repo.change_status(
        "r1",
        "rejected",
        make.event("r1", "rejected", at=LATER),
        round_number=2,
        decided_at=LATER,
        decision_reason="Out of scope.",
    )
    decided = repo.get_request("r1")
    assert decided is not None
    assert (decided.decided_at, decided.decision_reason) == (LATER, "Out of scope.")
    assert decided.version == 5


def test_only_one_of_concurrent_status_changes_wins(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    # Moves that all start from under_review and lead to statuses none of the others may leave
    # from (a withdrawal would be allowed after a question: that is two rightful winners).
    targets = ["approved", "rejected", "information_requested"] * 3

    outcomes = in_parallel(
        len(targets),
        lambda i: repo.change_status(
            "r1", targets[i], make.event("r1", f"decided{i}"), round_number=1
        ),
    )

    assert outcomes.count(True) == 1 and outcomes.count(False) == len(targets) - 1
    winner = targets[outcomes.index(True)]
    after = repo.get_request("r1")
    assert after is not None and after.status == winner
    assert len(repo.partition("r1").events) == 2


# --- listings -------------------------------------------------------------------------------------


def test_requests_in_a_status_come_longest_there_first_within_inclusive_bounds(
    repo: Repository,
) -> None:
    since = {
        "r3": "2026-11-03T00:00:00.000000Z",
        "r1": "2026-11-01T00:00:00.000000Z",
        "r4": "2026-11-04T00:00:00.000000Z",
        "r2": "2026-11-02T00:00:00.000000Z",
    }
    for request_id, at in since.items():
        stored(repo, request_id, status="under_review", status_since=at)
    stored(repo, "other", status="submitted", status_since=since["r2"])

    def ids(after: str | None = None, before: str | None = None) -> list[str]:
        return [r.request_id for r in repo.requests_in_status("under_review", after, before)]

    assert ids() == ["r1", "r2", "r3", "r4"]
    assert ids(since["r2"]) == ["r2", "r3", "r4"]
    assert ids(None, since["r3"]) == ["r1", "r2", "r3"]
    assert ids(since["r2"], since["r3"]) == ["r2", "r3"]
    assert ids(since["r2"], since["r2"]) == ["r2"]
    assert ids("2026-11-02T00:00:00.000001Z", "2026-11-02T23:59:59.999999Z") == []
    assert [r.request_id for r in repo.requests_in_status("submitted")] == ["other"]
    assert list(repo.requests_in_status("approved")) == []
    listed = next(iter(repo.requests_in_status("submitted")))
    assert listed == make.request("other", status="submitted", status_since=since["r2"])


def test_requests_of_a_region_come_in_order_of_submission_within_the_year(
    repo: Repository,
) -> None:
    submitted = {
        "late": "2026-12-31T23:59:59.999999Z",
        "early": "2026-01-01T00:00:00.000000Z",
        "middle": "2026-06-15T08:00:00.000000Z",
        "next-year": "2027-01-01T00:00:00.000000Z",
        "last-year": "2025-12-31T23:59:59.999999Z",
    }
    for request_id, at in submitted.items():
        stored(repo, request_id, submitted_at=at)
    stored(repo, "elsewhere", region="sahel", submitted_at=submitted["middle"])

    def ids(region: str, year: int) -> list[str]:
        return [r.request_id for r in repo.requests_of_region(region, year)]

    assert ids("west_africa", 2026) == ["early", "middle", "late"]
    assert ids("west_africa", 2027) == ["next-year"]
    assert ids("west_africa", 2025) == ["last-year"]
    assert ids("sahel", 2026) == ["elsewhere"]
    assert ids("andes", 2026) == []


def test_requests_are_found_by_the_hash_of_their_contact_address(repo: Repository) -> None:
    stored(repo, "r1")
    stored(repo, "r2")
    stored(repo, "r3", email_hash=make.email_hash("someone.else@example.org"))

    assert sorted(repo.request_ids_by_email_hash(make.CONTACT_HASH)) == ["r1", "r2"]
    assert repo.request_ids_by_email_hash(make.email_hash("nobody@example.org")) == []


# --- TTL ------------------------------------------------------------------------------------------


def test_reads_skip_items_whose_expiry_has_come(repo: Repository, frozen: Clock) -> None:
    expiry = frozen.epoch + 60
    the_request = make.request("r1", expires_at=expiry)
    repo.create_request(
        the_request,
        make.event("r1", expires_at=expiry),
        make.submission(the_request, expires_at=expiry),
    )
    stored(repo, "r2")

    frozen.move(seconds=59)
    assert repo.get_request("r1") == the_request
    assert repo.get_submission("sub-r1") is not None
    assert len(repo.partition("r1").events) == 1

    frozen.move(seconds=1)  # expires_at <= now: expired, though not deleted yet
    assert repo.get_request("r1") is None
    assert repo.get_submission("sub-r1") is None
    assert repo.partition("r1") == (None, [], [], [], None, (), ())
    assert [r.request_id for r in repo.requests_in_status("submitted")] == ["r2"]
    assert [r.request_id for r in repo.requests_of_region("west_africa", 2026)] == ["r2"]
    assert repo.request_and_round_votes("r1", 1) == (None, [])


def test_expired_votes_mail_and_actions_are_not_read(repo: Repository, frozen: Clock) -> None:
    stored(repo, "r1", status="under_review")
    repo.record_vote(make.vote("r1", "m1"), make.event("r1", "vote", suffix="m1"))
    assert repo.claim_mail(make.mail_claim(), expires_at=frozen.epoch + 10)
    assert repo.save_action(make.action("r1"), make.event("r1", "action_published"), None)

    frozen.move(seconds=10)
    assert repo.get_mail(make.notification()) is None
    assert repo.partition("r1").mail == []
    assert not repo.claim_mail(make.mail_claim())  # not deleted yet: the condition sees it
    assert repo.round_votes("r1", 1) == {"m1": make.vote("r1", "m1")}

    assert repo.expire_partition("r1", frozen.epoch + 20) == 7
    frozen.move(seconds=20)
    assert repo.round_votes("r1", 1) == {}
    assert repo.request_and_round_votes("r1", 1) == (None, [])
    assert repo.get_action("r1") is None
    assert repo.get_request("r1") is None


# --- sweep marks ----------------------------------------------------------------------------------


def test_a_mark_is_added_once(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")

    assert repo.mark_once("r1", "reminder#1#2")
    assert not repo.mark_once("r1", "reminder#1#2")
    assert repo.mark_once("r1", "escalation#1")
    after = repo.get_request("r1")
    assert after is not None
    assert after.sweep_marks == {"reminder#1#2", "escalation#1"}


def test_a_mark_is_added_only_in_the_given_status_and_round(repo: Repository) -> None:
    stored(repo, "r1", status="under_review", round=2)

    assert not repo.mark_once("r1", "m", status="submitted")
    assert not repo.mark_once("r1", "m", round_number=1)
    assert not repo.mark_once("r1", "m", status="under_review", round_number=3)
    assert not repo.mark_once("nope", "m")
    assert repo.mark_once("r1", "m", status="under_review", round_number=2)


def test_a_mark_taken_back_can_be_added_again(repo: Repository) -> None:
    stored(repo, "r1")
    assert repo.mark_once("r1", "a") and repo.mark_once("r1", "b")

    repo.unmark("r1", "a")
    after = repo.get_request("r1")
    assert after is not None and after.sweep_marks == {"b"}
    assert repo.mark_once("r1", "a")


def test_only_one_of_concurrent_markers_wins(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    outcomes = in_parallel(8, lambda _: repo.mark_once("r1", "escalation#1", status="under_review"))
    assert outcomes.count(True) == 1 and outcomes.count(False) == 7


# --- events ---------------------------------------------------------------------------------------


def test_events_come_in_the_order_of_their_sort_keys(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    later = make.event("r1", "decided", at=LATER, actor="committee")
    votes = [
        make.event("r1", "vote", at=LATER, actor="member:m2", suffix="m2"),
        make.event("r1", "vote", at=LATER, actor="member:m1", suffix="m1"),
    ]
    private = make.event("r1", "note", at="2026-11-27T18:00:00.000000Z", public=False)
    for event in [later, *votes, private]:
        repo.append_event(event)

    # EVT#<at>#<action>[#suffix]: by time, then action, then suffix
    expected = [make.event("r1"), private, later, votes[1], votes[0]]
    assert repo.partition("r1").events == expected


# --- votes ----------------------------------------------------------------------------------------


def test_a_vote_is_recorded_with_its_event(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    cast = make.vote("r1", "m1", choice="reject", comment="Not in scope.")
    delegated = make.vote("r1", "m2", cast_by="delegate:m2")
    silent = make.vote("r1", "m3", cast_by="system", silent=True)
    for vote in (cast, delegated, silent):
        repo.record_vote(vote, make.event("r1", "vote", suffix=vote.member_id))

    assert repo.round_votes("r1", 1) == {"m1": cast, "m2": delegated, "m3": silent}
    the_request, votes = repo.request_and_round_votes("r1", 1)
    assert the_request == make.request("r1", status="under_review", votes_cast=3)
    assert sorted(votes) == sorted([cast, delegated, silent])
    everything = repo.partition("r1")
    assert sorted(everything.votes) == sorted([cast, delegated, silent])
    assert [e.suffix for e in everything.events if e.action == "vote"] == ["m1", "m2", "m3"]


def test_a_second_vote_of_a_member_in_a_round_is_refused(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    repo.record_vote(make.vote("r1", "m1"), make.event("r1", "vote", suffix="m1"))

    with pytest.raises(AlreadyVoted):
        repo.record_vote(
            make.vote("r1", "m1", choice="reject", at=LATER),
            make.event("r1", "vote", at=LATER, suffix="m1"),
        )

    assert repo.round_votes("r1", 1) == {"m1": make.vote("r1", "m1")}
    assert len(repo.partition("r1").events) == 2


@pytest.mark.parametrize(
    ("status", "round_number"),
    [("submitted", 1), ("information_requested", 1), ("approved", 1), ("under_review", 2)],
)
def test_a_vote_outside_the_open_round_is_refused(
    repo: Repository, status: str, round_number: int
) -> None:
    stored(repo, "r1", status=status, round=round_number)

    with pytest.raises(RoundClosed):
        repo.record_vote(make.vote("r1", "m1"), make.event("r1", "vote", suffix="m1"))

    assert repo.round_votes("r1", 1) == {}
    assert len(repo.partition("r1").events) == 1


def test_a_vote_on_a_missing_request_is_refused(repo: Repository) -> None:
    with pytest.raises(RoundClosed):
        repo.record_vote(make.vote("nope", "m1"), make.event("nope", "vote", suffix="m1"))
    assert repo.partition("nope") == (None, [], [], [], None, (), ())


def test_votes_are_kept_per_round(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")
    repo.record_vote(make.vote("r1", "m1"), make.event("r1", "vote", suffix="m1"))
    assert repo.change_status("r1", "information_requested", make.event("r1", "asked"))
    assert repo.change_status("r1", "submitted", make.event("r1", "answered"), round=2)
    assert repo.change_status("r1", "under_review", make.event("r1", "review"))
    second = make.vote("r1", "m1", round=2, choice="reject", at=LATER)
    repo.record_vote(second, make.event("r1", "vote", at=LATER, suffix="m1"))

    assert repo.round_votes("r1", 1) == {"m1": make.vote("r1", "m1")}
    assert repo.round_votes("r1", 2) == {"m1": second}
    assert repo.request_and_round_votes("r1", 2)[1] == [second]
    assert repo.round_votes("r1", 3) == {}
    assert len(repo.partition("r1").votes) == 2


def test_only_one_of_concurrent_votes_of_a_member_counts(repo: Repository) -> None:
    stored(repo, "r1", status="under_review")

    outcomes = in_parallel(
        6,
        lambda i: repo.record_vote(
            make.vote("r1", "m1", comment=f"try {i}"),
            make.event("r1", "vote", suffix=f"m1-{i}"),
        ),
    )

    assert outcomes.count(None) == 1
    assert all(isinstance(outcome, AlreadyVoted) for outcome in outcomes if outcome is not None)
    assert len(repo.round_votes("r1", 1)) == 1
    assert len(repo.partition("r1").events) == 2


# --- mail -----------------------------------------------------------------------------------------


def test_the_request_and_the_recipient_are_read_together(repo: Repository) -> None:
    stored(repo, "r1")
    repo.save_member(make.committee_member("m1"))
    repo.save_officer(make.project_officer("o1"))
    the_request = make.request("r1")

    assert repo.request_and_recipient("r1", PARTNER) == (the_request, None)
    assert repo.request_and_recipient("r1", member("m1")) == (
        the_request,
        make.committee_member("m1"),
    )
    assert repo.request_and_recipient("r1", officer("o1")) == (
        the_request,
        make.project_officer("o1"),
    )
    assert repo.remove_member("m1")
    assert repo.request_and_recipient("r1", member("m1")) == (the_request, None)
    assert repo.request_and_recipient("nope", officer("o1")) == (None, make.project_officer("o1"))


def test_an_email_is_claimed_once(repo: Repository) -> None:
    stored(repo, "r1")
    claim = make.mail_claim()

    assert repo.claim_mail(claim)
    assert not repo.claim_mail(claim._replace(at=LATER))
    assert repo.get_mail(make.notification()) == claim
    assert repo.partition("r1").mail == [claim]
    assert repo.get_mail(make.notification(round_number=2)) is None


def test_emails_differ_by_kind_round_recipient_and_key(repo: Repository) -> None:
    stored(repo, "r1")
    variants = [
        {},
        {"kind": MailKind.REMINDER},
        {"round_number": 2},
        {"recipient": member("m2")},
        {"recipient": PARTNER},
        {"recipient": officer("o1")},
        {"kind": MailKind.REMINDER, "key": "2"},
        {"kind": MailKind.REMINDER, "key": "3"},
    ]
    claims = [make.mail_claim(**variant) for variant in variants]  # type: ignore[arg-type]
    assert all(repo.claim_mail(claim) for claim in claims)
    for variant, claim in zip(variants, claims, strict=True):
        assert repo.get_mail(make.notification(**variant)) == claim  # type: ignore[arg-type]
    assert sorted(repo.partition("r1").mail) == sorted(claims)


def test_a_dead_workers_claim_is_taken_over_once(repo: Repository) -> None:
    stored(repo, "r1")
    claim = make.mail_claim()
    assert repo.claim_mail(claim)

    assert repo.take_over_mail(claim, LATER)
    assert not repo.take_over_mail(claim, "2026-11-29T00:00:00.000000Z")  # dated T0 no more

    taken = repo.get_mail(make.notification())
    assert taken is not None
    assert (taken.state, taken.at, taken.attempts) == (MailState.SENDING, LATER, 2)
    assert repo.take_over_mail(taken, "2026-11-29T00:00:00.000000Z")
    again = repo.get_mail(make.notification())
    assert again is not None and again.attempts == 3


def test_a_claimed_email_is_finished_once(repo: Repository) -> None:
    stored(repo, "r1")
    claim = make.mail_claim()
    assert repo.claim_mail(claim)

    assert repo.finish_mail(claim, MailState.SENT, message_id="ses-1")
    sent = repo.get_mail(make.notification())
    assert sent is not None
    assert (sent.state, sent.message_id, sent.attempts) == (MailState.SENT, "ses-1", 1)
    assert not repo.finish_mail(claim, MailState.REJECTED, error="bounced")
    assert not repo.take_over_mail(sent, LATER)
    after = repo.get_mail(make.notification())
    assert after is not None and after.state is MailState.SENT


def test_a_refused_email_keeps_its_error(repo: Repository) -> None:
    stored(repo, "r1")
    claim = make.mail_claim(recipient=PARTNER, kind=MailKind.RECEIPT)
    assert repo.claim_mail(claim)
    assert repo.finish_mail(claim, MailState.REJECTED, error="MessageRejected")
    refused = repo.get_mail(make.notification(recipient=PARTNER, kind=MailKind.RECEIPT))
    assert refused is not None
    assert (refused.state, refused.error) == (MailState.REJECTED, "MessageRejected")


def test_finishing_an_unclaimed_email_is_lost(repo: Repository) -> None:
    assert not repo.finish_mail(make.mail_claim(), MailState.SENT, message_id="x")
    assert not repo.take_over_mail(make.mail_claim(), LATER)
    assert repo.get_mail(make.notification()) is None


def test_stale_claims_are_found_by_the_time_they_were_taken(repo: Repository) -> None:
    """The sweeper's entry point to claims of dead workers: claims dated up to a bound, oldest
    first; a sent, refused, forgotten or younger claim is not among them."""
    stored(repo, "r1")
    stored(repo, "r2")
    old = make.mail_claim()
    other = make.mail_claim(at="2026-11-28T09:10:00.000000Z", request_id="r2")
    young = make.mail_claim(at="2026-11-28T09:25:00.000000Z", kind=MailKind.REMINDER)
    sent = make.mail_claim(recipient=PARTNER)
    for claim in (old, other, young, sent):
        assert repo.claim_mail(claim)
    assert repo.finish_mail(sent, MailState.SENT, message_id="ses-1")

    assert list(repo.stale_mail_claims("2026-11-28T09:20:00.000000Z")) == [old, other]
    assert repo.take_over_mail(old, LATER)
    assert list(repo.stale_mail_claims("2026-11-28T09:20:00.000000Z")) == [other]
    assert repo.finish_mail(other, MailState.REJECTED, error="abandoned")
    assert list(repo.stale_mail_claims("2026-11-28T09:20:00.000000Z")) == []
    [young_one, taken] = repo.stale_mail_claims(LATER)
    assert (taken.attempts, young_one) == (2, young)
    repo.forget_mail(young)
    assert [c.kind for c in repo.stale_mail_claims(LATER)] == [MailKind.REVIEW_REQUEST]


def test_a_released_claim_is_gone_and_claimed_afresh(repo: Repository) -> None:
    """SES refused the account: the worker gives its claim back, and only its own claim."""
    stored(repo, "r1")
    claim = make.mail_claim()
    assert repo.claim_mail(claim)
    assert repo.take_over_mail(claim, LATER)  # another worker's claim now, dated LATER
    assert not repo.release_mail(claim)
    taken = repo.get_mail(make.notification())
    assert taken is not None and taken.at == LATER

    assert repo.release_mail(taken)
    assert repo.get_mail(make.notification()) is None
    assert list(repo.stale_mail_claims(LATER)) == []
    assert not repo.release_mail(taken)  # released once
    assert repo.claim_mail(claim)
    fresh = repo.get_mail(make.notification())
    assert fresh is not None and fresh.attempts == 1


def test_a_finished_email_cannot_be_released(repo: Repository) -> None:
    stored(repo, "r1")
    claim = make.mail_claim()
    assert repo.claim_mail(claim)
    assert repo.finish_mail(claim, MailState.SENT, message_id="ses-1")
    assert not repo.release_mail(claim)
    sent = repo.get_mail(make.notification())
    assert sent is not None and sent.state is MailState.SENT


def test_a_forgotten_email_can_be_claimed_again(repo: Repository) -> None:
    stored(repo, "r1")
    claim = make.mail_claim()
    assert repo.claim_mail(claim)
    assert repo.finish_mail(claim, MailState.SENT, message_id="ses-1")

    repo.forget_mail(claim)
    assert repo.get_mail(make.notification()) is None
    assert repo.partition("r1").mail == []
    assert repo.claim_mail(claim)


def test_only_one_of_concurrent_claims_wins(repo: Repository) -> None:
    stored(repo, "r1")
    outcomes = in_parallel(6, lambda i: repo.claim_mail(make.mail_claim(at=f"{T0[:-2]}{i}Z")))
    assert outcomes.count(True) == 1 and outcomes.count(False) == 5


# --- Actions --------------------------------------------------------------------------------------


def test_an_action_is_saved_at_versions_in_turn(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    assert repo.get_action("r1") is None

    first = make.action("r1")
    assert repo.save_action(first, make.event("r1", "action_published"), None)
    assert repo.get_action("r1") == first
    assert not repo.save_action(
        make.action("r1", title="Other"), make.event("r1", "action_published", at=LATER), None
    )

    second = make.action("r1", version=2, plan={"activities": []}, updated_at=LATER)
    assert repo.save_action(second, make.event("r1", "activity_changed", at=LATER), 1)
    assert repo.get_action("r1") == second
    assert not repo.save_action(
        make.action("r1", version=2, title="Stale"),
        make.event("r1", "activity_changed", at=LATER, suffix="stale"),
        1,
    )

    everything = repo.partition("r1")
    assert everything.action == second
    assert [e.action for e in everything.events] == [  # by sort key: time, then action
        "action_published",
        "submitted",
        "activity_changed",
    ]


def test_an_action_at_a_version_needs_one_stored(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    assert not repo.save_action(make.action("r1", version=2), make.event("r1", "changed"), 1)
    assert repo.get_action("r1") is None
    assert len(repo.partition("r1").events) == 1


# --- the committee --------------------------------------------------------------------------------


def test_members_are_kept_in_id_order(repo: Repository) -> None:
    assert repo.members() == []
    for member_id in ("m3", "m1", "m2"):
        repo.save_member(make.committee_member(member_id))
    observer = make.committee_member("m2", role="observer", delegate=None, name="Replaced")
    repo.save_member(observer)

    assert [m.member_id for m in repo.members()] == ["m1", "m2", "m3"]
    assert repo.member("m2") == observer
    assert repo.member("m1") == make.committee_member("m1")
    assert repo.member("nobody") is None


def test_a_removed_member_reads_as_none(repo: Repository) -> None:
    repo.save_member(make.committee_member("m1"))
    assert repo.remove_member("m1")
    assert not repo.remove_member("m1")
    assert repo.member("m1") is None
    assert repo.members() == []


def test_officers_are_kept_in_id_order(repo: Repository) -> None:
    assert repo.officers() == []
    for officer_id in ("o2", "o1"):
        repo.save_officer(make.project_officer(officer_id))
    moved = make.project_officer("o2", regions=("andes",))
    repo.save_officer(moved)

    assert repo.officers() == [make.project_officer("o1"), moved]
    assert repo.officer("o2") == moved
    assert repo.remove_officer("o1")
    assert not repo.remove_officer("o1")
    assert repo.officer("o1") is None
    assert repo.officers() == [moved]


# --- suppression ----------------------------------------------------------------------------------


def test_an_address_is_suppressed_once_and_can_be_released(repo: Repository) -> None:
    digest = make.email_hash("bounced@example.org")
    assert not repo.is_suppressed(digest)

    assert repo.suppress(digest, "bounce", T0)
    assert not repo.suppress(digest, "complaint", LATER)
    assert repo.is_suppressed(digest)
    assert not repo.is_suppressed(make.email_hash("other@example.org"))

    assert repo.unsuppress(digest)
    assert not repo.unsuppress(digest)
    assert not repo.is_suppressed(digest)


# --- retention ------------------------------------------------------------------------------------


def full_partition(repo: Repository, request_id: str = "r1") -> None:
    """A request with two events, a vote, a mail record and an Action: five items but one."""
    stored(repo, request_id, status="under_review")
    repo.record_vote(make.vote(request_id), make.event(request_id, "vote", suffix="m1"))
    assert repo.claim_mail(make.mail_claim(request_id=request_id))
    assert repo.save_action(
        make.action(request_id), make.event(request_id, "action_published"), None
    )


def test_every_item_of_a_partition_gets_the_expiry_once(repo: Repository, frozen: Clock) -> None:
    full_partition(repo)
    expiry = frozen.epoch + 86400

    assert repo.expire_partition("r1", expiry) == 7  # request, 3 events, vote, mail, Action
    assert repo.expire_partition("r1", expiry) == 0

    everything = repo.partition("r1")
    assert everything.request is not None and everything.request.expires_at == expiry
    assert {event.expires_at for event in everything.events} == {expiry}
    assert repo.get_submission("sub-r1") is not None  # the marker is not of the partition

    assert repo.expire_partition("r1", expiry + 1) == 7
    frozen.move(seconds=86401)
    assert repo.partition("r1") == (None, [], [], [], None, (), ())
    assert repo.expire_partition("r1", expiry + 1) == 0  # expired items are still items


def test_the_expiry_of_an_unknown_request_changes_nothing(repo: Repository) -> None:
    assert repo.expire_partition("nope", 1_900_000_000) == 0


# --- erasure --------------------------------------------------------------------------------------


NAME = "Aminata Diallo"
ACCENTED = "Zoé Ndiaye"


def scrub(text: str) -> str:
    """An erasure's scrubber: the person's values become ``[erased]``."""
    return text.replace(NAME, "[erased]").replace(ACCENTED, "[erased]")


def test_every_text_of_every_item_is_scrubbed_but_the_document(repo: Repository) -> None:
    the_request = make.request("r1", status="under_review", open_question=f"{NAME}, which regions?")
    repo.create_request(the_request, make.event("r1"), make.submission(the_request))
    nested = {"by": {"names": ["someone", f"{NAME} (contact)"], "count": 2}}
    repo.append_event(make.event("r1", "noted", detail=nested, public=False))
    # a JSON text: its escapes (\u00e9) hide the accented name from a plain replace
    quoted = json.dumps({"quote": f"{ACCENTED} wrote"})
    assert "Zoé" not in quoted
    repo.append_event(make.event("r1", "quoted", detail={"raw": quoted}))
    repo.append_event(make.event("r1", "untouched", detail={"by": "nobody"}))
    repo.record_vote(
        make.vote("r1", comment=f"Call {NAME} first."), make.event("r1", "vote", suffix="m1")
    )
    claim = make.mail_claim()
    assert repo.claim_mail(claim)
    assert repo.finish_mail(claim, MailState.REJECTED, error=f"{NAME} <a@b> refused")
    plan = {"activities": [{"title": "Mission", "lead": ACCENTED}], "notes": [NAME]}
    assert repo.save_action(make.action("r1", plan=plan), make.event("r1", "published"), None)

    changed = repo.scrub_partition("r1", scrub)

    assert changed == {"request": 1, "event": 2, "vote": 1, "mail": 1, "action": 1}
    everything = repo.partition("r1")
    assert everything.request is not None
    assert everything.request.open_question == "[erased], which regions?"
    assert everything.request.document == make.document()  # replaced by replace_contact only
    events = {event.action: event for event in everything.events}
    scrubbed = {"by": {"names": ["someone", "[erased] (contact)"], "count": 2}}
    assert events["noted"].detail == scrubbed
    assert json.loads(events["quoted"].detail["raw"]) == {"quote": "[erased] wrote"}
    assert events["untouched"].detail == {"by": "nobody"}
    assert everything.votes[0].comment == "Call [erased] first."
    assert everything.mail[0].error == "[erased] <a@b> refused"
    assert everything.mail[0].state is MailState.REJECTED
    assert everything.action is not None
    assert everything.action.plan == {
        "activities": [{"title": "Mission", "lead": "[erased]"}],
        "notes": ["[erased]"],
    }

    assert repo.scrub_partition("r1", scrub) == {}


def test_scrubbing_an_unknown_request_changes_nothing(repo: Repository) -> None:
    assert repo.scrub_partition("nope", scrub) == {}


def test_a_replaced_contact_leaves_no_address_behind(repo: Repository) -> None:
    stored(repo, "r1")
    stored(repo, "r2")
    anonymous = make.document()
    anonymous["contact"].update(name="[erased]", email="[erased]", phone="[erased]")
    fingerprint = document_fingerprint(anonymous)

    assert repo.replace_contact("r1", anonymous, fingerprint)
    anonymous["contact"]["name"] = "changed by the caller after writing"

    after = repo.get_request("r1")
    assert after is not None
    assert after.document["contact"]["name"] == "[erased]"
    assert (after.fingerprint, after.email_hash) == (fingerprint, None)
    marker = repo.get_submission("sub-r1")
    assert marker is not None and marker.fingerprint == fingerprint
    assert repo.request_ids_by_email_hash(make.CONTACT_HASH) == ["r2"]
    assert not repo.replace_contact("nope", anonymous, fingerprint)


# --- drafts (issue 20) ----------------------------------------------------------------------------


def a_draft(draft_id: str = "d1", **overrides: object) -> Draft:
    """A draft saved at T0, kept 30 days, its reminder due five days before it ends."""
    values: dict[str, object] = {
        "draft_id": draft_id,
        "values": {"contact.email": ["ana@example.org"], "request.topics": ["a", "b"]},
        "email_hash": make.CONTACT_HASH,
        "language": "es",
        "version": 1,
        "saved_at": T0,
        "expires_at": int(clock.parse_iso(T0).timestamp()) + 30 * 86400,
        "reminder_due": "2026-12-22T12:00:00.000000Z",
    }
    values.update(overrides)
    return Draft(**values)  # type: ignore[arg-type]


def test_a_draft_is_stored_once_and_read_back_whole(repo: Repository) -> None:
    draft = a_draft()
    assert repo.save_draft(draft, None)
    assert not repo.save_draft(draft._replace(language="fr"), None)  # exists already

    assert repo.get_draft("d1") == draft
    assert repo.get_draft("nope") is None


def test_saving_again_needs_the_version_read(repo: Repository) -> None:
    repo.save_draft(a_draft(), None)
    second = a_draft(version=2, values={"contact.email": ["ana@example.org"], "x": ["2"]})
    assert repo.save_draft(second, 1)
    assert not repo.save_draft(a_draft(version=2, values={}), 1)  # a save came first

    stored_draft = repo.get_draft("d1")
    assert stored_draft is not None and stored_draft.values["x"] == ["2"]
    assert not repo.save_draft(a_draft("other", version=2), 1)  # nothing to update


def test_values_read_are_copies(repo: Repository) -> None:
    draft = a_draft()
    repo.save_draft(draft, None)
    draft.values["contact.email"].append("changed after writing")
    read = repo.get_draft("d1")
    assert read is not None
    read.values["request.topics"].clear()

    again = repo.get_draft("d1")
    assert again is not None and again.values == a_draft().values


def test_an_expired_draft_reads_as_gone_but_blocks_a_new_one(
    repo: Repository, frozen: Clock
) -> None:
    repo.save_draft(a_draft(), None)
    frozen.move(days=31)

    assert repo.get_draft("d1") is None
    assert not repo.save_draft(a_draft(), None)  # DynamoDB has not deleted it yet
    assert repo.draft_ids_by_email_hash(make.CONTACT_HASH) == ["d1"]  # erasure still finds it


def test_a_discarded_draft_is_gone_with_its_answers(repo: Repository) -> None:
    repo.save_draft(a_draft(), None)
    assert repo.discard_draft("d1")
    assert not repo.discard_draft("d1")
    assert not repo.discard_draft("nope")
    assert repo.get_draft("d1") is None
    assert repo.draft_ids_by_email_hash(make.CONTACT_HASH) == []
    assert list(repo.drafts_due_reminder("2027-12-31T00:00:00.000000Z")) == []
    assert not repo.save_draft(a_draft(version=2), 1)  # a sent draft is not saved again


def test_a_discarded_draft_keeps_no_answer_in_the_table(stack: object) -> None:
    from functions.adapters.dynamodb.models import DraftItem
    from functions.adapters.dynamodb.repository import DynamoRepository

    repo = DynamoRepository()
    repo.save_draft(a_draft(), None)
    repo.discard_draft("d1")
    item = DraftItem.get("DRAFT#d1", "DRAFT")
    assert item.values == {} and item.email_hash is None and item.status is None


def test_reminders_due_are_listed_soonest_first_and_marked_once(repo: Repository) -> None:
    repo.save_draft(a_draft("late", reminder_due="2026-12-30T00:00:00.000000Z"), None)
    repo.save_draft(a_draft("soon", reminder_due="2026-12-01T00:00:00.000000Z"), None)
    repo.save_draft(a_draft("later", reminder_due="2027-01-30T00:00:00.000000Z"), None)
    repo.save_draft(a_draft("done", reminder_due=None), None)

    due = [d.draft_id for d in repo.drafts_due_reminder("2026-12-31T00:00:00.000000Z")]
    assert due == ["soon", "late"]

    assert not repo.mark_draft_reminded("soon", 2)  # saved again since it was read
    assert repo.mark_draft_reminded("soon", 1)
    assert not repo.mark_draft_reminded("soon", 1)  # once
    assert not repo.mark_draft_reminded("nope", 1)
    after = [d.draft_id for d in repo.drafts_due_reminder("2026-12-31T00:00:00.000000Z")]
    assert after == ["late"]
    reminded = repo.get_draft("soon")
    assert reminded is not None and reminded.reminder_due is None


def test_drafts_are_found_by_address_apart_from_requests(repo: Repository) -> None:
    stored(repo, "r1")
    repo.save_draft(a_draft("d1"), None)
    repo.save_draft(a_draft("d2", email_hash=make.email_hash("other@example.org")), None)

    assert repo.draft_ids_by_email_hash(make.CONTACT_HASH) == ["d1"]
    assert repo.request_ids_by_email_hash(make.CONTACT_HASH) == ["r1"]


def test_no_request_listing_sees_a_draft(repo: Repository) -> None:
    repo.save_draft(a_draft(), None)
    for status in Status:
        assert list(repo.requests_in_status(status.value)) == []
    assert list(repo.requests_in_status("DRAFT#reminder")) == []
    assert repo.get_request("d1") is None


# --- the fake's own: what service tests count -----------------------------------------------------


def test_the_fake_lists_every_call_by_name() -> None:
    fake = InMemoryRepository()
    stored(fake, "r1")
    fake.get_request("r1")
    fake.mark_once("r1", "a")
    list(fake.requests_in_status("submitted"))

    assert fake.calls == ["create_request", "get_request", "mark_once", "requests_in_status"]


# --- attachments (issue 20) -----------------------------------------------------------------------


def an_attachment(owner_id: str = "d1", slot: str = "letter", **overrides: object) -> Attachment:
    """A PDF letter uploaded at T0 to a draft, kept 30 days, not scanned yet."""
    values: dict[str, object] = {
        "owner_id": owner_id,
        "slot": slot,
        "s3_key": f"attachments/{owner_id}-{slot}",
        "size": 123_456,
        "file_type": FileType.PDF,
        "scan": ScanState.PENDING,
        "uploaded_at": T0,
        "in_draft": True,
        "expires_at": int(clock.parse_iso(T0).timestamp()) + 30 * 86400,
    }
    values.update(overrides)
    return Attachment(**values)  # type: ignore[arg-type]


def test_attachments_are_one_per_slot_read_back_in_slot_order(repo: Repository) -> None:
    second = an_attachment(slot="supporting-2", file_type=FileType.XLSX, size=1)
    repo.save_attachment(second)
    letter = an_attachment()
    repo.save_attachment(letter)
    assert repo.attachments("d1", in_draft=True) == [letter, second]
    replaced = letter._replace(s3_key="attachments/new", file_type=FileType.DOCX)
    repo.save_attachment(replaced)  # a new file in the slot replaces the item
    assert repo.attachments("d1", in_draft=True) == [replaced, second]
    # A draft's attachments and a request's with the same id are apart.
    assert repo.attachments("d1") == []
    assert repo.attachments("nope", in_draft=True) == []


def test_a_requests_attachments_share_its_partition(repo: Repository) -> None:
    repo.create_request(make.request(), make.event())
    repo.save_attachment(an_attachment("r1", in_draft=False, expires_at=None))
    partition = repo.partition("r1")  # read with the rest of the partition
    assert partition.request is not None and len(partition.events) == 1
    assert list(partition.attachments) == repo.attachments("r1")
    assert [a.slot for a in repo.attachments("r1")] == ["letter"]
    assert repo.expire_partition("r1", 1_900_000_000) == 3  # request, event, attachment
    assert repo.attachments("r1")[0].expires_at == 1_900_000_000
    assert repo.attachments("r1", in_draft=True) == []


def test_a_scan_outcome_is_recorded_on_the_same_object_only(repo: Repository) -> None:
    letter = an_attachment()
    repo.save_attachment(letter)
    assert repo.set_attachment_scan(letter, ScanState.CLEAN)
    assert repo.attachments("d1", in_draft=True)[0].scan is ScanState.CLEAN
    other = letter._replace(s3_key="attachments/replaced-meanwhile")
    assert not repo.set_attachment_scan(other, ScanState.QUARANTINED)
    assert not repo.set_attachment_scan(an_attachment(slot="supporting-1"), ScanState.CLEAN)
    assert repo.attachments("d1", in_draft=True)[0].scan is ScanState.CLEAN


def test_an_ended_attachment_reads_as_gone_but_is_still_listed_for_its_object(
    repo: Repository, frozen: Clock
) -> None:
    letter = an_attachment()
    repo.save_attachment(letter)
    assert not repo.end_attachment(letter._replace(s3_key="attachments/other"))
    assert repo.end_attachment(letter)
    frozen.move(seconds=1)
    assert repo.attachments("d1", in_draft=True) == []
    (ended,) = repo.attachments("d1", in_draft=True, ended=True)
    assert ended.s3_key == letter.s3_key and ended.expires_at is not None
    assert not repo.end_attachment(letter)  # ended once
    assert not repo.set_attachment_scan(letter, ScanState.CLEAN)


def test_an_attachment_past_its_ttl_is_gone(repo: Repository, frozen: Clock) -> None:
    repo.save_attachment(an_attachment(expires_at=frozen.epoch + 10))
    frozen.move(seconds=11)
    assert repo.attachments("d1", in_draft=True) == []
    assert len(repo.attachments("d1", in_draft=True, ended=True)) == 1


def test_a_drafts_attachments_move_to_the_request_it_became(
    repo: Repository, frozen: Clock
) -> None:
    letter = an_attachment()
    supporting = an_attachment(slot="supporting-1", file_type=FileType.PNG)
    repo.save_attachment(letter)
    repo.save_attachment(supporting)
    moved = repo.move_attachments("d1", "r1", 1_900_000_000)
    due = "2030-03-16T17:46:40.000000Z"  # a day before 1_900_000_000
    expected = [
        a._replace(owner_id="r1", in_draft=False, expires_at=1_900_000_000, deletion_due=due)
        for a in (letter, supporting)
    ]
    assert moved == expected
    assert repo.attachments("r1") == expected
    assert [a.s3_key for a in moved] == [letter.s3_key, supporting.s3_key]  # the same objects
    frozen.move(seconds=1)
    assert repo.attachments("d1", in_draft=True) == []
    assert repo.move_attachments("d1", "r1", 1_900_000_000) == []  # nothing left to move
    assert repo.attachments("r1") == expected
    assert list(repo.attachments_due_deletion(due)) == expected


def test_a_requests_files_are_due_deletion_a_day_before_it_expires(
    repo: Repository, frozen: Clock
) -> None:
    repo.save_attachment(an_attachment())
    repo.save_attachment(an_attachment("d2"))
    (first,) = repo.move_attachments("d1", "r1", frozen.epoch + 10 * 86400)
    (second,) = repo.move_attachments("d2", "r2", frozen.epoch + 20 * 86400)
    assert first.deletion_due == clock.iso(frozen.current + timedelta(days=9))
    assert list(repo.attachments_due_deletion(clock.iso(frozen.current))) == []
    assert list(repo.attachments_due_deletion("9999")) == [first, second]  # soonest first
    # The request's expiry moved (retention): its files' deletion moves with it.
    later = "2031-01-01T00:00:00.000000Z"
    assert repo.schedule_attachment_deletion("r1", later) == 1
    assert repo.schedule_attachment_deletion("r1", later) == 0
    assert repo.schedule_attachment_deletion("nope", later) == 0
    assert [a.owner_id for a in repo.attachments_due_deletion("2030-12-31")] == ["r2"]
    # Past its TTL, still in the index: the sweeper deletes the object and ends the item once.
    frozen.move(days=21)
    (due,) = repo.attachments_due_deletion("2030-12-31")
    assert due.owner_id == "r2"
    assert repo.end_attachment(due)
    assert not repo.end_attachment(due)
    assert list(repo.attachments_due_deletion("2030-12-31")) == []
    (stored,) = repo.attachments("r2", ended=True)
    assert stored.expires_at == second.expires_at  # its TTL kept, not moved later


@pytest.mark.parametrize("name", sorted(Repository.__abstractmethods__))
def test_every_operation_of_the_fake_is_listed(name: str) -> None:
    assert f'self._call("{name}")' in inspect.getsource(getattr(InMemoryRepository, name))


# --- results (issue 19): evaluations ----------------------------------------------------------


def test_a_personal_link_answers_once_per_activity(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    first = make.evaluation("r1", 1, "host")
    assert repo.save_evaluation(first)
    assert not repo.save_evaluation(make.evaluation("r1", 1, "host", satisfaction=1))
    assert repo.get_evaluation("r1", 1, "host") == first
    assert repo.save_evaluation(make.evaluation("r1", 2, "host"))  # another activity
    assert repo.save_evaluation(make.evaluation("r1", 1, "expert:e7", most_useful=None))
    assert repo.get_evaluation("r1", 3, "host") is None
    assert [(a.activity, a.respondent) for a in repo.evaluations("r1")] == [
        (1, "expert:e7"),
        (1, "host"),
        (2, "host"),
    ]
    assert repo.evaluations("r2") == []


def test_a_personal_answer_written_together_is_kept_once(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    outcomes = in_parallel(4, lambda i: repo.save_evaluation(make.evaluation(satisfaction=i + 1)))
    assert sorted(map(str, outcomes)) == ["False", "False", "False", "True"]
    assert len(repo.evaluations("r1")) == 1


def test_the_shared_link_takes_anonymous_answers_up_to_its_cap(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    for n in range(3):
        assert repo.save_room_evaluation(make.evaluation("r1", 2, f"room:{n}"), cap=3)
    assert not repo.save_room_evaluation(make.evaluation("r1", 2, "room:x"), cap=3)
    assert repo.save_room_evaluation(make.evaluation("r1", 1, "room:x"), cap=3)  # its own cap
    assert not repo.save_room_evaluation(make.evaluation("r1", 1, "room:x"), cap=3)  # same id
    rooms = [a.respondent for a in repo.evaluations("r1") if a.activity == 2]
    assert rooms == ["room:0", "room:1", "room:2"]
    # The failed write for an id already taken did not count: the activity takes two more.
    assert repo.save_room_evaluation(make.evaluation("r1", 1, "room:y"), cap=3)
    assert repo.save_room_evaluation(make.evaluation("r1", 1, "room:z"), cap=3)
    assert not repo.save_room_evaluation(make.evaluation("r1", 1, "room:w"), cap=3)


def test_answers_to_a_full_room_written_together_stop_at_the_cap(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    outcomes = in_parallel(
        6, lambda i: repo.save_room_evaluation(make.evaluation("r1", 1, f"room:{i}"), cap=4)
    )
    assert len(repo.evaluations("r1")) == sum(1 for o in outcomes if o is True) <= 4


def test_evaluations_carry_their_expiry_and_go_with_their_partition(
    repo: Repository, frozen: Clock
) -> None:
    stored(repo, "r1", status="approved")
    host = make.evaluation(expires_at=frozen.epoch + 100)
    assert repo.save_evaluation(host)
    assert repo.save_room_evaluation(make.evaluation(respondent="room:a"), cap=5)
    assert repo.get_evaluation("r1", 1, "host") == host
    assert repo.expire_partition("r1", frozen.epoch + 50) >= 4  # request, event, two answers
    frozen.move(seconds=60)
    assert repo.evaluations("r1") == []
    assert repo.get_evaluation("r1", 1, "host") is None
    assert not repo.save_evaluation(host)  # not deleted yet: the condition sees it


def test_erasure_scrubs_the_texts_of_evaluations(repo: Repository) -> None:
    stored(repo, "r1", status="approved")
    repo.save_evaluation(make.evaluation(comment=f"Merci {NAME}", most_useful="Nothing personal"))
    repo.save_room_evaluation(make.evaluation(respondent="room:a"), cap=5)
    changed = repo.scrub_partition("r1", scrub)
    assert changed.get("evaluation") == 1
    [answer, _room] = sorted(repo.evaluations("r1"), key=lambda a: a.respondent)
    assert answer.comment == "Merci [erased]" and answer.most_useful == "Nothing personal"
    assert answer.respondent == "host" and answer.satisfaction == 4


# --- results (issue 19): the report's index and the public pages -------------------------------


def test_the_reports_index_holds_an_action_in_each_year_it_spans(repo: Repository) -> None:
    entry = make.results_entry("r1")
    repo.save_results(entry, [2026, 2027], [])
    repo.save_results(make.results_entry("r0", region="asia"), [2027], [])
    assert repo.results_of_year(2026) == [entry]
    assert [e.request_id for e in repo.results_of_year(2027)] == ["r0", "r1"]
    assert repo.results_of_year(2025) == []
    moved = make.results_entry("r1", starts_on="2027-01-10")
    repo.save_results(moved, [2027], [2026])  # the plan moved: 2026 no longer spanned
    assert repo.results_of_year(2026) == []
    assert [e.starts_on for e in repo.results_of_year(2027) if e.request_id == "r1"] == [
        "2027-01-10"
    ]
    repo.save_results(moved, [], [])  # nothing to write: nothing changes
    assert len(repo.results_of_year(2027)) == 2


def test_index_entries_past_their_expiry_are_not_read(repo: Repository, frozen: Clock) -> None:
    repo.save_results(make.results_entry(expires_at=frozen.epoch + 5), [2026], [])
    repo.publish(make.published_action(expires_at=frozen.epoch + 5))
    frozen.move(seconds=10)
    assert repo.results_of_year(2026) == []
    assert repo.published_actions() == []


def test_an_action_is_published_replaced_and_unpublished(repo: Repository) -> None:
    assert repo.published_actions() == []
    first = make.published_action("r1")
    repo.publish(first)
    repo.publish(make.published_action("r0", countries=["GE"]))
    assert [a.request_id for a in repo.published_actions()] == ["r0", "r1"]
    later = first._replace(activities_done=2)
    repo.publish(later)
    assert [a for a in repo.published_actions() if a.request_id == "r1"] == [later]
    assert repo.unpublish("r1")
    assert not repo.unpublish("r1")
    assert [a.request_id for a in repo.published_actions()] == ["r0"]


# --- the staff queue ---------------------------------------------------------------------------


def _queue_of_five(repo: Repository) -> list[str]:
    """Five submitted requests, each longer in the status than the next; their ids in age order."""
    ids = []
    for number in range(5):
        at = f"2026-11-0{number + 1}T08:00:00.000000Z"
        stored(repo, f"q{number}", status_since=at, submitted_at=at)
        ids.append(f"q{number}")
    return ids


def test_the_queue_pages_a_status_longest_waiting_first_and_continues(repo: Repository) -> None:
    ids = _queue_of_five(repo)
    stored(repo, "other", status="approved")
    first = repo.queue_page(status="submitted", limit=2)
    assert [r.request_id for r in first.requests] == ids[:2]
    assert first.cursor is not None
    second = repo.queue_page(status="submitted", limit=2, cursor=first.cursor)
    assert [r.request_id for r in second.requests] == ids[2:4]
    assert second.cursor is not None
    last = repo.queue_page(status="submitted", limit=2, cursor=second.cursor)
    assert [r.request_id for r in last.requests] == ids[4:]
    assert last.cursor is None  # fewer than the limit: the index has no more
    newest = repo.queue_page(status="submitted", limit=3, newest_first=True)
    assert [r.request_id for r in newest.requests] == ids[::-1][:3]


def test_the_queue_pages_a_region_and_year_in_order_of_submission(repo: Repository) -> None:
    ids = _queue_of_five(repo)
    stored(repo, "sahel", region="sahel", submitted_at="2026-11-02T09:00:00.000000Z")
    stored(repo, "last-year", submitted_at="2025-11-02T09:00:00.000000Z")
    page = repo.queue_page(region="west_africa", year=2026, limit=10)
    assert [r.request_id for r in page.requests] == ids
    assert page.cursor is None
    assert [r.request_id for r in repo.queue_page(region="sahel", year=2026).requests] == ["sahel"]


@pytest.mark.parametrize(
    "cursor",
    ["garbage", "", "x" * 300, "MjAyNnxyMQ", "MjAyNi0xMS0wMVQwODowMDowMC4wMDAwMDBafHIxIHgneQ"],
)
def test_a_queue_cursor_not_made_by_the_queue_is_refused(repo: Repository, cursor: str) -> None:
    from functions.domain.errors import InvalidCursor

    stored(repo)
    if not cursor:  # an empty cursor is the first page
        assert [r.request_id for r in repo.queue_page(status="submitted").requests] == ["r1"]
        return
    with pytest.raises(InvalidCursor):
        repo.queue_page(status="submitted", cursor=cursor)


# --- experts (the roster) -----------------------------------------------------------------------


def test_a_registration_is_stored_pending_and_read_back_whole(repo: Repository) -> None:
    registration = make.expert("e1")
    repo.create_expert(registration)

    assert repo.get_expert("e1") == registration
    assert repo.get_expert("nobody") is None
    assert repo.experts_of_member_state("FR", "pending") == [registration]
    assert repo.experts_of_member_state("FR", "active") == []
    assert repo.experts_of_member_state("DE", "pending") == []


def test_one_registration_per_address(repo: Repository) -> None:
    first = make.expert("e1")
    repo.create_expert(first)
    with pytest.raises(Conflict):
        repo.create_expert(make.expert("e2", email_hash=first.email_hash))
    assert repo.get_expert("e2") is None


def test_a_registration_is_decided_once(repo: Repository) -> None:
    repo.create_expert(make.expert("e1"))
    assert repo.decide_expert("e1", "active", "fp1", LATER)
    assert not repo.decide_expert("e1", "declined", "fp2", LATER, "not one of ours")
    decided = repo.get_expert("e1")
    assert decided is not None
    assert (decided.status, decided.decided_by, decided.decided_at) == ("active", "fp1", LATER)
    assert decided.decline_reason is None
    assert decided.version == 2
    assert not repo.decide_expert("nobody", "active", "fp1", LATER)


def test_a_declined_registration_keeps_its_reason_and_is_never_matched(repo: Repository) -> None:
    repo.create_expert(make.expert("e1"))
    assert repo.decide_expert("e1", "declined", "fp1", LATER, "not in our administration")
    declined = repo.get_expert("e1")
    assert declined is not None and declined.decline_reason == "not in our administration"
    assert repo.active_experts_of_topics(["trafficking_in_human_beings"]) == ([], 0)
    assert [e.expert_id for e in repo.experts_of_member_state("FR", "declined")] == ["e1"]
    assert repo.experts_of_member_state("FR", "pending") == []


def test_active_experts_are_found_by_topic_each_once(repo: Repository) -> None:
    both = make.expert("e1")  # the example: trafficking and border management
    border = make.expert_document(email="e2@example.fr")
    border["expertise"]["topics"] = ["border_management"]
    labour = make.expert_document(email="e3@example.fr")
    labour["expertise"]["topics"] = ["labour_migration"]
    pending = make.expert_document(email="e4@example.fr")
    for registration in (
        both,
        make.expert("e2", document=border),
        make.expert("e3", document=labour),
    ):
        repo.create_expert(registration)
        assert repo.decide_expert(registration.expert_id, "active", "fp1", LATER)
    repo.create_expert(make.expert("e4", document=pending))  # never confirmed

    found, read = repo.active_experts_of_topics(
        ["border_management", "trafficking_in_human_beings"]
    )
    assert [e.expert_id for e in found] == ["e1", "e2"]
    assert all(e.status == "active" for e in found)
    assert read == 3 + 2  # three topic entries, two profiles: not the roster's four
    assert repo.active_experts_of_topics([]) == ([], 0)
    assert repo.active_experts_of_topics(["visa_and_mobility"]) == ([], 0)


def test_focal_points_are_kept_per_member_state(repo: Repository) -> None:
    assert repo.focal_points("FR") == []
    repo.save_focal_point(make.focal("fp2"))
    repo.save_focal_point(make.focal("fp1"))
    repo.save_focal_point(make.focal("de1", "DE", language="en"))
    renamed = make.focal("fp2", name="Paul Focal")
    repo.save_focal_point(renamed)

    assert repo.focal_points("FR") == [make.focal("fp1"), renamed]
    assert repo.focal_point("FR", "fp2") == renamed
    assert repo.focal_point("DE", "fp1") is None
    assert repo.remove_focal_point("FR", "fp1")
    assert not repo.remove_focal_point("FR", "fp1")
    assert repo.focal_points("FR") == [renamed]
    assert [f.focal_id for f in repo.focal_points("DE")] == ["de1"]


# --- invitations ----------------------------------------------------------------------------------

DEADLINE = "2026-12-04T12:00:00.000000Z"


def invited(repo: Repository, count: int, places: int = 2) -> list[str]:
    """Experts e0..e<count-1> (active) invited to activity 5 of r1, which has ``places``."""
    stored(repo)
    ids = [f"e{i}" for i in range(count)]
    for expert_id in ids:
        repo.create_expert(make.expert(expert_id))
        assert repo.decide_expert(expert_id, "active", "fp1", T0)
    created = repo.invite([make.invitation(e) for e in ids], Places("r1", 5, places))
    assert [i.expert_id for i in created] == ids
    return ids


def test_an_expert_is_invited_to_an_activity_once(repo: Repository) -> None:
    invited(repo, 2)
    again = repo.invite([make.invitation("e0"), make.invitation("e9")], Places("r1", 5, 7))
    assert [i.expert_id for i in again] == ["e9"]
    places, invitations = repo.activity_invitations("r1", 5)
    assert places == Places("r1", 5, 2, 0)  # the first invitation's count stays
    assert [i.expert_id for i in invitations] == ["e0", "e1", "e9"]
    assert repo.get_invitation("r1", 5, "e0") == make.invitation("e0")
    assert repo.get_invitation("r1", 6, "e0") is None
    assert repo.activity_invitations("r1", 6) == (None, [])
    assert [i.expert_id for i in repo.partition("r1").invitations] == ["e0", "e1", "e9"]
    assert repo.expert_invitations("e0") == [make.invitation("e0")]
    assert repo.expert_invitations("nobody") == []


def test_the_first_acceptances_fill_the_places(repo: Repository) -> None:
    ids = invited(repo, 3, places=2)
    assert repo.accept_invitation(make.invitation("e0"), LATER) == "accepted"
    assert repo.accept_invitation(make.invitation("e0"), LATER) == "answered"
    assert repo.accept_invitation(make.invitation("e1"), LATER) == "accepted"
    assert repo.accept_invitation(make.invitation("e2"), LATER) == "full"
    places, invitations = repo.activity_invitations("r1", 5)
    assert places is not None and places.filled == 2 and places.open == 0
    assert [i.status for i in invitations] == ["accepted", "accepted", "invited"]
    assert invitations[0].responded_at == LATER
    deployed = [repo.get_expert(e) for e in ids]
    assert [e.deployments if e else None for e in deployed] == [1, 1, 0]


def test_concurrent_acceptances_take_no_more_than_the_places(repo: Repository) -> None:
    ids = invited(repo, 6, places=2)
    outcomes = in_parallel(6, lambda i: repo.accept_invitation(make.invitation(ids[i]), LATER))
    assert sorted(map(str, outcomes)) == ["accepted", "accepted", "full", "full", "full", "full"]
    places, _ = repo.activity_invitations("r1", 5)
    assert places is not None and places.filled == 2
    assert sum(e.deployments for e in map(repo.get_expert, ids) if e) == 2


def test_an_invitation_past_its_deadline_cannot_be_accepted(repo: Repository) -> None:
    invited(repo, 1)
    assert repo.accept_invitation(make.invitation("e0"), DEADLINE) == "answered"
    assert repo.get_invitation("r1", 5, "e0") == make.invitation("e0")


def test_a_declined_or_expired_invitation_is_closed_once_and_frees_no_place(
    repo: Repository,
) -> None:
    invited(repo, 2, places=1)
    assert repo.close_invitation(make.invitation("e0"), "declined", LATER, "on leave")
    assert not repo.close_invitation(make.invitation("e0"), "expired", LATER)
    assert repo.accept_invitation(make.invitation("e0"), LATER) == "answered"
    declined = repo.get_invitation("r1", 5, "e0")
    assert declined is not None and (declined.status, declined.reason) == ("declined", "on leave")
    assert repo.accept_invitation(make.invitation("e1"), LATER) == "accepted"


def test_waiting_invitations_are_listed_by_deadline_and_reminded_once(repo: Repository) -> None:
    stored(repo)
    early = make.invitation("e1", respond_by="2026-12-01T00:00:00.000000Z")
    late = make.invitation("e2", respond_by="2026-12-09T00:00:00.000000Z")
    answered = make.invitation("e3", respond_by="2026-11-30T00:00:00.000000Z")
    repo.invite([late, early, answered], Places("r1", 5, 3))
    assert repo.close_invitation(answered, "declined", LATER, "no")
    due = list(repo.invitations_due("2026-12-05T00:00:00.000000Z"))
    assert [i.expert_id for i in due] == ["e1"]
    assert [i.expert_id for i in repo.invitations_due("2026-12-31T00:00:00.000000Z")] == [
        "e1",
        "e2",
    ]
    assert repo.mark_invitation_reminded(early)
    assert not repo.mark_invitation_reminded(early)
    assert not repo.mark_invitation_reminded(answered)
    reminded = repo.get_invitation("r1", 5, "e1")
    assert reminded is not None and reminded.reminded


def test_accepted_invitations_are_the_years_deployments(repo: Repository) -> None:
    invited(repo, 3, places=3)
    assert repo.accept_invitation(make.invitation("e0"), LATER) == "accepted"
    assert (
        repo.accept_invitation(make.invitation("e2"), "2026-11-29T08:00:00.000000Z") == "accepted"
    )
    assert repo.close_invitation(make.invitation("e1"), "declined", LATER, "no")
    deployed = repo.deployments_of_year(2026)
    assert [(i.expert_id, i.member_state, i.gender) for i in deployed] == [
        ("e0", "FR", "female"),
        ("e2", "FR", "female"),
    ]
    assert repo.deployments_of_year(2027) == []


def test_the_roster_is_counted_by_member_state_and_status(repo: Repository) -> None:
    assert repo.roster_size() == {}
    german = make.expert_document(email="de@example.de", member_state="DE")
    for registration in (make.expert("e1"), make.expert("e2"), make.expert("e3", document=german)):
        repo.create_expert(registration)
    assert repo.decide_expert("e1", "active", "fp1", LATER)
    assert repo.decide_expert("e2", "declined", "fp1", LATER, "no")
    assert repo.roster_size() == {"FR": {"active": 1, "declined": 1}, "DE": {"pending": 1}}


def test_the_roster_is_read_a_page_at_a_time_in_order_of_registration(repo: Repository) -> None:
    from functions.domain.errors import InvalidCursor

    times = ["2026-11-27T12:00:03.000000Z", "2026-11-27T12:00:01.000000Z"]
    times += ["2026-11-27T12:00:02.000000Z", "2026-11-27T12:00:04.000000Z"]
    for number, at in enumerate(times):
        repo.create_expert(make.expert(f"e{number}", registered_at=at))
    german = make.expert_document(email="de@example.de", member_state="DE")
    repo.create_expert(make.expert("e9", document=german))
    assert repo.decide_expert("e3", "active", "fp1", LATER)

    first, cursor = repo.roster_page("FR", "pending", limit=2)
    assert [e.expert_id for e in first] == ["e1", "e2"] and cursor
    rest, end = repo.roster_page("FR", "pending", limit=2, cursor=cursor)
    assert [e.expert_id for e in rest] == ["e0"] and end is None
    assert [e.expert_id for e in repo.roster_page("FR", "active")[0]] == ["e3"]
    assert repo.roster_page("IT", "pending") == ([], None)
    with pytest.raises(InvalidCursor):
        repo.roster_page("FR", "pending", cursor="bm90IG91cnM")


def test_an_update_replaces_the_registration_and_reindexes_it(repo: Repository) -> None:
    repo.create_expert(make.expert("e1"))  # trafficking and border management
    assert repo.decide_expert("e1", "active", "fp1", LATER)
    read = repo.get_expert("e1")
    assert read is not None
    document = make.expert_document(email="e1@interieur.example.fr")
    document["expertise"]["topics"] = ["labour_migration", "border_management"]
    changed = read._replace(document=document, updated_at=LATER)
    assert repo.update_expert(changed, read)
    assert not repo.update_expert(changed, read)  # the version read is gone: nothing written
    stored = repo.get_expert("e1")
    assert stored is not None and stored.topics == ("labour_migration", "border_management")
    assert stored.version == read.version + 1 and stored.updated_at == LATER
    found = [e.expert_id for e in repo.active_experts_of_topics(["labour_migration"])[0]]
    assert found == ["e1"]
    assert repo.active_experts_of_topics(["trafficking_in_human_beings"])[0] == []
    # Another member state: back to pending there, out of matching.
    german = copy.deepcopy(document)
    german["expert"]["member_state"] = "DE"
    moved = stored._replace(document=german, status="pending")
    assert repo.update_expert(moved, stored)
    assert repo.active_experts_of_topics(["labour_migration"])[0] == []
    assert [e.expert_id for e in repo.roster_page("DE", "pending")[0]] == ["e1"]
    assert repo.roster_page("FR", "active")[0] == []
    again = repo.get_expert("e1")
    assert again is not None and repo.mark_leaving("e1", LATER)
    assert not repo.update_expert(again, again)  # left the roster: nothing written
    assert repo.erase_expert("e1")["expert"] == 1  # dropped entries and all
    assert repo.get_expert("e1") is None


def test_held_mail_is_kept_in_order_until_released(repo: Repository) -> None:
    first: list[dict[str, object]] = [
        {"type": "roster_notification", "expert_id": "e1", "mail_kind": "expert_receipt"}
    ]
    second: list[dict[str, object]] = [
        {"type": "notification", "request_id": "r1", "mail_kind": "receipt", "round": 1}
    ]
    assert repo.held_mail() == []
    one = repo.hold_mail(first, "2026-11-27T12:00:00.000000Z")
    two = repo.hold_mail(second, "2026-11-27T12:00:01.000000Z")
    again = repo.hold_mail(first, "2026-11-27T12:00:01.000000Z")  # the same, held twice: kept
    assert len({one, two, again}) == 3
    held = repo.held_mail()
    assert held[0] == (one, first)
    assert sorted(map(str, [m for _, m in held])) == sorted(map(str, [first, second, first]))
    assert len(repo.held_mail(limit=1)) == 1
    repo.drop_held_mail(one)
    repo.drop_held_mail(one)  # gone already: no error
    assert one not in [key for key, _ in repo.held_mail()] and len(repo.held_mail()) == 2


def test_an_erased_expert_leaves_nothing_personal_and_the_counts_stay(repo: Repository) -> None:
    invited(repo, 1, places=1)
    assert repo.accept_invitation(make.invitation("e0"), LATER) == "accepted"
    registration = repo.get_expert("e0")
    assert registration is not None
    assert repo.expert_id_by_email_hash(registration.email_hash) == "e0"
    changed = repo.erase_expert("e0")
    assert changed == {"expert": 1, "expert_topic": 2, "expert_address": 1, "invitation": 1}
    assert repo.get_expert("e0") is None
    assert repo.expert_id_by_email_hash(registration.email_hash) is None
    assert repo.active_experts_of_topics(["border_management"]) == ([], 0)
    assert repo.expert_invitations("e0") == []
    [deployed] = repo.deployments_of_year(2026)  # still counted, by member state and gender
    assert (deployed.member_state, deployed.gender) == ("FR", "female")
    assert repo.erase_expert("e0") == {}


def test_an_expert_who_leaves_is_listed_for_erasure_once(repo: Repository) -> None:
    repo.create_expert(make.expert("e1"))
    assert repo.decide_expert("e1", "active", "fp1", T0)
    assert repo.experts_leaving() == []
    assert repo.mark_leaving("e1", LATER)
    assert not repo.mark_leaving("e1", LATER)
    assert not repo.mark_leaving("nobody", LATER)
    assert repo.experts_leaving() == ["e1"]
    left = repo.get_expert("e1")
    assert left is not None and left.status == "leaving"
    assert repo.active_experts_of_topics(["border_management"])[0] == []
    repo.erase_expert("e1")
    assert repo.experts_leaving() == []


# --- the queue's filters and counts ---------------------------------------------------------------


def _mixed_queue(repo: Repository) -> list[str]:
    """Eight submitted requests, oldest first, of two regions, two thematic areas and two years."""
    ids = []
    for number in range(8):
        at = f"2026-10-0{number + 1}T08:00:00.000000Z"
        stored(
            repo,
            f"m{number}",
            status_since=at,
            submitted_at=at if number % 4 else f"2025-10-0{number + 1}T08:00:00.000000Z",
            region="sahel" if number % 2 else "west_africa",
            pillar="legal_migration" if number < 4 else "irregular_migration",
        )
        ids.append(f"m{number}")
    return ids


def test_the_queue_filters_within_the_page_it_reads_and_reads_on(repo: Repository) -> None:
    ids = _mixed_queue(repo)
    first = repo.queue_page(status="submitted", regions=("sahel",), limit=4)
    assert first.read == 4  # what the index page read, whatever the filter keeps
    assert [r.request_id for r in first.requests] == [ids[1], ids[3]]
    assert first.cursor is not None
    second = repo.queue_page(status="submitted", regions=("sahel",), limit=4, cursor=first.cursor)
    assert [r.request_id for r in second.requests] == [ids[5], ids[7]]
    both = repo.queue_page(status="submitted", regions=("sahel", "west_africa"), limit=8)
    assert [r.request_id for r in both.requests] == ids


def test_the_queue_filters_a_thematic_area_and_a_year(repo: Repository) -> None:
    ids = _mixed_queue(repo)
    legal = repo.queue_page(status="submitted", pillar="legal_migration", limit=10)
    assert [r.request_id for r in legal.requests] == ids[:4]
    last_year = repo.queue_page(status="submitted", year=2025, limit=10)
    assert [r.request_id for r in last_year.requests] == [ids[0], ids[4]]
    this_year = repo.queue_page(
        status="submitted", year=2026, pillar="irregular_migration", limit=10
    )
    assert [r.request_id for r in this_year.requests] == [ids[5], ids[6], ids[7]]


def test_the_queue_filters_a_status_within_a_region_and_year(repo: Repository) -> None:
    ids = _mixed_queue(repo)
    assert repo.change_status("m2", "under_review", make.event("m2", "review"))
    page = repo.queue_page(region="west_africa", year=2026, limit=10)
    assert [r.request_id for r in page.requests] == [ids[2], ids[6]]
    only = repo.queue_page(region="west_africa", year=2026, status="submitted", limit=10)
    assert [r.request_id for r in only.requests] == [ids[6]]


def test_a_queue_page_reads_one_index(repo: Repository) -> None:
    with pytest.raises(ValueError):
        repo.queue_page(region="sahel")  # a region without its year
    with pytest.raises(ValueError):
        repo.queue_page()


def test_the_counts_per_status_follow_every_status_change(repo: Repository) -> None:
    assert repo.status_counts() == {status.value: 0 for status in Status}
    for number in range(3):
        stored(repo, f"c{number}")
    assert repo.change_status("c0", "under_review", make.event("c0", "review"))
    assert repo.change_status("c0", "approved", make.event("c0", "approved"))
    assert repo.change_status("c1", "under_review", make.event("c1", "review"))
    assert not repo.change_status("c2", "approved", make.event("c2", "approved"))  # not allowed
    counts = repo.status_counts()
    assert counts["submitted"] == 1 and counts["under_review"] == 1 and counts["approved"] == 1
    assert sum(counts.values()) == 3
    assert set(counts) == {status.value for status in Status}


def test_a_change_that_lost_its_round_moves_no_count(repo: Repository) -> None:
    stored(repo, "c1", status="under_review", round=2)
    assert not repo.change_status("c1", "approved", make.event("c1", "late"), round_number=1)
    counts = repo.status_counts()
    assert counts["under_review"] == 1 and counts["approved"] == 0


def _truth(repo: Repository) -> dict[str, int]:
    counts = {status.value: 0 for status in Status}
    for status in Status:
        counts[status.value] = len(list(repo.requests_in_status(status.value)))
    return counts


def test_the_counts_equal_the_truth_after_concurrent_transitions(repo: Repository) -> None:
    for number in range(6):
        stored(repo, f"p{number}", status="under_review")
    # Every request is raced by three decisions at once (one wins each), and every one of them
    # moves a count of the same two statuses: no move may be lost or counted twice.
    targets = ["approved", "rejected", "information_requested"]
    work = [(f"p{n}", target) for n in range(6) for target in targets]
    outcomes = in_parallel(
        len(work),
        lambda i: repo.change_status(
            work[i][0], work[i][1], make.event(work[i][0], f"decided{i}"), round_number=1
        ),
    )
    assert outcomes.count(True) == 6, outcomes
    counts = repo.status_counts()
    assert counts == _truth(repo)
    assert counts["under_review"] == 0 and sum(counts.values()) == 6


def test_concurrent_submissions_are_all_counted(repo: Repository) -> None:
    in_parallel(8, lambda i: stored(repo, f"s{i}"))
    assert repo.status_counts()["submitted"] == 8 == len(list(repo.requests_in_status("submitted")))


def test_a_recount_sets_the_counts_from_the_index(repo: Repository, frozen: Clock) -> None:
    for number in range(4):
        stored(repo, f"c{number}")
    assert repo.change_status("c0", "under_review", make.event("c0", "review"))
    # A request past its TTL (DynamoDB deletes it late) is no longer counted.
    stored(repo, "gone", expires_at=int(clock.now().timestamp()) + 60)
    frozen.move(minutes=5)
    recounted = repo.recount_statuses()
    assert recounted == _truth(repo)
    assert recounted["submitted"] == 3 and recounted["under_review"] == 1
    assert repo.status_counts() == recounted


def test_a_deadline_is_extended_only_while_the_question_waits(repo: Repository) -> None:
    stored(repo, "d1", status="information_requested", round=1)
    stored(repo, "d2", status="under_review")
    assert repo.extend_answer_by("d1", 1, LATER, make.event("d1", "deadline_extended"))
    request = repo.get_request("d1")
    assert request is not None and request.answer_by == LATER
    assert "deadline_extended" in [e.action for e in repo.partition("d1").events]
    assert not repo.extend_answer_by("d1", 2, LATER, make.event("d1", "other_round"))
    assert not repo.extend_answer_by("d2", 1, LATER, make.event("d2", "deadline_extended"))
    assert repo.get_request("d2").answer_by is None  # type: ignore[union-attr]
    # The deadline belongs to one stay in the status: any status change removes it.
    assert repo.change_status("d1", "submitted", make.event("d1", "answered", at=LATER))
    assert repo.get_request("d1").answer_by is None  # type: ignore[union-attr]


def test_each_vote_counts_on_the_request_until_its_status_changes(repo: Repository) -> None:
    stored(repo, "v1", status="under_review")
    for number, member_id in enumerate(["intpa", "eeas"]):
        vote = make.vote("v1", member_id=member_id)
        repo.record_vote(vote, make.event("v1", f"voted{number}"))
    assert repo.get_request("v1").votes_cast == 2  # type: ignore[union-attr]
    with pytest.raises(AlreadyVoted):
        repo.record_vote(make.vote("v1", member_id="eeas"), make.event("v1", "again"))
    assert repo.get_request("v1").votes_cast == 2  # type: ignore[union-attr]
    [page_request] = repo.queue_page(status="under_review").requests
    assert page_request.votes_cast == 2  # the index page carries it
    assert repo.change_status("v1", "information_requested", make.event("v1", "asked"))
    assert repo.get_request("v1").votes_cast == 0  # type: ignore[union-attr]
    with pytest.raises(RoundClosed):
        repo.record_vote(make.vote("v1", member_id="home"), make.event("v1", "late"))
    assert repo.get_request("v1").votes_cast == 0  # type: ignore[union-attr]


def test_concurrent_votes_of_different_members_are_all_counted(repo: Repository) -> None:
    stored(repo, "v1", status="under_review")
    members = [f"member{i}" for i in range(6)]
    outcomes = in_parallel(
        len(members),
        lambda i: repo.record_vote(
            make.vote("v1", member_id=members[i]), make.event("v1", f"voted{i}")
        ),
    )
    assert outcomes == [None] * len(members)
    assert repo.get_request("v1").votes_cast == len(members)  # type: ignore[union-attr]


def test_every_focal_point_is_one_partition_in_member_state_order(repo: Repository) -> None:
    assert repo.all_focal_points() == []
    repo.save_focal_point(make.focal("fp2"))
    repo.save_focal_point(make.focal("de1", "DE", language="en"))
    repo.save_focal_point(make.focal("fp1"))

    assert [(f.member_state, f.focal_id) for f in repo.all_focal_points()] == [
        ("DE", "de1"),
        ("FR", "fp1"),
        ("FR", "fp2"),
    ]
    repo.remove_focal_point("FR", "fp1")
    assert [f.focal_id for f in repo.all_focal_points()] == ["de1", "fp2"]


def test_the_administration_trail_is_newest_first_and_written_once(repo: Repository) -> None:
    from functions.domain.records import Event

    assert repo.admin_events(10) == []
    lines = [
        Event("", f"2026-12-01T10:0{i}:00.000000Z", "member_saved", "staff:s1", 0, {"id": f"m{i}"})
        for i in range(3)
    ]
    for line in lines:
        repo.append_admin_event(line)
    with pytest.raises(Conflict):
        repo.append_admin_event(lines[0])
    newest = repo.admin_events(2)
    assert [e.detail for e in newest] == [{"id": "m2"}, {"id": "m1"}]
    assert all(e.actor == "staff:s1" and e.request_id == "" for e in newest)
    assert len(repo.admin_events(10)) == 3
    # Not a request's trail: no request's partition sees it.
    assert repo.partition("").events == []
