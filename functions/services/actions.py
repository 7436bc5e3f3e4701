"""Actions: the plan of activities an approved request becomes, and the status of each activity.

The Project Officer of the request's region records the plan with the operator command; the
partner is emailed when it is first published and whenever an activity's status changes.
Every change is one transaction with its (public) audit event, conditional on the version read.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import Any, NamedTuple

from functions.adapters import queue
from functions.adapters.repository import repository
from functions.domain import clock, schemas, text
from functions.domain.errors import InvalidRequest
from functions.domain.experts import InvitationStatus
from functions.domain.mail import EXPERT, PARTNER, MailKind, Notification, RosterNotification
from functions.domain.outcome import DONE, outcome_errors, outcome_field_errors
from functions.domain.records import ActionRecord
from functions.domain.reference import ACTIVITY_TYPES, DELIVERABLE_KINDS, country_names
from functions.domain.requests import Status
from functions.domain.words import N_
from functions.services import results
from functions.services.review import event, load_request

SCHEMA = "action.schema.json"
ACTIVITY_STATUSES: dict[str, str] = {
    "planned": N_("Planned"),
    "confirmed": N_("Confirmed"),  # dates, place and experts agreed with the partner
    "done": N_("Done"),
    "cancelled": N_("Cancelled"),
}


class ActionError(Exception):
    """An Action that cannot be recorded or changed; ``errors`` lists every problem found."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class ActionConflict(ActionError):
    """The Action changed (someone else saved it) since the version the change was based on."""


class Recorded(NamedTuple):
    """What recording did: ``first`` when this published the Action (and emailed the partner)."""

    first: bool
    version: int
    starts_on: str
    ends_on: str


