"""The form as a person uses it, in a real Chromium over real HTTP, checked by axe-core.

Every page is screenshotted into test-artifacts/screenshots/ and must have no axe violation.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import LiveStack, no_violations

pytestmark = pytest.mark.browser

LANGUAGES = ("en", "fr", "es", "ar", "ru")
EXAMPLE: dict[str, str] = {
    "institution.name": "Ministry of Interior, Directorate of Migration",
    "contact.name": "Aminata Diallo",
    "contact.position": "Head of the Migration Policy Unit",
    "contact.email": "a.diallo@interieur.example.sn",
    "contact.phone": "+221 33 123 45 67",
    "request.title": "Strengthening the national referral mechanism for victims of trafficking",
    "request.background": "Senegal adopted a national action plan against trafficking in 2021, "
    "but referral of victims between agencies remains ad hoc.",
    "request.objectives": "Design and test a national referral mechanism.",
    "request.expected_results": "Standard operating procedures adopted; 60 officials trained.",
    "request.target_groups": "Border police, labour inspectors, social workers.",
    "request.preferred_start": "2027-03",
    "request.duration_months": "12",
}
CHOICES = [
    ("institution.type", "national_government"),
    ("contact.preferred_language", "fr"),
    ("request.pillar", "irregular_migration"),
    ("request.topics", "trafficking_in_human_beings"),
    ("request.topics", "border_management"),
    ("request.activity_types", "workshop"),
    ("request.activity_types", "training"),
    ("request.eu_delegation_informed", "true"),
    ("consent", "true"),
]


def field(page: Any, name: str) -> Any:
    return page.locator(f'[name="{name}"]')


def choose(page: Any, name: str, value: str) -> None:
    page.locator(f'[name="{name}"][value="{value}"]').check()


def fill_valid(page: Any, skip: tuple[str, ...] = ()) -> None:
    for name, value in CHOICES:
        if name not in skip:
            choose(page, name, value)
    field(page, "institution.country").select_option("SN")
    for name, value in EXAMPLE.items():
        if name not in skip:
            field(page, name).fill(value)


def requests_with(live: LiveStack, submission_id: str) -> list[dict[str, Any]]:
    return [
        item
        for item in live.items_of_kind("request")
        if item.get("submission_id", {}).get("S") == submission_id
    ]


@pytest.fixture
def page(browser: Any, live: LiveStack) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, viewport={"width": 1000, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def page_without_js(browser: Any, live: LiveStack) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture(autouse=True)
def fresh_rate_window(live: LiveStack) -> Iterator[None]:
    live.forget_rate_limits()
    yield


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_in_every_language_passes_axe(
    page: Any, live: LiveStack, screenshot: Any, lang: str
) -> None:
    page.goto(f"/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    no_violations(page, f"form {lang}")
    screenshot(page, f"form-{lang}")
    screenshot(page, f"top-of-form-{lang}", full_page=False)  # what the README shows

    # The page the server sends back with errors (the script's own check is skipped here).
    field(page, "institution.name").fill("M")
    page.evaluate("document.querySelector('form[data-form]').submit()")
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    no_violations(page, f"form with errors {lang}")
    screenshot(page, f"form-errors-{lang}")

    fill_valid(page)
    page.locator("[data-submit]").click()
    page.wait_for_selector(".reference")
    no_violations(page, f"confirmation {lang}")
    screenshot(page, f"confirmation-{lang}", full_page=False)

    page.goto(f"/static/nothing-here?lang={lang}")
    no_violations(page, f"not found {lang}")
    screenshot(page, f"not-found-{lang}")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_person_corrects_the_errors_and_sends_the_request(
    page: Any, live: LiveStack, screenshot: Any, lang: str
) -> None:
    page.goto(f"/?lang={lang}")
    submission_id = field(page, "submission_id").input_value()
    fill_valid(page, skip=("contact.email", "request.background", "consent"))
    field(page, "contact.email").fill("a.diallo-at-example")
    page.locator("[data-submit]").click()

    # The script shows the server's messages before sending: summary focused, each field marked.
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.className") == "error-summary"
    links = summary.locator("a")
    assert links.count() == 3
    email = field(page, "contact.email")
    assert email.get_attribute("aria-invalid") == "true"
    assert "f-contact-email-error" in (email.get_attribute("aria-describedby") or "")
    assert email.input_value() == "a.diallo-at-example"
    assert page.url.endswith(f"/?lang={lang}")  # nothing was sent
    no_violations(page, f"script errors {lang}")
    screenshot(page, f"person-errors-{lang}")

    links.first.click()
    assert page.evaluate("document.activeElement.id") == "f-contact-email"

    email.fill(EXAMPLE["contact.email"])
    field(page, "request.background").fill(EXAMPLE["request.background"])
    choose(page, "consent", "true")
    page.locator("[data-submit]").click()
    reference = page.locator(".reference")
    reference.wait_for()
    assert re.fullmatch(r"MX-\d{4}-\d{4}", reference.inner_text())
    assert len(requests_with(live, submission_id)) == 1
    screenshot(page, f"person-confirmation-{lang}")


def test_the_form_works_without_javascript(
    page_without_js: Any, live: LiveStack, screenshot: Any
) -> None:
    page = page_without_js
    page.goto("/?lang=fr")
    submission_id = field(page, "submission_id").input_value()
    # Every part is on the page; answers to parts that do not apply are ignored.
    assert field(page, "institution.region").is_visible()
    fill_valid(page, skip=("request.title",))
    choose(page, "institution.type", "national_government")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_selector(".error-summary")
    assert page.locator(".error-summary a").all_inner_texts() == [
        "Saisissez ou choisissez\u00a0: Intitulé de la demande"
    ]
    assert page.locator("#f-request-title-error").is_visible()
    assert field(page, "institution.name").input_value() == EXAMPLE["institution.name"]
    assert field(page, "submission_id").input_value() == submission_id
    screenshot(page, "no-js-errors-fr")

    field(page, "request.title").fill(EXAMPLE["request.title"])
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_selector(".reference")
    assert page.locator("h1").inner_text() == "Demande envoyée"
    [stored] = requests_with(live, submission_id)
    assert stored["language"]["S"] == "fr"


def test_a_double_click_and_a_reload_store_one_request(
    page_without_js: Any, live: LiveStack
) -> None:
    page = page_without_js
    page.goto("/")
    submission_id = field(page, "submission_id").input_value()
    fill_valid(page)
    page.get_by_role("button", name="Send the request").dblclick()
    page.wait_for_selector(".reference")
    first = page.locator(".reference").inner_text()
    page.reload()  # the browser sends the same form again
    page.wait_for_selector(".reference")
    assert page.locator(".reference").inner_text() == first
    page.go_back()
    assert len(requests_with(live, submission_id)) == 1


def test_the_language_switcher_keeps_the_page(page: Any, live: LiveStack) -> None:
    page.goto("/?lang=en")
    page.get_by_role("navigation").get_by_role("link", name="العربية").click()
    page.wait_for_url(re.compile(r"/\?lang=ar$"))
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("h1").inner_text() == "طلب مساعدة تقنية"
    page.get_by_role("navigation").get_by_role("link", name="Русский").click()
    assert page.locator("h1").inner_text() == "Заявка на техническую помощь"


def test_topics_follow_the_pillar_and_parts_appear_when_they_apply(page: Any) -> None:
    page.goto("/")
    assert not field(page, "institution.region").is_visible()
    assert not field(page, "institution.co_requesters.0.name").is_visible()
    choose(page, "institution.type", "regional_organisation")
    assert field(page, "institution.region").is_visible()
    assert not field(page, "institution.country").is_visible()
    choose(page, "institution.type", "joint_government_civil_society")
    assert field(page, "institution.co_requesters.0.name").is_visible()
    assert not field(page, "institution.co_requesters.1.name").is_visible()
    page.get_by_role("button", name="Add another organisation").click()
    assert field(page, "institution.co_requesters.1.name").is_visible()
    choose(page, "request.pillar", "legal_migration")
    topics = page.locator('[name="request.topics"]')
    visible = [
        topics.nth(i).get_attribute("value")
        for i in range(topics.count())
        if topics.nth(i).is_visible()
    ]
    assert visible == [
        "labour_migration",
        "migrant_integration",
        "visa_and_mobility",
        "migration_data",
        "consular_services",
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_rate_limit_page_passes_axe(
    page: Any, live: LiveStack, screenshot: Any, lang: str
) -> None:
    for _ in range(20):
        request = urllib.request.Request(
            f"{live.url}/requests", data=b"{}", headers={"Content-Type": "application/json"}
        )
        try:
            urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as error:
            assert error.code == 422, json.loads(error.read())
    page.goto(f"/?lang={lang}")
    fill_valid(page)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("[data-submit]").click()
    assert answer.value.status == 429 and int(answer.value.headers["retry-after"]) > 0
    page.wait_for_selector("h1")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("h1").inner_text() == {"en": "Too many requests"}.get(
        lang, page.locator("h1").inner_text()
    )
    assert live.items_of_kind("rate")
    no_violations(page, f"429 {lang}")
    screenshot(page, f"rate-limited-{lang}")


def test_the_keyboard_alone_reaches_and_answers_the_questions(page: Any) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "institution.name"
    page.keyboard.type("Ministry of Interior")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "institution.type"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # radios move with the arrows, as everywhere
    assert field(page, "institution.region").is_visible()  # regional organisation chosen
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # the focus is visible
