"""The staff workspace in a real Chromium against `make run`'s stack: a Project Officer signs
in with the keyboard only, filters the queue, opens a dossier, writes an internal note, meets
another region's request (no form to change it) and signs out; axe-core checks every page in
every language. The queue's screenshot is docs/images/staff-queue.png (README).
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.run import LocalSystem, environment
from tests.e2e.helpers import SCREENSHOTS, no_violations
from tests.support import ROOT, example_request

pytestmark = [pytest.mark.slow, pytest.mark.browser]
LANGUAGES = ("en", "fr", "es", "ar", "ru")


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def demo_passwords(stack: LocalSystem) -> dict[str, str]:
    """The demo accounts `make run` printed: user name -> password."""
    found = re.findall(r"^\s+\w+\s+(\S+)\s+(\S+)$", stack.seeded, re.MULTILINE)
    passwords = dict(found)
    assert "po-africa" in passwords, stack.seeded
    return passwords


def submit(stack: LocalSystem, country: str) -> str:
    """POST the schema's example from ``country``; its reference."""
    document = example_request()
    document.pop("submission_id")
    document["institution"]["country"] = country
    post = urllib.request.Request(
        f"{stack.base_url}/requests",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=30) as answer:
        return str(json.loads(answer.read())["reference"])


def shown_when_reviewed(tab: Any, *references: str) -> None:
    """Reload the queue until the workers have opened the requests' review (a few seconds)."""
    deadline = time.monotonic() + 30
    while not all(tab.locator(f"text={r}").count() for r in references):
        assert time.monotonic() < deadline, f"{references} never reached under_review"
        time.sleep(0.5)
        tab.reload()


