"""The scheduled sweep: what must happen because time passed, not because someone acted.

Every duty starts from one listing of a status with a range on ``status_since`` (an index
Query), so what it reads grows with the requests in that status and time window, never with the
table. A duty acts
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
- ``expired``: information requests unanswered for ``INFORMATION_EXPIRY_DAYS`` (or past the
  deadline staff extended it to, ``answer_by``) are closed;
- ``retained``: requests final for a while get their retention expiry on every item;
- ``reclaimed``: emails whose claim outlived the lease (the worker died, and the notification
  went to the dead-letter queue or was lost) are queued again; the mail worker takes the stale
  claim over. One Query on the claims still ``sending`` (status-index), so it reads only those.
  A claim taken ``MAX_ATTEMPTS`` times is a poison message: recorded as refused, not requeued.
- ``held_mail``: notifications held in the table because the queue refused them after a stored
  change (services/experts.py ``_publish``) are queued again (one Query on their partition).
- ``draft_reminders``: saved drafts of the form whose end is ``DRAFT_REMINDER_DAYS`` away get one
  reminder per save (one Query on the drafts still to remind, status-index).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, partial

from functions.adapters import queue
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.committee import Member, Officer, officers_for
from functions.domain.errors import AlreadyVoted, RoundClosed
from functions.domain.mail import (
    ABANDONED,
    DRAFT_KINDS,
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    PARTNER,
    MailKind,
    MailRecord,
    MailState,
    Notification,
    Recipient,
    member,
    officer,
)
from functions.domain.records import Request, Vote
from functions.domain.requests import FINAL, Status
from functions.domain.voting import Choice, Outcome, silent_approvals
from functions.runtime import logs, metrics
from functions.runtime.settings import Settings, get_settings
from functions.services import attachments, drafts, retention
from functions.services.review import event, outcome_notifications, settle_round

log = logging.getLogger(__name__)

# A final request gets its retention expiry this long after its final status: its outcome emails
# have been sent (and their records written) by then, so they get the expiry too.
RETENTION_GRACE = timedelta(hours=1)

# The email that proves a round's outcome was queued, by status.
OUTCOME_MAIL = {
    Status.APPROVED: MailKind.DECISION_PARTNER,
    Status.REJECTED: MailKind.DECISION_PARTNER,
    Status.INFORMATION_REQUESTED: MailKind.INFORMATION_REQUESTED,
    Status.CLOSED: MailKind.INFORMATION_EXPIRED,
}


@dataclass
class Sweep:
    """One run: the time it runs at, the stage's settings, the committee read once."""

    now: datetime
    settings: Settings = field(default_factory=get_settings)

    @cached_property
    def members(self) -> list[Member]:
        """The committee, read once per run (one Query), and only if a duty needs it."""
        return repository().members()

    @cached_property
    def officers(self) -> list[Officer]:
        """The Project Officers, read once per run."""
        return repository().officers()

    def ago(self, **delta: float) -> str:
        """The ISO timestamp of ``now`` minus a duration: a bound of a status listing."""
        return clock.iso(self.now - timedelta(**delta))

    def officers_of(self, request: Request) -> list[Officer]:
        """The Project Officers of a request's region."""
        return officers_for(request.region, self.officers)


def _act_once(request: Request, mark: str, publish: Callable[[], None]) -> bool:
    """Win the mark (while the request is still in the status and round the listing saw), then
    hand the work on; if handing on fails, give the mark back and raise."""
    if mark in request.sweep_marks:
        return False
    store = repository()
    won = store.mark_once(
        request.request_id, mark, status=request.status, round_number=request.round
    )
    if not won:
        return False
    try:
        publish()
    except Exception:
        store.unmark(request.request_id, mark)
        raise
    return True


def _notify(notifications: list[Notification]) -> Callable[[], None]:
    return partial(queue.publish_notifications, notifications)


def _about(request: Request, kind: MailKind, recipient: Recipient, key: str = "") -> Notification:
    return Notification(request.request_id, kind, request.round, recipient, key)


def stuck_submissions(run: Sweep) -> int:
    """Publish again the review task of requests left in ``submitted``; once per round."""
    done = 0
    before = run.ago(minutes=run.settings.stuck_submission_minutes)
    for request in repository().requests_in_status(Status.SUBMITTED, since_before=before):
        done += _act_once(
            request,
            f"republish#{request.round}",
            partial(queue.publish_review_task, request.request_id, request.round),
        )
    return done


