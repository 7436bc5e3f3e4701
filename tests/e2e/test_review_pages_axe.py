"""The review and status pages in every language, in a real Chromium, checked by axe-core.

The form's pages are checked in test_form_browser.py; these are the pages of the other flows:
the review page (and its errors), the vote-recorded page, the partner's status page (with the
committee's question and the answer form), the withdrawal's confirmation, and the error page of
a bad link.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.run import LocalSystem
from infra.local.seed import demo_committee
from tests.e2e.helpers import Mailbox, link_in, no_violations
from tests.support import example_request

pytestmark = [pytest.mark.slow, pytest.mark.browser]
LANGUAGES = ("en", "fr", "es", "ar", "ru")


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def submitted_request(stack: LocalSystem) -> tuple[str, dict[str, str], Mailbox]:
    """POST the schema's example; wait for the receipt and the review links. Returns the status
    link, each voter's review link and the request's mailbox."""
    document = example_request()
    document.pop("submission_id")
    post = urllib.request.Request(
        f"{stack.base_url}/requests",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=30) as answer:
        reference = json.loads(answer.read())["reference"]
    mailbox = Mailbox(stack, reference)
    [receipt] = mailbox.wait_for(document["contact"]["email"], 1)
    links = {}
    for member in demo_committee()["members"]:
        if member["role"] == "voting":
            inbox = (member.get("delegate") or member)["email"]
            [review] = mailbox.wait_for(inbox, 1)
            links[member["id"]] = link_in(review, stack.base_url, "/review/")
    return link_in(receipt, stack.base_url, "/requests/"), links, mailbox


def withdrawal_of(status_url: str) -> str:
    """The confirmation page the status page's withdraw button leads to (GET changes nothing)."""
    path, query = status_url.split("?", 1)
    return f"{path}/withdraw?{query}"


def with_language(url: str, language: str) -> str:
    return url + ("&" if "?" in url else "?") + f"lang={language}"


def test_review_status_and_error_pages_have_no_violations_in_any_language(
    local_stack: LocalSystem, tab: Any, screenshot: Any
) -> None:
    status_url, reviews, mailbox = submitted_request(local_stack)
    first, second, *_ = reviews.values()
    for language in LANGUAGES:
        tab.goto(with_language(first, language))
        assert tab.locator("html").get_attribute("lang") == language
        no_violations(tab, f"review page ({language})")
        screenshot(tab, f"review-{language}")
        tab.goto(with_language(status_url, language))
        no_violations(tab, f"status page ({language})")
        screenshot(tab, f"status-{language}")
        tab.goto(with_language(withdrawal_of(status_url), language))
        assert tab.locator("form .button-warning").is_visible()
        no_violations(tab, f"withdrawal confirmation ({language})")
        screenshot(tab, f"withdraw-{language}")
        tab.goto(with_language(f"{local_stack.base_url}/review/not-a-token", language))
        no_violations(tab, f"invalid link page ({language})")
    # The review page with its errors: a rejection without reasons.
    tab.goto(with_language(first, "ar"))
    tab.locator('input[value="reject"]').check()
    tab.locator("button[type=submit]").click()
    tab.wait_for_load_state()
    assert tab.locator(".error-summary").is_visible()
    no_violations(tab, "review page with errors (ar)")
    screenshot(tab, "review-errors-ar")
    # More information: the vote-recorded page, then the status page with the question.
    tab.goto(with_language(second, "ru"))
    tab.locator('input[value="more_information"]').check()
    tab.locator("#comment").fill("Какие ведомства участвуют в механизме?")
    tab.locator("button[type=submit]").click()
    tab.wait_for_load_state()
    assert tab.locator("html").get_attribute("lang") == "ru"
    no_violations(tab, "vote recorded (ru)")
    screenshot(tab, "vote-recorded-ru")
    for language in LANGUAGES:
        tab.goto(with_language(status_url, language))
        assert tab.locator("#answer").is_visible()
        no_violations(tab, f"status page with a question ({language})")
    screenshot(tab, "status-question-ar")
    # The partner answers and corrects a field: round 2's page shows the whole conversation.
    tab.locator("#answer").fill("La police, les services sociaux et trois ONG.")
    tab.locator("form:has(#answer) details summary").click()
    tab.locator("#request-objectives").fill("Concevoir, tester et adopter le mécanisme.")
    tab.locator("form:has(#answer) button[type=submit]").click()
    tab.wait_for_load_state()
    voter = next(m for m in demo_committee()["members"] if m["role"] == "voting")
    [_, again] = mailbox.wait_for((voter.get("delegate") or voter)["email"], 2)
    round_two = link_in(again, local_stack.base_url, "/review/")
    for language in LANGUAGES:
        tab.goto(with_language(round_two, language))
        assert tab.locator("table.changes").is_visible()
        no_violations(tab, f"review page in round 2 ({language})")
    screenshot(tab, "review-round-two-ru")
