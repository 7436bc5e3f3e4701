"""What the repository stores and returns, as plain values: no AWS, no pynamodb.

NamedTuples rather than dataclasses: each class is defined on every cold start, and a frozen
dataclass costs about a millisecond to define (docs/performance.md).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from functions.domain.attachments import Attachment
from functions.domain.experts import Invitation
from functions.domain.mail import MailRecord


class Request(NamedTuple):
    """A partner's request for assistance and where it stands."""

    request_id: str
    reference: str
    status: str
    status_since: str
    round: int
    document: dict[str, Any]
    language: str
    region: str
    pillar: str
    institution_type: str
    country: str | None
    email_hash: str | None  # None once erased
    fingerprint: str
    submitted_at: str
    updated_at: str
    submission_id: str | None = None
    decided_at: str | None = None
    decision_reason: str | None = None
    open_question: str | None = None
    version: int = 1
    # What the sweeper has done ("reminder#1#2", "escalation#1", ...): each duty adds its mark in
    # the conditional write that wins the right to act, so it acts once.
    sweep_marks: frozenset[str] = frozenset()
    expires_at: int | None = None  # the TTL: every item of the request expires with it
    # The question's deadline when staff extended it (ISO time); None: the usual one
    # (``INFORMATION_EXPIRY_DAYS`` after ``status_since``). Every status change removes it.
    answer_by: str | None = None
    # Votes cast in the current round, counted with each vote (the queue shows who is still
    # awaited without reading the votes); every status change ends the round's count.
    votes_cast: int = 0

    @property
    def title(self) -> str:
        """The request's title, as the partner wrote it."""
        return str(self.document["request"]["title"])


class Event(NamedTuple):
    """One line of a request's audit trail. Written once, never changed.

    ``suffix`` keeps apart events of one action at the same instant (each member's vote).
    """

    request_id: str
    at: str
    action: str
    # "partner", "system", "committee", "member:<id>", "delegate:<id>", "staff:<pool sub>",
    # "operator:<AWS principal ARN>" (older events: "operator", "officer:<id>")
    actor: str
    round: int
    detail: dict[str, Any] = {}  # noqa: RUF012 - a NamedTuple default, never mutated
    public: bool = True  # the partner's timeline shows it
    suffix: str = ""
    expires_at: int | None = None


class Vote(NamedTuple):
    """A committee member's vote in one review round. At most one per member and round."""

    request_id: str
    round: int
    member_id: str
    choice: str  # approve | reject | more_information
    cast_by: str  # "member:<id>", "delegate:<id>", or "system" (positive silence)
    at: str
    comment: str | None = None
    silent: bool = False  # counted by positive silence, not cast


class Submission(NamedTuple):
    """The first answer given for a client's ``submission_id``: a resubmission returns it."""

    submission_id: str
    request_id: str
    reference: str
    fingerprint: str
    created_at: str
    expires_at: int | None = None


class ActionRecord(NamedTuple):
    """The Action an approved request became: its plan (schemas/action.schema.json)."""

    request_id: str
    title: str
    plan: dict[str, Any]
    starts_on: str  # ISO date
    ends_on: str  # ISO date: retention counts from the end of the Action
    published_at: str
    updated_at: str
    version: int = 1


class Partition(NamedTuple):
    """Everything of one request, read together (one Query): for the status page and operators."""

    request: Request | None
    events: list[Event]
    votes: list[Vote]
    mail: list[MailRecord]
    action: ActionRecord | None
    # The experts invited to the Action's activities (functions/domain/experts.py).
    invitations: tuple[Invitation, ...] = ()
    # The files attached to the request, in slot order (issue 20).
    attachments: tuple[Attachment, ...] = ()


class EvaluationAnswer(NamedTuple):
    """One answer to an activity's evaluation (schemas/evaluation.schema.json).

    ``respondent`` says who answered without naming them: ``host`` (the partner's contact),
    ``expert:<id>`` (one personal link each), or ``room:<random id>`` (the activity's shared
    link: anonymous). ``activity`` is the activity's number in the plan, from 1.
    """

    request_id: str
    activity: int
    respondent: str
    satisfaction: int  # 1 to 5
    changes_work: str  # yes | partly | no
    at: str
    language: str
    most_useful: str | None = None
    comment: str | None = None
    expires_at: int | None = None  # the request's: an answer goes with its request


class ResultsEntry(NamedTuple):
    """An Action as the yearly report counts it: codes, dates and numbers only, no text a
    person wrote (so the report's index holds nothing personal). One is kept for each calendar
    year the Action spans. ``activities`` holds, per activity: ``type``, ``country``,
    ``starts_on``, ``ends_on``, ``status``, ``participants`` (women, men, unstated) and
    ``deliverables`` (their kinds)."""

    request_id: str
    region: str
    pillar: str
    country: str | None
    decided_at: str | None
    starts_on: str
    ends_on: str
    activities: list[dict[str, Any]]
    expires_at: int | None = None


class PublishedAction(NamedTuple):
    """An Action shown on the public pages, because its partner agreed to publication."""

    request_id: str
    title: str
    region: str
    pillar: str
    countries: list[str]  # ISO codes: the request's country first, then the activities'
    starts_on: str
    ends_on: str
    activities_done: int
    activities: int
    published_at: str
    expires_at: int | None = None


class QueuePage(NamedTuple):
    """One page of the staff queue, read from one index; ``cursor`` continues it (None: the
    last page). The cursor names the last request's sort value and id only."""

    requests: list[Request]
    cursor: str | None
    read: int = 0  # the items the page read from its index (filters may show fewer)


class Draft(NamedTuple):
    """A form saved half-way by someone with no account: the answers as the form posted them
    (field name -> values, so that every answer goes back into the form as it was typed), the
    address's hash (erasure finds drafts by it), the language of the form, and when it ends.

    A draft is never a request: no staff or committee listing reads it, and it becomes a request
    only when the form is sent (then it is deleted)."""

    draft_id: str
    values: dict[str, list[str]]
    email_hash: str
    language: str
    version: int  # 1 when first saved, one more on each save
    saved_at: str
    expires_at: int  # epoch seconds: the TTL, ``DRAFT_DAYS`` after the last save
    reminder_due: str | None = None  # ISO time the expiry reminder is due; None once sent