def test_an_officer_works_the_queue_with_the_keyboard(
    local_stack: LocalSystem, tab: Any, screenshot: Any
) -> None:
    passwords = demo_passwords(local_stack)
    own = submit(local_stack, "SN")  # Senegal: po-africa's region
    other = submit(local_stack, "BD")  # Bangladesh: Asia and the Pacific
    base = local_stack.base_url

    # Any workspace page without a session: the sign-in page, with the way back.
    tab.goto(f"{base}/staff?status=under_review")
    assert "/staff/sign-in?next=" in tab.url
    for language in LANGUAGES:
        tab.goto(f"{base}/staff/sign-in?lang={language}")
        no_violations(tab, f"sign-in ({language})")
    # A wrong password: the error at the field.
    tab.goto(f"{base}/staff/sign-in?next=%2Fstaff%3Fstatus%3Dunder_review")
    tab.keyboard.press("Tab")  # the skip link first
    tab.locator("#username").focus()
    tab.keyboard.type("po-africa")
    tab.keyboard.press("Tab")
    tab.keyboard.type("not-the-password")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator(".error-summary").is_visible()
    no_violations(tab, "sign-in with an error")
    # The right one, typed: the queue of submitted requests, where the link pointed.
    tab.locator("#username").fill("")
    tab.locator("#username").focus()
    tab.keyboard.type("po-africa")
    tab.keyboard.press("Tab")
    tab.keyboard.type(passwords["po-africa"])
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert re.search(r"/staff\?status=under_review", tab.url), tab.url
    shown_when_reviewed(tab, own, other)
    # Filter: only my region (the checkbox with the space bar, then the Show button).
    tab.locator("#mine").focus()
    tab.keyboard.press("Space")
    tab.locator(".queue-filters button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator(f"text={own}").is_visible()
    assert tab.locator(f"text={other}").count() == 0
    for language in LANGUAGES:
        tab.goto(re.sub(r"lang=\w+", f"lang={language}", tab.url))
        no_violations(tab, f"queue ({language})")
    tab.goto(re.sub(r"lang=\w+", "lang=en", tab.url))
    screenshot(tab, "staff-queue", full_page=False)
    shutil.copy(SCREENSHOTS / "staff-queue.png", ROOT / "docs" / "images" / "staff-queue.png")
    # Open the dossier by keyboard: its link in the table.
    tab.locator(f"a:has-text('{own}')").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/staff/requests/" in tab.url
    for language in LANGUAGES:
        tab.goto(re.sub(r"lang=\w+", f"lang={language}", tab.url))
        no_violations(tab, f"dossier ({language})")
    tab.goto(re.sub(r"lang=\w+", "lang=en", tab.url))
    # An empty note: the error at the field; then a note, saved and shown in the trail.
    with tab.expect_navigation():
        tab.locator("form:has(#note) button").click()
    assert tab.locator(".error-summary").is_visible()
    no_violations(tab, "dossier with an error")
    tab.locator("#note").focus()
    tab.keyboard.type("Rang le ministère : les dates bougent.")
    tab.locator("form:has(#note) button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("text=Your note is saved").is_visible()
    assert tab.locator("text=Rang le ministère").is_visible()
    screenshot(tab, "staff-dossier")
    # Another region's request: readable, with no form to change it.
    tab.goto(f"{base}/staff?status=under_review&lang=en")
    with tab.expect_navigation():
        tab.locator(f"a:has-text('{other}')").click()
    assert tab.locator("#note").count() == 0
    # Sign out (the header's button): the session is over.
    tab.locator(".staff-sign-out button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("text=You are signed out.").is_visible()
    no_violations(tab, "signed out")
    tab.goto(f"{base}/staff")
    assert "/staff/sign-in" in tab.url


def test_a_viewer_meets_the_403_page(local_stack: LocalSystem, tab: Any) -> None:
    passwords = demo_passwords(local_stack)
    reference = submit(local_stack, "SN")
    base = local_stack.base_url
    tab.goto(f"{base}/staff/sign-in")
    tab.locator("#username").fill("demo-viewer")
    tab.locator("#password").fill(passwords["demo-viewer"])
    with tab.expect_navigation():
        tab.locator("form button[type=submit]").click()
    tab.goto(f"{base}/staff?status=under_review")
    shown_when_reviewed(tab, reference)
    with tab.expect_navigation():
        tab.locator(f"a:has-text('{reference}')").click()
    assert tab.locator("#note").count() == 0
    # The viewer's browser posts a note anyway (a crafted form): the 403 page, nothing saved.
    token = tab.locator("input[name=_csrf]").first.get_attribute("value")
    path = tab.url.split(base, 1)[1].split("?", 1)[0]
    with tab.expect_navigation():
        tab.evaluate(
            """([path, token]) => { const f = document.createElement('form'); f.method = 'post';
        f.action = path + '/notes'; for (const [k, v] of [['_csrf', token], ['note', 'x']]) {
        const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;
        f.appendChild(i); } document.body.appendChild(f); f.submit(); }""",
            [path, token],
        )
    assert tab.locator("text=Your role does not allow this").is_visible()
    no_violations(tab, "the 403 page")


def _asked_a_question(stack: LocalSystem, reference: str) -> None:
    """Move the request under review to information_requested, as the committee's question
    does (through the repository, against the stack's table)."""
    from functions.adapters import aws
    from functions.adapters.repository import repository, use
    from functions.domain import clock
    from functions.domain.records import Event

    with environment(stack.env):
        aws.reset_clients()
        use(None)
        store = repository()
        [request] = [
            r for r in store.requests_in_status("under_review") if r.reference == reference
        ]
        asked = Event(
            request.request_id,
            clock.iso(clock.now()),
            "information_requested",
            "committee",
            request.round,
        )
        assert store.change_status(
            request.request_id,
            "information_requested",
            asked,
            round_number=request.round,
            open_question="Which dates suit the ministry?",
        )
        aws.reset_clients()


def test_an_officer_filters_the_queue_and_extends_a_questions_deadline(
    local_stack: LocalSystem, tab: Any
) -> None:
    passwords = demo_passwords(local_stack)
    own = submit(local_stack, "SN")
    base = local_stack.base_url
    tab.goto(f"{base}/staff/sign-in?next=%2Fstaff%3Fstatus%3Dunder_review")
    tab.locator("#username").fill("po-africa")
    tab.locator("#password").fill(passwords["po-africa"])
    with tab.expect_navigation():
        tab.locator("form button[type=submit]").click()
    shown_when_reviewed(tab, own)
    # The counts per status, and a thematic area and an officer chosen with the keyboard.
    assert tab.locator(".status-counts").inner_text().count(":") == 7
    tab.locator("#pillar").focus()
    tab.keyboard.press("ArrowDown")  # the first thematic area
    tab.locator("#officer").focus()
    tab.keyboard.press("ArrowDown")  # the first officer
    tab.locator(".queue-filters button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "pillar=" in tab.url and "officer=" in tab.url
    assert tab.locator("text=Filtered within the").is_visible()
    for language in LANGUAGES:
        tab.goto(re.sub(r"lang=\w+", f"lang={language}", tab.url))
        no_violations(tab, f"filtered queue ({language})")
    # The question's deadline, extended from the dossier by keyboard.
    _asked_a_question(local_stack, own)
    tab.goto(f"{base}/staff?status=information_requested&lang=en")
    with tab.expect_navigation():
        tab.locator(f"a:has-text('{own}')").click()
    assert tab.locator("#answer_by").is_visible()
    for language in LANGUAGES:
        tab.goto(re.sub(r"lang=\w+", f"lang={language}", tab.url))
        no_violations(tab, f"dossier with a deadline ({language})")
    tab.goto(re.sub(r"lang=\w+", "lang=en", tab.url))
    tab.locator("form:has(#answer_by) button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")  # no date: the error at the field
    assert tab.locator(".error-summary a[href='#answer_by']").is_visible()
    no_violations(tab, "deadline with an error")
    day = (datetime.now(UTC) + timedelta(days=45)).date().isoformat()
    tab.locator("#answer_by").fill(day)
    tab.locator("form:has(#answer_by) button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("text=The deadline is extended.").is_visible()
    assert tab.locator(f"text=until the end of {day}").is_visible()
