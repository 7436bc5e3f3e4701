"""The review flow as people live it, over real HTTP in Debian's chromium, on `make run`'s stack.

A partner fills the form; the mailbox shows a receipt and one review email per member; each
member opens the link (a bare GET first, as a mail scanner would, which must change nothing) and
decides; the partner gets exactly one decision email and the status page shows the decision.

Written against the contracts of issue 5 before the review flow landed: every test skips while
the app has no review and notification workers or no form. What the pages are expected to offer
(button names, labels) is gathered in the constants below, to adjust in one place.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from infra.local.run import LocalSystem
from infra.local.seed import demo_committee
from tests.e2e.helpers import Mailbox, http, link_in
from tests.support import example_request

pytestmark = [pytest.mark.slow, pytest.mark.browser]

APPROVE = re.compile(r"approve", re.I)
REJECT = re.compile(r"reject", re.I)
ASK = re.compile(r"more information", re.I)
REASON = re.compile(r"reasons or question", re.I)
RECORD = re.compile(r"record my vote", re.I)
ANSWER = re.compile(r"your answer", re.I)
SEND = re.compile(r"send", re.I)
WITHDRAW = re.compile(r"^withdraw the request$", re.I)
CONFIRM_WITHDRAWAL = re.compile(r"yes, withdraw the request", re.I)
GO_BACK = re.compile(r"no, go back to the request", re.I)
WARNING_RED = "rgb(212, 53, 28)"  # .button-warning in app.css (GOV.UK's red)
HIDDEN_INPUT = re.compile(r"<input[^>]*type=\"hidden\"[^>]*>", re.I)


@pytest.fixture(scope="module")
def flow_stack(local_stack: LocalSystem) -> LocalSystem:
    """The session's stack, if the app has what the flow needs; else skip."""
    queues = set(local_stack.workers.get("queues", {}))
    if not {"review_tasks", "notifications"} <= queues:
        pytest.skip(f"the app has no review and notification workers yet (has {sorted(queues)})")
    status, _, body = http("GET", f"{local_stack.base_url}/")
    if status != 200 or b"<form" not in body:
        pytest.skip("the app serves no request form at / yet")
    return local_stack


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


