"""What an Action's activities produced, and what their evaluations say (issue 19).

GET/POST /staff/requests/{id}/activities/{n}/outcome: the outcome of a done activity
(participants, deliverables, a narrative), in the form generated from the schema's
``$defs/outcome`` (presentation/formspec.py), pre-filled with what was recorded; for the Project
Officers of the request's region (services/staff.py ``check_may_edit``), audited.

GET /staff/requests/{id}/evaluation: the Action's results for everyone signed in: each
activity's outcome and evaluation figures, the Action's, the comments; for those who may edit,
each done activity's shared evaluation link with its QR code to print for the room, and the
switch that puts the Action on the public pages or takes it off (POST .../publication).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Response

from functions.domain.errors import InvalidRequest, NotFound
from functions.domain.staff import EDITORS
from functions.web.staff.area import StaffArea, StaffContext

if TYPE_CHECKING:
    from markupsafe import Markup

outcome = StaffArea(__name__)

# Activities of an Action: a small number, in ASCII digits (the plan's schema has at most 30).
MAX_NUMBER_DIGITS = 2


def activity_number(text: str) -> int:
    """The activity a path names, or :class:`NotFound` (``¹``, ``007x``, 10**9 are none)."""
    if text.isascii() and text.isdigit() and len(text) <= MAX_NUMBER_DIGITS and int(text) > 0:
        return int(text)
    raise NotFound(text)


def form_values(document: Any, prefix: str = "") -> dict[str, list[str]]:
    """A recorded outcome as the form's fields (``participants.women``, ``deliverables.0.kind``)."""
    values: dict[str, list[str]] = {}
    if isinstance(document, dict):
        for key, value in document.items():
            values.update(form_values(value, f"{prefix}{key}."))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            values.update(form_values(value, f"{prefix}{index}."))
    else:
        values[prefix.rstrip(".")] = [str(document)]
    return values


def _outcome_page(
    staff: StaffContext,
    request_id: str,
    number: int,
    status: int = 200,
    values: dict[str, list[str]] | None = None,
    errors: list[Any] | None = None,
    notice: str = "",
) -> Response:
    from functions.domain.outcome import DONE, SCHEMA
    from functions.presentation.formspec import outcome_form
    from functions.services import actions
    from functions.services import staff as service
    from functions.web.form import error_views, sections_view

    request = service.editable_request(staff.member, request_id)
    action = actions.current_action(request_id)
    activities = action.plan["activities"] if action else []
    if action is None or number > len(activities):
        raise NotFound(request_id)
    activity = activities[number - 1]
    view = actions.action_view(action.plan, staff.language)
    spec = outcome_form()
    if values is None:
        values = form_values(activity.get("outcome", {}))
    inline, summary = error_views(errors or [], spec, staff.language, SCHEMA)
    return staff.render(
        "staff/outcome.html",
        status,
        section="queue",
        view=request,
        activity=view["activities"][number - 1],
        done=activity.get("status") == DONE,
        recorded="outcome" in activity,
        sections=sections_view(spec, staff.language, values, inline),
        summary=summary,
        hidden=[("_csrf", staff.csrf_token)],
        honeypot="",
        form_kind="outcome",
        form_action=f"/staff/requests/{request_id}/activities/{number}/outcome?lang={staff.language}",
        notice=notice,
    )


@outcome.page("/staff/requests/{request_id}/activities/{number}/outcome", roles=EDITORS)
def show_outcome(staff: StaffContext, request_id: str, number: str) -> Response:
    """The outcome form of one activity, with what was recorded for it."""
    from functions.services import staff as service

    service.editable_request(staff.member, request_id)  # the right to see the form, first
    return _outcome_page(staff, request_id, activity_number(number))


