"""Results in a real Chromium (axe-core on every page): a host's evaluation in French and a
participant's in Arabic, through the generated form without JavaScript, and the public map and
Activities pages showing exactly the published Actions.

The Actions are recorded in-process through the services, against the live stack's moto server
(as the operator's command does), then the browser uses the app as a person would.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.sample_data import Sample, clock_at, seed
from tests.e2e.helpers import LiveStack, no_violations

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def results(live: LiveStack) -> Iterator[dict[str, Any]]:
    """Two approved requests with Actions, the first published with its first activity done;
    the second's partner did not agree to publication."""
    from functions.adapters import links as signed
    from functions.adapters import repository as seam
    from functions.adapters import secrets
    from functions.domain import schemas
    from functions.services import actions, evaluation
    from functions.services.committee import seed_demo
    from infra.local.seed import demo_committee

    saved = dict(os.environ)
    os.environ.update(live.env)
    secrets.forget()
    seam.use(None)
    try:
        seed_demo(demo_committee())
        at = datetime(2026, 5, 4, 10, tzinfo=UTC)
        topic = ("irregular_migration", "border_management")
        found = [
            Sample("SN", "national_government", *topic, at, "approved", timedelta(days=9)),
            Sample("BD", "national_government", *topic, at, "approved", timedelta(days=9)),
        ]
        first, second = seed(found)
        plan = schemas.example("action.schema.json")
        with clock_at(at + timedelta(days=12)):
            published = {**copy.deepcopy(plan), "publication_consent": True}
            published["title"] = "Referral mechanism in Senegal and Ghana"
            actions.record_action(first, published)
            actions.set_activity_status(first, 1, "done")
            hidden = {**copy.deepcopy(plan), "title": "An Action nobody may see"}
            actions.record_action(second, hidden)
            links = {
                "host": signed.evaluation_url(evaluation.host_link(first, 1), "fr"),
                "room": signed.evaluation_url(evaluation.room_link(first, 1), "ar"),
            }
        yield {"first": first, "second": second, "links": links, "title": published["title"]}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        secrets.forget()
        seam.use(None)


@pytest.fixture
def no_js(browser: Any, live: LiveStack) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def tab(browser: Any, live: LiveStack) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def answer(page: Any, satisfaction: str, change: str, useful: str) -> None:
    page.locator(f'input[name="evaluation.satisfaction"][value="{satisfaction}"]').check()
    page.locator(f'input[name="evaluation.changes_work"][value="{change}"]').check()
    page.locator('textarea[name="evaluation.most_useful"]').fill(useful)
    page.locator("button[data-submit]").click()
    page.wait_for_load_state()


def test_the_host_evaluates_in_french_without_javascript(
    no_js: Any, tab: Any, live: LiveStack, results: dict[str, Any], screenshot: Any
) -> None:
    live.forget_rate_limits()
    host = results["links"]["host"]
    tab.goto(host)  # axe-core needs a page that runs scripts: the same page, in another tab
    no_violations(tab, "evaluation form (fr)")
    no_js.goto(host)
    assert no_js.locator("html").get_attribute("lang") == "fr"
    assert "Assessment of the current referral practice" in no_js.content()
    screenshot(no_js, "evaluation-host-fr")
    no_js.locator("button[data-submit]").click()  # nothing chosen: the errors, at their fields
    no_js.wait_for_load_state()
    assert no_js.locator(".error-summary a").count() == 2
    answer(no_js, "4", "yes", "Les échanges avec les experts portugais")
    assert no_js.locator("h1").inner_text() == "Merci pour votre évaluation"
    [item] = [i for i in live.items_of_kind("evaluation") if i["respondent"]["S"] == "host"]
    assert item["satisfaction"]["N"] == "4" and item["language"]["S"] == "fr"
    tab.goto(host)  # the personal link took its answer: no form any more
    assert tab.locator('input[name="evaluation.satisfaction"]').count() == 0
    no_violations(tab, "evaluation already answered (fr)")


def test_a_participant_evaluates_anonymously_in_arabic(
    tab: Any, live: LiveStack, results: dict[str, Any], screenshot: Any
) -> None:
    live.forget_rate_limits()
    tab.goto(results["links"]["room"])
    assert tab.locator("html").get_attribute("dir") == "rtl"
    no_violations(tab, "evaluation form (ar)")
    screenshot(tab, "evaluation-room-ar")
    answer(tab, "5", "partly", "الأمثلة العملية")
    assert tab.locator("h1").inner_text() == "شكرًا على تقييمك"
    no_violations(tab, "evaluation thanks (ar)")
    rooms = [
        i for i in live.items_of_kind("evaluation") if i["respondent"]["S"].startswith("room:")
    ]
    assert [i["language"]["S"] for i in rooms] == ["ar"]
    assert rooms[0]["most_useful"]["S"] == "الأمثلة العملية"
    tab.goto(results["links"]["room"])  # a shared link takes the next participant's answer
    assert tab.locator('input[name="evaluation.satisfaction"]').count() == 5


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_public_pages_show_exactly_the_published_actions(
    tab: Any, results: dict[str, Any], screenshot: Any, language: str
) -> None:
    tab.goto(f"/where-we-work?lang={language}")
    active = tab.locator(".countries-active [data-country]")
    codes = {active.nth(i).get_attribute("data-country") for i in range(active.count())}
    assert codes == {"SN", "GH", "PT"}  # the request's country and the activities'
    assert tab.locator(".world-map").bounding_box()["width"] > 500
    no_violations(tab, f"where we work ({language})")
    screenshot(tab, f"where-we-work-{language}")
    tab.goto(f"/activities?lang={language}")
    rows = tab.locator("tr.published-action")
    assert rows.count() == 1
    assert results["title"] in rows.first.inner_text()
    assert "An Action nobody may see" not in tab.content()
    no_violations(tab, f"activities ({language})")
    screenshot(tab, f"activities-{language}")
