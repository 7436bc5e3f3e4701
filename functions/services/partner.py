"""What the partner can do after submitting: follow the request, answer a question, withdraw."""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Any

from functions.adapters import queue
from functions.adapters.repository import repository
from functions.domain.attachments import Attachment
from functions.domain.committee import officers_for
from functions.domain.errors import InvalidRequest, NotFound, TransitionNotAllowed
from functions.domain.experts import Invitation, InvitationStatus
from functions.domain.mail import MailKind, Notification, member, officer
from functions.domain.records import Partition
from functions.domain.requests import FINAL, Status, check_move
from functions.domain.validation import normalised_request, validate_request
from functions.services.actions import action_view
from functions.services.review import event, load_request

log = logging.getLogger(__name__)

# Fields of the request section a partner may correct when answering a question.
CORRECTABLE = (
    "title",
    "background",
    "objectives",
    "expected_results",
    "target_groups",
    "other_donors",
)


@dataclass(frozen=True)
class TimelineEntry:
    """One public step of a request: what happened, when, in which round."""

    at: str
    action: str
    round: int


@dataclass(frozen=True)
class StatusView:
    """The partner's view of a request: no reviewer names, no internal comments."""

    request_id: str
    reference: str
    status: str
    round: int
    title: str
    submitted_at: str
    question: str | None
    reason: str | None
    timeline: list[TimelineEntry]
    document: dict[str, Any]
    action: dict[str, Any] | None = None  # the published Action, labelled (action_view)
    # The experts who accepted an activity and agreed that partners see them (issue 18).
    experts: tuple[dict[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()  # the files, in slot order (issue 20)

    @property
    def can_withdraw(self) -> bool:
        """A request can be withdrawn until it is decided."""
        return Status(self.status) not in FINAL

    def as_json(self) -> dict[str, Any]:
        """The JSON form of the status page."""
        return {
            "id": self.request_id,
            "reference": self.reference,
            "status": self.status,
            "round": self.round,
            "title": self.title,
            "submitted_at": self.submitted_at,
            "question": self.question,
            "reason": self.reason,
            "timeline": [{"at": e.at, "action": e.action, "round": e.round} for e in self.timeline],
            "action": _public_plan(self.action),
            # As the page lists them: those who accepted and agreed, name and administration.
            "experts": [{**expert, "activity": int(expert["activity"])} for expert in self.experts],
        }


def _public_plan(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Action as the JSON status shows it: the plan's own fields, without page labels."""
    if view is None:
        return None
    labels = ("number", "type_label", "status_label", "place_label", "deliverables")
    activities = [{k: v for k, v in a.items() if k not in labels} for a in view["activities"]]
    return {**view, "activities": activities}


def status_view(request_id: str, language: str = "en") -> StatusView:
    """The request, its Action and its public timeline, read in one Query of its partition."""
    return view_of(request_id, repository().partition(request_id), language)


def view_of(request_id: str, found: Partition, language: str = "en") -> StatusView:
    """The status view of a partition already read (the review page reads it once for all)."""
    request = found.request
    if request is None:
        raise NotFound(request_id)
    return StatusView(
        request_id=request.request_id,
        reference=request.reference,
        status=request.status,
        round=request.round,
        title=request.title,
        submitted_at=request.submitted_at,
        question=request.open_question if request.status == Status.INFORMATION_REQUESTED else None,
        reason=request.decision_reason,
        timeline=[TimelineEntry(e.at, e.action, e.round) for e in found.events if e.public],
        document=request.document,
        action=action_view(found.action.plan, language) if found.action else None,
        experts=_confirmed_experts(found.invitations),
        attachments=tuple(found.attachments),
    )


def _confirmed_experts(invitations: tuple[Invitation, ...]) -> tuple[dict[str, str], ...]:
    """The experts who accepted an activity and agreed that partners see their name and
    administration (``share_with_partners``): one GetItem each, none without acceptances."""
    store = repository()
    shown = []
    for invitation in invitations:
        if invitation.status != InvitationStatus.ACCEPTED.value:
            continue
        expert = store.get_expert(invitation.expert_id)
        if expert is None or expert.document.get("share_with_partners") is not True:
            continue
        about = expert.document["expert"]
        shown.append(
            {
                "activity": str(invitation.activity),
                "name": about["name"],
                "administration": about["administration"],
                "member_state": about["member_state"],
            }
        )
    return tuple(sorted(shown, key=lambda e: (int(e["activity"]), e["name"])))


def corrected_document(document: dict[str, Any], corrections: dict[str, str]) -> dict[str, Any]:
    """The request with the partner's corrections applied (only the correctable fields)."""
    updated = copy.deepcopy(document)
    for name, value in corrections.items():
        if name in CORRECTABLE:
            if value.strip():
                updated["request"][name] = value
            else:
                updated["request"].pop(name, None)
    return updated


def answer_question(request_id: str, answer: str, corrections: dict[str, str]) -> int:
    """Record the partner's answer and open the next review round; returns the new round.

    The request goes back to ``submitted`` in the next round, so its review task is published by
    the same path as a new request's (and recovered by the same sweep if the publish fails).
    Raises :class:`TransitionNotAllowed` when no question is open (answered already).
    """
    request = load_request(request_id)
    if request.status != Status.INFORMATION_REQUESTED:
        raise TransitionNotAllowed(request.status, Status.SUBMITTED)
    document = normalised_request(corrected_document(request.document, corrections))
    errors = validate_request(document)
    if errors:
        raise InvalidRequest(errors)
    next_round = request.round + 1
    before, after = request.document["request"], document["request"]
    changed = sorted(name for name in corrections if before.get(name) != after.get(name))
    answered = event(
        request_id,
        "information_answered",
        "partner",
        request.round,
        {
            "answer": answer,
            "corrected": changed,
            # Before and after, for the next round's reviewers (erasure scrubs them as it
            # scrubs the document: the repository walks every text of the partition).
            "changes": {
                name: {"before": before.get(name), "after": after.get(name)} for name in changed
            },
        },
    )
    moved = repository().change_status(
        request_id,
        Status.SUBMITTED,
        answered,
        round_number=request.round,
        round=next_round,
        open_question=None,
        document=document,
    )
    if not moved:
        raise TransitionNotAllowed(Status.INFORMATION_REQUESTED, Status.SUBMITTED)
    try:
        queue.publish_review_task(request_id, next_round)
    except Exception:  # the sweeper publishes requests left in "submitted"
        log.exception("review task not published; request %s left for the sweeper", request_id)
    return next_round


def withdraw(request_id: str, actor: str = "partner", detail: dict[str, Any] | None = None) -> None:
    """The partner withdraws the request; the Project Officer and the committee are told.

    ``actor`` is who did it: the partner, or a staff member for the partner (the staff
    workspace, with the partner's reason in ``detail``). Raises :class:`TransitionNotAllowed`
    once the request is final.
    """
    store = repository()
    request = load_request(request_id)
    check_move(request.status, Status.WITHDRAWN)
    withdrawn = event(request_id, "withdrawn", actor, request.round, detail or {})
    if not store.change_status(request_id, Status.WITHDRAWN, withdrawn):
        raise TransitionNotAllowed(request.status, Status.WITHDRAWN)
    notifications = [
        Notification(request_id, MailKind.WITHDRAWN, request.round, officer(o.officer_id))
        for o in officers_for(request.region, store.officers())
    ]
    if request.status != Status.SUBMITTED:
        notifications += [
            Notification(request_id, MailKind.WITHDRAWN, request.round, member(m.member_id))
            for m in store.members()
            if m.votes
        ]
    queue.publish_notifications(notifications)
