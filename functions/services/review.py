"""The Steering Committee's review: open a round, record votes, reach the decision once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from functions.adapters import links, queue
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.committee import Delegate, Member, officers_for
from functions.domain.errors import DelegationEnded, NotAVoter, NotFound
from functions.domain.mail import PARTNER, MailKind, Notification, member, officer
from functions.domain.records import Event, Partition, Request, Vote
from functions.domain.requests import Status
from functions.domain.voting import Choice, Outcome, Progress, decide, parse_rule, progress
from functions.runtime import logs, metrics
from functions.runtime.settings import get_settings

log = logging.getLogger(__name__)


def load_request(request_id: str) -> Request:
    """The request, or :class:`NotFound` (also once it has expired)."""
    request = repository().get_request(request_id)
    if request is None:
        raise NotFound(request_id)
    return request


def event(
    request_id: str,
    action: str,
    actor: str,
    round_number: int,
    detail: Mapping[str, Any] | None = None,
    *,
    public: bool = True,
    suffix: str = "",
) -> Event:
    """A new audit event, dated now."""
    return Event(
        request_id,
        clock.iso(clock.now()),
        action,
        actor,
        round_number,
        dict(detail or {}),
        public,
        suffix,
    )


def dispatch_review(request_id: str, round_number: int) -> int:
    """Open a review round: the partner's receipt (first round) and one review email per voter.

    Safe to run twice for the same task: the status change happens once, and the mail worker
    sends each (kind, round, recipient) once, however often it is queued. Returns the number of
    notifications queued (0 for a stale or closed task).
    """
    store = repository()
    request = store.get_request(request_id)
    if request is None:
        log.warning("review task for an unknown request %s dropped", request_id)
        return 0
    logs.bind(reference=request.reference)
    if request.round != round_number or request.status not in (
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
    ):
        log.info("stale review task for %s round %s ignored", request_id, round_number)
        return 0
    if request.status == Status.SUBMITTED:
        opened = event(request_id, "review_opened", "system", round_number)
        store.change_status(request_id, Status.UNDER_REVIEW, opened, round_number=round_number)
    notifications = (
        [Notification(request_id, MailKind.RECEIPT, 1, PARTNER)] if round_number == 1 else []
    )
    notifications += [
        Notification(request_id, MailKind.REVIEW_REQUEST, round_number, member(m.member_id))
        for m in store.members()
        if m.votes
    ]
    queue.publish_notifications(notifications)
    return len(notifications)


class Settlement(NamedTuple):
    """What the decision rule made of a round, and whether this caller's decision was the one
    stored (``won``: its conditional status change succeeded; the decision is made once)."""

    outcome: Outcome
    won: bool


class VoteResult(NamedTuple):
    """What happened to a vote: recorded, what the rule now says, and whether this vote's
    call made the decision (``decided``; False when another vote's call made it first)."""

    choice: Choice
    outcome: Outcome
    decided: bool = False


def voter(
    link: links.ReviewLink, members: list[Member] | None = None, day: date | None = None
) -> Member:
    """The committee member a review link belongs to, if they still vote (and, for a delegate's
    link, if the delegation it was sent under is still active on ``day``, today by default).

    ``members``: the committee already read (by a vote); otherwise one GetItem.
    Raises :class:`NotAVoter` for a removed member or an observer, :class:`DelegationEnded`
    for a delegate's link whose delegation has ended or was replaced.
    """
    if members is None:
        found = repository().member(link.member_id)
    else:
        found = next((m for m in members if m.member_id == link.member_id), None)
    if found is None or not found.votes:
        raise NotAVoter(link.member_id)
    delegation_of(link, found, day)
    return found


def delegation_of(
    link: links.ReviewLink, member: Member, day: date | None = None
) -> Delegate | None:
    """The delegation a delegate's link votes under (None for the member's own link).

    Checked when the page is shown and again when the vote is cast: a delegate votes only
    while the very delegation the link was mailed under is active. The member's own link keeps
    voting during a delegation, as with a proxy, which never takes the principal's own vote
    away; one vote per member per round (the store's condition) keeps the two from both
    counting. Raises :class:`DelegationEnded`.
    """
    if link.holder is not links.Holder.DELEGATE:
        return None
    delegate = member.acting_delegate(day or clock.now().date())
    if delegate is None or delegate.valid_from.isoformat() != link.delegation_from:
        raise DelegationEnded(member.member_id)
    return delegate


def cast_vote(link: links.ReviewLink, choice: Choice, comment: str | None) -> VoteResult:
    """Record one member's vote in one round (once), then decide if the rule now can.

    Raises :class:`NotAVoter`, :class:`DelegationEnded`, :class:`AlreadyVoted` or
    :class:`RoundClosed`. The vote is the member's; ``cast_by`` and the event say whether the
    member or their delegate cast it (the link's holder, not today's committee, decides).
    Calls: one Query (the committee: is this a voter, and the rule's electorate), one
    TransactWriteItems (vote, event, round still open), one Query (the request and the round's
    votes); a decision adds what :func:`conclude` does.
    """
    logs.bind(request_id=link.request_id)
    store = repository()
    members = store.members()
    moment = clock.now()
    found = voter(link, members, moment.date())  # refuses a delegate whose delegation ended
    delegate = delegation_of(link, found, moment.date())
    cast_by = f"delegate:{found.member_id}" if delegate else f"member:{found.member_id}"
    detail: dict[str, str] = {"member": found.member_id, "choice": choice.value}
    if delegate is not None:
        # Who acted, by role and dates only: the delegate's name and address stay in the
        # committee's record (erasure scrubs them there), never copied into the trail.
        detail["delegate_for"] = found.member_id
        detail["delegation_from"] = delegate.valid_from.isoformat()
        detail["delegation_until"] = delegate.valid_until.isoformat()
    vote = Vote(
        link.request_id,
        link.round,
        found.member_id,
        choice.value,
        cast_by,
        clock.iso(moment),
        comment or None,
    )
    cast = event(
        link.request_id,
        "vote_cast",
        cast_by,
        link.round,
        detail,
        public=False,
        suffix=found.member_id,
    )
    store.record_vote(vote, cast)
    log.info("vote cast", extra={"round": link.round, "member": found.member_id})
    settled = settle_round(link.request_id, link.round, members)
    return VoteResult(choice, settled.outcome, settled.won)


def round_votes(request_id: str, round_number: int) -> dict[str, Vote]:
    """The votes of one round, by member id (one Query)."""
    return repository().round_votes(request_id, round_number)


def settle_round(
    request_id: str, round_number: int, members: list[Member] | None = None
) -> Settlement:
    """Apply the decision rule to the round's votes; act on a decision exactly once.

    ``members``: the committee, if the caller has read it already (a vote has). ``won`` says
    whether this call made the decision (see :func:`conclude`).
    """
    store = repository()
    request, votes = store.request_and_round_votes(request_id, round_number)
    members = store.members() if members is None else members
    rule = parse_rule(get_settings().decision_rule)
    outcome = decide(rule, members, {v.member_id: Choice(v.choice) for v in votes})
    if outcome is not Outcome.PENDING:
        if request is None:
            raise NotFound(request_id)
        return Settlement(outcome, conclude(request, round_number, outcome, votes, members))
    return Settlement(outcome, False)


def conclude(
    request: Request,
    round_number: int,
    outcome: Outcome,
    votes: list[Vote],
    members: list[Member],
) -> bool:
    """Make the decision (or pause for information) if nobody has yet; tell everyone once.

    Only the caller whose conditional status change wins sends the notifications; when the last
    votes arrive together, the others return False and do nothing.
    """
    comments = [v.comment for v in votes if v.comment and v.choice == _CHOICE_OF[outcome]]
    text = "\n\n".join(comments) or None
    fields: dict[str, object] = {}
    detail: dict[str, Any] = {}
    if outcome is Outcome.INFORMATION_REQUESTED:
        fields["open_question"] = text
        # Who asked, by member id and body (never a name): later rounds show the question.
        bodies = {m.member_id: m.body for m in members}
        asking = [v.member_id for v in votes if v.choice == Choice.MORE_INFORMATION.value]
        detail = {
            "question": text,
            "asked_by": [{"member": m, "body": bodies.get(m, "")} for m in asking],
        }
    else:
        fields["decided_at"] = clock.iso(clock.now())
        fields["decision_reason"] = text if outcome is Outcome.REJECTED else None
    decided = event(request.request_id, outcome.value, "committee", round_number, detail)
    won = repository().change_status(
        request.request_id, outcome.value, decided, round_number=round_number, **fields
    )
    if won:
        # A scope, not bind: the sweeper concludes many requests in one invocation.
        with logs.scope(request_id=request.request_id, reference=request.reference):
            notifications = outcome_notifications(request, outcome, round_number, members)
            queue.publish_notifications(notifications)
            metrics.emit("Decisions", code=outcome.value)
            log.info("decision: %s", outcome.value, extra={"outcome": outcome.value})
    return won


_CHOICE_OF = {
    Outcome.APPROVED: Choice.APPROVE.value,
    Outcome.REJECTED: Choice.REJECT.value,
    Outcome.INFORMATION_REQUESTED: Choice.MORE_INFORMATION.value,
}


def outcome_notifications(
    request: Request, outcome: Outcome, round_number: int, members: list[Member]
) -> list[Notification]:
    """Who is told what once a round ends."""
    request_id = request.request_id
    if outcome is Outcome.INFORMATION_REQUESTED:
        return [Notification(request_id, MailKind.INFORMATION_REQUESTED, round_number, PARTNER)]
    found = officers_for(request.region, repository().officers())
    return [
        Notification(request_id, MailKind.DECISION_PARTNER, round_number, PARTNER),
        *(
            Notification(request_id, MailKind.DECISION_OFFICER, round_number, officer(o.officer_id))
            for o in found
        ),
        *(
            Notification(request_id, MailKind.DECISION_COMMITTEE, round_number, member(m.member_id))
            for m in members
        ),
    ]


class Change(NamedTuple):
    """One field the partner corrected while answering, before and after."""

    field: str  # the name in the request section (objectives)
    before: str
    after: str


class Exchange(NamedTuple):
    """One question of the committee and the partner's answer (None while it is open)."""

    round: int
    asked_at: str
    asked_by: tuple[str, ...]  # the bodies that asked (DG HOME), never names
    question: str | None
    answered_at: str | None = None
    answer: str | None = None
    changes: tuple[Change, ...] = ()


def conversation(events: list[Event]) -> list[Exchange]:
    """Every question asked of the partner so far, with the answer and the corrections, from
    the request's trail (``repository().partition(request_id).events``), oldest first."""
    exchanges: list[Exchange] = []
    for found in sorted(events, key=lambda e: e.at):
        detail = found.detail
        if found.action == Outcome.INFORMATION_REQUESTED.value:
            asked_by = tuple(str(a.get("body", "")) for a in detail.get("asked_by", []))
            question = detail.get("question")
            exchanges.append(
                Exchange(found.round, found.at, asked_by, str(question) if question else None)
            )
        elif found.action == "information_answered" and exchanges:
            changes = detail.get("changes", {})
            exchanges[-1] = exchanges[-1]._replace(
                answered_at=found.at,
                answer=str(detail.get("answer", "")),
                changes=tuple(
                    Change(name, str(c.get("before") or ""), str(c.get("after") or ""))
                    for name, c in sorted(changes.items())
                ),
            )
    return exchanges


def conversation_of(request_id: str) -> list[Exchange]:
    """The request's questions and answers so far (one Query of its partition)."""
    return conversation(repository().partition(request_id).events)


class ReviewState(NamedTuple):
    """Everything a review page shows, from two reads: the request's partition (request,
    events, every round's votes) and the committee."""

    partition: Partition
    members: list[Member]
    votes: dict[str, Vote]
    conversation: list[Exchange]
    member: Member


def review_state(link: links.ReviewLink) -> ReviewState:
    """What the review page of ``link`` shows: one Query of the request's partition and one of
    the committee (the minimum: figure 3 of docs/performance.md). Raises :class:`NotAVoter` or
    :class:`DelegationEnded` as :func:`voter` does."""
    store = repository()
    found = store.partition(link.request_id)
    if found.request is None:
        raise NotFound(link.request_id)
    members = store.members()
    votes = {v.member_id: v for v in found.votes if v.round == link.round}
    return ReviewState(found, members, votes, conversation(found.events), voter(link, members))


class RoundProgress(NamedTuple):
    """The round against the rule, and the bodies of the members who have voted."""

    progress: Progress
    voted_bodies: tuple[str, ...]


def round_progress(votes: Mapping[str, Vote], members: list[Member] | None = None) -> RoundProgress:
    """Who has voted in the round (bodies, not names) and what the rule still needs (one Query
    of the committee unless ``members`` is given)."""
    members = repository().members() if members is None else members
    rule = parse_rule(get_settings().decision_rule)
    found = progress(rule, members, {k: Choice(v.choice) for k, v in votes.items()})
    bodies = {m.member_id: m.body for m in members}
    return RoundProgress(found, tuple(bodies[m] for m in found.voted))