@outcome.page(
    "/staff/requests/{request_id}/activities/{number}/outcome", methods=["POST"], roles=EDITORS
)
def save_outcome(staff: StaffContext, request_id: str, number: str) -> Response:
    """Record the outcome: every error at its field and nothing changed, or recorded."""
    from functions.domain.outcome import SCHEMA as OUTCOME_SCHEMA
    from functions.domain.schemas import load
    from functions.presentation.formdata import posted_document
    from functions.presentation.formspec import outcome_form
    from functions.services import actions
    from functions.services import staff as service

    service.editable_request(staff.member, request_id)  # the right to try, first
    which = activity_number(number)
    fields = {name: [value] for name, value in staff.fields.items()}
    posted = posted_document(fields, outcome_form(), load(OUTCOME_SCHEMA))
    try:
        service.record_outcome(staff.member, request_id, which, posted.document)
    except InvalidRequest as error:
        return _outcome_page(staff, request_id, which, 422, posted.values, error.errors)
    except actions.ActionError:  # not done (any more), or changed meanwhile: nothing written
        return _outcome_page(staff, request_id, which, 409, posted.values, notice="not_done")
    return _outcome_page(staff, request_id, which, 200, notice="outcome_saved")


def _evaluation_page(
    staff: StaffContext, request_id: str, status: int = 200, notice: str = ""
) -> Response:
    from functions.adapters import links
    from functions.adapters.repository import repository
    from functions.domain.evaluation import ROOM_CAP, role_of
    from functions.domain.outcome import DONE
    from functions.domain.staff import may_edit_region
    from functions.services import actions, evaluation, results
    from functions.services import staff as service

    everything = repository().partition(request_id)
    request = everything.request
    if request is None or everything.action is None:
        raise NotFound(request_id)
    may_edit = may_edit_region(staff.member, request.region, service.officer_regions(staff.member))
    figures, answers = evaluation.action_answers(request_id)
    plan = actions.action_view(everything.action.plan, staff.language)
    activities = []
    for activity in plan["activities"]:
        number = activity["number"]
        room = ""
        if may_edit and activity["status"] == DONE:
            room = links.evaluation_url(evaluation.room_link(request_id, number))
        activities.append(
            {
                **activity,
                "figures": figures.activities.get(number),
                "comments": [
                    {**a._asdict(), "role": role_of(a.respondent)}
                    for a in answers
                    if a.activity == number and (a.most_useful or a.comment)
                ],
                "room_url": room,
                "qr": _room_code(room, number, staff.language) if room else "",
            }
        )
    return staff.render(
        "staff/evaluation.html",
        status,
        section="queue",
        view=request,
        plan=plan,
        activities=activities,
        action_figures=figures.action,
        may_edit=may_edit,
        public=results.consented(request, everything.action.plan),
        room_cap=ROOM_CAP,
        notice=notice,
    )


def _room_code(url: str, number: int, language: str) -> Markup:
    """The QR code of a room's link, inline in the page (printed with it), named for readers
    of the screen. segno, imported on use (presentation/qr.py), writes it from the URL only."""
    from markupsafe import Markup, escape

    from functions.presentation.i18n import gettext_for
    from functions.presentation.qr import qr_svg

    _ = gettext_for(language)
    name = escape(_("QR code of the evaluation link of activity %(number)s") % {"number": number})
    svg = qr_svg(url, scale=4).replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)
    return Markup(svg)  # noqa: S704 - segno's SVG of our own URL, the label escaped


@outcome.page("/staff/requests/{request_id}/evaluation")
def show_evaluation(staff: StaffContext, request_id: str) -> Response:
    """The Action's results: outcomes, evaluation figures and comments, the rooms' QR codes."""
    return _evaluation_page(staff, request_id)


@outcome.page("/staff/requests/{request_id}/publication", methods=["POST"], roles=EDITORS)
def change_publication(staff: StaffContext, request_id: str) -> Response:
    """Put the Action on the public pages, or take it off them (the partner's answer)."""
    from functions.services import actions
    from functions.services import staff as service

    choice = staff.fields.get("public", "")
    if choice not in ("yes", "no"):
        service.editable_request(staff.member, request_id)  # the right to try, first
        return _evaluation_page(staff, request_id, 422, notice="no_such_choice")
    try:
        changed = service.set_publication(staff.member, request_id, choice == "yes")
    except actions.ActionError:  # changed meanwhile (none at all: the page's 404)
        return _evaluation_page(staff, request_id, 409, notice="changed_meanwhile")
    return _evaluation_page(staff, request_id, 200, notice="published" if changed else "unchanged")
