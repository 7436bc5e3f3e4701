"""What only the DynamoDB repository shows: calls per operation, TTL skipping (moto never
deletes expired items), failures as ``Unavailable``, and the stored formats of today.

The behaviour both repositories share is the contract suite's (tests/contract/test_repository.py).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from functions.adapters.dynamodb import models
from functions.adapters.dynamodb import repository as dynamodb_repository
from functions.adapters.dynamodb.repository import DynamoRepository
from functions.domain import clock
from functions.domain.committee import Delegate, Member, Officer, Role
from functions.domain.errors import AlreadyVoted, Conflict, RoundClosed, Unavailable
from functions.domain.mail import (
    PARTNER,
    MailKind,
    MailRecord,
    MailState,
    Notification,
    member,
    officer,
)
from functions.domain.records import ActionRecord, Event, Request, Submission, Vote
from infra.bench.calls import recording
from tests.integration.faults import error_response
from tests.integration.faults import refused as refused_by
from tests.support import Stack

AT = "2026-11-27T10:00:00.000000Z"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dynamodb"
LATER = "2026-11-27T11:00:00.000000Z"
PAST = 1_000_000_000  # 2001: long expired
FUTURE = 4_000_000_000


def a_request(request_id: str = "r1", **changes: Any) -> Request:
    values: dict[str, Any] = {
        "request_id": request_id,
        "reference": "MX-2026-0001",
        "status": "submitted",
        "status_since": AT,
        "round": 1,
        "document": {"contact": {"name": "Ana Pérez", "email": "ana@example.org"}},
        "language": "fr",
        "region": "AFRICA",
        "pillar": "legal_migration",
        "institution_type": "ministry",
        "country": "SN",
        "email_hash": "ab" * 32,
        "fingerprint": "cd" * 32,
        "submitted_at": AT,
        "updated_at": AT,
        "submission_id": "s-1",
        "expires_at": FUTURE,
    }
    values.update(changes)
    return Request(**values)


def an_event(request_id: str = "r1", action: str = "submitted", **changes: Any) -> Event:
    values: dict[str, Any] = {
        "request_id": request_id,
        "at": AT,
        "action": action,
        "actor": "partner",
        "round": 1,
        "detail": {"reference": "MX-2026-0001"},
    }
    values.update(changes)
    return Event(**values)


def a_submission(request_id: str = "r1") -> Submission:
    return Submission("s-1", request_id, "MX-2026-0001", "cd" * 32, AT, FUTURE)


@pytest.fixture
def repo(stack: Stack) -> DynamoRepository:
    return DynamoRepository()


def under_review(repo: DynamoRepository, request_id: str = "r1") -> None:
    repo.create_request(a_request(request_id, status="under_review"), an_event(request_id))


def refused(operation: str, code: str = "InternalServerError") -> Any:
    """Every ``operation`` of the shared client fails with ``code``, as after botocore's
    retries (tests/integration/faults.py)."""
    return refused_by(models.connection().client, operation, 500, code)


def calls(operation: Any) -> Counter[str]:
    with recording() as recorder:
        operation()
    return recorder.calls


# --- calls ---------------------------------------------------------------------------------


def test_the_submission_makes_its_minimum_calls(repo: DynamoRepository) -> None:
    repo.next_reference_number(2026)  # once per container: the client
    count = lambda: repo.count_attempt("submission", "d" * 32, 3600)  # noqa: E731
    assert calls(count) == {"dynamodb.UpdateItem": 1}
    assert calls(lambda: repo.next_reference_number(2026)) == {"dynamodb.UpdateItem": 1}
    create = lambda: repo.create_request(a_request(), an_event(), a_submission())  # noqa: E731
    assert calls(create) == {"dynamodb.TransactWriteItems": 1}


def test_a_vote_makes_its_minimum_calls(repo: DynamoRepository) -> None:
    repo.save_member(Member("m1", "Mia", "DG HOME", "mia@example.org", Role.VOTING))
    under_review(repo)
    vote = Vote("r1", 1, "m1", "approve", "member:m1", AT)
    event = an_event(action="vote_cast", suffix="m1", public=False)
    assert calls(repo.members) == {"dynamodb.Query": 1}
    assert calls(lambda: repo.record_vote(vote, event)) == {"dynamodb.TransactWriteItems": 1}
    assert calls(lambda: repo.request_and_round_votes("r1", 1)) == {"dynamodb.Query": 1}
    decided = an_event(action="approved", at=LATER, actor="committee")
    decide = lambda: repo.change_status("r1", "approved", decided, round_number=1)  # noqa: E731
    assert calls(decide) == {"dynamodb.TransactWriteItems": 1}


def test_each_mail_makes_its_minimum_calls(repo: DynamoRepository) -> None:
    repo.create_request(a_request(), an_event())
    repo.save_member(Member("m1", "Mia", "DG HOME", "mia@example.org", Role.VOTING))
    repo.save_officer(Officer("o1", "Olu", "olu@example.org", ("AFRICA",)))
    for recipient, read in [
        (PARTNER, "dynamodb.GetItem"),
        (member("m1"), "dynamodb.BatchGetItem"),
        (officer("o1"), "dynamodb.BatchGetItem"),
    ]:
        assert calls(lambda r=recipient: repo.request_and_recipient("r1", r)) == {read: 1}
        notification = Notification("r1", MailKind.RECEIPT, 1, recipient)
        record = MailRecord.claim(notification, AT)
        assert calls(lambda r=record: repo.claim_mail(r, FUTURE)) == {"dynamodb.PutItem": 1}
        finish = lambda r=record: repo.finish_mail(r, MailState.SENT, "msg-1")  # noqa: E731
        assert calls(finish) == {"dynamodb.UpdateItem": 1}


def test_the_committee_reads_as_values(repo: DynamoRepository) -> None:
    delegate = Delegate("Dee", "dee@example.org", date(2026, 1, 1), date(2026, 12, 31))
    mia = Member("m1", "Mia", "DG HOME", "mia@example.org", Role.VETO, "fr", delegate)
    repo.save_member(mia)
    assert repo.request_and_recipient("none", member("m1")) == (None, mia)
    assert repo.members() == [mia]
    assert repo.remove_member("m1") is True
    assert repo.remove_member("m1") is False
    assert repo.request_and_recipient("none", member("m1")) == (None, None)


# --- TTL -------------------------------------------------------------------------------------


def test_items_past_their_expiry_are_not_read(repo: DynamoRepository) -> None:
    """moto keeps expired items (as DynamoDB does, for a while): every read drops them."""
    old = a_request("old", status="under_review", expires_at=PAST)
    repo.create_request(old, an_event("old", expires_at=PAST))
    repo.create_request(a_request("new", status="under_review"), an_event("new"))
    repo.record_vote(Vote("old", 1, "m1", "approve", "member:m1", AT), an_event("old", "v"))
    repo.expire_partition("old", PAST)  # the vote too
    repo.claim_mail(
        MailRecord.claim(Notification("old", MailKind.RECEIPT, 1, PARTNER), AT), expires_at=PAST
    )

    assert repo.get_request("old") is None
    assert repo.partition("old") == (None, [], [], [], None, (), ())
    assert [r.request_id for r in repo.requests_in_status("under_review")] == ["new"]
    assert [r.request_id for r in repo.requests_of_region("AFRICA", 2026)] == ["new"]
    assert repo.round_votes("old", 1) == {}
    assert repo.request_and_round_votes("old", 1) == (None, [])
    assert repo.get_mail(Notification("old", MailKind.RECEIPT, 1, PARTNER)) is None
    assert repo.request_and_recipient("old", PARTNER) == (None, None)


def test_an_expired_submission_marker_is_not_read(repo: DynamoRepository) -> None:
    expired = a_submission()._replace(expires_at=PAST)
    repo.create_request(a_request(), an_event(), expired)
    assert repo.get_submission("s-1") is None


def test_expire_partition_writes_the_request_last_and_only_what_differs(
    repo: DynamoRepository, stack: Stack
) -> None:
    repo.create_request(a_request(), an_event())
    with recording() as recorder:
        assert repo.expire_partition("r1", FUTURE + 1) == 2
    assert recorder.calls == {"dynamodb.Query": 1, "dynamodb.UpdateItem": 2}
    assert repo.expire_partition("r1", FUTURE + 1) == 0
    assert {item["expires_at"]["N"] for item in stack.items() if item["pk"]["S"] == "REQ#r1"} == {
        str(FUTURE + 1)
    }


# --- failures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("operation", "call"),
    [
        ("GetItem", lambda r: r.get_request("r1")),
        ("Query", lambda r: r.partition("r1")),
        ("Query", lambda r: list(r.requests_in_status("submitted"))),
        ("Query", lambda r: r.members()),
        ("Query", lambda r: r.request_ids_by_email_hash("ab" * 32)),
        ("UpdateItem", lambda r: r.next_reference_number(2026)),
        ("UpdateItem", lambda r: r.mark_once("r1", "x")),
        ("TransactWriteItems", lambda r: r.create_request(a_request("r2"), an_event("r2"))),
        ("TransactWriteItems", lambda r: r.change_status("r1", "under_review", an_event())),
        ("PutItem", lambda r: r.suppress("e" * 64, "bounce", AT)),
        ("BatchGetItem", lambda r: r.request_and_recipient("r1", member("m1"))),
        ("DeleteItem", lambda r: r.remove_officer("o1")),
    ],
)
def test_a_failing_dynamodb_is_unavailable(
    repo: DynamoRepository, operation: str, call: Any
) -> None:
    repo.create_request(a_request(), an_event())
    with refused(operation) as counts, pytest.raises(Unavailable) as raised:
        call(repo)
    assert counts["failed"] >= 1
    assert raised.value.__cause__ is not None


def test_a_transaction_cancelled_for_another_reason_is_unavailable(
    repo: DynamoRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A conflict with another transaction is not a lost condition: tried again a few times
    (the status counts are shared by every status change), then Unavailable: try again later."""
    repo.create_request(a_request(), an_event())
    client = models.connection().client
    monkeypatch.setattr(dynamodb_repository, "_pause", lambda attempt: None)

    def hook(**_: Any) -> tuple[Any, dict[str, Any]]:
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
            "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict"}],
            "ResponseMetadata": {},
        }
        return error_response(400, "TransactionCanceledException"), parsed

    client.meta.events.register_first("before-call.dynamodb.TransactWriteItems", hook)
    try:
        with pytest.raises(Unavailable):
            repo.change_status("r1", "under_review", an_event(action="review_opened"))
        with pytest.raises(Unavailable):
            vote = Vote("r1", 1, "m1", "approve", "member:m1", AT)
            repo.record_vote(vote, an_event(action="vote_cast", suffix="m1"))
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", hook)
    stored = repo.get_request("r1")
    assert stored is not None and stored.status == "submitted"


