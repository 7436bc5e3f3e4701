"""The committee's administration in the workspace: members and observers, their delegates with
the dates of each delegation, and the Project Officers of each region.

GET /staff/committee is for everyone signed in (the committee is no secret to the staff); every
form and every change is the administrators' (``ADMINS``). Each form is generated from its part
of ``schemas/committee.schema.json`` by the one generator (presentation/formspec.py) and posts
to the page that shows it: a bad answer comes back at its field with nothing changed (422), a
change is written with the administrator's identity in the administration's trail
(services/committee.py) and answers ``303`` to the committee's page. A removal asks first (GET
shows what it does; only the POST removes).

:func:`admin_form` and :func:`form_values` serve the focal points' pages too (web/staff/focal.py).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chalice.app import Response

from functions.domain.errors import Conflict, InvalidRequest, NotFound
from functions.domain.staff import StaffRole
from functions.web.staff.area import StaffArea, StaffContext

if TYPE_CHECKING:
    from functions.presentation.formspec import FormSpec

committee = StaffArea(__name__)

ADMINS = frozenset({StaffRole.ADMINISTRATOR})
SCHEMA = "committee.schema.json"
MAX_ID_CHARS = 64  # longer than any id a form accepts: such a path names nothing


# --- generated forms, shared with the focal points' pages ---------------------------------------


@cache
def part_spec(schema: str, part: str, without: tuple[str, ...] = ()) -> FormSpec:
    """The form of one part (an object property) of a schema, some of its fields left out (an
    id that the URL gives and that never changes)."""
    from dataclasses import replace

    from functions.domain import schemas
    from functions.presentation.formspec import FormSpec, build_form

    whole = build_form(schemas.load(schema))
    section = next(s for s in whole.sections if s.name == part)
    kept = tuple(item for item in section.items if item.name not in without)
    return FormSpec(section.title, (), (replace(section, items=kept),))


def form_values(staff: StaffContext) -> dict[str, list[str]]:
    """A POST's answers with every value of each field (checkboxes repeat their name)."""
    from functions.web.body import FORM, read_body

    _, body = read_body(staff.request, allowed=(FORM,))
    return {name: list(values) for name, values in body.items() if not name.startswith("_")}


def posted(values: dict[str, list[str]], spec: FormSpec, schema: str) -> dict[str, Any]:
    """The document the answers describe, by the same rules as every generated form's."""
    from functions.domain import schemas
    from functions.presentation.formdata import posted_document

    document: dict[str, Any] = posted_document(values, spec, schemas.load(schema)).document
    return document


