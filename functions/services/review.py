"""The Steering Committee's review: open a round, record votes, reach the decision once."""

from __future__ import annotations

import logging
from typing import NamedTuple

from functions.adapters import committee, links, queue, store
from functions.domain import clock
from functions.domain.committee import Member, officers_for
from functions.domain.errors import AlreadyVoted, NotAVoter, NotFound, RoundClosed
from functions.domain.requests import Status
from functions.domain.voting import Choice, Outcome, decide, parse_rule
from functions.runtime.settings import get_settings

log = logging.getLogger(__name__)


def notification(
    request_id: str, kind: str, round_number: int, recipient: str
) -> dict[str, object]:
    """One email to send, as a queue message: ids only."""
    return {
        "type": "notification",
        "request_id": request_id,
        "mail_kind": kind,
        "round": round_number,
        "recipient": recipient,
    }


def load_request(request_id: str) -> store.RequestItem:
    """The request, or :class:`NotFound` (also once it has expired)."""
    item = store.get(store.RequestItem, store.request_key(request_id), "META")
    if item is None:
        raise NotFound(request_id)
    return item


def dispatch_review(request_id: str, round_number: int) -> int:
    """Open a review round: the partner's receipt (first round) and one review email per voter.

    Safe to run twice for the same task: the status change happens once, and the mail worker
    sends each (kind, round, recipient) once, however often it is queued. Returns the number of
    notifications queued (0 for a stale or closed task).
    """
    try:
        request = load_request(request_id)
    except NotFound:
        log.warning("review task for an unknown request %s dropped", request_id)
        return 0
    if request.round != round_number or request.status not in (
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
    ):
        log.info("stale review task for %s round %s ignored", request_id, round_number)
        return 0
    if request.status == Status.SUBMITTED:
        opened = store.event_item(request_id, "review_opened", "system", round_number)
        store.change_status(request, [Status.SUBMITTED], Status.UNDER_REVIEW, opened, round_number)
    messages = [notification(request_id, "receipt", 1, "partner")] if round_number == 1 else []
    messages += [
        notification(request_id, "review_request", round_number, f"member:{member.member_id}")
        for member in committee.members()
        if member.votes
    ]
    queue.publish_notifications(messages)
    return len(messages)


class VoteError(Exception):
    """A vote that cannot be recorded. ``code`` names the reason for the page."""

    def __init__(self, code: str, status: int) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


class VoteResult(NamedTuple):
    """What happened to a vote: recorded, and whether it decided the round."""

    choice: Choice
    outcome: Outcome


def voter(link: links.ReviewLink, members: list[Member] | None = None) -> Member:
    """The committee member a review link belongs to, if they still vote.

    ``members``: the committee already read (by a vote); otherwise one GetItem.
    """
    if members is None:
        member = committee.member(link.member_id)
    else:
        member = next((m for m in members if m.member_id == link.member_id), None)
    if member is None or not member.votes:
        raise NotAVoter(link.member_id)
    return member


def cast_vote(link: links.ReviewLink, choice: Choice, comment: str | None) -> VoteResult:
    """Record one member's vote in one round (once), then decide if the rule now can.

    Calls: one Query (the committee: is this a voter, and the rule's electorate), one
    TransactWriteItems (vote, event, round still open), one Query (the request and the round's
    votes); a decision adds what :func:`conclude` does.
    """
    members = committee.members()
    member = voter(link, members)
    moment = clock.now()
    delegate = member.acting_delegate(moment.date())
    cast_by = f"delegate:{member.member_id}" if delegate else f"member:{member.member_id}"
    vote = store.VoteItem(
        store.request_key(link.request_id),
        f"VOTE#{link.round:03d}#{member.member_id}",
        round=link.round,
        member_id=member.member_id,
        choice=choice.value,
        comment=comment or None,
        cast_by=cast_by,
        at=clock.iso(moment),
    )
    event = store.event_item(
        link.request_id,
        "vote_cast",
        cast_by,
        link.round,
        {"member": member.member_id, "choice": choice.value},
        public=False,
        suffix=member.member_id,
    )
    try:
        store.record_vote(vote, event, Status.UNDER_REVIEW)
    except store.VoteRefused as refused:
        if refused.reason == "already_voted":
            raise AlreadyVoted(link.request_id) from refused
        raise RoundClosed(link.request_id) from refused
    return VoteResult(choice, settle_round(link.request_id, link.round, members))


def round_votes(request_id: str, round_number: int) -> dict[str, store.VoteItem]:
    """The votes of one round, by member id (one Query)."""
    store.bind()
    prefix = f"VOTE#{round_number:03d}#"
    items = store.VoteItem.query(
        store.request_key(request_id), store.TableItem.sk.startswith(prefix), consistent_read=True
    )
    return {item.member_id: item for item in items}


def settle_round(
    request_id: str, round_number: int, members: list[Member] | None = None
) -> Outcome:
    """Apply the decision rule to the round's votes; act on a decision exactly once.

    ``members``: the committee, if the caller has read it already (a vote has).
    """
    request, votes = store.request_and_votes(request_id, round_number)
    members = committee.members() if members is None else members
    rule = parse_rule(get_settings().decision_rule)
    outcome = decide(rule, members, {v.member_id: Choice(v.choice) for v in votes})
    if outcome is not Outcome.PENDING:
        if request is None:
            raise NotFound(request_id)
        conclude(request_id, round_number, outcome, votes, members, request)
    return outcome


def conclude(
    request_id: str,
    round_number: int,
    outcome: Outcome,
    votes: list[store.VoteItem],
    members: list[Member],
    request: store.RequestItem | None = None,
) -> bool:
    """Make the decision (or pause for information) if nobody has yet; tell everyone once.

    Only the caller whose conditional status change wins sends the notifications; when the last
    votes arrive together, the others return False and do nothing.
    """
    request = request or load_request(request_id)
    comments = [v.comment for v in votes if v.comment and v.choice == _CHOICE_OF[outcome]]
    text = "\n\n".join(comments) or None
    fields: dict[str, object] = {}
    if outcome is Outcome.INFORMATION_REQUESTED:
        fields["open_question"] = text
    else:
        fields["decided_at"] = clock.iso(clock.now())
        fields["decision_reason"] = text if outcome is Outcome.REJECTED else None
    event = store.event_item(request_id, outcome.value, "committee", round_number)
    won = store.change_status(
        request, [Status.UNDER_REVIEW], outcome.value, event, round_number, **fields
    )
    if won:
        queue.publish_notifications(outcome_notifications(request, outcome, round_number, members))
    return won


_CHOICE_OF = {
    Outcome.APPROVED: Choice.APPROVE.value,
    Outcome.REJECTED: Choice.REJECT.value,
    Outcome.INFORMATION_REQUESTED: Choice.MORE_INFORMATION.value,
}


def outcome_notifications(
    request: store.RequestItem, outcome: Outcome, round_number: int, members: list[Member]
) -> list[dict[str, object]]:
    """Who is told what once a round ends."""
    request_id = request.request_id
    if outcome is Outcome.INFORMATION_REQUESTED:
        return [notification(request_id, "information_requested", round_number, "partner")]
    found = officers_for(request.region, committee.officers())
    return [
        notification(request_id, "decision_partner", round_number, "partner"),
        *(
            notification(request_id, "decision_officer", round_number, f"officer:{o.officer_id}")
            for o in found
        ),
        *(
            notification(request_id, "decision_committee", round_number, f"member:{m.member_id}")
            for m in members
        ),
    ]