def fill_form(page: Any, document: dict[str, Any], prefix: str = "") -> None:
    """Fill the hosted form, whose fields are named by dotted paths (presentation/formdata.py)."""
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            fill_form(page, value, f"{name}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                fill_form(page, item, f"{name}.{index}.")
        elif isinstance(value, list):
            for item in value:
                choose(page, name, str(item))
        else:
            choose(page, name, str(value).lower() if isinstance(value, bool) else str(value))


def choose(page: Any, name: str, value: str) -> None:
    fields = page.locator(f'[name="{name}"]')
    first = fields.first
    tag = first.evaluate("e => e.tagName.toLowerCase()")
    kind = (first.get_attribute("type") or "").lower()
    if tag == "select":
        first.select_option(value)
    elif kind in ("checkbox", "radio"):
        target = page.locator(f'[name="{name}"][value="{value}"]')
        (target if target.count() else first).check()
    else:
        first.fill(value)


def snapshot(stack: LocalSystem, status_url: str) -> tuple[str, int]:
    """What a bare GET must not change: the status page and the number of emails."""
    _, _, body = http("GET", status_url)
    page = HIDDEN_INPUT.sub("", body.decode())  # CSRF tokens differ on every GET
    return page, len(Mailbox(stack).all())


def submit(stack: LocalSystem, page: Any) -> tuple[str, dict[str, Any]]:
    """A partner fills the form; returns the partner's address and the receipt."""
    document = copy.deepcopy(example_request())
    partner = f"partner-{uuid.uuid4().hex[:8]}@example.org"
    document["contact"]["email"] = partner
    document.pop("submission_id", None)
    page.goto(f"{stack.base_url}/")
    fill_form(page, document)
    page.get_by_role("button", name=SEND).click()
    page.wait_for_load_state()
    [receipt] = Mailbox(stack).wait_for(partner, 1)
    return partner, receipt


def about(stack: LocalSystem, receipt: dict[str, Any]) -> Mailbox:
    """The mailbox, seen for the request a receipt is about."""
    reference = re.search(r"MX-\d{4}-\d{4,}", receipt["subject"])
    assert reference, receipt["subject"]
    return Mailbox(stack, reference.group(0))


def voters() -> list[dict[str, Any]]:
    """The demo's voting members, with the address their review links go to (a delegate's)."""
    found = []
    for member in demo_committee()["members"]:
        if member["role"] in ("voting", "veto"):
            delegate = member.get("delegate")
            found.append({**member, "inbox": delegate["email"] if delegate else member["email"]})
    return found


def review_round(
    mailbox: Mailbox,
    page: Any,
    status_url: str,
    decide: Callable[[Any, dict[str, Any]], None],
) -> None:
    """Every voter gets one review email; each opens it (a scanner first) and decides."""
    for member in voters():
        mail = mailbox.to(member["inbox"])
        assert mail, f"no review email for {member['id']}"
        stack = mailbox.stack
        review = link_in(mail[-1], stack.base_url, "/review/")
        before = snapshot(stack, status_url)
        assert http("GET", review)[0] == 200  # a mail scanner's visit
        assert http("HEAD", review)[0] in (200, 405)
        assert snapshot(stack, status_url) == before, "a GET changed something"
        open_in_english(page, review)
        decide(page, member)
        page.wait_for_load_state()


def open_in_english(page: Any, link: str) -> None:
    """Open an email's link: the page comes in the email's language (the link's ``lang``); then
    the reader switches to English with the page's language switcher, as a person would."""
    [language] = parse_qs(urlsplit(link).query)["lang"]
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == language
    if language != "en":
        page.locator('a[hreflang="en"]').first.click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "en"


def vote(page: Any, choice: re.Pattern[str], text: str = "") -> None:
    """Choose on the review page and press the button, as a member would."""
    page.get_by_label(choice).check()
    if text:
        page.get_by_label(REASON).fill(text)
    page.get_by_role("button", name=RECORD).click()


def approve(page: Any, member: dict[str, Any]) -> None:
    vote(page, APPROVE)


def test_approved_by_every_voting_member(flow_stack: LocalSystem, page: Any) -> None:
    partner, receipt = submit(flow_stack, page)
    mailbox = about(flow_stack, receipt)
    status_url = link_in(receipt, flow_stack.base_url, "/requests/")
    for member in voters():
        mailbox.wait_for(member["inbox"], 1)

    review_round(mailbox, page, status_url, approve)

    [_, decision] = mailbox.wait_for(partner, 2)
    assert re.search(r"approu?v", decision["subject"] + decision["text"] + decision["html"], re.I)
    mailbox.wait_for("amadou.sow@icmpd.example.org", 1)  # Senegal: the Africa officer
    open_in_english(page, status_url)
    assert re.search(r"approved", page.content(), re.I)


def test_rejected_with_a_reason(flow_stack: LocalSystem, page: Any) -> None:
    partner, receipt = submit(flow_stack, page)
    mailbox = about(flow_stack, receipt)
    status_url = link_in(receipt, flow_stack.base_url, "/requests/")
    for member in voters():
        mailbox.wait_for(member["inbox"], 1)
    reason = f"Outside the facility's scope ({uuid.uuid4().hex[:6]})"

    def reject(page: Any, member: dict[str, Any]) -> None:
        if member["id"] == "eeas":  # the last voter: the others could not vote after a decision
            vote(page, REJECT, reason)
        else:
            approve(page, member)

    review_round(mailbox, page, status_url, reject)

    [_, decision] = mailbox.wait_for(partner, 2)
    assert reason in decision["text"] + decision["html"]
    open_in_english(page, status_url)
    assert re.search(r"rejected", page.content(), re.I)


def test_more_information_then_approved_in_round_two(flow_stack: LocalSystem, page: Any) -> None:
    partner, receipt = submit(flow_stack, page)
    mailbox = about(flow_stack, receipt)
    status_url = link_in(receipt, flow_stack.base_url, "/requests/")
    for member in voters():
        mailbox.wait_for(member["inbox"], 1)
    question = f"Which agencies take part? ({uuid.uuid4().hex[:6]})"

    def ask(page: Any, member: dict[str, Any]) -> None:
        if member["id"] == "eeas":  # the last voter, as above
            vote(page, ASK, question)
        else:
            approve(page, member)

    review_round(mailbox, page, status_url, ask)
    [_, asked] = mailbox.wait_for(partner, 2)
    assert question in asked["text"] + asked["html"]

    open_in_english(page, status_url)
    page.get_by_label(ANSWER).fill("The police, labour inspectors and three NGOs.")
    page.get_by_role("button", name=SEND).click()
    page.wait_for_load_state()
    for member in voters():
        mailbox.wait_for(member["inbox"], 2)  # round 2: one more review email each

    review_round(mailbox, page, status_url, approve)
    [*_, decision] = mailbox.wait_for(partner, 3)
    assert re.search(r"approu?v", decision["subject"] + decision["text"] + decision["html"], re.I)
    open_in_english(page, status_url)
    assert re.search(r"approved", page.content(), re.I)


def test_withdrawn_through_the_confirmation(flow_stack: LocalSystem, page: Any) -> None:
    """The red button leads to a question (a GET: nothing changes); going back keeps the
    request; only the confirmation's own warning button withdraws it."""
    _, receipt = submit(flow_stack, page)
    mailbox = about(flow_stack, receipt)
    status_url = link_in(receipt, flow_stack.base_url, "/requests/")
    for member in voters():
        mailbox.wait_for(member["inbox"], 1)

    open_in_english(page, status_url)
    withdraw = page.get_by_role("link", name=WITHDRAW)
    assert withdraw.evaluate("e => getComputedStyle(e).backgroundColor") == WARNING_RED
    before = snapshot(flow_stack, status_url)
    withdraw.click()
    page.wait_for_load_state()
    confirm = page.get_by_role("button", name=CONFIRM_WITHDRAWAL)
    assert confirm.evaluate("e => getComputedStyle(e).backgroundColor") == WARNING_RED
    assert snapshot(flow_stack, status_url) == before, "the confirmation page changed something"
    page.get_by_role("link", name=GO_BACK).click()
    page.wait_for_load_state()
    assert re.search(r"under review", page.content(), re.I)

    page.get_by_role("link", name=WITHDRAW).click()
    page.wait_for_load_state()
    page.get_by_role("button", name=CONFIRM_WITHDRAWAL).click()
    page.wait_for_load_state()
    assert page.get_by_role("status").filter(has_text="has been withdrawn").is_visible()
    assert page.get_by_role("link", name=WITHDRAW).count() == 0
    mailbox.wait_for("amadou.sow@icmpd.example.org", 1)  # the officer is told
    page.goto(status_url)
    assert re.search(r"withdrawn", page.content(), re.I)
