"""The Expert Roster in the staff workspace: an activity's experts (its need, its invitations,
the ranked candidates with why each rank), inviting the chosen ones, and the roster itself.

GET /staff/requests/{id}/activities/{n}/experts for everyone signed in; POST .../invite for
those who may change the request (an officer: their own regions), audited with their identity;
GET /staff/experts (the roster by member state and status, a page of roster-index at a time)
and GET /staff/experts/{expert_id} (a registration read back from its schema, its invitations
and deployments). Every GET reads only.
"""

from __future__ import annotations

from urllib.parse import urlencode

from chalice.app import Response

from functions.domain.errors import InvalidRequest, NotFound
from functions.domain.staff import EDITORS
from functions.web.staff.area import StaffArea, StaffContext

staff_experts = StaffArea(__name__)

ROSTER_STATUSES = ("active", "pending", "declined")


def _activity_number(number: str) -> int:
    """An activity's number from the path: a small positive number, else no such activity."""
    if not (number.isascii() and number.isdigit() and len(number) < 3):
        raise NotFound("activity")
    return int(number)


def _activity_page(
    staff: StaffContext, request_id: str, number: int, status: int = 200, **extra: object
) -> Response:
    from functions.domain.experts import Criterion
    from functions.domain.reference import ACTIVITY_TYPES, country_names, reference_data
    from functions.services import staff_experts as service

    view = service.activity_experts(staff.member, request_id, number)
    request = _request_reference(request_id)
    return staff.render(
        "staff/experts_activity.html",
        status,
        section="queue",
        view=view,
        request_id=request_id,
        reference=request,
        activity_type=ACTIVITY_TYPES.get(view.need.type, view.need.type),
        country_names=country_names(staff.language),
        topics=reference_data().topics,
        regions=reference_data().regions,
        criteria=list(Criterion),
        errors=extra.pop("errors", []),
        chosen=extra.pop("chosen", []),
        **extra,
    )


def _request_reference(request_id: str) -> str:
    from functions.adapters.repository import repository

    request = repository().get_request(request_id)
    if request is None:
        raise NotFound("request")
    return request.reference


@staff_experts.page("/staff/requests/{request_id}/activities/{number}/experts")
def show_activity_experts(staff: StaffContext, request_id: str, number: str) -> Response:
    """An activity's need, invitations and ranked candidates. Reads only."""
    return _activity_page(staff, request_id, _activity_number(number))


@staff_experts.page(
    "/staff/requests/{request_id}/activities/{number}/experts/invite",
    methods=["POST"],
    roles=EDITORS,
)
def invite_experts(staff: StaffContext, request_id: str, number: str) -> Response:
    """Invite the experts ticked on the page (all or none: a problem is shown at the field)."""
    from functions.services import staff as staff_service
    from functions.services import staff_experts as service
    from functions.web.body import FORM, read_body

    staff_service.editable_request(staff.member, request_id)  # the right to try, first
    activity = _activity_number(number)
    _, body = read_body(staff.request, allowed=(FORM,))
    chosen = [str(value)[:64] for value in body.get("experts", [])][: service.INVITE_MAX + 1]
    try:
        invited = service.invite_by_staff(staff.member, request_id, activity, chosen)
    except InvalidRequest as error:
        errors = [{"field": "experts", "code": e.code, **e.params} for e in error.errors]
        return _activity_page(staff, request_id, activity, 422, errors=errors, chosen=chosen)
    return _activity_page(
        staff, request_id, activity, 200, notice="invited", sent=len(invited.sent)
    )


@staff_experts.page("/staff/experts")
def show_roster(staff: StaffContext) -> Response:
    """The roster: counts by member state, and one member state's registrations a page at a time."""
    from functions.domain.reference import country_names, reference_data
    from functions.services import experts as service

    params: dict[str, str] = dict(staff.request.query_params or {})
    member_states = reference_data().member_states
    wanted = str(params.get("member_state", ""))[:2]
    member_state = wanted if wanted in member_states else ""
    status = str(params.get("status", ""))
    status = status if status in ROSTER_STATUSES else "active"
    view = service.roster(member_state, status, str(params.get("after", ""))[:200])
    next_link = ""
    if member_state and view.cursor:
        query = {"member_state": member_state, "status": status, "after": view.cursor}
        next_link = "/staff/experts?" + urlencode({**query, "lang": staff.language})
    return staff.render(
        "staff/experts_roster.html",
        section="experts",
        view=view,
        member_state=member_state,
        roster_status=status,
        statuses=ROSTER_STATUSES,
        member_states=sorted(member_states),
        country_names=country_names(staff.language),
        next_link=next_link,
    )


@staff_experts.page("/staff/experts/{expert_id}")
def show_expert(staff: StaffContext, expert_id: str) -> Response:
    """One expert: the registration read back from its schema, invitations and deployments."""
    from functions.presentation.formspec import expert_form
    from functions.presentation.readout import read_request
    from functions.services import experts as service

    expert, invitations = service.expert_record(expert_id)
    return staff.render(
        "staff/experts_expert.html",
        section="experts",
        expert=expert,
        invitations=invitations,
        parts=read_request(expert_form(), expert.document, staff.language),
    )
