"""Issue 19's "Done when" in a real Chromium against `make run`'s stack (axe-core on every new
page): a Project Officer closes an activity and records its participants and a deliverable in
the workspace, the host evaluates in French and a participant in Arabic (by the room's link the
officer's page shows), the officer reads the aggregates, publishes the Action, and the public
map and Activities page show exactly the published Actions.

The two approved requests and their Actions are seeded in-process through the services against
the stack's moto server (as ``ops`` does); everything after that is the browser.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.run import LocalSystem
from tests.e2e.helpers import no_violations
from tests.e2e.test_staff_workspace import demo_passwords

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PUBLISHED = "Referral mechanism for Senegal, with a workshop"
HIDDEN = "An Action whose partner said no to publication"


@pytest.fixture(scope="module")
def seeded(local_stack: LocalSystem) -> Iterator[dict[str, Any]]:
    """Two approved requests from Senegal (po-africa's region) with Actions: the first's
    partner has not answered on publication yet (the officer publishes it in the test), the
    second's said no."""
    from functions.adapters import links as signed
    from functions.domain import schemas
    from functions.services import actions, evaluation
    from infra.local.sample_data import Sample, clock_at, seed

    with _in_process(local_stack):
        at = datetime(2026, 6, 1, 10, tzinfo=UTC)
        topic = ("irregular_migration", "border_management")
        first, second = seed(
            [
                Sample("SN", "national_government", *topic, at, "approved", timedelta(days=9)),
                Sample("SN", "national_government", *topic, at, "approved", timedelta(days=9)),
            ]
        )
        plan = schemas.example("action.schema.json")
        with clock_at(at + timedelta(days=12)):
            shown = {**copy.deepcopy(plan), "title": PUBLISHED}
            shown.pop("publication_consent", None)
            actions.record_action(first, shown)
            actions.record_action(
                second, {**copy.deepcopy(plan), "title": HIDDEN, "publication_consent": False}
            )
        host = signed.evaluation_url(evaluation.host_link(first, 1), "fr")
        yield {"first": first, "second": second, "host": host}


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def no_js(browser: Any) -> Iterator[Any]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def sign_in(tab: Any, base: str, username: str, password: str) -> None:
    tab.goto(f"{base}/staff/sign-in")
    tab.locator("#username").fill(username)
    tab.locator("#password").fill(password)
    with tab.expect_navigation():
        tab.locator("form button[type=submit]").click()
    assert "/staff/sign-in" not in tab.url


def evaluate(page: Any, satisfaction: str, change: str, useful: str, comment: str) -> None:
    page.locator(f'input[name="evaluation.satisfaction"][value="{satisfaction}"]').check()
    page.locator(f'input[name="evaluation.changes_work"][value="{change}"]').check()
    page.locator('textarea[name="evaluation.most_useful"]').fill(useful)
    page.locator('textarea[name="evaluation.comment"]').fill(comment)
    with page.expect_navigation():
        page.locator("button[data-submit]").click()


def test_an_officer_closes_an_activity_and_reads_its_evaluations(
    local_stack: LocalSystem, seeded: dict[str, Any], tab: Any, no_js: Any, screenshot: Any
) -> None:
    base = local_stack.base_url
    first = seeded["first"]
    sign_in(tab, base, "po-africa", demo_passwords(local_stack)["po-africa"])

    # The dossier: activity 1 marked done with the row's own form, then its outcome link.
    tab.goto(f"{base}/staff/requests/{first}?lang=en")
    tab.locator("#activity-1-status").select_option("done")
    with tab.expect_navigation():
        tab.locator("form:has(#activity-1-status) button").click()
    assert tab.locator("text=The activity's status is changed").is_visible()
    with tab.expect_navigation():
        tab.locator("a:has-text('Outcome of activity 1')").click()
    assert "/activities/1/outcome" in tab.url
    for language in ("en", "fr", "es", "ar", "ru"):
        tab.goto(re.sub(r"lang=\w+", f"lang={language}", tab.url))
        no_violations(tab, f"outcome form ({language})")
    tab.goto(re.sub(r"lang=\w+", "lang=en", tab.url))

    # Bad numbers first: the errors at their fields, nothing recorded.
    tab.locator('input[name="participants.women"]').fill("-4")
    tab.locator('input[name="participants.men"]').fill("lots")
    tab.locator('input[name="deliverables.0.title"]').fill("Standard operating procedures")
    tab.locator('select[name="deliverables.0.kind"]').select_option("sops")
    tab.locator('input[name="deliverables.0.link"]').fill("javascript:alert(1)")
    tab.evaluate("document.querySelector('form[data-form]').noValidate = true")
    with tab.expect_navigation():
        tab.evaluate(
            "document.querySelector('form[data-form]').submit()"
        )  # past the script's checks
    assert tab.locator(".error-summary a").count() == 3
    no_violations(tab, "outcome form with errors")
    tab.locator('input[name="participants.women"]').fill("14")
    tab.locator('input[name="participants.men"]').fill("11")
    tab.locator('input[name="deliverables.0.link"]').fill("https://example.org/sops.pdf")
    tab.locator('textarea[name="narrative"]').fill("Two days with the national referral group.")
    with tab.expect_navigation():
        tab.locator("button[data-submit]").click()
    assert tab.locator("text=The outcome is recorded").is_visible()
    assert tab.locator('input[name="participants.women"]').input_value() == "14"
    screenshot(tab, "staff-outcome")

    # The same form without JavaScript: every row on the page, a second deliverable added.
    no_js.context.add_cookies(tab.context.cookies())
    no_js.goto(f"{base}/staff/requests/{first}/activities/1/outcome?lang=fr")
    assert no_js.locator('input[name="deliverables.1.title"]').is_visible()
    no_js.locator('input[name="deliverables.1.title"]').fill("Rapport de la mission")
    no_js.locator('select[name="deliverables.1.kind"]').select_option("report")
    with no_js.expect_navigation():
        no_js.locator("button[data-submit]").click()
    assert no_js.locator(".notification").count() == 1
    assert (
        no_js.locator('input[name="deliverables.1.title"]').input_value() == "Rapport de la mission"
    )

    # The host evaluates in French (the link of the host's email), without JavaScript.
    no_js.goto(seeded["host"])
    assert no_js.locator("html").get_attribute("lang") == "fr"
    evaluate(no_js, "4", "yes", "Les échanges avec les experts", "<b>Plus de temps</b> en groupes")
    assert no_js.locator("h1").inner_text() == "Merci pour votre évaluation"

    # The officer's page shows the room's link and its QR code; a participant uses it in Arabic.
    tab.goto(f"{base}/staff/requests/{first}/evaluation?lang=en")
    assert tab.locator("figure.qr svg[role=img]").count() == 1
    room = tab.locator("[data-room-link]").get_attribute("href")
    assert room and "/evaluate/room/" in room
    participant = tab.context.browser.new_context().new_page()
    participant.goto(room + "?lang=ar")
    assert participant.locator("html").get_attribute("dir") == "rtl"
    evaluate(participant, "5", "partly", "الأمثلة العملية", "شكرًا")
    assert participant.locator("h1").inner_text() == "شكرًا على تقييمك"
    participant.context.close()

    # The aggregates in the workspace: two answers, one each, the comments escaped.
    tab.reload()
    activity = tab.locator("section:has(#activity-1)")
    text = activity.inner_text()
    assert "Host institution: 1" in text and "Participants: 1" in text
    assert "4.5" in text  # (4 + 5) / 2
    assert "100 %" in text  # yes, and partly
    assert "<b>Plus de temps</b> en groupes" in text  # shown as text, not markup
    assert activity.locator("b").count() == 0
    assert "الأمثلة العملية" in text
    assert "Standard operating procedures" in text and "Rapport de la mission" in text
    whole = tab.locator("h2:has-text('Evaluation of the whole Action') + dl").inner_text()
    assert "2" in whole
    for language in ("en", "fr", "es", "ar", "ru"):
        tab.goto(f"{base}/staff/requests/{first}/evaluation?lang={language}")
        no_violations(tab, f"results of the Action ({language})")
    tab.goto(f"{base}/staff/requests/{first}/evaluation?lang=en")
    screenshot(tab, "staff-evaluation")

    # Not public yet: the officer publishes it (the partner agreed), and the pages follow.
    # (a visitor's own browser: the public pages are cacheable, this tab must not keep one)
    visitor = tab.context.browser.new_context().new_page()
    visitor.goto(f"{base}/activities?lang=en")
    assert PUBLISHED not in visitor.content()
    visitor.context.close()
    tab.goto(f"{base}/staff/requests/{first}/evaluation?lang=en")
    tab.locator("#public-yes").check()
    with tab.expect_navigation():
        tab.locator("form:has(#public-yes) button").click()
    assert tab.locator("[data-public=yes]").is_visible()
    no_violations(tab, "results of the Action, published")
    for language in ("en", "ar"):
        tab.goto(f"{base}/activities?lang={language}")
        titles = {t.strip() for t in tab.locator("tr.published-action").all_inner_texts()}
        assert any(PUBLISHED in t for t in titles)
        assert HIDDEN not in tab.content()
        no_violations(tab, f"activities ({language})")
        tab.goto(f"{base}/where-we-work?lang={language}")
        active = tab.locator(".countries-active [data-country]")
        codes = {active.nth(i).get_attribute("data-country") for i in range(active.count())}
        assert {"SN", "GH", "PT"} <= codes
        no_violations(tab, f"where we work ({language})")
    # Exactly the published ones: every title on the public index, and no other.
    expected = _published_titles(local_stack)
    assert PUBLISHED in expected and HIDDEN not in expected
    tab.goto(f"{base}/activities?lang=en")
    rows = tab.locator("tr.published-action")
    assert rows.count() == len(expected)
    shown = " ".join(rows.all_inner_texts())
    assert all(title in shown for title in expected)


def _published_titles(stack: LocalSystem) -> set[str]:
    """The titles of the Actions on the public index, read by the test from the store."""
    from functions.services import results

    with _in_process(stack):
        return {a.title for a in results.public_actions()}


@contextmanager
def _in_process(stack: LocalSystem) -> Iterator[None]:
    """The services in this process against the stack's moto server, then back: the clients
    and the models' binding too (pynamodb keeps its connection on the class; another module's
    stack has a table of the same name at another address)."""
    from functions.adapters import aws, secrets
    from functions.adapters import repository as seam

    def forget() -> None:
        secrets.forget()
        seam.use(None)
        aws.reset_clients()

    saved = dict(os.environ)
    os.environ.update(stack.env)
    forget()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        forget()
