"""The screenshots of docs/images, shot from a real round 2 on `make run`'s stack.

Every run shoots them into test-artifacts/screenshots/ and checks the pages it shows (axe-core,
and what each image is meant to show); ``MIEUX_DOCS_IMAGES=1`` writes them to docs/images/
instead, to refresh the documentation after a page changed::

    MIEUX_DOCS_IMAGES=1 .venv/bin/python -m pytest -q tests/e2e/test_docs_images.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.run import LocalSystem
from tests.e2e.helpers import ROOT, SCREENSHOTS, link_in, no_violations
from tests.e2e.test_committee_reading_browser import new_request, posted, review_link
from tests.e2e.test_review_flow import ASK, flow_stack, open_in_english, vote

__all__ = ["flow_stack"]

pytestmark = [pytest.mark.slow, pytest.mark.browser]

QUESTION = "Which member states would take part in the study visit?"
ANSWER = "Spain and Portugal: their labour inspectorates have agreed to host the visit."
CORRECTED = (
    "Design and test a national referral mechanism with clear roles for each agency, and"
    " learn from two member states' mechanisms during a study visit."
)


def images_dir() -> Path:
    if os.environ.get("MIEUX_DOCS_IMAGES") == "1":
        return ROOT / "docs" / "images"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def shoot(page: Any, name: str, top: float = 0, height: float = 900) -> Path:
    """A ``height``-pixel band of the page from ``top``, as wide as the window."""
    path = images_dir() / f"{name}.png"
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": max(0, top), "width": width, "height": height}
    page.screenshot(path=str(path), clip=clip, full_page=True)
    assert path.stat().st_size > 10_000, path  # an image, not a blank page
    return path


def test_the_documentation_images_of_round_two(flow_stack: LocalSystem, page: Any) -> None:
    document = new_request()
    reference, mailbox = posted(flow_stack, document)
    open_in_english(page, review_link(mailbox, "lukas.schneider@home.example.org"))
    vote(page, ASK, QUESTION)
    page.wait_for_load_state()
    [receipt, _] = mailbox.wait_for(document["contact"]["email"], 2)
    status_link = link_in(receipt, flow_stack.base_url, "/requests/")
    open_in_english(page, status_link)
    page.locator("#answer").fill(ANSWER)
    page.locator("form:has(#answer) details summary").click()
    page.locator("#request-objectives").fill(CORRECTED)
    page.locator("form:has(#answer) button[type=submit]").click()
    page.wait_for_load_state()
    claire = mailbox.wait_for("claire.dubois@intpa.example.org", 2)[1]
    review = review_link(mailbox, "lukas.schneider@home.example.org", 2)

    # The partner's status page: the answer sent, the timeline by round.
    open_in_english(page, status_link)
    assert "(round 2)" in page.locator("ol.timeline").inner_text()
    no_violations(page, "status page in round 2 (en)")
    shoot(page, "status", height=page.evaluate("document.documentElement.scrollHeight"))

    # The review page of round 2: the round so far, the question, the answer and the change.
    open_in_english(page, review)
    exchange = page.locator("section.exchange")
    assert QUESTION in exchange.inner_text() and ANSWER in exchange.inner_text()
    no_violations(page, "review page in round 2 (en)")
    page.evaluate("window.scrollTo(0, 0)")  # boxes are measured from the window's top
    bottom = exchange.bounding_box()
    assert bottom is not None
    shoot(page, "review", height=bottom["y"] + bottom["height"] + 24)

    # The mailbox: round 2's review request to a French-speaking member, with its link.
    page.goto(f"{flow_stack.base_url}/_dev/mail?per_page=100")
    article = page.locator(f"article#mail-{claire['sequence']}")
    assert reference in article.locator("h2").inner_text()
    no_violations(page, "the mailbox")
    page.evaluate("window.scrollTo(0, 0)")
    box = article.bounding_box()
    assert box is not None
    shoot(page, "mailbox", top=box["y"] - 8, height=900)
