"""The Expert Roster in the staff workspace: an activity's experts as a page shows them, and
inviting the ones a staff member chose, audited with their identity (the API's alone).

The roster's own rules (matching, invitations, places) are services/experts.py's; this module
adds who may do it (an editor of the request's region) and the all-or-nothing check of a choice.
"""

from __future__ import annotations

from typing import NamedTuple

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.errors import FieldError, InvalidRequest
from functions.domain.experts import (
    ActivityNeed,
    Expert,
    ExpertStatus,
    Invitation,
    InvitationStatus,
    Match,
    Places,
)
from functions.domain.staff import StaffMember, may_edit_region
from functions.services import experts
from functions.services.staff import editable_request, officer_regions, staff_event

INVITE_MAX = 50  # experts chosen in one invitation round: more is not a person's choice


class ActivityExperts(NamedTuple):
    """An activity's experts as the workspace shows them: its need, its invitations (with the
    expert each names, None once erased), the ranked candidates and who may invite."""

    need: ActivityNeed
    places: Places | None
    invitations: list[tuple[Invitation, Expert | None]]
    ranking: list[Match]
    items_read: int
    may_invite: bool

    @property
    def accepted(self) -> int:
        """The places taken."""
        return sum(1 for i, _ in self.invitations if i.status == InvitationStatus.ACCEPTED.value)

    @property
    def waiting(self) -> int:
        """Invitations still waiting for an answer before their deadline: places held."""
        now = clock.iso(clock.now())
        return sum(
            1
            for i, _ in self.invitations
            if i.status == InvitationStatus.INVITED.value and i.respond_by > now
        )

    @property
    def places_left(self) -> int:
        """Places neither taken nor held by a waiting invitation: what may still be invited."""
        return max(0, self.need.places - self.accepted - self.waiting)

    @property
    def invited(self) -> frozenset[str]:
        """The experts invited to this activity already (whatever their answer)."""
        return frozenset(i.expert_id for i, _ in self.invitations)


def activity_experts(member: StaffMember, request_id: str, number: int) -> ActivityExperts:
    """The workspace's page of an activity's experts: reads only (the need, the invitations in
    one Query and their experts by GetItem, the ranking by index)."""
    ranking = experts.match(request_id, number)
    store = repository()
    places, invitations = store.activity_invitations(request_id, number)
    request = store.get_request(request_id)
    region = request.region if request is not None else ""
    with_experts = [(i, store.get_expert(i.expert_id)) for i in invitations]
    shown = [
        (i, e if e is not None and e.status != ExpertStatus.LEAVING.value else None)
        for i, e in with_experts
    ]
    return ActivityExperts(
        need=ranking.need,
        places=places,
        invitations=sorted(shown, key=lambda pair: (pair[0].invited_at, pair[0].expert_id)),
        ranking=ranking.matches,
        items_read=ranking.items_read,
        may_invite=may_edit_region(member, region, officer_regions(member)),
    )


def invite_by_staff(
    member: StaffMember, request_id: str, number: int, expert_ids: list[str]
) -> experts.Invited:
    """Invite the experts a staff member chose for an activity, audited with their identity.

    All or nothing: :class:`InvalidRequest` at ``/experts`` (nothing sent) when none is chosen,
    more than the places left, an expert who is not active (any more) or invited already.
    :class:`WrongRole` unless the member may change the request (an officer: their regions)."""
    request = editable_request(member, request_id)
    chosen = list(dict.fromkeys(expert_ids))
    view = activity_experts(member, request_id, number)
    errors = _choice_errors(chosen, view)
    if errors:
        raise InvalidRequest(errors)
    invited = experts.invite(request_id, number, chosen, member.actor)
    detail = {"activity": number, "experts": [i.expert_id for i in invited.sent]}
    if invited.skipped:  # lost a race with another invitation round: said, not hidden
        detail["skipped"] = sorted(invited.skipped)
    repository().append_event(staff_event(member, request, "experts_invited", detail, False))
    return invited


def _choice_errors(chosen: list[str], view: ActivityExperts) -> list[FieldError]:
    """What is wrong with a choice of experts, at the choice's field (the first problem)."""
    if not chosen:
        return [FieldError("/experts", "none_chosen")]
    if len(chosen) > view.places_left or len(chosen) > INVITE_MAX:
        return [FieldError("/experts", "more_than_places", {"limit": view.places_left})]
    if any(expert_id in view.invited for expert_id in chosen):
        return [FieldError("/experts", "invited_already")]
    store = repository()
    for expert_id in chosen:
        expert = store.get_expert(expert_id) if experts.well_formed_id(expert_id) else None
        if expert is None or expert.status != ExpertStatus.ACTIVE.value:
            return [FieldError("/experts", "not_active")]
    return []
