"""The sweeper under moto with a frozen clock: each duty acts when due, and once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.services import sweep as sweeping
from tests.integration.helpers import (
    MEMBER_EMAIL,
    PARTNER,
    Browser,
    mail_to,
    path_of,
    request_item,
    run_workers,
    seed_committee,
    sent_mail,
    submit,
)
from tests.integration.sweeping import START, FrozenClock, counted_reads, items_read
from tests.support import Stack

OFFICER = "paula@icmpd.example.org"  # Africa; the example request is from Senegal


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    return FrozenClock(monkeypatch)


@pytest.fixture
def opened(clock: FrozenClock, client: Any, stack: Stack, valid_request: dict[str, Any]) -> str:
    """A request submitted at START and dispatched to the committee; the mailbox is read."""
    seed_committee()
    request_id = submit(client, valid_request)
    run_workers(client, stack)
    return request_id


def vote(client: Any, member: str, choice: str, comment: str = "") -> None:
    [mail] = mail_to(MEMBER_EMAIL[member], "review_request")[-1:]
    answer = Browser(client).vote(path_of(mail.link("/review/")), choice, comment)
    assert answer.status_code == 200, answer.body


def sweep_and_deliver(client: Any, stack: Stack) -> dict[str, int]:
    counts = sweeping.sweep()
    run_workers(client, stack)
    return counts


def kinds_to(address: str) -> list[str]:
    return [mail.kind for mail in mail_to(address)]


def test_nothing_is_due_on_a_fresh_request(client: Any, stack: Stack, opened: str) -> None:
    before = len(sent_mail())
    counts = sweep_and_deliver(client, stack)
    assert set(counts.values()) == {0}
    assert len(sent_mail()) == before


def test_reminders_go_to_silent_voters_once_per_interval(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    vote(client, "intpa", "approve")
    clock.advance(days=6, hours=23)
    assert sweep_and_deliver(client, stack)["reminded"] == 0
    clock.advance(hours=2)  # seven days and an hour after the round opened
    assert sweep_and_deliver(client, stack)["reminded"] == 1
    assert kinds_to(MEMBER_EMAIL["home"]).count("reminder") == 1
    assert kinds_to(MEMBER_EMAIL["eeas"]).count("reminder") == 1
    assert "reminder" not in kinds_to(MEMBER_EMAIL["intpa"])  # voted already
    for _ in range(3):  # the next runs of the same interval remind nobody again
        clock.advance(hours=6)
        assert sweep_and_deliver(client, stack)["reminded"] == 0
    assert kinds_to(MEMBER_EMAIL["eeas"]).count("reminder") == 1
    clock.advance(days=7)  # the second interval
    assert sweep_and_deliver(client, stack)["reminded"] == 1
    assert kinds_to(MEMBER_EMAIL["eeas"]).count("reminder") == 2
    # The reminder carries the member's own review link, which works.
    [reminder] = mail_to(MEMBER_EMAIL["home"], "reminder")[:1]
    assert reminder.language == "fr" and reminder.subject.startswith("Rappel\u00a0: ")
    page = client.http.get(path_of(reminder.link("/review/")))
    assert page.status_code == 200 and 'name="choice"' in page.body.decode("utf-8")


def test_escalation_tells_the_regions_officer_once(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    clock.advance(days=13)
    sweep_and_deliver(client, stack)
    assert kinds_to(OFFICER) == []
    clock.advance(days=1, minutes=1)
    assert sweep_and_deliver(client, stack)["escalated"] == 1
    for _ in range(3):
        clock.advance(days=2)
        assert sweep_and_deliver(client, stack)["escalated"] == 0
    [escalation] = mail_to(OFFICER, "escalation")
    assert "MX-2027-" in escalation.subject and "2027-03-01" in escalation.text
    assert mail_to("pavel@icmpd.example.org") == []  # not his region


def test_positive_silence_approves_and_decides(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch, opened: str, clock: FrozenClock
) -> None:
    monkeypatch.setenv("POSITIVE_SILENCE_DAYS", "10")
    vote(client, "intpa", "approve", "A good request.")
    clock.advance(days=9, hours=23)
    assert sweep_and_deliver(client, stack)["silence"] == 0
    assert request_item(stack)["status"]["S"] == "under_review"
    clock.advance(hours=2)
    assert sweep_and_deliver(client, stack)["silence"] == 1
    assert request_item(stack)["status"]["S"] == "approved"
    votes = {v["member_id"]["S"]: v for v in stack.items_of_kind("vote")}
    assert {m: v["silent"]["N"] for m, v in votes.items()} == {
        "intpa": "0",
        "home": "1",
        "eeas": "1",
    }
    assert votes["home"]["cast_by"]["S"] == "system"
    assert len(mail_to(PARTNER, "decision_partner")) == 1
    assert sweep_and_deliver(client, stack)["silence"] == 0  # decided: nothing more to count


def test_positive_silence_is_off_by_default(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    clock.advance(days=60)
    assert sweep_and_deliver(client, stack)["silence"] == 0
    assert request_item(stack)["status"]["S"] == "under_review"
    assert stack.items_of_kind("vote") == []


def test_the_partner_hears_once_that_the_request_is_still_under_review(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    clock.advance(days=29)
    sweep_and_deliver(client, stack)
    assert "still_under_review" not in kinds_to(PARTNER)
    clock.advance(days=1, minutes=5)
    assert sweep_and_deliver(client, stack)["still_under_review"] == 1
    for _ in range(3):
        clock.advance(days=5)
        assert sweep_and_deliver(client, stack)["still_under_review"] == 0
    [note] = mail_to(PARTNER, "still_under_review")
    assert note.language == "fr" and "/requests/" in note.link("/requests/")


def test_an_unanswered_question_expires_and_both_are_told(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    vote(client, "home", "more_information", "Which regions?")
    run_workers(client, stack)
    assert request_item(stack)["status"]["S"] == "information_requested"
    clock.advance(days=29, hours=23)
    assert sweep_and_deliver(client, stack)["expired"] == 0
    clock.advance(hours=2)
    assert sweep_and_deliver(client, stack)["expired"] == 1
    assert request_item(stack)["status"]["S"] == "closed"
    assert len(mail_to(PARTNER, "information_expired")) == 1
    assert len(mail_to(OFFICER, "information_expired")) == 1
    officer_text = mail_to(OFFICER, "information_expired")[0].text
    assert "did not answer" in officer_text
    clock.advance(days=1)
    assert sweep_and_deliver(client, stack)["expired"] == 0
    assert len(mail_to(PARTNER, "information_expired")) == 1
    events = [e["action"]["S"] for e in stack.items_of_kind("event")]
    assert events.count("information_expired") == 1


def test_a_request_stuck_in_submitted_is_published_once_then_dispatched(
    client: Any,
    stack: Stack,
    clock: FrozenClock,
    monkeypatch: pytest.MonkeyPatch,
    valid_request: dict[str, Any],
) -> None:
    from functions.adapters import queue

    seed_committee()
    publish = queue.publish_review_task

    def broken(request_id: str, round_number: int) -> None:
        raise RuntimeError("SQS is down")

    monkeypatch.setattr(queue, "publish_review_task", broken)
    request_id = submit(client, valid_request)  # stored; the publish failed
    monkeypatch.setattr(queue, "publish_review_task", publish)
    assert stack.review_tasks() == []
    clock.advance(minutes=14)
    assert sweeping.sweep()["stuck"] == 0
    clock.advance(minutes=2)
    assert sweeping.sweep()["stuck"] == 1
    tasks = stack.review_tasks()
    assert tasks == [{"type": "review_task", "request_id": request_id, "round": 1}]
    clock.advance(minutes=15)
    assert sweeping.sweep()["stuck"] == 0  # published once, even while still waiting
    assert stack.review_tasks() == []
    from tests.integration.helpers import sqs_event

    client.lambda_.invoke("review_tasks", sqs_event(stack.env["REVIEW_QUEUE_URL"], tasks))
    run_workers(client, stack)
    assert request_item(stack)["status"]["S"] == "under_review"
    assert len(mail_to(PARTNER, "receipt")) == 1
    assert len([m for m in sent_mail() if m.kind == "review_request"]) == 3


def test_lost_decision_emails_are_queued_again_once(
    client: Any, stack: Stack, opened: str, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.adapters import queue

    vote(client, "intpa", "approve")
    vote(client, "home", "approve")
    real = queue.publish_notifications

    def failing(messages: list[dict[str, Any]]) -> None:
        raise RuntimeError("SQS is down")

    monkeypatch.setattr(queue, "publish_notifications", failing)
    [mail] = mail_to(MEMBER_EMAIL["eeas"], "review_request")
    Browser(client).vote(path_of(mail.link("/review/")), "approve")  # decides; the publish fails
    monkeypatch.setattr(queue, "publish_notifications", real)
    assert request_item(stack)["status"]["S"] == "approved"
    assert stack.notifications() == []
    clock.advance(minutes=5)
    assert sweep_and_deliver(client, stack)["renotified"] == 0  # within the grace period
    clock.advance(minutes=11)
    assert sweep_and_deliver(client, stack)["renotified"] == 1
    assert len(mail_to(PARTNER, "decision_partner")) == 1
    assert len(mail_to(OFFICER, "decision_officer")) == 1
    assert len([m for m in sent_mail() if m.kind == "decision_committee"]) == 4
    for _ in range(3):
        clock.advance(hours=1)
        assert sweep_and_deliver(client, stack)["renotified"] == 0
    assert len(mail_to(PARTNER, "decision_partner")) == 1


def test_a_decision_whose_emails_went_out_is_not_queued_again(
    client: Any, stack: Stack, opened: str, clock: FrozenClock
) -> None:
    for member in MEMBER_EMAIL:
        vote(client, member, "approve")
    run_workers(client, stack)
    clock.advance(minutes=30)
    assert sweeping.sweep()["renotified"] == 0
    assert stack.notifications() == []


def test_the_scheduled_lambda_runs_the_sweep_and_logs_counts_only(
    client: Any, stack: Stack, opened: str, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.advance(days=7, minutes=1)
    event = {
        "version": "0",
        "id": "e6b1d4c8-0000-0000-0000-000000000000",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2027-03-08T09:01:00Z",
        "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/sweeper"],
        "detail": {},
    }
    with caplog.at_level("INFO"):
        client.lambda_.invoke("sweeper", event)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("sweep:")]
    assert "reminded=1" in line and "stuck=0" in line
    assert opened not in line and "@" not in line
    assert len(stack.notifications()) == 3


def test_the_local_stack_runs_the_sweeper_on_its_timer() -> None:
    from app import app
    from infra.local.workers import schedule_sources

    [source] = schedule_sources(app)
    assert (source.function, source.expression) == ("sweeper", "rate(15 minutes)")


def _filler(stack: Stack, total: int, due: dict[str, int], now_iso: str) -> None:
    """``total`` requests, of which ``due`` (by status) are due now; the rest are not."""
    from functions.adapters.dynamodb import keys, models
    from functions.domain import clock

    models.bind()
    document = {"note": "not read by the sweep"}  # small: moto's cost grows with item size
    not_due = [
        ("approved", 400),  # decided long ago: outside every window
        ("rejected", 400),
        ("withdrawn", 400),
        ("under_review", 1),  # open one day: no reminder yet
        ("information_requested", 10),  # asked ten days ago: not expired, not new
        ("submitted", 0),  # stored this minute: not stuck
    ]
    rows: list[tuple[str, float]] = []
    due_rows = {"under_review": 8.0, "submitted": 1 / 24, "information_requested": 31.0}
    for status, count in due.items():
        rows += [(status, due_rows[status])] * count
    index = 0
    while len(rows) < total:
        rows.append((not_due[index % len(not_due)][0], float(not_due[index % len(not_due)][1])))
        index += 1
    now = clock.parse_iso(now_iso)
    from datetime import timedelta

    with models.RequestItem.batch_write() as batch:
        for number, (status, age_days) in enumerate(rows):
            since = clock.iso(now - timedelta(days=age_days, microseconds=number))
            request_id = f"{number:032x}"
            batch.save(
                models.RequestItem(
                    *keys.request(request_id),
                    request_id=request_id,
                    reference=f"MX-2027-{number:04d}",
                    status=status,
                    status_since=since,
                    round=1,
                    document=document,
                    language="fr",
                    region="africa",
                    region_year="africa#2027",
                    pillar="irregular_migration",
                    institution_type="national_government",
                    country="SN",
                    email_hash=f"{number:064x}",
                    fingerprint="f",
                    submitted_at=since,
                    updated_at=since,
                    expires_at=int(now.timestamp()) + 86400 * 900,
                )
            )


def test_the_sweep_reads_what_is_due_not_the_table(
    client: Any, stack: Stack, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3,000 requests, 10 due: the sweep's reads follow the 10, and it never scans."""
    from functions.domain import clock as core_clock

    seed_committee()
    due = {"under_review": 4, "submitted": 3, "information_requested": 3}
    _filler(stack, 3000, due, core_clock.iso(START))
    with counted_reads(monkeypatch) as counts:
        result = sweeping.sweep(START)
    assert result["reminded"] == 4 and result["stuck"] == 3 and result["expired"] == 3
    assert not any(key.endswith("Scan") or ":Scan:" in key for key in counts)
    read = items_read(counts)
    # Per due request: the index entry once per duty that looks at it, and its round's votes;
    # plus the committee (4 members, 2 officers) once. Nothing grows with the 2,990 others.
    assert read <= 5 * sum(due.values()) + 6, dict(counts)
    with counted_reads(monkeypatch) as again:
        assert set(sweeping.sweep(START).values()) == {0}
    # The next run finds the reminded requests marked (the index entries only) and nothing else.
    assert items_read(again) <= 4 + 6, dict(again)
    print(json.dumps({"items": 3000, "due": 10, "first": read, "next": items_read(again)}))
