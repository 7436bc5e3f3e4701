"""A request's dossier: the request as sent (read back from the schema), its audit trail and
the staff's internal notes, which the partner never sees.

GET /staff/requests/{id} for everyone signed in; POST .../notes (and the other actions, such as
.../deadline: a question's deadline extended) for those who may change the request
(services/staff.py ``check_may_edit``: a Project Officer in their own regions only).
"""

from __future__ import annotations

from chalice.app import Response

from functions.domain import text as text_rule
from functions.domain.errors import Conflict, NotFound, TransitionNotAllowed
from functions.domain.staff import EDITORS
from functions.web.staff.area import StaffArea, StaffContext

dossier = StaffArea(__name__)


def _dossier_page(
    staff: StaffContext, request_id: str, status: int = 200, **extra: object
) -> Response:
    from functions.adapters.repository import repository
    from functions.domain.staff import may_edit_region
    from functions.presentation.formspec import request_form
    from functions.presentation.readout import read_request
    from functions.services import staff as service

    everything = repository().partition(request_id)
    request = everything.request
    if request is None:
        raise NotFound()
    from functions.services import actions
    from functions.web.attachments import file_views

    may_edit = may_edit_region(staff.member, request.region, service.officer_regions(staff.member))
    plan = (
        actions.action_view(everything.action.plan, staff.language) if everything.action else None
    )
    return staff.render(
        "staff/dossier.html",
        status,
        section="queue",
        view=request,
        parts=read_request(request_form(), request.document, staff.language),
        events=sorted(everything.events, key=lambda e: e.at, reverse=True),
        mail=everything.mail,
        votes=everything.votes,
        may_edit=may_edit,
        plan=plan,
        # The files, read with the partition (issue 20): 5-minute links once scanned clean.
        files=file_views(everything.attachments, staff.language),
        activity_statuses=actions.ACTIVITY_STATUSES,
        deadline_day=service.last_day_to_answer(request),
        deadline_limit=service.DEADLINE_LIMIT_DAYS,
        errors=extra.pop("errors", []),
        values=extra.pop("values", {}),
        **extra,
    )


@dossier.page("/staff/requests/{request_id}")
def show_dossier(staff: StaffContext, request_id: str) -> Response:
    """The dossier of one request."""
    return _dossier_page(staff, request_id)


@dossier.page("/staff/requests/{request_id}/notes", methods=["POST"], roles=EDITORS)
def add_note(staff: StaffContext, request_id: str) -> Response:
    """An internal note, with the staff member's identity in the audit trail."""
    from functions.services import staff as service

    text = text_rule.normalised(staff.fields.get("note", "")).strip()
    problem = (
        "required"
        if not text
        else "too_long"
        if len(text) > service.NOTE_LIMIT
        else "control_character"
        if text_rule.problem(text, multiline=True)
        else ""
    )
    if problem:
        service.editable_request(staff.member, request_id)  # the right to try, first
        errors = [{"field": "note", "code": problem}]
        return _dossier_page(staff, request_id, 422, errors=errors, values=staff.fields)
    service.add_note(staff.member, request_id, text)
    return _dossier_page(staff, request_id, 200, notice="note_added")


@dossier.page("/staff/requests/{request_id}/remind", methods=["POST"], roles=EDITORS)
def remind(staff: StaffContext, request_id: str) -> Response:
    """Remind the voting members who have not voted in this round."""
    from functions.services import staff as service

    try:
        count = service.remind_voters(staff.member, request_id)
    except TransitionNotAllowed:
        return _dossier_page(staff, request_id, 409, notice="not_under_review")
    return _dossier_page(staff, request_id, 200, notice="reminded", reminded=count)


@dossier.page("/staff/requests/{request_id}/resend", methods=["POST"], roles=EDITORS)
def resend(staff: StaffContext, request_id: str) -> Response:
    """Send one of the request's emails again."""
    from functions.services import staff as service

    fields = staff.fields
    round_text = fields.get("round", "")
    small = round_text.isascii() and round_text.isdigit() and len(round_text) < 4
    round_number = int(round_text) if small else 0
    try:
        service.resend_mail(
            staff.member,
            request_id,
            fields.get("kind", "")[:64],
            round_number,
            fields.get("recipient", "")[:100],
            fields.get("key", "")[:64],
        )
    except Conflict:
        return _dossier_page(staff, request_id, 409, notice="mail_in_flight")
    return _dossier_page(staff, request_id, 200, notice="resent")


@dossier.page("/staff/requests/{request_id}/withdraw", methods=["POST"], roles=EDITORS)
def withdraw(staff: StaffContext, request_id: str) -> Response:
    """Withdraw the request for the partner, with the reason they gave."""
    from functions.services import staff as service

    reason = text_rule.normalised(staff.fields.get("reason", "")).strip()
    problem = (
        "reason_required"
        if not reason
        else "reason_too_long"
        if len(reason) > service.REASON_LIMIT
        else "control_character"
        if text_rule.problem(reason, multiline=True)
        else ""
    )
    if problem:
        service.editable_request(staff.member, request_id)  # the right to try, first
        errors = [{"field": "reason", "code": problem}]
        return _dossier_page(staff, request_id, 422, errors=errors, values=staff.fields)
    try:
        service.withdraw_for_partner(staff.member, request_id, reason)
    except TransitionNotAllowed:
        return _dossier_page(staff, request_id, 409, notice="not_open")
    return _dossier_page(staff, request_id, 200, notice="withdrawn")


@dossier.page("/staff/requests/{request_id}/activities/{number}", methods=["POST"], roles=EDITORS)
def move_activity(staff: StaffContext, request_id: str, number: str) -> Response:
    """Move one activity of the Action: planned, confirmed, done or cancelled."""
    from functions.services import actions
    from functions.services import staff as service

    status = staff.fields.get("status", "")
    small = number.isascii() and number.isdigit() and len(number) < 3
    if not small or status not in actions.ACTIVITY_STATUSES:
        service.editable_request(staff.member, request_id)  # the right to try, first
        return _dossier_page(staff, request_id, 422, notice="no_such_move")
    try:
        changed = service.move_activity(staff.member, request_id, int(number), status)
    except actions.ActionError:
        return _dossier_page(staff, request_id, 422, notice="no_such_move")
    return _dossier_page(staff, request_id, 200, notice="moved" if changed else "unchanged")


@dossier.page("/staff/requests/{request_id}/deadline", methods=["POST"], roles=EDITORS)
def extend_deadline(staff: StaffContext, request_id: str) -> Response:
    """Give the partner more time to answer the committee's question (until a day's end)."""
    from datetime import date

    from functions.services import staff as service

    text = staff.fields.get("answer_by", "").strip()
    try:
        day = date.fromisoformat(text) if len(text) == 10 and text.isascii() else None
    except ValueError:
        day = None
    request = service.editable_request(staff.member, request_id)  # the right to try, first
    if request.status != "information_requested":
        return _dossier_page(staff, request_id, 409, notice="no_question")
    problem = service.deadline_problem(request, day)
    if problem or day is None:
        errors = [{"field": "answer_by", "code": problem or "date_invalid"}]
        return _dossier_page(staff, request_id, 422, errors=errors, values=staff.fields)
    try:
        service.extend_deadline(staff.member, request_id, day)
    except TransitionNotAllowed:
        return _dossier_page(staff, request_id, 409, notice="no_question")
    return _dossier_page(staff, request_id, 200, notice="deadline_extended")