def test_a_conflict_that_passes_is_tried_again_and_written(
    repo: DynamoRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two status changes at once meet on a status count: the later one is written on its
    next try, and both counts move."""
    repo.create_request(a_request(), an_event())
    client = models.connection().client
    monkeypatch.setattr(dynamodb_repository, "_pause", lambda attempt: None)
    conflicts = [1]

    def hook(**_: Any) -> tuple[Any, dict[str, Any]] | None:
        if not conflicts:
            return None
        conflicts.pop()
        parsed = {
            "Error": {"Code": "TransactionCanceledException", "Message": "injected"},
            "CancellationReasons": [
                {"Code": "None"},
                {"Code": "None"},
                {"Code": "TransactionConflict"},
            ],
            "ResponseMetadata": {},
        }
        return error_response(400, "TransactionCanceledException"), parsed

    client.meta.events.register_first("before-call.dynamodb.TransactWriteItems", hook)
    try:
        assert repo.change_status("r1", "under_review", an_event(action="review_opened"))
    finally:
        client.meta.events.unregister("before-call.dynamodb.TransactWriteItems", hook)
    counts = repo.status_counts()
    assert (counts["submitted"], counts["under_review"]) == (0, 1)


def test_lost_conditions_are_the_contracts_outcomes(repo: DynamoRepository) -> None:
    repo.create_request(a_request(), an_event(), a_submission())
    with pytest.raises(Conflict):
        repo.create_request(a_request("r2"), an_event("r2"), a_submission("r2"))
    vote = Vote("r1", 1, "m1", "approve", "member:m1", AT)
    with pytest.raises(RoundClosed):  # still submitted
        repo.record_vote(vote, an_event(action="vote_cast", suffix="m1"))
    opened = an_event(action="review_opened", at=LATER)
    assert repo.change_status("r1", "under_review", opened, round_number=1) is True
    assert repo.change_status("r1", "under_review", opened, round_number=1) is False
    repo.record_vote(vote, an_event(action="vote_cast", suffix="m1"))
    with pytest.raises(AlreadyVoted):
        repo.record_vote(vote, an_event(action="vote_cast", suffix="m1", at=LATER))
    with pytest.raises(Conflict):
        repo.append_event(opened)


# --- formats ----------------------------------------------------------------------------------


def test_what_the_old_store_wrote_reads_back(repo: DynamoRepository, stack: Stack) -> None:
    """Data stored before the seam keeps its keys: the repository reads it as it was written.

    The items are DynamoDB JSON as functions/adapters/store.py wrote them (a request with a sweep
    mark, a member's vote event, a reminder's mail record with its key), put with the low-level
    client so that no model of today is involved in writing them.
    """
    items = json.loads((FIXTURES / "stored_before_the_seam.json").read_text(encoding="utf-8"))
    for item in items:
        stack.dynamodb.put_item(TableName=stack.env["TABLE_NAME"], Item=item)
    found = repo.partition("r1")
    assert found.request == a_request(sweep_marks=frozenset({"reminder#1"}))
    assert found.events == [
        Event("r1", AT, "vote_cast", "member:m1", 1, {"n": 1}, public=False, suffix="m1")
    ]
    assert found.mail[0].recipient == member("m1")
    assert found.mail[0].key == "3d"
    assert repo.get_mail(Notification("r1", MailKind.REMINDER, 2, member("m1"), "3d")) is not None


def test_the_action_version_is_pynamodbs_optimistic_lock(repo: DynamoRepository) -> None:
    action = ActionRecord("r1", "T", {"title": "T"}, "2027-01-01", "2027-06-30", AT, AT)
    published = an_event(action="action_published")
    assert repo.save_action(action, published, None) is True
    assert repo.save_action(action, published._replace(at=LATER), None) is False
    second = action._replace(version=2, title="T2")
    assert repo.save_action(second, an_event(action="action_updated"), 1) is True
    assert repo.save_action(second, an_event(action="action_updated", at=LATER), 1) is False
    stored = repo.get_action("r1")
    assert stored is not None and (stored.version, stored.title) == (2, "T2")
    with pytest.raises(ValueError, match="follow"):
        repo.save_action(action._replace(version=5), published, 2)


def test_the_counters_are_atomic_and_have_a_kind(repo: DynamoRepository, stack: Stack) -> None:
    assert [repo.next_reference_number(2026) for _ in range(3)] == [1, 2, 3]
    assert [repo.count_attempt("submission", "d" * 32, 7200) for _ in range(2)] == [1, 2]
    assert repo.count_attempt("vote", "d" * 32, 7200) == 1
    kinds = {item["pk"]["S"]: item["kind"]["S"] for item in stack.items()}
    # The submissions' window keeps the key it always had: counters stored before still count.
    assert kinds == {
        "SEQ#2026": "counter",
        f"RATE#{'d' * 32}": "rate",
        f"RATE#vote#{'d' * 32}": "rate",
    }
    rate = next(item for item in stack.items() if item["pk"]["S"] == f"RATE#{'d' * 32}")
    assert rate["sk"]["S"] == "H#7200" and rate["expires_at"]["N"] == str(7200 + 7200)


# --- erasure -----------------------------------------------------------------------------------


def test_scrub_walks_every_text_of_every_kind(repo: DynamoRepository, stack: Stack) -> None:
    """Maps, lists, string sets, JSON texts (parsed: escapes hide names), unknown kinds; never
    keys, kind, or the request's document."""
    repo.create_request(a_request(sweep_marks=frozenset({"by Ana", "x"})), an_event())
    repo.append_event(an_event(action="note", at=LATER, detail={"who": ["Ana", {"n": "Ana"}]}))
    table = stack.env["TABLE_NAME"]
    stack.dynamodb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "REQ#r1"},
            "sk": {"S": "ZZZ#Ana"},
            "kind": {"S": "future"},
            "plan": {"S": json.dumps({"lead": "Ana Pérez"})},  # "P\u00e9rez" in the text
            "n": {"N": "1"},
            "expires_at": {"N": str(PAST)},  # expired, not yet deleted: still personal data
        },
    )
    scrub = lambda text: text.replace("Ana Pérez", "[erased]").replace("Ana", "[erased]")  # noqa: E731
    assert repo.scrub_partition("r1", scrub) == {"request": 1, "event": 1, "future": 1}
    items = {item["sk"]["S"]: item for item in stack.items()}
    assert items["META"]["sweep_marks"]["SS"] == ["by [erased]", "x"]
    assert "Ana" in items["META"]["document"]["S"]
    assert items[f"EVT#{LATER}#note"]["detail"]["M"]["who"]["L"][1]["M"]["n"] == {"S": "[erased]"}
    assert json.loads(items["ZZZ#Ana"]["plan"]["S"]) == {"lead": "[erased]"}
    assert items["ZZZ#Ana"]["sk"]["S"] == "ZZZ#Ana"
    assert repo.scrub_partition("r1", scrub) == {}  # nothing left: nothing written


def test_replace_contact_drops_the_address_hash_and_updates_the_marker(
    repo: DynamoRepository,
) -> None:
    repo.create_request(a_request(), an_event(), a_submission())
    assert repo.request_ids_by_email_hash("ab" * 32) == ["r1"]
    assert repo.replace_contact("r1", {"contact": {"name": "[erased]"}}, "ef" * 32) is True
    assert repo.request_ids_by_email_hash("ab" * 32) == []
    request = repo.get_request("r1")
    assert request is not None and request.email_hash is None
    assert request.document == {"contact": {"name": "[erased]"}}
    submission = repo.get_submission("s-1")
    assert submission is not None and submission.fingerprint == "ef" * 32
    assert repo.replace_contact("gone", {}, "ef" * 32) is False


def test_the_clock_decides_what_is_expired(
    repo: DynamoRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.create_request(a_request(expires_at=2_000_000_000), an_event())
    assert repo.get_request("r1") is not None
    later = clock.parse_iso("2033-06-01T00:00:00.000000Z")
    monkeypatch.setattr(clock, "now", lambda: later)
    assert repo.get_request("r1") is None
