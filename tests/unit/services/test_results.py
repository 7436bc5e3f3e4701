"""The report's index and the public pages kept up with each Action, on the fakes."""

from __future__ import annotations

import copy

from functions.adapters import links
from functions.domain import schemas
from functions.domain.voting import Choice
from functions.services import actions, erasure, intake, review
from tests.unit.services.conftest import World, example_request

PLAN = schemas.example("action.schema.json")  # six activities in 2027, in Ghana and Portugal


def approved(world: World, consent: bool | None) -> str:
    document = example_request()
    if consent is not None:
        document["publication_consent"] = consent
    request_id = intake.submit(document).id
    review.dispatch_review(request_id, 1)
    for member_id in ("intpa", "home", "eeas"):
        review.cast_vote(links.ReviewLink(request_id, member_id, 1), Choice.APPROVE, None)
    world.take_notifications()
    return request_id


def test_an_action_whose_partner_agreed_is_published_and_follows_its_activities(
    world: World,
) -> None:
    request_id = approved(world, True)
    actions.record_action(request_id, PLAN)
    [published] = world.repo.published_actions()
    assert published.title == PLAN["title"] and published.activities_done == 0
    assert published.activities == 6 and published.countries[-2:] == ["GH", "PT"]
    actions.set_activity_status(request_id, 1, "done")
    world.advance(minutes=1)
    actions.set_activity_status(request_id, 4, "cancelled")
    [published] = world.repo.published_actions()
    assert (published.activities_done, published.activities) == (1, 5)
    assert "PT" not in published.countries  # the study visit in Lisbon was cancelled


def test_no_consent_no_publication_and_the_action_can_withdraw_it(world: World) -> None:
    silent = approved(world, None)  # the question left unanswered: no
    actions.record_action(silent, PLAN)
    assert world.repo.published_actions() == []
    agreed = approved(world, True)
    actions.record_action(agreed, PLAN)
    assert [a.request_id for a in world.repo.published_actions()] == [agreed]
    withdrawn = copy.deepcopy(PLAN)
    withdrawn["publication_consent"] = False  # asked again when the Action was published
    actions.record_action(agreed, withdrawn)
    assert world.repo.published_actions() == []
    later = copy.deepcopy(PLAN)
    later["publication_consent"] = True
    actions.record_action(silent, later)
    assert [a.request_id for a in world.repo.published_actions()] == [silent]


def test_the_reports_index_has_the_action_in_each_year_and_no_text(world: World) -> None:
    request_id = approved(world, False)
    plan = copy.deepcopy(PLAN)
    plan["activities"][5].update(starts_on="2028-01-10", ends_on="2028-01-11")
    actions.record_action(request_id, plan)
    assert [e.request_id for e in world.repo.results_of_year(2028)] == [request_id]
    [entry] = world.repo.results_of_year(2027)
    assert entry.region == "africa" and len(entry.activities) == 6
    assert "title" not in str(entry.activities) and PLAN["title"] not in str(entry)
    actions.record_action(request_id, PLAN)  # back within 2027
    assert world.repo.results_of_year(2028) == []
    assert entry.expires_at is not None  # the partition's expiry, counted from the Action's end


def test_erasing_the_partner_takes_the_action_off_the_public_pages(world: World) -> None:
    request_id = approved(world, True)
    actions.record_action(request_id, PLAN)
    report = erasure.erase_person(example_request()["contact"]["email"])
    assert report.changed["published"] == 1
    assert world.repo.published_actions() == []
    assert world.repo.results_of_year(2027) != []  # codes and numbers: the report keeps them
