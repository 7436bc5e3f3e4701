"""Save and continue later (issue 20) in a real Chromium over real HTTP, on ``make run``'s stack:
a partner saves half a form in Spanish, continues from the emailed link in another browser and
sends it; an expired or used link explains itself; the browser offers back unsent answers. Every
new page passes axe-core."""

from __future__ import annotations

import copy
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest

from infra.local.run import LocalSystem, environment
from tests.e2e.helpers import Mailbox, http, link_in, no_violations
from tests.e2e.test_review_flow import fill_form
from tests.support import example_request

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SAVE_ES = "Guardar y continuar más tarde"
GONE_ES = "Este formulario guardado ya no está disponible"


@pytest.fixture
def new_browser(browser: Any) -> Iterator[Any]:
    """Each call a new browser context: no cookie, no local storage of another."""
    contexts: list[Any] = []

    def open_context(**options: Any) -> Any:
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield open_context
    for context in contexts:
        context.close()


def partner_document() -> tuple[str, dict[str, Any]]:
    document = copy.deepcopy(example_request())
    partner = f"draft-{uuid.uuid4().hex[:8]}@example.org"
    document["contact"]["email"] = partner
    document.pop("submission_id", None)
    return partner, document


def expired_link(stack: LocalSystem, link: str) -> str:
    """The same draft's link, signed 31 days ago with the stack's own key."""
    import itsdangerous.timed

    from functions.adapters import aws, links

    draft_id = re.search(r"/drafts/([0-9a-f]{32})", link)
    assert draft_id
    past = int(time.time()) - 31 * 86400
    with environment(stack.env):
        aws.reset_clients()
        with mock.patch.object(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _: past):
            token = links.draft_token(draft_id.group(1))
        aws.reset_clients()
    return f"{stack.base_url}/drafts/{draft_id.group(1)}?token={token}&lang=es"


def test_a_partner_saves_in_spanish_and_sends_from_another_browser(
    local_stack: LocalSystem, new_browser: Any, screenshot: Any
) -> None:
    stack = local_stack
    partner, document = partner_document()
    first = new_browser()
    first.goto(f"{stack.base_url}/?lang=es")
    fill_form(first, {k: document[k] for k in ("institution", "contact")})
    first.get_by_role("button", name=SAVE_ES).click()
    first.wait_for_selector("h1")
    assert first.locator("h1").inner_text() == "Sus respuestas están guardadas"
    assert partner in first.locator("main").inner_text()
    no_violations(first, "draft saved es")
    screenshot(first, "draft-saved-es")

    [mail] = Mailbox(stack).wait_for(partner, 1)
    assert "guardado" in mail["subject"]
    link = link_in(mail, stack.base_url, "/drafts/")

    # Another browser (no cookie, no local storage): every answer is back, in Spanish.
    second = new_browser()
    second.goto(link)
    assert second.locator("html").get_attribute("lang") == "es"
    assert (
        second.locator('[name="institution.name"]').input_value()
        == (document["institution"]["name"])
    )
    assert second.locator('[name="contact.email"]').input_value() == partner
    assert (
        second.locator('[name="institution.type"]:checked').get_attribute("value")
        == (document["institution"]["type"])
    )
    no_violations(second, "form continued es")
    screenshot(second, "draft-continued-es")

    fill_form(second, {k: v for k, v in document.items() if k not in ("institution", "contact")})
    second.locator("[data-submit]").click()
    second.wait_for_selector(".reference")
    [receipt] = Mailbox(stack).wait_for(partner, 2)[1:]
    assert re.search(r"MX-\d{4}-\d{4,}", receipt["subject"])

    # The link has done its work: it explains itself instead of showing the answers again.
    status, _, body = http("GET", link)
    assert status == 410 and GONE_ES in body.decode()
    assert document["institution"]["name"] not in body.decode()


def test_an_expired_draft_link_explains_itself(
    local_stack: LocalSystem, new_browser: Any, screenshot: Any
) -> None:
    stack = local_stack
    partner, document = partner_document()
    page = new_browser(java_script_enabled=False)  # saving needs no script
    page.goto(f"{stack.base_url}/?lang=es")
    fill_form(page, {"contact": document["contact"]})
    page.get_by_role("button", name=SAVE_ES).click()
    [mail] = Mailbox(stack).wait_for(partner, 1)

    old = new_browser()
    answer = old.goto(expired_link(stack, link_in(mail, stack.base_url, "/drafts/")))
    assert answer is not None and answer.status == 410
    assert old.locator("h1").inner_text() == GONE_ES
    no_violations(old, "draft expired es")
    screenshot(old, "draft-expired-es")


def test_the_browser_offers_back_answers_it_never_sent(
    local_stack: LocalSystem, new_browser: Any, screenshot: Any
) -> None:
    page = new_browser()
    page.goto(f"{local_stack.base_url}/?lang=es")
    page.locator('[name="institution.name"]').fill("Ministerio del Interior")
    page.locator('[name="request.title"]').fill("Mecanismo nacional de derivación")
    page.wait_for_timeout(600)  # the script keeps answers 400 ms after the last keystroke
    page.reload()  # the connection dropped, the page came back empty

    offer = page.locator("[data-local-draft]")
    offer.wait_for()
    assert page.locator('[name="institution.name"]').input_value() == ""
    no_violations(page, "local draft offered es")
    screenshot(page, "local-draft-offer-es")
    offer.get_by_role("button", name="Recuperar mis respuestas").click()
    assert page.locator('[name="institution.name"]').input_value() == "Ministerio del Interior"
    assert page.locator('[name="request.title"]').input_value() == (
        "Mecanismo nacional de derivación"
    )
    assert page.locator("[data-local-draft]").count() == 0

    page.reload()
    page.locator("[data-local-draft]").get_by_role(
        "button", name="Empezar con un formulario vacío"
    ).click()
    page.reload()
    assert page.locator("[data-local-draft]").count() == 0
