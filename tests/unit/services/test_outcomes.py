"""An activity's outcome (participants, deliverables, narrative) as a use case on the fakes."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from functions.domain import schemas
from functions.domain.outcome import outcome_errors, participants_total
from functions.services import actions, partner
from tests.unit.services.conftest import World
from tests.unit.services.test_time_passes import approved

PLAN = schemas.example("action.schema.json")


def outcome(**changes: Any) -> dict[str, Any]:
    """A valid outcome: 17 people by sex and by institution, a report with its link."""
    value: dict[str, Any] = {
        "participants": {
            "women": 9,
            "men": 7,
            "unstated": 1,
            "by_institution": {"national_government": 12, "civil_society": 5},
        },
        "deliverables": [
            {"title": "Assessment report", "kind": "report", "link": "https://example.org/r.pdf"},
            {"title": "Referral SOPs", "kind": "sops"},
        ],
        "narrative": "Interviews with officials of four ministries.",
    }
    value.update(changes)
    return value


def published(world: World) -> str:
    request_id = approved(world)
    actions.record_action(request_id, PLAN)
    world.take_notifications()
    return request_id


def test_a_done_activity_records_its_outcome_and_the_partner_sees_its_deliverables(
    world: World,
) -> None:
    request_id = published(world)
    actions.set_activity_status(request_id, 1, "done")
    version = actions.record_outcome(request_id, 1, outcome(), "officer:po-africa")
    action = actions.current_action(request_id)
    assert action is not None and action.version == version
    assert action.plan["activities"][0]["outcome"] == outcome()
    view = partner.status_view(request_id, "fr")
    [first, *_] = view.action["activities"] if view.action else []
    assert [d["kind_label"] for d in first["deliverables"]] == [
        "Report",
        "Standard operating procedures",
    ]
    assert "deliverables" not in view.as_json()["action"]["activities"][0]
    assert view.as_json()["action"]["activities"][0]["outcome"] == outcome()
    trail = repository_events(world, request_id)
    assert "outcome_recorded" in trail


def repository_events(world: World, request_id: str) -> list[str]:
    return [e.action for e in world.repo.partition(request_id).events]


def test_an_outcome_needs_a_done_activity(world: World) -> None:
    request_id = published(world)
    with pytest.raises(actions.ActionError) as refused:
        actions.record_outcome(request_id, 2, outcome())
    assert refused.value.errors == [
        "/activities/1/outcome: only a done activity has an outcome (activity 2 is not)"
    ]
    action = actions.current_action(request_id)
    assert action is not None and "outcome" not in action.plan["activities"][1]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"participants": {"women": 2, "men": 2, "by_institution": {"judiciary": 5}}},
            "/activities/0/outcome/participants/by_institution: 5 participants by institution,"
            " 4 by sex",
        ),
        ({"participants": {"women": -1, "men": 2}}, "/activities/0/outcome/participants/women"),
        ({"participants": {"women": 1}}, "/activities/0/outcome/participants: 'men'"),
        ({"participants": {"women": 1, "men": 1, "by_institution": {"church": 2}}}, "church"),
        ({"deliverables": [{"title": "A law", "kind": "poem"}]}, "deliverables/0/kind"),
        (
            {"deliverables": [{"title": "A law", "kind": "law", "link": "javascript:alert(1)"}]},
            "deliverables/0/link",
        ),
        (
            {"deliverables": [{"title": "A law", "kind": "law", "link": "http://x.org"}]},
            "deliverables/0/link",
        ),
        ({"deliverables": [{"title": "Law\u0000", "kind": "law"}]}, "deliverables/0/title"),
        (
            {
                "deliverables": [
                    {"title": "A law", "kind": "law"},
                    {"title": "a LAW", "kind": "law"},
                ]
            },
            "/activities/0/outcome/deliverables/1/title: listed twice",
        ),
        ({"deliverables": [{"title": "Item", "kind": "law"}] * 21}, "deliverables"),
        ({"narrative": "x" * 2001}, "narrative"),
        ({"budget": 10}, "budget"),
    ],
)
def test_an_inconsistent_outcome_is_refused_at_its_field_and_nothing_is_written(
    world: World, change: dict[str, Any], expected: str
) -> None:
    request_id = published(world)
    actions.set_activity_status(request_id, 1, "done")
    before = actions.current_action(request_id)
    with pytest.raises(actions.ActionError) as refused:
        actions.record_outcome(request_id, 1, outcome(**change))
    assert any(expected in e for e in refused.value.errors), refused.value.errors
    assert actions.current_action(request_id) == before


def test_the_plan_import_takes_outcomes_and_checks_them_the_same_way() -> None:
    plan = copy.deepcopy(PLAN)
    plan["activities"][0]["status"] = "done"
    plan["activities"][0]["outcome"] = outcome()
    assert actions.plan_errors(plan) == []
    plan["activities"][1]["outcome"] = outcome()
    assert actions.plan_errors(plan) == [
        "/activities/1/outcome: only a done activity has an outcome (activity 2 is not)"
    ]


def test_participants_by_institution_are_optional_and_unstated_counts() -> None:
    activity = {"status": "done", "outcome": {"participants": {"women": 3, "men": 0}}}
    assert outcome_errors(activity, 0) == []
    assert participants_total(outcome()) == 17
    assert participants_total({"participants": {"women": 3, "men": 0}}) == 3


def test_an_outcome_for_an_activity_that_does_not_exist_is_refused(world: World) -> None:
    request_id = published(world)
    with pytest.raises(actions.ActionError, match="activities 1 to 6, not 9"):
        actions.record_outcome(request_id, 9, outcome())


def test_an_activity_no_longer_done_loses_its_outcome_and_the_trail_says_so(world: World) -> None:
    request_id = published(world)
    actions.set_activity_status(request_id, 1, "done")
    actions.record_outcome(request_id, 1, outcome())
    world.advance(minutes=1)  # two changes of one activity in the same instant share an event key
    actions.set_activity_status(request_id, 1, "planned")
    action = actions.current_action(request_id)
    assert action is not None and "outcome" not in action.plan["activities"][0]
    assert actions.plan_errors(action.plan) == []
    [changed] = [
        e
        for e in world.repo.partition(request_id).events
        if e.action == "activity_changed" and e.detail["status"] == "planned"
    ]
    assert changed.detail["outcome_dropped"] is True