def lost_outcomes(run: Sweep) -> int:
    """Queue again the outcome emails of recent decisions whose partner email was never queued.

    A decision is final once its conditional write wins; the publish after it may still fail. A
    decision older than the grace period whose partner email has no mail record was not queued
    (or not delivered): queue all its outcome emails once more (the mail worker sends each once).
    """
    store = repository()
    done = 0
    since = run.ago(days=run.settings.sweep_lookback_days)
    before = run.ago(minutes=run.settings.stuck_submission_minutes)
    for status, kind in OUTCOME_MAIL.items():
        for request in store.requests_in_status(status, since, before):
            marks = request.sweep_marks
            if f"notified#{request.round}" in marks or f"renotify#{request.round}" in marks:
                continue
            if store.get_mail(_about(request, kind, PARTNER)) is not None:
                store.mark_once(request.request_id, f"notified#{request.round}")
                continue
            done += _act_once(
                request, f"renotify#{request.round}", _notify(_outcome_messages(run, request))
            )
    return done


def _outcome_messages(run: Sweep, request: Request) -> list[Notification]:
    if request.status == Status.CLOSED:
        return _expiry_messages(run, request)
    return outcome_notifications(request, Outcome(request.status), request.round, run.members)


def _open_rounds(run: Sweep, days: int) -> Iterator[Request]:
    """Requests whose current review round has been open for at least ``days``."""
    if days <= 0:
        return
    yield from repository().requests_in_status(Status.UNDER_REVIEW, since_before=run.ago(days=days))


def positive_silence(run: Sweep) -> int:
    """Count silent voters as approving once the silence period is over; settle the round."""
    store = repository()
    days = run.settings.positive_silence_days
    settled = 0
    for request in _open_rounds(run, days):
        votes = store.round_votes(request.request_id, request.round)
        cast = {member_id: Choice(vote.choice) for member_id, vote in votes.items()}
        opened = clock.parse_iso(request.status_since)
        silent = silent_approvals(run.members, cast, opened, run.now, days)
        for member_id in silent:
            _record_silence(request, member_id)
        if silent:
            outcome = settle_round(request.request_id, request.round).outcome
            settled += outcome is not Outcome.PENDING
    return settled


def _record_silence(request: Request, member_id: str) -> None:
    at = clock.iso(clock.now())
    vote = Vote(
        request.request_id,
        request.round,
        member_id,
        Choice.APPROVE.value,
        "system",
        at,
        silent=True,
    )
    counted = event(
        request.request_id,
        "silent_approval",
        "system",
        request.round,
        {"member": member_id},
        public=False,
        suffix=member_id,
    )
    # The member voted meanwhile, or the round closed: nothing to count.
    with suppress(AlreadyVoted, RoundClosed):
        repository().record_vote(vote, counted)


def escalations(run: Sweep) -> int:
    """Tell the region's Project Officers of a round still open after ``ESCALATION_DAYS``."""
    done = 0
    for request in _open_rounds(run, run.settings.escalation_days):
        notifications = [
            _about(request, MailKind.ESCALATION, officer(o.officer_id))
            for o in run.officers_of(request)
        ]
        done += _act_once(request, f"escalation#{request.round}", _notify(notifications))
    return done


def reminders(run: Sweep) -> int:
    """Remind voters who have not voted, once in every ``REMINDER_DAYS`` of an open round."""
    days = run.settings.reminder_days
    done = 0
    for request in _open_rounds(run, days):
        interval = (run.now - clock.parse_iso(request.status_since)) // timedelta(days=days)
        mark = f"reminder#{request.round}#{interval}"
        if mark in request.sweep_marks:
            continue
        votes = repository().round_votes(request.request_id, request.round)
        notifications = [
            _about(request, MailKind.REMINDER, member(m.member_id), key=str(interval))
            for m in run.members
            if m.votes and m.member_id not in votes
        ]
        done += _act_once(request, mark, _notify(notifications))
    return done


def still_under_review(run: Sweep) -> int:
    """Tell the partner, once per request, that a round open this long is still being reviewed."""
    done = 0
    for request in _open_rounds(run, run.settings.still_under_review_days):
        notification = _about(request, MailKind.STILL_UNDER_REVIEW, PARTNER)
        done += _act_once(request, "still_under_review", _notify([notification]))
    return done


def _expiry_messages(run: Sweep, request: Request) -> list[Notification]:
    who = [PARTNER, *(officer(o.officer_id) for o in run.officers_of(request))]
    return [_about(request, MailKind.INFORMATION_EXPIRED, recipient) for recipient in who]


