"""The scheduled sweep: what must happen because time passed, not because someone acted.

Every duty starts from one Query on ``status-index`` with a range on ``status_since``, so what it
reads grows with the requests in that status and time window, never with the table. A duty acts
on a request once: the conditional write that adds its mark to the request's ``sweep_marks``
(and checks the status and round are still those seen) is won by one caller only, and a mark
already on the item read from the index costs no further read.

Duties, in the order they run:
- ``stuck``: requests left in ``submitted`` (stored, the review task never published) are
  published again, once per round;
- ``renotified``: decisions whose outcome emails were never queued (the publish after the winning
  write failed) are queued again, once;
- ``silence``: with ``POSITIVE_SILENCE_DAYS`` > 0, voters silent that long approve, and the round
  is settled;
- ``escalated``: the region's Project Officers are told of a round open ``ESCALATION_DAYS``;
- ``reminded``: voters who have not voted are reminded every ``REMINDER_DAYS``;
- ``still_under_review``: the partner is told once that the request is still being reviewed;
- ``expired``: information requests unanswered for ``INFORMATION_EXPIRY_DAYS`` are closed;
- ``retained``: requests final for a while get their retention expiry on every item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, partial
from typing import Any

from functions.adapters import committee, queue, store
from functions.domain import clock
from functions.domain.committee import Member, Officer, officers_for
from functions.domain.requests import Status
from functions.domain.voting import Choice, Outcome, silent_approvals
from functions.runtime.settings import Settings, get_settings
from functions.services import retention
from functions.services.review import notification, outcome_notifications, round_votes, settle_round

log = logging.getLogger(__name__)

# A final request gets its retention expiry this long after its final status: its outcome emails
# have been sent (and their records written) by then, so they get the expiry too.
RETENTION_GRACE = timedelta(hours=1)

# The email that proves a round's outcome was queued, by status.
OUTCOME_MAIL = {
    Status.APPROVED: "decision_partner",
    Status.REJECTED: "decision_partner",
    Status.INFORMATION_REQUESTED: "information_requested",
    Status.CLOSED: "information_expired",
}


@dataclass
class Sweep:
    """One run: the time it runs at, the stage's settings, the committee read once."""

    now: datetime
    settings: Settings = field(default_factory=get_settings)

    @cached_property
    def members(self) -> list[Member]:
        """The committee, read once per run (one Query), and only if a duty needs it."""
        return committee.members()

    @cached_property
    def officers(self) -> list[Officer]:
        """The Project Officers, read once per run."""
        return committee.officers()

    def ago(self, **delta: float) -> str:
        """The ISO timestamp of ``now`` minus a duration: a bound of a status-index Query."""
        return clock.iso(self.now - timedelta(**delta))

    def officers_of(self, request: store.RequestItem) -> list[Officer]:
        """The Project Officers of a request's region."""
        return officers_for(request.region, self.officers)


def _in_round(request: store.RequestItem, status: str) -> Any:
    """The condition that a request is still where the index saw it: same status, same round."""
    return (store.RequestItem.status == status) & (store.RequestItem.round == request.round)


def _act_once(
    request: store.RequestItem, mark: str, condition: Any, publish: Callable[[], None]
) -> bool:
    """Win the mark, then hand the work on; if handing on fails, give the mark back and raise."""
    if mark in (request.sweep_marks or set()):
        return False
    if not store.mark_once(request, mark, condition):
        return False
    try:
        publish()
    except Exception:
        store.unmark(request, mark)
        raise
    return True


def _message(
    request: store.RequestItem, kind: str, recipient: str, key: str = ""
) -> dict[str, object]:
    message = notification(request.request_id, kind, int(request.round), recipient)
    if key:
        message["key"] = key
    return message


def stuck_submissions(run: Sweep) -> int:
    """Publish again the review task of requests left in ``submitted``; once per round."""
    done = 0
    before = run.ago(minutes=run.settings.stuck_submission_minutes)
    for request in store.by_status(Status.SUBMITTED, since_before=before):
        round_number = int(request.round)
        done += _act_once(
            request,
            f"republish#{round_number}",
            _in_round(request, Status.SUBMITTED),
            partial(queue.publish_review_task, request.request_id, round_number),
        )
    return done


def lost_outcomes(run: Sweep) -> int:
    """Queue again the outcome emails of recent decisions whose partner email was never queued.

    A decision is final once its conditional write wins; the publish after it may still fail. A
    decision older than the grace period whose partner email has no mail record was not queued
    (or not delivered): queue all its outcome emails once more (the mail worker sends each once).
    """
    done = 0
    since = run.ago(days=run.settings.sweep_lookback_days)
    before = run.ago(minutes=run.settings.stuck_submission_minutes)
    for status, kind in OUTCOME_MAIL.items():
        for request in store.by_status(status, since, before):
            round_number = int(request.round)
            marks = request.sweep_marks or set()
            if f"notified#{round_number}" in marks or f"renotify#{round_number}" in marks:
                continue
            mail_sk = f"MAIL#{kind}#{round_number:03d}#partner"
            if store.get(store.MailItem, request.pk, mail_sk) is not None:
                store.mark_once(request, f"notified#{round_number}")
                continue
            messages = _outcome_messages(run, request)
            done += _act_once(
                request,
                f"renotify#{round_number}",
                _in_round(request, status),
                partial(queue.publish_notifications, messages),
            )
    return done


def _outcome_messages(run: Sweep, request: store.RequestItem) -> list[dict[str, object]]:
    if request.status == Status.CLOSED:
        return _expiry_messages(run, request)
    outcome = Outcome(request.status)
    return outcome_notifications(request, outcome, int(request.round), run.members)


