"""The Action of a request in the workspace: recorded, published and edited in the browser.

GET /staff/requests/{id}/action shows the form generated from schemas/action.schema.json by the
generator of every form (presentation/formspec.py, the request form's fields and error summary),
empty before the Action is recorded, filled in with the current plan after. POST records it
through services/actions.record_action, the path the operators' import takes: the first record
publishes the Action (the partner is emailed), a later one replaces the plan (the partner's status
page shows it; activities keep their status and outcome by number). Only those who may change the
request (a Project Officer of its region, a coordinator, an administrator), only for an approved
request. The form carries the version it was read at: a plan saved by someone else meanwhile is
a conflict, said at the top, the person's answers kept on the page and nothing stored.

Without JavaScript every activity's fieldset is on the page (the schema's seven at most); the
empty ones are left out of the plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Response

from functions.domain.staff import EDITORS
from functions.web.staff.area import StaffArea, StaffContext

if TYPE_CHECKING:
    from functions.domain.errors import FieldError
    from functions.domain.records import ActionRecord, Request

action = StaffArea(__name__)

SCHEMA = "action.schema.json"
GROUP = "activities"  # the form's repeated group: one fieldset per activity
VERSION_FIELD = "_version"  # the version the form was read at (form plumbing, not an answer)


def _path(request_id: str) -> str:
    return f"/staff/requests/{request_id}/action"


def values_of(plan: dict[str, Any]) -> dict[str, list[str]]:
    """A recorded plan as the form's answers: dotted names (``activities.0.place.city``), each
    value as the form posts it; the parts the form does not edit (statuses, outcomes) left out."""
    from functions.presentation.formspec import action_form

    names = {f.name for f in action_form().fields()}
    values: dict[str, list[str]] = {}

    def walk(node: Any, name: str) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                walk(child, f"{name}.{key}" if name else key)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(child, f"{name}.{index}")
        elif name in names:
            values[name] = ["true" if node is True else "false" if node is False else str(node)]

    walk(plan, "")
    return values


def _closed_up(values: dict[str, list[str]]) -> dict[str, list[str]]:
    """The answers with the activities renumbered in order, the empty fieldsets between them
    left out: the plan numbers activities by position, and the form shown again must put each
    error beside the activity it is about."""
    from functions.presentation.formdata import MAX_POSITION

    prefix = GROUP + "."
    filled: dict[int, list[tuple[str, list[str]]]] = {}
    others: dict[str, list[str]] = {}
    for name, answers in values.items():
        position, _, rest = name.removeprefix(prefix).partition(".")
        small = position.isascii() and position.isdigit() and len(position) <= 2
        if not name.startswith(prefix) or not small or int(position) > MAX_POSITION or not rest:
            others[name] = answers
        elif any(answer.strip() for answer in answers):
            filled.setdefault(int(position), []).append((rest, answers))
    for number, at in enumerate(sorted(filled)):
        for rest, answers in filled[at]:
            others[f"{prefix}{number}.{rest}"] = answers
    return others


def _summary_with_numbers(summary: list[dict[str, str]], language: str) -> list[dict[str, str]]:
    """The error summary, each activity's errors prefixed with the activity they are about (the
    field's own message, beside the field, is inside that activity's fieldset already)."""
    from functions.presentation.i18n import gettext_for
    from functions.web.form import field_id

    _ = gettext_for(language)
    named = []
    for item in summary:
        prefix = "#" + field_id(GROUP) + "-"
        position = item["href"].removeprefix(prefix).split("-", 1)[0]
        if item["href"].startswith(prefix) and position.isdigit():
            number = int(position) + 1
            text = _("Activity %(number)s: %(message)s") % {
                "number": number,
                "message": item["text"],
            }
            named.append({**item, "text": text})
        else:
            named.append(item)
    return named


def _editor_page(
    staff: StaffContext,
    request: Request,
    current: ActionRecord | None,
    status: int = 200,
    values: dict[str, list[str]] | None = None,
    errors: list[FieldError] | None = None,
    notice: str = "",
    version: int | None = None,
) -> Response:
    from functions.presentation.formspec import action_form
    from functions.web.form import error_views, sections_view

    spec = action_form()
    if values is None:
        values = values_of(current.plan) if current else {}
    inline, summary = error_views(errors or [], spec, staff.language, SCHEMA)
    read_at = version if version is not None else (current.version if current else 0)
    return staff.render(
        "staff/action.html",
        status,
        section="queue",
        view=request,
        current=current,
        approved=request.status == "approved",
        sections=sections_view(spec, staff.language, values, inline),
        summary=_summary_with_numbers(summary, staff.language),
        hidden=[("_csrf", staff.csrf_token), (VERSION_FIELD, str(read_at))],
        form_action=f"{_path(request.request_id)}?lang={staff.language}",
        form_kind="action",
        notice=notice,
    )


@action.page("/staff/requests/{request_id}/action", roles=EDITORS)
def show_action_editor(staff: StaffContext, request_id: str) -> Response:
    """The Action's form: empty to record it, filled in with the current plan to edit it."""
    from functions.services import actions
    from functions.services import staff as service

    request = service.editable_request(staff.member, request_id)
    notice = "" if request.status == "approved" else "not_approved"
    return _editor_page(staff, request, actions.current_action(request_id), notice=notice)


@action.page("/staff/requests/{request_id}/action", methods=["POST"], roles=EDITORS)
def save_action(staff: StaffContext, request_id: str) -> Response:
    """Record the Action (published, the partner emailed, the first time) or save its new plan."""
    from functions.domain import schemas
    from functions.domain.validation import validate_action
    from functions.presentation.formdata import posted_document
    from functions.presentation.formspec import action_form
    from functions.services import actions
    from functions.services import staff as service

    request = service.editable_request(staff.member, request_id)  # the right to try, first
    current = actions.current_action(request_id)
    answers = {name: [value] for name, value in staff.fields.items()}
    posted = posted_document(answers, action_form(), schemas.inlined(SCHEMA))
    values = _closed_up(posted.values)
    document = posted_document(values, action_form(), schemas.inlined(SCHEMA)).document
    version_text = staff.fields.get(VERSION_FIELD, "")
    small = version_text.isascii() and version_text.isdigit() and len(version_text) <= 9
    read_version = int(version_text) if small else -1  # not a version of ours: a conflict
    if request.status != "approved":
        return _editor_page(staff, request, current, 409, values, notice="not_approved")
    errors = validate_action(document)
    if errors:
        return _editor_page(staff, request, current, 422, values, errors, version=read_version)
    try:
        recorded = actions.record_action(
            request_id,
            document,
            actor=staff.member.actor,
            read_version=read_version,
            keep_progress=True,
        )
    except actions.ActionConflict:
        # Their answers stay on the page, based now on the version just read: saving again is
        # a choice made knowing that it replaces the other person's plan.
        current = actions.current_action(request_id)
        return _editor_page(staff, request, current, 409, values, notice="conflict")
    except actions.ActionError:  # what the form cannot show at a field (an outcome's rule)
        return _editor_page(staff, request, current, 422, values, notice="refused")
    saved = actions.current_action(request_id)
    notice = "published" if recorded.first else "saved"
    return _editor_page(staff, request, saved, 200, None, notice=notice)
