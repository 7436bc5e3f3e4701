"""The Action edited in the workspace, on the fakes: the version the form read, the activities'
progress kept by number, and the validation at each field the form shows."""

from __future__ import annotations

import copy

import pytest

from functions.domain import schemas
from functions.domain.validation import validate_action
from functions.services import actions
from tests.unit.services.conftest import World
from tests.unit.services.test_outcomes import outcome
from tests.unit.services.test_time_passes import approved

PLAN = schemas.example("action.schema.json")


def test_a_plan_based_on_an_old_version_is_a_conflict_and_nothing_is_written(
    world: World,
) -> None:
    request_id = approved(world)
    with pytest.raises(actions.ActionConflict):
        actions.record_action(request_id, PLAN, "staff:a", read_version=3)  # none recorded yet
    assert actions.current_action(request_id) is None and world.take_notifications() == []
    first = actions.record_action(request_id, PLAN, "staff:a", read_version=0)
    assert first.first and first.version == 1
    world.advance(hours=1)
    actions.record_action(request_id, {**PLAN, "title": "The second plan"}, "staff:b", 1)
    with pytest.raises(actions.ActionConflict):
        actions.record_action(request_id, {**PLAN, "title": "A late plan"}, "staff:a", 1)
    action = actions.current_action(request_id)
    assert action is not None and action.version == 2 and action.title == "The second plan"


def test_editing_keeps_each_activitys_status_and_outcome_by_number(world: World) -> None:
    request_id = approved(world)
    actions.record_action(request_id, PLAN)
    actions.set_activity_status(request_id, 2, "done")
    actions.record_outcome(request_id, 2, outcome())
    edited = copy.deepcopy(PLAN)
    edited["activities"][1]["title"] = "Validation workshop, two days"
    world.advance(hours=1)  # the fakes' clock stands still: one audit event per moment
    actions.record_action(request_id, edited, "staff:a", keep_progress=True)
    action = actions.current_action(request_id)
    assert action is not None
    second = action.plan["activities"][1]
    assert second["title"] == "Validation workshop, two days"
    assert second["status"] == "done" and second["outcome"] == outcome()
    assert [a["status"] for a in action.plan["activities"]].count("planned") == 5
    # Without keep_progress (the file import), the plan says everything, statuses included.
    world.advance(hours=1)
    actions.record_action(request_id, PLAN)
    replaced = actions.current_action(request_id)
    assert replaced is not None and replaced.plan["activities"][1]["status"] == "planned"


def test_the_plans_errors_are_at_their_fields() -> None:
    plan = copy.deepcopy(PLAN)
    plan["starts_on"] = "2027-04-01"
    plan["ends_on"] = "2027-11-30"
    plan["activities"][0]["ends_on"] = "2027-03-01"
    plan["activities"][1]["title"] = "x" * 5000  # refused by its bound, no pattern run
    found = {(e.path, e.code) for e in validate_action(plan)}
    assert found == {
        ("/starts_on", "after_first_activity"),
        ("/ends_on", "before_last_activity"),
        ("/activities/0/ends_on", "before_start"),
        ("/activities/1/title", "too_long"),
    }
    assert validate_action(PLAN) == []
    eight = {**PLAN, "activities": PLAN["activities"] + PLAN["activities"][:2]}
    assert [(e.path, e.code) for e in validate_action(eight)] == [("/activities", "too_many")]


def test_the_form_has_no_field_for_a_status_or_an_outcome() -> None:
    from functions.presentation.formspec import action_form

    names = {f.name for f in action_form().fields()}
    assert "activities.0.place.city" in names and "activities.6.experts.profile" in names
    assert not [n for n in names if n.endswith(".status") or ".outcome" in n]
    assert "activities.7.title" not in names