def _open_rounds(run: Sweep, days: int) -> Iterator[store.RequestItem]:
    """Requests whose current review round has been open for at least ``days``."""
    if days <= 0:
        return
    yield from store.by_status(Status.UNDER_REVIEW, since_before=run.ago(days=days))


def positive_silence(run: Sweep) -> int:
    """Count silent voters as approving once the silence period is over; settle the round."""
    days = run.settings.positive_silence_days
    settled = 0
    for request in _open_rounds(run, days):
        round_number = int(request.round)
        votes = round_votes(request.request_id, round_number)
        cast = {member_id: Choice(vote.choice) for member_id, vote in votes.items()}
        opened = clock.parse_iso(request.status_since)
        silent = silent_approvals(run.members, cast, opened, run.now, days)
        for member_id in silent:
            _record_silence(request, round_number, member_id)
        if silent:
            outcome = settle_round(request.request_id, round_number)
            settled += outcome is not Outcome.PENDING
    return settled


def _record_silence(request: store.RequestItem, round_number: int, member_id: str) -> None:
    vote = store.VoteItem(
        request.pk,
        f"VOTE#{round_number:03d}#{member_id}",
        round=round_number,
        member_id=member_id,
        choice=Choice.APPROVE.value,
        cast_by="system",
        at=clock.iso(clock.now()),
        silent=1,
    )
    event = store.event_item(
        request.request_id,
        "silent_approval",
        "system",
        round_number,
        {"member": member_id},
        public=False,
        suffix=member_id,
    )
    # The member voted meanwhile, or the round closed: nothing to count.
    with suppress(store.VoteRefused):
        store.record_vote(vote, event, Status.UNDER_REVIEW)


def escalations(run: Sweep) -> int:
    """Tell the region's Project Officers of a round still open after ``ESCALATION_DAYS``."""
    done = 0
    for request in _open_rounds(run, run.settings.escalation_days):
        messages = [
            _message(request, "escalation", f"officer:{officer.officer_id}")
            for officer in run.officers_of(request)
        ]
        done += _act_once(
            request,
            f"escalation#{int(request.round)}",
            _in_round(request, Status.UNDER_REVIEW),
            partial(queue.publish_notifications, messages),
        )
    return done


def reminders(run: Sweep) -> int:
    """Remind voters who have not voted, once in every ``REMINDER_DAYS`` of an open round."""
    days = run.settings.reminder_days
    done = 0
    for request in _open_rounds(run, days):
        round_number = int(request.round)
        interval = (run.now - clock.parse_iso(request.status_since)) // timedelta(days=days)
        mark = f"reminder#{round_number}#{interval}"
        if mark in (request.sweep_marks or set()):
            continue
        votes = round_votes(request.request_id, round_number)
        messages = [
            _message(request, "reminder", f"member:{member.member_id}", key=str(interval))
            for member in run.members
            if member.votes and member.member_id not in votes
        ]
        done += _act_once(
            request,
            mark,
            _in_round(request, Status.UNDER_REVIEW),
            partial(queue.publish_notifications, messages),
        )
    return done


def still_under_review(run: Sweep) -> int:
    """Tell the partner, once per request, that a round open this long is still being reviewed."""
    done = 0
    for request in _open_rounds(run, run.settings.still_under_review_days):
        message = _message(request, "still_under_review", "partner")
        done += _act_once(
            request,
            "still_under_review",
            _in_round(request, Status.UNDER_REVIEW),
            partial(queue.publish_notifications, [message]),
        )
    return done


def _expiry_messages(run: Sweep, request: store.RequestItem) -> list[dict[str, object]]:
    officers = [f"officer:{officer.officer_id}" for officer in run.officers_of(request)]
    return [_message(request, "information_expired", who) for who in ["partner", *officers]]


def expired_information_requests(run: Sweep) -> int:
    """Close requests whose question stayed unanswered; tell the partner and the officers.

    If the publish fails after the status change, ``lost_outcomes`` queues the emails later.
    """
    days = run.settings.information_expiry_days
    if days <= 0:
        return 0
    closed = 0
    before = run.ago(days=days)
    for request in store.by_status(Status.INFORMATION_REQUESTED, since_before=before):
        round_number = int(request.round)
        event = store.event_item(request.request_id, "information_expired", "system", round_number)
        won = store.change_status(
            request, [Status.INFORMATION_REQUESTED], Status.CLOSED, event, round_number
        )
        if won:
            closed += 1
            queue.publish_notifications(_expiry_messages(run, request))
    return closed


def retain(run: Sweep) -> int:
    """Give requests that became final a while ago their retention expiry on every item."""
    done = 0
    since = run.ago(days=run.settings.sweep_lookback_days)
    before = clock.iso(run.now - RETENTION_GRACE)
    for status in (Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CLOSED):
        for request in store.by_status(status, since, before):
            marks = request.sweep_marks or set()
            if any(mark.startswith("retention#") for mark in marks):
                continue  # an Action recorded later calls apply_retention itself
            retention.apply_retention(request.request_id)
            done += 1
    return done


DUTIES: dict[str, Callable[[Sweep], int]] = {
    "stuck": stuck_submissions,
    "renotified": lost_outcomes,
    "silence": positive_silence,
    "escalated": escalations,
    "reminded": reminders,
    "still_under_review": still_under_review,
    "expired": expired_information_requests,
    "retained": retain,
}


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every duty once; return how many requests each acted on (counts only, for the log)."""
    run = Sweep(now or clock.now())
    return {name: duty(run) for name, duty in DUTIES.items()}