def values_of(part: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """A stored record as the form's answers (to edit it)."""
    values: dict[str, list[str]] = {}
    for name, value in data.items():
        if isinstance(value, bool):
            values[f"{part}.{name}"] = ["true" if value else "false"]
        elif isinstance(value, list | tuple):
            values[f"{part}.{name}"] = [str(v) for v in value]
        elif value is not None:
            values[f"{part}.{name}"] = [str(value)]
    return values


def admin_form(
    staff: StaffContext,
    spec: FormSpec,
    schema: str,
    *,
    action: str,
    heading: str,
    submit: str,
    back: str,
    section: str,
    values: dict[str, list[str]] | None = None,
    error: InvalidRequest | None = None,
    options: dict[str, list[tuple[str, str]]] | None = None,
    template: str = "staff/admin_form.html",
    **extra: Any,
) -> Response:
    """A workspace page with one generated form: the answers and every error in (422 then).
    ``options``: the choices of a select the schema cannot list (the committee's members)."""
    from functions.web.form import error_views, field_id, sections_view

    inline, summary = error_views(error.errors if error else [], spec, staff.language, schema)
    sections = sections_view(spec, staff.language, values or {}, inline)
    for name, choices in (options or {}).items():
        for item in (i for s in sections for i in s["items"]):
            if item["spec"].name == name:
                base = field_id(name)
                item["options"] = [
                    {"value": v, "label": label, "group": "", "group_label": "", "id": base}
                    for v, label in choices
                ]
    return staff.render(
        template,
        422 if error else 200,
        section=section,
        heading=heading,
        sections=sections,
        summary=summary,
        form_action=f"{action}?lang={staff.language}",
        submit_label=submit,
        back=back,
        **extra,
    )


def query(staff: StaffContext, name: str, limit: int = MAX_ID_CHARS) -> str:
    """One query parameter of the page's address, cut to ``limit`` characters ("" if absent)."""
    params: dict[str, str] = dict(staff.request.query_params or {})
    return str(params.get(name, ""))[:limit]


def checked_id(text: str) -> str:
    """An id from the path, or :class:`NotFound` for one no form could have made."""
    if not text or len(text) > MAX_ID_CHARS or not text.isascii():
        raise NotFound("no such entry")
    return text


def see_other(location: str) -> Response:
    """``303`` after a change: the browser shows the list with the change, and a reload does
    not post the form again."""
    from functions.web.headers import page_headers

    return Response("", status_code=303, headers={**page_headers(), "Location": location})


def _overview(staff: StaffContext, notice: str = "") -> str:
    return f"/staff/committee?lang={staff.language}" + (f"&done={notice}" if notice else "")


def _translate(staff: StaffContext) -> Any:
    from functions.presentation.i18n import gettext_for

    return gettext_for(staff.language)


# --- the committee's page --------------------------------------------------------------------


@committee.page("/staff/committee")
def show_committee(staff: StaffContext) -> Response:
    """Members, observers, delegates and Project Officers, with the latest changes."""
    from functions.adapters.repository import repository
    from functions.domain import clock
    from functions.domain.reference import COMMITTEE_ROLES, reference_data
    from functions.services import committee as service

    store = repository()
    members = store.members()
    done = query(staff, "done", 40)
    return staff.render(
        "staff/committee.html",
        section="committee",
        members=[m for m in members if m.votes],
        observers=[m for m in members if not m.votes],
        delegated=[m for m in members if m.delegate is not None],
        officers=store.officers(),
        regions=reference_data().regions,
        roles=COMMITTEE_ROLES,
        today=clock.now().date(),
        trail=service.trail(),
        may_change=staff.member.has_any(ADMINS),
        done=done,
    )


# --- members and observers --------------------------------------------------------------------


def _member_form(
    staff: StaffContext,
    member_id: str = "",
    values: dict[str, list[str]] | None = None,
    error: InvalidRequest | None = None,
) -> Response:
    _ = _translate(staff)
    editing = bool(member_id)
    spec = part_spec(SCHEMA, "member", ("member.id",) if editing else ())
    path = f"/staff/committee/members/{quote(member_id)}" if editing else "/staff/committee/members"
    return admin_form(
        staff,
        spec,
        SCHEMA,
        action=path,
        heading=_("Change member %(id)s") % {"id": member_id} if editing else _("Add a member"),
        submit=_("Save the member"),
        back=_overview(staff),
        section="committee",
        values=values,
        error=error,
        intro="member",
    )


@committee.page("/staff/committee/members", roles=ADMINS)
def new_member(staff: StaffContext) -> Response:
    """The form to add a member or an observer."""
    return _member_form(staff, values={"member.language": ["en"], "member.role": ["voting"]})


@committee.page("/staff/committee/members", methods=["POST"], roles=ADMINS)
def add_member(staff: StaffContext) -> Response:
    """Add a member or an observer."""
    from functions.services import committee as service

    values = form_values(staff)
    try:
        service.add_member(staff.member, posted(values, part_spec(SCHEMA, "member"), SCHEMA))
    except InvalidRequest as error:
        return _member_form(staff, values=values, error=error)
    return see_other(_overview(staff, "member_added"))


@committee.page("/staff/committee/members/{member_id}", roles=ADMINS)
def edit_member(staff: StaffContext, member_id: str) -> Response:
    """The form to change a member, with what is stored."""
    from functions.adapters.repository import repository

    member = repository().member(checked_id(member_id))
    if member is None:
        raise NotFound("member")
    data = {k: v for k, v in member._asdict().items() if k not in ("member_id", "delegate")}
    return _member_form(staff, member_id, values_of("member", data))


@committee.page("/staff/committee/members/{member_id}", methods=["POST"], roles=ADMINS)
def change_member(staff: StaffContext, member_id: str) -> Response:
    """Save a changed member (their delegate stays)."""
    from functions.services import committee as service

    values = form_values(staff)
    spec = part_spec(SCHEMA, "member", ("member.id",))
    try:
        service.update_member(staff.member, checked_id(member_id), posted(values, spec, SCHEMA))
    except InvalidRequest as error:
        return _member_form(staff, member_id, values, error)
    return see_other(_overview(staff, "member_changed"))


def _removal(
    staff: StaffContext, kind: str, subject: Any, status: int = 200, **extra: Any
) -> Response:
    return staff.render(
        "staff/admin_remove.html",
        status,
        section=extra.pop("section", "committee"),
        kind=kind,
        subject=subject,
        back=extra.pop("back", _overview(staff)),
        **extra,
    )


@committee.page("/staff/committee/members/{member_id}/remove", roles=ADMINS)
def confirm_member_removal(staff: StaffContext, member_id: str) -> Response:
    """What removing a member does to the rounds under review, and the button to do it."""
    from functions.adapters.repository import repository
    from functions.services import committee as service

    member = repository().member(checked_id(member_id))
    if member is None:
        raise NotFound("member")
    return _removal(staff, "member", member, open_rounds=service.open_rounds())


@committee.page("/staff/committee/members/{member_id}/remove", methods=["POST"], roles=ADMINS)
def remove_member(staff: StaffContext, member_id: str) -> Response:
    """Take a member off the committee (refused for the last voting member: 409)."""
    from functions.adapters.repository import repository
    from functions.services import committee as service

    try:
        service.remove_member(staff.member, checked_id(member_id))
    except Conflict:
        member = repository().member(member_id)
        if member is None:
            raise NotFound("member") from None
        rounds = service.open_rounds()
        return _removal(staff, "member", member, 409, open_rounds=rounds, refused="last_voter")
    return see_other(_overview(staff, "member_removed"))


# --- delegates ------------------------------------------------------------------------------


def _delegate_form(
    staff: StaffContext,
    values: dict[str, list[str]] | None = None,
    error: InvalidRequest | None = None,
) -> Response:
    from functions.adapters.repository import repository

    _ = _translate(staff)
    choices = [(m.member_id, f"{m.name} ({m.body})") for m in repository().members() if m.votes]
    return admin_form(
        staff,
        part_spec(SCHEMA, "delegate"),
        SCHEMA,
        action="/staff/committee/delegates",
        heading=_("A member's delegate"),
        submit=_("Save the delegate"),
        back=_overview(staff),
        section="committee",
        values=values,
        error=error,
        options={"delegate.member": choices},
        intro="delegate",
    )


@committee.page("/staff/committee/delegates", roles=ADMINS)
def new_delegate(staff: StaffContext) -> Response:
    """The delegate form; ``?member=`` names the member (their delegate, if any, filled in)."""
    from functions.adapters.repository import repository

    wanted = query(staff, "member")
    member = repository().member(wanted) if wanted else None
    values: dict[str, list[str]] = {"delegate.member": [wanted]} if member else {}
    if member is not None and member.delegate is not None:
        values.update(values_of("delegate", member.delegate._asdict()))
    return _delegate_form(staff, values)


@committee.page("/staff/committee/delegates", methods=["POST"], roles=ADMINS)
def save_delegate(staff: StaffContext) -> Response:
    """Save a member's delegate and the dates of the delegation."""
    from functions.services import committee as service

    values = form_values(staff)
    try:
        service.save_delegate(staff.member, posted(values, part_spec(SCHEMA, "delegate"), SCHEMA))
    except InvalidRequest as error:
        return _delegate_form(staff, values, error)
    return see_other(_overview(staff, "delegate_saved"))


@committee.page("/staff/committee/delegates/{member_id}/remove", methods=["POST"], roles=ADMINS)
def end_delegation(staff: StaffContext, member_id: str) -> Response:
    """End a member's delegation now."""
    from functions.services import committee as service

    service.end_delegation(staff.member, checked_id(member_id))
    return see_other(_overview(staff, "delegate_removed"))


# --- Project Officers ------------------------------------------------------------------------


def _officer_form(
    staff: StaffContext,
    officer_id: str = "",
    values: dict[str, list[str]] | None = None,
    error: InvalidRequest | None = None,
) -> Response:
    _ = _translate(staff)
    editing = bool(officer_id)
    spec = part_spec(SCHEMA, "officer", ("officer.id",) if editing else ())
    path = (
        f"/staff/committee/officers/{quote(officer_id)}" if editing else "/staff/committee/officers"
    )
    return admin_form(
        staff,
        spec,
        SCHEMA,
        action=path,
        heading=_("Change Project Officer %(id)s") % {"id": officer_id}
        if editing
        else _("Add a Project Officer"),
        submit=_("Save the Project Officer"),
        back=_overview(staff),
        section="committee",
        values=values,
        error=error,
        intro="officer",
    )


@committee.page("/staff/committee/officers", roles=ADMINS)
def new_officer(staff: StaffContext) -> Response:
    """The form to add a Project Officer."""
    return _officer_form(staff, values={"officer.language": ["en"]})


@committee.page("/staff/committee/officers", methods=["POST"], roles=ADMINS)
def add_officer(staff: StaffContext) -> Response:
    """Add a Project Officer."""
    from functions.services import committee as service

    values = form_values(staff)
    try:
        service.add_officer(staff.member, posted(values, part_spec(SCHEMA, "officer"), SCHEMA))
    except InvalidRequest as error:
        return _officer_form(staff, values=values, error=error)
    return see_other(_overview(staff, "officer_added"))


@committee.page("/staff/committee/officers/{officer_id}", roles=ADMINS)
def edit_officer(staff: StaffContext, officer_id: str) -> Response:
    """The form to change a Project Officer, with what is stored."""
    from functions.adapters.repository import repository

    officer = repository().officer(checked_id(officer_id))
    if officer is None:
        raise NotFound("officer")
    data = {k: v for k, v in officer._asdict().items() if k != "officer_id"}
    return _officer_form(staff, officer_id, values_of("officer", data))


@committee.page("/staff/committee/officers/{officer_id}", methods=["POST"], roles=ADMINS)
def change_officer(staff: StaffContext, officer_id: str) -> Response:
    """Save a changed Project Officer."""
    from functions.services import committee as service

    values = form_values(staff)
    spec = part_spec(SCHEMA, "officer", ("officer.id",))
    try:
        service.update_officer(staff.member, checked_id(officer_id), posted(values, spec, SCHEMA))
    except InvalidRequest as error:
        return _officer_form(staff, officer_id, values, error)
    return see_other(_overview(staff, "officer_changed"))


@committee.page("/staff/committee/officers/{officer_id}/remove", roles=ADMINS)
def confirm_officer_removal(staff: StaffContext, officer_id: str) -> Response:
    """What removing a Project Officer does, and the button to do it."""
    from functions.adapters.repository import repository

    officer = repository().officer(checked_id(officer_id))
    if officer is None:
        raise NotFound("officer")
    return _removal(staff, "officer", officer)


@committee.page("/staff/committee/officers/{officer_id}/remove", methods=["POST"], roles=ADMINS)
def remove_officer(staff: StaffContext, officer_id: str) -> Response:
    """Remove a Project Officer."""
    from functions.services import committee as service

    service.remove_officer(staff.member, checked_id(officer_id))
    return see_other(_overview(staff, "officer_removed"))
