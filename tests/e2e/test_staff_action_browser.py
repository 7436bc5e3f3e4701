"""Issue 17's "Done when", in a real Chromium against `make run`'s stack: a partner's request is
approved by the committee through its emails; a Project Officer signs in, filters the queue,
opens the dossier, records and publishes an Action of six activities through the form
generated from the schema (an error first, shown at its field), marks one activity done; the
partner's email and status page show the Action and the activity done. axe-core checks the
editor with its errors; the form is reached and sent with the keyboard. The editor's screenshot
is docs/images/staff-action.png (``MIEUX_DOCS_IMAGES=1``, as tests/e2e/test_docs_images.py).
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from functions.domain import schemas
from infra.local.run import LocalSystem
from tests.e2e.helpers import Mailbox, link_in, no_violations
from tests.e2e.test_docs_images import images_dir
from tests.e2e.test_review_flow import APPROVE, open_in_english, vote, voters
from tests.e2e.test_staff_workspace import demo_passwords
from tests.support import example_request

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PLAN = schemas.example("action.schema.json")  # six activities
TITLE = "Referral mechanism for Senegal, agreed in the workspace"


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


def approved_request(stack: LocalSystem, tab: Any) -> tuple[str, str, Mailbox]:
    """A request from Senegal, approved by every voting member through their review emails;
    its reference, the partner's address, and the mailbox seen for it."""
    document = example_request()
    document.pop("submission_id")
    partner = f"partner-{uuid.uuid4().hex[:8]}@example.org"
    document["contact"]["email"] = partner
    document["contact"]["preferred_language"] = "en"
    post = urllib.request.Request(
        f"{stack.base_url}/requests",
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=30) as answer:
        reference = str(json.loads(answer.read())["reference"])
    mailbox = Mailbox(stack, reference)
    for member in voters():
        [review] = mailbox.wait_for(member["inbox"], 1)
        open_in_english(tab, link_in(review, stack.base_url, "/review/"))
        vote(tab, APPROVE)
        tab.wait_for_load_state()
    mailbox.wait_for(partner, 2)  # the receipt and the decision
    return reference, partner, mailbox


def sign_in_with_the_keyboard(tab: Any, base: str, password: str, next_path: str) -> None:
    tab.goto(f"{base}/staff/sign-in?next={next_path}")
    tab.locator("#username").focus()
    tab.keyboard.type("po-africa")
    tab.keyboard.press("Tab")
    tab.keyboard.type(password)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def fill_activities(tab: Any, plan: dict[str, Any]) -> None:
    """Type each activity into its fieldset (the fields are named by their dotted paths)."""
    for index, activity in enumerate(plan["activities"]):
        at = f"activities.{index}"
        tab.locator(f'select[name="{at}.type"]').select_option(activity["type"])
        tab.locator(f'[name="{at}.title"]').fill(activity["title"])
        tab.locator(f'[name="{at}.starts_on"]').fill(activity["starts_on"])
        tab.locator(f'[name="{at}.ends_on"]').fill(activity["ends_on"])
        tab.locator(f'[name="{at}.place.city"]').fill(activity["place"]["city"])
        tab.locator(f'[name="{at}.place.country"]').fill(activity["place"]["country"])
        tab.locator(f'[name="{at}.experts.number"]').fill(str(activity["experts"]["number"]))
        tab.locator(f'[name="{at}.experts.profile"]').fill(activity["experts"]["profile"])


def test_an_officer_records_publishes_and_moves_an_action_of_six_activities(
    local_stack: LocalSystem, tab: Any
) -> None:
    base = local_stack.base_url
    passwords = demo_passwords(local_stack)
    reference, partner, mailbox = approved_request(local_stack, tab)

    # Signed in with the keyboard; the queue filtered to the approved requests.
    sign_in_with_the_keyboard(tab, base, passwords["po-africa"], "%2Fstaff")
    tab.locator("#status").select_option("approved")
    tab.locator(".queue-filters button").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "status=approved" in tab.url
    tab.locator(f"a:has-text('{reference}')").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/staff/requests/" in tab.url
    request_path = tab.url.split(base, 1)[1].split("?", 1)[0]
    # The dossier's link to the editor, followed with the keyboard.
    tab.locator("a:has-text('Record the Action')").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.url.startswith(f"{base}{request_path}/action")
    assert tab.locator("h1").inner_text() == "Record the Action"
    # Six activity fieldsets shown; the seventh behind "Add another activity" (the script).
    assert tab.locator("fieldset.repeat:visible").count() == 6
    assert tab.locator("button:has-text('Add another activity')").is_visible()
    no_violations(tab, "Action editor (empty)")

    # The first field reached with Tab from the page's top, and typed.
    tab.locator("h1").click()
    for _ in range(60):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.name") == "title":
            break
    else:
        pytest.fail("the Action's title is not reachable with Tab")
    tab.keyboard.type(TITLE)
    tab.locator('[name="objectives"]').fill(PLAN["objectives"])
    reversed_dates = {**PLAN, "activities": [dict(a) for a in PLAN["activities"]]}
    reversed_dates["activities"][2]["ends_on"] = "2027-05-01"  # before its start, 1 June
    fill_activities(tab, reversed_dates)
    tab.locator("button[data-submit]").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    # The server's answer: the summary links to the field, the message beside it.
    summary = tab.locator(".error-summary a")
    assert summary.count() == 1
    assert "Activity 3: Last day must not be before the start" in summary.inner_text()
    assert tab.locator("#f-activities-2-ends-on-error").is_visible()
    no_violations(tab, "Action editor with an error")
    shot = images_dir() / "staff-action.png"
    tab.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    # The summary's link leads to the field; corrected; sent with the keyboard.
    summary.first.focus()
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "f-activities-2-ends-on"
    tab.locator("#f-activities-2-ends-on").fill(PLAN["activities"][2]["ends_on"])
    tab.locator("button[data-submit]").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert tab.locator("[data-notice=published]").is_visible()
    assert tab.locator("h1").inner_text() == "Edit the Action"
    no_violations(tab, "Action editor after publishing")

    # Back in the dossier: activity 2 marked done.
    with tab.expect_navigation():
        tab.locator("a:has-text('Back to the dossier')").click()
    assert tab.locator(f"text={TITLE}").is_visible()
    tab.locator("#activity-2-status").select_option("done")
    with tab.expect_navigation():
        tab.locator("form:has(#activity-2-status) button").click()
    assert tab.locator("text=The partner is told by email.").is_visible()

    # The partner's email: the Action published, then activity 2 taken place, with the host's
    # evaluation link that a done activity brings (once each).
    mail = mailbox.wait_for(partner, 5)
    subjects = [m["subject"] for m in mail]
    assert sum("Action for your request" in s and "ready" in s for s in subjects) == 1
    assert sum(s.startswith("How did the activity go?") for s in subjects) == 1
    [changed] = [m for m in mail if "has changed" in m["subject"]]
    taken_place = r"Activity 2 of the Action .* has taken place: \W?Validation workshop"
    assert re.search(taken_place, changed["text"]), changed["text"]
    [published] = [m for m in mail if "ready" in m["subject"]]
    assert TITLE in published["text"]
    # The partner's status page, from the email's link: the Action, activity 2 done.
    tab.goto(link_in(published, base, "/requests/"))
    assert tab.locator(f"text={TITLE}").is_visible()
    assert tab.locator(".tag-activity-done").count() == 1
    row = tab.locator("tr:has(.tag-activity-done)")
    assert re.search(r"Validation workshop", row.inner_text())
    no_violations(tab, "the partner's status page with the Action")
