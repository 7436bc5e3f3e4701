"""Decision rules of the Steering Committee, with no AWS: plain values in, an outcome out.

Rules (set per stage with ``DECISION_RULE``):
- ``unanimous`` (default): every voting member approves; any rejection rejects.
- ``majority``: more than half of the voting members approve; rejected as soon as that can no
  longer happen.
- ``quorum:N``: at least N approvals; rejected as soon as N can no longer be reached.
Under every rule a veto holder's rejection rejects, and an approval waits for every veto holder's
approval. A request for more information by any voter pauses the round at once.
Positive silence (``POSITIVE_SILENCE_DAYS`` > 0) counts a voter who has not answered within that
many days of the round's opening as approving; the scheduled sweep applies it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from functions.domain import text as text_rule
from functions.domain.committee import Member, Role
from functions.domain.errors import FieldError, InvalidRequest
from functions.domain.requests import FINAL, Status

COMMENT_LIMIT = 3000  # characters: the reasons or the question, as the partner will read them


class Choice(StrEnum):
    """What a member can answer to a review request."""

    APPROVE = "approve"
    REJECT = "reject"
    MORE_INFORMATION = "more_information"


class Outcome(StrEnum):
    """Where a round stands after the votes so far."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    INFORMATION_REQUESTED = "information_requested"


class Rule(NamedTuple):
    """A decision rule: ``unanimous``, ``majority`` or ``quorum`` with its threshold."""

    kind: str
    quorum: int = 0


class RuleError(ValueError):
    """A decision rule that cannot be applied (unknown name, impossible quorum)."""


def parse_rule(text: str) -> Rule:
    """Read ``unanimous``, ``majority`` or ``quorum:N``."""
    name, _, number = text.strip().lower().partition(":")
    if name in ("unanimous", "majority") and not number:
        return Rule(name)
    if name == "quorum" and number.isdigit() and int(number) >= 1:
        return Rule("quorum", int(number))
    raise RuleError(f"unknown decision rule {text!r}: use unanimous, majority or quorum:N")


def decide(rule: Rule, voters: Iterable[Member], votes: Mapping[str, Choice]) -> Outcome:
    """The outcome of a round, given the voters and their votes so far (by member id)."""
    voters = [member for member in voters if member.votes]
    if not voters:
        raise RuleError("the committee has no voting member")
    counted = {m.member_id: votes[m.member_id] for m in voters if m.member_id in votes}
    if Choice.MORE_INFORMATION in counted.values():
        return Outcome.INFORMATION_REQUESTED
    vetoes = [m for m in voters if m.role is Role.VETO]
    if any(counted.get(m.member_id) is Choice.REJECT for m in vetoes):
        return Outcome.REJECTED
    approvals = sum(1 for choice in counted.values() if choice is Choice.APPROVE)
    open_votes = len(voters) - len(counted)
    needed = _approvals_needed(rule, len(voters))
    if approvals + open_votes < needed:
        return Outcome.REJECTED
    vetoes_agree = all(counted.get(m.member_id) is Choice.APPROVE for m in vetoes)
    if approvals >= needed and vetoes_agree:
        return Outcome.APPROVED
    return Outcome.PENDING


def _approvals_needed(rule: Rule, voters: int) -> int:
    if rule.kind == "unanimous":
        return voters
    if rule.kind == "majority":
        return voters // 2 + 1
    if rule.quorum > voters:
        raise RuleError(f"quorum:{rule.quorum} needs more voters than the committee has ({voters})")
    return rule.quorum


def silent_approvals(
    voters: Iterable[Member],
    votes: Mapping[str, Choice],
    round_opened: datetime,
    now: datetime,
    silence_days: int,
) -> list[str]:
    """Members whose silence counts as approval now (none when positive silence is off)."""
    if silence_days <= 0 or now < round_opened + timedelta(days=silence_days):
        return []
    return [m.member_id for m in voters if m.votes and m.member_id not in votes]


class Ballot(NamedTuple):
    """A member's vote as sent, once it passed :func:`read_ballot`."""

    choice: Choice
    comment: str | None  # None for an approval without a word


def read_ballot(choice: str, comment: str) -> Ballot:
    """The vote a member sent, or :class:`InvalidRequest` with every problem at its field.

    A choice is required; a rejection needs the reasons the partner will read, a request for
    more information needs the question; no comment is longer than :data:`COMMENT_LIMIT`; the
    comment follows the text rule of every multi-line field (functions/domain/text.py).
    """
    chosen = Choice(choice) if choice in {c.value for c in Choice} else None
    text = text_rule.normalised(comment).strip()
    errors: list[FieldError] = []
    if chosen is None:
        errors.append(FieldError("/choice", "choose"))
    elif chosen is not Choice.APPROVE and not text:
        errors.append(FieldError("/comment", f"{chosen.value}_needs_text"))
    if len(text) > COMMENT_LIMIT:
        errors.append(FieldError("/comment", "too_long", {"limit": COMMENT_LIMIT}))
    elif (problem := text_rule.problem(text, multiline=True)) is not None:
        errors.append(FieldError("/comment", problem))
    if errors or chosen is None:
        raise InvalidRequest(errors)
    return Ballot(chosen, text or None)


class Closed(StrEnum):
    """Why a review link can no longer vote."""

    DECIDED = "decided"  # the request has its final decision (or was withdrawn, or closed)
    ROUND_OVER = "round_over"  # a later round has started: this link is for an earlier one
    PAUSED = "paused"  # the round waits for the partner's answer to the committee's question


def why_closed(status: str, current_round: int, link_round: int) -> Closed | None:
    """Why voting in ``link_round`` is closed for a request in ``status`` at ``current_round``;
    None while that round is open."""
    if Status(status) in FINAL:
        return Closed.DECIDED
    if current_round != link_round:
        return Closed.ROUND_OVER
    if status != Status.UNDER_REVIEW:
        return Closed.PAUSED
    return None


class Progress(NamedTuple):
    """Where a round stands against the rule: approvals so far and what the rule still needs."""

    rule: str  # unanimous | majority | quorum
    voters: int
    voted: tuple[str, ...]  # member ids of those who have voted, in the committee's order
    approvals: int
    needed: int  # approvals the rule needs in all
    vetoes_waiting: int  # veto holders who have not approved yet

    @property
    def still_needed(self) -> int:
        """Approvals still missing for the rule (0 once reached)."""
        return max(self.needed - self.approvals, 0)


def progress(rule: Rule, voters: Iterable[Member], votes: Mapping[str, Choice]) -> Progress:
    """How far a round has come: who voted, approvals against what ``rule`` needs.

    "2 of 3 approvals needed" under ``unanimous`` with three voters and two approvals; the same
    count :func:`decide` uses, so the page never says something the decision does not.
    """
    voting = [member for member in voters if member.votes]
    if not voting:
        raise RuleError("the committee has no voting member")
    counted = {m.member_id: votes[m.member_id] for m in voting if m.member_id in votes}
    approvals = sum(1 for choice in counted.values() if choice is Choice.APPROVE)
    vetoes_waiting = sum(
        1 for m in voting if m.role is Role.VETO and counted.get(m.member_id) is not Choice.APPROVE
    )
    return Progress(
        rule.kind,
        len(voting),
        tuple(m.member_id for m in voting if m.member_id in counted),
        approvals,
        _approvals_needed(rule, len(voting)),
        vetoes_waiting,
    )