def plan_errors(plan: Any) -> list[str]:
    """Every problem of a plan: the schema's, then the dates' (an end before its start...)."""
    found = sorted(
        schemas.validator(SCHEMA).iter_errors(plan), key=lambda e: list(map(str, e.absolute_path))
    )
    errors = [f"/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]
    if errors:
        return errors
    activities = plan["activities"]
    for number, activity in enumerate(activities, start=1):
        if _day(activity["ends_on"]) < _day(activity["starts_on"]):
            errors.append(
                f"/activities/{number - 1}/ends_on: activity {number} ends before it starts"
            )
        errors.extend(outcome_errors(activity, number - 1))
    first = min(_day(a["starts_on"]) for a in activities)
    last = max(_day(a["ends_on"]) for a in activities)
    if "starts_on" in plan and _day(plan["starts_on"]) > first:
        errors.append(f"/starts_on: an activity starts earlier, on {first.isoformat()}")
    if "ends_on" in plan and _day(plan["ends_on"]) < last:
        errors.append(f"/ends_on: an activity ends later, on {last.isoformat()}")
    return errors


def _day(text: str) -> date:
    return date.fromisoformat(text)


def normalised(plan: dict[str, Any]) -> dict[str, Any]:
    """The plan with every activity's status (``planned`` by default) and the Action's dates."""
    result = copy.deepcopy(plan)
    for activity in result["activities"]:
        activity.setdefault("status", "planned")
    result.setdefault("starts_on", min(a["starts_on"] for a in result["activities"]))
    result.setdefault("ends_on", max(a["ends_on"] for a in result["activities"]))
    return result


def current_action(request_id: str) -> ActionRecord | None:
    """The request's Action, or None before one is recorded."""
    return repository().get_action(request_id)


def record_action(
    request_id: str,
    plan: Any,
    actor: str = "operator",
    read_version: int | None = None,
    keep_progress: bool = False,
) -> Recorded:
    """Publish an approved request's Action, or replace its plan; email the partner the first time.

    ``read_version``: the version the change is based on (0: none recorded yet), as the
    workspace's form read it; another one now is an :class:`ActionConflict`. ``keep_progress``:
    each activity keeps the status and outcome recorded at its position (by number), as the
    form edits the plan only (the dossier moves activities, ``ops action outcome`` records
    what they produced).

    Raises :class:`ActionError` (nothing written) for an invalid plan, a request that is not
    approved, or a plan changed by someone else since it was read.
    """
    request = load_request(request_id)
    if request.status != Status.APPROVED:
        status = request.status
        raise ActionError(
            f"request {request.reference} is {status}: only approved ones get an Action"
        )
    existing = current_action(request_id)
    if read_version is not None and read_version != (existing.version if existing else 0):
        raise ActionConflict("the Action changed since it was read")
    if keep_progress and existing is not None and isinstance(plan, dict):
        plan = _with_progress(plan, existing.plan)
    errors = plan_errors(plan)
    if errors:
        raise ActionError(f"the Action has {len(errors)} error(s)", errors)
    plan = normalised(plan)
    at = clock.iso(clock.now())
    version = existing.version + 1 if existing else 1
    action = ActionRecord(
        request_id,
        title=plan["title"],
        plan=plan,
        starts_on=plan["starts_on"],
        ends_on=plan["ends_on"],
        published_at=existing.published_at if existing else at,
        updated_at=at,
        version=version,
    )
    what = "action_updated" if existing else "action_published"
    detail = {"version": version, "activities": len(plan["activities"])}
    recorded = event(request_id, what, actor, request.round, detail)
    previous = existing.version if existing else None
    if not repository().save_action(action, recorded, previous):
        raise ActionConflict(
            "the Action changed while it was being recorded: run the command again"
        )
    results.refresh(request, action, existing)
    if existing is None:
        queue.publish_notifications(
            [Notification(request_id, MailKind.ACTION_PUBLISHED, request.round, PARTNER)]
        )
    return Recorded(existing is None, version, plan["starts_on"], plan["ends_on"])


def _with_progress(plan: dict[str, Any], recorded: dict[str, Any]) -> dict[str, Any]:
    """``plan`` with each activity's status and outcome taken from the recorded plan's activity
    at the same position, where the new one says none."""
    result = copy.deepcopy(plan)
    before = recorded.get("activities", [])
    activities = result.get("activities")
    for index, activity in enumerate(activities if isinstance(activities, list) else []):
        if index < len(before) and isinstance(activity, dict):
            for kept in ("status", "outcome"):
                if kept in before[index] and kept not in activity:
                    activity[kept] = copy.deepcopy(before[index][kept])
    return result


def set_activity_status(request_id: str, number: int, status: str, actor: str = "operator") -> bool:
    """Mark activity ``number`` (from 1) planned, confirmed, done or cancelled; email the partner
    on a change.

    Returns False when the activity already had that status (nothing written, nobody emailed).
    """
    if status not in ACTIVITY_STATUSES:
        raise ActionError(f"unknown activity status {status!r}")
    request = load_request(request_id)
    action = current_action(request_id)
    if action is None:
        raise ActionError(f"request {request.reference} has no Action yet")
    plan = copy.deepcopy(action.plan)
    activities = plan["activities"]
    if not 1 <= number <= len(activities):
        raise ActionError(f"the Action has activities 1 to {len(activities)}, not {number}")
    before = activities[number - 1].get("status", "planned")
    if before == status:
        return False
    activities[number - 1]["status"] = status
    # Only a done activity has an outcome: one marked done by mistake loses what was recorded
    # for it (the event says so), and a plan imported again stays valid.
    dropped = activities[number - 1].pop("outcome", None) is not None
    updated = action._replace(
        plan=plan, updated_at=clock.iso(clock.now()), version=action.version + 1
    )
    detail: dict[str, Any] = {"activity": number, "status": status, "previous": before}
    if dropped:
        detail["outcome_dropped"] = True
    changed = event(
        request_id, "activity_changed", actor, request.round, detail, suffix=str(number)
    )
    if not repository().save_action(updated, changed, action.version):
        raise ActionError("the Action changed while it was being updated: run the command again")
    results.refresh(request, updated, action)
    key = activity_key(number, status)
    notifications = [
        Notification(request_id, MailKind.ACTIVITY_CHANGED, request.round, PARTNER, key)
    ]
    if status == "done":  # the host institution's evaluation link (services/evaluation.py)
        notifications.append(
            Notification(request_id, MailKind.EVALUATION_HOST, request.round, PARTNER, key)
        )
    queue.publish_notifications([*notifications, *_expert_evaluations(request_id, number, status)])
    return True


def _expert_evaluations(request_id: str, number: int, status: str) -> list[RosterNotification]:
    """A done activity's deployed experts (those who accepted its invitation) each get their
    own evaluation link (services/evaluation.expert_link): one email each, ever (the key is
    the activity's, not the status change's: done again after a mistake mails nobody twice)."""
    if status != DONE:
        return []
    _, invitations = repository().activity_invitations(request_id, number)
    return [
        RosterNotification(
            i.expert_id, MailKind.EVALUATION_EXPERT, EXPERT, evaluation_key(request_id, number)
        )
        for i in invitations
        if i.status == InvitationStatus.ACCEPTED
    ]


def evaluation_key(request_id: str, number: int) -> str:
    """The roster notification key of an expert's evaluation email: ``<request id>.<n>``."""
    return f"{request_id}.{number}"


def record_outcome(request_id: str, number: int, outcome: Any, actor: str = "operator") -> int:
    """Record (or replace) what done activity ``number`` (from 1) produced: participants,
    deliverables, a narrative. The whole plan is checked again, so the outcome obeys the same
    rules as one recorded with the plan. Returns the Action's new version; nobody is emailed.
    """
    request = load_request(request_id)
    action = current_action(request_id)
    if action is None:
        raise ActionError(f"request {request.reference} has no Action yet")
    plan = copy.deepcopy(action.plan)
    activities = plan["activities"]
    if not 1 <= number <= len(activities):
        raise ActionError(f"the Action has activities 1 to {len(activities)}, not {number}")
    activities[number - 1]["outcome"] = outcome
    errors = plan_errors(plan)
    if errors:
        raise ActionError(f"the outcome has {len(errors)} error(s)", errors)
    updated = action._replace(
        plan=plan, updated_at=clock.iso(clock.now()), version=action.version + 1
    )
    detail = {"activity": number, "deliverables": len(outcome.get("deliverables", []))}
    recorded = event(
        request_id, "outcome_recorded", actor, request.round, detail, suffix=str(number)
    )
    if not repository().save_action(updated, recorded, action.version):
        raise ActionError("the Action changed while it was being updated: run the command again")
    results.refresh(request, updated, action)
    return updated.version


def record_outcome_form(request_id: str, number: int, document: Any, actor: str) -> int:
    """The outcome posted from the workspace's form (``document``: the outcome the form
    describes) for done activity ``number``; the staff's entry is services/staff.py.

    Raises :class:`ActionError` (no Action, no such activity, not done, changed meanwhile) or
    ``InvalidRequest`` with every error at its field (nothing written).
    """
    activity = activity_of(request_id, number)
    if activity.get("status") != DONE:
        raise ActionError(f"activity {number} is not done")
    errors = outcome_field_errors(document)
    if errors:
        raise InvalidRequest(errors)
    outcome = copy.deepcopy(document)
    if "narrative" in outcome:
        outcome["narrative"] = text.normalised(outcome["narrative"]).strip()
    return record_outcome(request_id, number, outcome, actor=actor)


def activity_of(request_id: str, number: int) -> dict[str, Any]:
    """Activity ``number`` (from 1) of the request's Action; :class:`ActionError` if none."""
    action = current_action(request_id)
    activities = action.plan["activities"] if action else []
    if not 1 <= number <= len(activities):
        raise ActionError(f"the Action has no activity {number}")
    found: dict[str, Any] = activities[number - 1]
    return found


def set_publication(request_id: str, public: bool, actor: str) -> bool:
    """Record whether the partner agrees that the Action be on the public pages (the plan's
    ``publication_consent``, which then counts instead of the request's answer): audited, and
    the public pages follow (services/results.refresh). False when nothing changed."""
    request = load_request(request_id)
    action = current_action(request_id)
    if action is None:
        raise ActionError(f"request {request.reference} has no Action yet")
    if results.consented(request, action.plan) is public:
        return False
    plan = {**copy.deepcopy(action.plan), "publication_consent": public}
    updated = action._replace(
        plan=plan, updated_at=clock.iso(clock.now()), version=action.version + 1
    )
    changed = event(request_id, "publication_changed", actor, request.round, {"public": public})
    if not repository().save_action(updated, changed, action.version):
        raise ActionError("the Action changed while it was being updated: try again")
    results.refresh(request, updated, action)
    return True


def activity_key(number: int, status: str) -> str:
    """The notification key of one activity's change: one email per activity and status."""
    return f"activity-{number}-{status}"


def action_view(plan: dict[str, Any], language: str) -> dict[str, Any]:
    """The plan as pages and emails show it: labels (in English, translated by the template)."""
    names = country_names(language)
    activities = []
    for number, activity in enumerate(plan["activities"], start=1):
        place = activity["place"]
        country = names.get(place["country"], place["country"])
        activities.append(
            {
                **activity,
                "number": number,
                "type_label": ACTIVITY_TYPES.get(activity["type"], activity["type"]),
                "status": activity.get("status", "planned"),
                "status_label": ACTIVITY_STATUSES[activity.get("status", "planned")],
                "place_label": f"{place['city']}, {country}",
                "deliverables": [
                    {**d, "kind_label": DELIVERABLE_KINDS.get(d["kind"], d["kind"])}
                    for d in activity.get("outcome", {}).get("deliverables", [])
                ],
            }
        )
    return {**plan, "activities": activities}


def mail_context(request_id: str, language: str, key: str) -> dict[str, Any]:
    """What the Action emails show: the plan, and for a change the activity and its new status."""
    action = current_action(request_id)
    if action is None:
        return {"action": None, "activity": None}
    view = action_view(action.plan, language)
    activity = None
    # A resent email's key is the original's with ".resent-<time>" (services/staff.py).
    key = key.split(".resent-", 1)[0]
    if key.startswith("activity-"):
        _, number, status = key.split("-", 2)
        found = view["activities"][int(number) - 1]
        # The status the email is about, even if it has changed again since it was queued.
        activity = {**found, "status": status, "status_label": ACTIVITY_STATUSES[status]}
    return {"action": view, "activity": activity}