def expired_information_requests(run: Sweep) -> int:
    """Close requests whose question stayed unanswered; tell the partner and the officers.

    If the publish fails after the status change, ``lost_outcomes`` queues the emails later.
    """
    days = run.settings.information_expiry_days
    if days <= 0:
        return 0
    store = repository()
    closed = 0
    before = run.ago(days=days)
    for request in store.requests_in_status(Status.INFORMATION_REQUESTED, since_before=before):
        if request.answer_by is not None and request.answer_by > clock.iso(run.now):
            continue  # staff extended the deadline (always later than the usual one)
        expired = event(request.request_id, "information_expired", "system", request.round)
        won = store.change_status(
            request.request_id, Status.CLOSED, expired, round_number=request.round
        )
        if won:
            closed += 1
            queue.publish_notifications(_expiry_messages(run, request))
            with logs.scope(request_id=request.request_id, reference=request.reference):
                metrics.emit("Decisions", code=Status.CLOSED.value)
    return closed


def retain(run: Sweep) -> int:
    """Give requests that became final a while ago their retention expiry on every item."""
    done = 0
    since = run.ago(days=run.settings.sweep_lookback_days)
    before = clock.iso(run.now - RETENTION_GRACE)
    for status in sorted(FINAL):
        for request in repository().requests_in_status(status, since, before):
            if any(mark.startswith("retention#") for mark in request.sweep_marks):
                continue  # an Action recorded later calls apply_retention itself
            retention.apply_retention(request.request_id)
            done += 1
    return done


def stale_claims(run: Sweep) -> int:
    """Queue again the emails whose claim is older than the lease: the worker that took it died
    and no delivery of the notification is coming. Powertools' idempotency does the same with an
    expired in-progress record: the next attempt takes it over. Here the sweeper makes that next
    attempt happen; the mail worker's take-over (conditional on the claim's time) sends once."""
    store = repository()
    requeued: list[Notification] = []
    for claim in store.stale_mail_claims(run.ago(seconds=LEASE_SECONDS)):
        if claim.attempts >= MAX_ATTEMPTS:
            _abandon(run, claim)
            continue
        requeued.append(
            Notification(claim.request_id, claim.kind, claim.round, claim.recipient, claim.key)
        )
    if requeued:
        queue.publish_notifications(requeued)
    return len(requeued)


def _abandon(run: Sweep, claim: MailRecord) -> None:
    """Refuse for good an email every worker died on; the take-over (conditional on the claim's
    time) makes sure no worker holds it meanwhile."""
    store = repository()
    now = clock.iso(run.now)
    if not store.take_over_mail(claim, now):
        return
    store.finish_mail(claim._replace(at=now), MailState.REJECTED, error=ABANDONED)
    if claim.kind in DRAFT_KINDS:
        return  # a draft has no trail to record it in
    detail = {"kind": claim.kind.value, "recipient": str(claim.recipient), "code": ABANDONED}
    store.append_event(
        event(
            claim.request_id,
            "mail_rejected",
            "system",
            claim.round,
            detail,
            public=False,
            suffix=str(claim.recipient),
        )
    )
    with logs.scope(request_id=claim.request_id):
        metrics.emit("MailRejected", code=ABANDONED)


def draft_reminders(run: Sweep) -> int:
    """Remind once per save, ``DRAFT_REMINDER_DAYS`` before a saved draft ends (issue 20)."""
    return drafts.remind_expiring(clock.iso(run.now))


def attachment_deletions(run: Sweep) -> int:
    """Delete the files of requests whose items expire within a day (issue 20)."""
    return attachments.delete_due(clock.iso(run.now))


def invitations(run: Sweep) -> int:
    """Experts' invitations: reminded before the deadline, expired past it (the officers told).
    One Query on status-index for the waiting invitations near their deadline."""
    from functions.services import experts

    return sum(experts.sweep_invitations(run.now).values())


def held_mail(run: Sweep) -> int:
    """Notifications held when the queue refused them are queued again (one Query)."""
    from functions.services import experts

    return experts.requeue_held_mail()


def experts_left(run: Sweep) -> int:
    """Experts who left the roster are erased (one Query on status-index for them)."""
    from functions.services import experts

    return experts.erase_leavers()


DUTIES: dict[str, Callable[[Sweep], int]] = {
    "stuck": stuck_submissions,
    "renotified": lost_outcomes,
    "silence": positive_silence,
    "escalated": escalations,
    "reminded": reminders,
    "still_under_review": still_under_review,
    "expired": expired_information_requests,
    "retained": retain,
    "reclaimed": stale_claims,
    "invitations": invitations,
    "experts_left": experts_left,
    "held_mail": held_mail,
    "draft_reminders": draft_reminders,
    "attachments_deleted": attachment_deletions,
}


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run every duty once; return how many requests each acted on (counts only, for the log)."""
    run = Sweep(now or clock.now())
    return {name: duty(run) for name, duty in DUTIES.items()}
