"""The national focal points in the workspace: per member state of the EU 27, who confirms its
officials' Expert Roster registrations, and the registrations still waiting for them.

GET /staff/focal-points (every member state's focal points: one Query of their partition) and
GET /staff/focal-points/{member_state} (its focal points and the registrations awaiting
confirmation: one Query on roster-index and the profiles) are for everyone signed in; adding,
changing and removing are the administrators'. The form is generated from
``schemas/focal_point.schema.json``; answers, errors and the trail as for the committee
(web/staff/committee.py, whose form helpers this module uses).
"""

from __future__ import annotations

from urllib.parse import quote

from chalice.app import Response

from functions.domain.errors import InvalidRequest, NotFound
from functions.web.staff.area import StaffArea, StaffContext
from functions.web.staff.committee import (
    ADMINS,
    admin_form,
    checked_id,
    form_values,
    part_spec,
    posted,
    query,
    see_other,
    values_of,
)

focal = StaffArea(__name__)

SCHEMA = "focal_point.schema.json"
PART = "focal_point"
SECTION = "focal_points"


def _member_state(code: str) -> str:
    """A member state of the EU 27 from the path, or :class:`NotFound`."""
    from functions.domain.reference import reference_data

    if code not in reference_data().member_states:
        raise NotFound("member state")
    return code


def _list(staff: StaffContext, member_state: str = "", notice: str = "") -> str:
    path = f"/staff/focal-points/{member_state}" if member_state else "/staff/focal-points"
    return f"{path}?lang={staff.language}" + (f"&done={notice}" if notice else "")


def _done(staff: StaffContext) -> str:
    return query(staff, "done", 40)


@focal.page("/staff/focal-points")
def show_focal_points(staff: StaffContext) -> Response:
    """Every member state with its focal points (one Query)."""
    from functions.adapters.repository import repository
    from functions.domain.reference import country_names, reference_data

    names = country_names(staff.language)
    by_state: dict[str, list[object]] = {code: [] for code in reference_data().member_states}
    for point in repository().all_focal_points():
        by_state.setdefault(point.member_state, []).append(point)
    states = sorted(by_state, key=lambda code: names.get(code, code))
    return staff.render(
        "staff/focal_points.html",
        section=SECTION,
        states=[(code, names.get(code, code), by_state[code]) for code in states],
        may_change=staff.member.has_any(ADMINS),
        done=_done(staff),
    )


@focal.page("/staff/focal-points/{member_state}")
def show_member_state(staff: StaffContext, member_state: str) -> Response:
    """One member state: its focal points and the registrations awaiting their answer."""
    from functions.adapters.repository import repository
    from functions.domain.reference import country_names
    from functions.services import experts as service

    code = _member_state(member_state)
    return staff.render(
        "staff/focal_state.html",
        section=SECTION,
        code=code,
        state_name=country_names(staff.language).get(code, code),
        points=repository().focal_points(code),
        awaiting=service.awaiting_confirmation(code),
        may_change=staff.member.has_any(ADMINS),
        done=_done(staff),
    )


def _form(
    staff: StaffContext,
    member_state: str = "",
    focal_id: str = "",
    values: dict[str, list[str]] | None = None,
    error: InvalidRequest | None = None,
) -> Response:
    from functions.presentation.i18n import gettext_for

    _ = gettext_for(staff.language)
    editing = bool(focal_id)
    without = ("focal_point.member_state", "focal_point.id") if editing else ()
    action = (
        f"/staff/focal-points/{member_state}/{quote(focal_id)}"
        if editing
        else "/staff/focal-points"
    )
    return admin_form(
        staff,
        part_spec(SCHEMA, PART, without),
        SCHEMA,
        action=action,
        heading=_("Change focal point %(id)s") % {"id": focal_id}
        if editing
        else _("Add a focal point"),
        submit=_("Save the focal point"),
        back=_list(staff, member_state),
        section=SECTION,
        values=values,
        error=error,
        intro="focal_point",
    )


@focal.page("/staff/focal-points/add", roles=ADMINS)
def new_focal_point(staff: StaffContext) -> Response:
    """The form to add a focal point (``?member_state=`` chooses it already)."""
    wanted = query(staff, "member_state", 2)
    values = {"focal_point.language": ["en"], "focal_point.copy_invitations": ["false"]}
    if wanted:
        values["focal_point.member_state"] = [wanted]
    return _form(staff, wanted, values=values)


@focal.page("/staff/focal-points", methods=["POST"], roles=ADMINS)
def add_focal_point(staff: StaffContext) -> Response:
    """Add a focal point to a member state."""
    from functions.services import experts as service

    values = form_values(staff)
    try:
        point = service.add_focal_point(
            staff.member, posted(values, part_spec(SCHEMA, PART), SCHEMA)
        )
    except InvalidRequest as error:
        state = (values.get("focal_point.member_state") or [""])[-1][:2]
        return _form(staff, state, values=values, error=error)
    return see_other(_list(staff, point.member_state, "focal_point_added"))


def _stored(member_state: str, focal_id: str) -> object:
    from functions.adapters.repository import repository

    point = repository().focal_point(_member_state(member_state), checked_id(focal_id))
    if point is None:
        raise NotFound("focal point")
    return point


@focal.page("/staff/focal-points/{member_state}/{focal_id}", roles=ADMINS)
def edit_focal_point(staff: StaffContext, member_state: str, focal_id: str) -> Response:
    """The form to change a focal point, with what is stored."""
    from functions.domain.experts import FocalPoint

    point = _stored(member_state, focal_id)
    assert isinstance(point, FocalPoint)
    data = {
        "name": point.name,
        "email": point.email,
        "language": point.language,
        "copy_invitations": point.copy_invitations,
    }
    return _form(staff, member_state, focal_id, values_of(PART, data))


@focal.page("/staff/focal-points/{member_state}/{focal_id}", methods=["POST"], roles=ADMINS)
def change_focal_point(staff: StaffContext, member_state: str, focal_id: str) -> Response:
    """Save a changed focal point."""
    from functions.services import experts as service

    code = _member_state(member_state)
    values = form_values(staff)
    spec = part_spec(SCHEMA, PART, ("focal_point.member_state", "focal_point.id"))
    try:
        service.update_focal_point(
            staff.member, code, checked_id(focal_id), posted(values, spec, SCHEMA)
        )
    except InvalidRequest as error:
        return _form(staff, code, focal_id, values, error)
    return see_other(_list(staff, code, "focal_point_changed"))


@focal.page("/staff/focal-points/{member_state}/{focal_id}/remove", roles=ADMINS)
def confirm_focal_removal(staff: StaffContext, member_state: str, focal_id: str) -> Response:
    """What removing a focal point does, and the button to do it."""
    point = _stored(member_state, focal_id)
    return staff.render(
        "staff/admin_remove.html",
        section=SECTION,
        kind="focal_point",
        subject=point,
        back=_list(staff, member_state),
    )


@focal.page("/staff/focal-points/{member_state}/{focal_id}/remove", methods=["POST"], roles=ADMINS)
def remove_focal_point(staff: StaffContext, member_state: str, focal_id: str) -> Response:
    """Remove a focal point (its links stop working)."""
    from functions.services import experts as service

    code = _member_state(member_state)
    service.remove_focal_point(staff.member, code, checked_id(focal_id))
    return see_other(_list(staff, code, "focal_point_removed"))
