"""What the committee and the partner read (issue 15), in Debian's chromium on `make run`'s stack.

The review flow itself is test_review_flow.py; here, what people read along the way: the
delegate's wording, the decision said once among members voting at once, the whole
conversation in round 2 (the page, and the email opened from the local mailbox), every answered
field in each language, styled tags and buttons, links that open in their email's language, and
dates that read left to right in Arabic. axe-core checks every page these tests open.
"""

from __future__ import annotations

import copy
import datetime
import html
import json
import re
import threading
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from functions.domain.reference import country_names
from functions.domain.validation import validate_request
from functions.presentation.formspec import request_form
from functions.presentation.i18n import gettext_for
from functions.presentation.readout import field_titles
from infra.local.run import LocalSystem
from tests.e2e.helpers import Mailbox, link_in, no_violations
from tests.e2e.test_review_flow import ASK, about, flow_stack, open_in_english, submit, vote
from tests.support import example_request

__all__ = ["flow_stack"]  # the fixture, shared with the review flow's tests

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LANGUAGES = ("en", "fr", "es", "ar", "ru")
PRIMARY_GREEN = "rgb(0, 112, 60)"  # .button in app.css
WARNING_RED = "rgb(212, 53, 28)"  # .button-warning
TAG_COLOURS = {  # .tag-* in app.css (GOV.UK's tag colours)
    "approved": "rgb(204, 226, 216)",
    "information_requested": "rgb(255, 247, 191)",
    "under_review": "rgb(187, 212, 234)",
}
VOTED = "Your vote is recorded"
DECIDED_BY_ME = "With your vote the committee has approved the request."
DECIDED_BY_OTHERS = "The committee has approved the request."
STILL_OPEN = "The committee's decision is made when enough members have voted."

# Where the first character of each part of an element's text lands on the screen (x, px), each
# part found after the previous one.
LEFT_OF = """(element, parts) => {
  const text = element.textContent;
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let at = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push([n, at]);
    at += n.data.length;
  }
  let from = 0;  // each part is looked for after the one before it ("02" is also in "2026")
  return parts.map((part) => {
    const start = text.indexOf(part, from);
    if (start < 0) return null;
    from = start + part.length;
    for (const [n, offset] of nodes) {
      if (start >= offset && start < offset + n.data.length) {
        const range = document.createRange();
        range.setStart(n, start - offset);
        range.setEnd(n, start - offset + 1);
        return range.getBoundingClientRect().left;
      }
    }
    return null;
  });
}"""


@pytest.fixture
def tabs(browser: Any) -> Iterator[Callable[[], Any]]:
    """New tabs, each in a browser context of its own (its own cookies: another person)."""
    contexts: list[Any] = []

    def open_tab() -> Any:
        context = browser.new_context(viewport={"width": 1000, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def posted(stack: LocalSystem, document: dict[str, Any]) -> tuple[str, Mailbox]:
    """POST a request as an API client does; its reference and its mailbox."""
    body = {k: v for k, v in document.items() if k != "submission_id"}
    post = urllib.request.Request(
        f"{stack.base_url}/requests",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=30) as answer:
        reference = str(json.loads(answer.read())["reference"])
    return reference, Mailbox(stack, reference)


def new_request() -> dict[str, Any]:
    """The schema's example, from a partner of its own (the stack's mailbox is shared)."""
    document = copy.deepcopy(example_request())
    document["contact"]["email"] = f"partner-{uuid.uuid4().hex[:8]}@example.org"
    return document


def review_link(mailbox: Mailbox, inbox: str, count: int = 1) -> str:
    """The review link of the ``count``-th review email to ``inbox``."""
    mail = mailbox.wait_for(inbox, count)
    return link_in(mail[count - 1], mailbox.stack.base_url, "/review/")


def language_of_link(link: str) -> str:
    [language] = parse_qs(urlsplit(link).query)["lang"]
    return language


def switch_to(page: Any, language: str) -> None:
    """The page's language switcher, as a person uses it."""
    page.locator(f'a[hreflang="{language}"]').first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


def background(locator: Any) -> str:
    return str(locator.evaluate("e => getComputedStyle(e).backgroundColor"))


def reads_left_to_right(page: Any, element: Any, parts: list[str]) -> None:
    """``parts`` of the element's text land left to right on the screen, in that order."""
    lefts = element.evaluate(LEFT_OF, parts)
    assert None not in lefts, (parts, element.text_content())
    assert lefts == sorted(lefts), f"{parts} laid out at {lefts}: {element.text_content()!r}"


def date_parts(day: str) -> list[str]:
    """A date's year, month and day, in the order they are written (and found)."""
    return day.split("-")


# --- links open in the email's language ---------------------------------------------------------


def test_the_confirmation_and_the_emails_links_open_in_the_emails_language(
    flow_stack: LocalSystem, tabs: Callable[[], Any]
) -> None:
    """A French partner fills the English form: the confirmation's link, like the receipt's,
    opens the status page in French; a French member's review link opens the review page in
    French; on both, the switcher still changes the language and keeps the page."""
    page = tabs()
    fr = gettext_for("fr")
    partner, receipt = submit(flow_stack, page)  # the form in English, the request in French
    assert page.locator("html").get_attribute("lang") == "en"
    confirmation = page.locator("a.button").get_attribute("href") or ""
    assert language_of_link(confirmation) == "fr"
    receipt_link = link_in(receipt, flow_stack.base_url, "/requests/")
    assert language_of_link(receipt_link) == "fr"
    assert urlsplit(confirmation).path == urlsplit(receipt_link).path
    no_violations(page, "confirmation (en)")

    page.locator("a.button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert fr("What has happened") in page.locator("main").inner_text()
    no_violations(page, "status page from the confirmation (fr)")
    switch_to(page, "es")
    assert gettext_for("es")("What has happened") in page.locator("main").inner_text()
    assert page.locator("p.tag").is_visible()  # still the request's page: the token was kept

    mailbox = about(flow_stack, receipt)
    claire = review_link(mailbox, "claire.dubois@intpa.example.org")
    lukas = review_link(mailbox, "lukas.schneider@home.example.org")
    assert (language_of_link(claire), language_of_link(lukas)) == ("fr", "en")
    member = tabs()  # another person, another browser
    member.goto(claire)
    assert member.locator("html").get_attribute("lang") == "fr"
    assert member.locator("legend h2").inner_text() == fr("Your decision")
    no_violations(member, "review page from a French member's email (fr)")
    switch_to(member, "ru")
    assert member.locator("legend h2").inner_text() == gettext_for("ru")("Your decision")
    no_violations(member, "review page after the switcher (ru)")
    member.goto(lukas)
    assert member.locator("html").get_attribute("lang") == "en"
    assert partner  # the partner's own address was used for the receipt


# --- the delegate's wording ---------------------------------------------------------------------


def test_a_delegate_is_told_whose_delegate_he_is_and_until_when(
    flow_stack: LocalSystem, tabs: Callable[[], Any]
) -> None:
    reference, mailbox = posted(flow_stack, new_request())
    [mail] = mailbox.wait_for("tomasz.nowak@eeas.example.org", 1)
    assert "as the delegate of \u2068Sofia Marques\u2069." in mail["text"]  # isolated name
    until = f"{datetime.date.today().year}-12-31"  # the demo's delegation: this calendar year
    link = link_in(mail, flow_stack.base_url, "/review/")
    page = tabs()
    page.goto(link)
    for language in ("en", "fr", "ar"):
        if language != page.locator("html").get_attribute("lang"):
            switch_to(page, language)
        hint = page.locator("#choice-hint")
        wording = gettext_for(language)(
            "You vote as delegate of %(name)s (%(body)s), until %(date)s."
        )
        expected = wording % {"name": "Sofia Marques", "body": "EEAS", "date": until}
        assert " ".join(hint.text_content().split()) == " ".join(expected.split())
        assert hint.locator('bdi[dir="ltr"]').inner_text() == until
        if language == "ar":  # the date reads 2026-12-31, not 31-12-2026, in the Arabic hint
            reads_left_to_right(page, hint, date_parts(until))
        no_violations(page, f"a delegate's review page ({language})")
    assert "You vote as Sofia Marques" not in page.content()

    own = tabs()  # a member voting in person is told who they vote as
    own.goto(review_link(mailbox, "lukas.schneider@home.example.org"))
    assert own.locator("#choice-hint").inner_text() == "You vote as Lukas Schneider (DG HOME)."
    assert reference in own.locator("main").inner_text()


# --- the decision is said once ------------------------------------------------------------------


def test_three_members_voting_at_once_are_told_the_decision_once(
    flow_stack: LocalSystem, tabs: Callable[[], Any]
) -> None:
    """Three members press "Record my vote" at the same moment, each in their own browser; the
    unanimous rule needs all three. The vote whose call decided says so; the others say their
    vote is recorded and what the committee decided (or, for a vote counted before the others
    were in, that the decision comes when enough have voted). The partner is told once."""
    document = new_request()
    reference, mailbox = posted(flow_stack, document)
    links = [
        review_link(mailbox, inbox)
        for inbox in (
            "claire.dubois@intpa.example.org",
            "lukas.schneider@home.example.org",
            "tomasz.nowak@eeas.example.org",
        )
    ]
    pages = []
    for link in links:
        page = tabs()
        open_in_english(page, link)
        page.locator('input[value="approve"]').check()
        pages.append(page)
    for page in pages:  # the three presses go out together: no waiting for the first's answer
        page.locator("form button[type=submit]").click(no_wait_after=True)
    said = []
    for page in pages:
        page.locator(".panel-confirmation").wait_for()
        said.append(" ".join(page.locator("main").inner_text().split()))
        no_violations(page, "vote recorded after votes at once (en)")

    assert all(VOTED in text for text in said), said
    assert sum(DECIDED_BY_ME in text for text in said) == 1, said
    for text in said:
        if DECIDED_BY_ME not in text:
            assert DECIDED_BY_OTHERS in text or STILL_OPEN in text, text
    # The decision was made once: one decision email to the partner, after the receipt.
    receipt, decision = mailbox.wait_for(document["contact"]["email"], 2)
    assert reference in decision["subject"] + decision["text"]

    status = tabs()
    open_in_english(status, link_in(receipt, flow_stack.base_url, "/requests/"))
    tag = status.locator("p.tag")
    assert tag.inner_text() == "Approved"
    assert background(tag) == TAG_COLOURS["approved"]
    assert tag.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    assert status.locator(".button-warning").count() == 0  # a decided request stays decided
    no_violations(status, "status page of an approved request (en)")


def test_three_votes_posted_at_the_same_instant_over_http_decide_once(
    flow_stack: LocalSystem,
) -> None:
    """The same, with the three POSTs released together by a barrier (each member's page and
    anti-forgery cookie fetched first): the server handles them at once, in threads."""
    document = new_request()
    _, mailbox = posted(flow_stack, document)
    inboxes = (
        "claire.dubois@intpa.example.org",
        "lukas.schneider@home.example.org",
        "tomasz.nowak@eeas.example.org",
    )
    ballots = []
    for inbox in inboxes:
        link = review_link(mailbox, inbox)
        with urllib.request.urlopen(link, timeout=30) as got:
            cookie = got.headers["Set-Cookie"].split(";")[0]
            token = re.search(r'name="_csrf" value="([^"]+)"', got.read().decode())
        assert token, inbox
        fields = {"_csrf": html.unescape(token.group(1)), "choice": "approve", "comment": ""}
        ballots.append((urlsplit(link)._replace(query="lang=en").geturl(), cookie, fields))
    barrier = threading.Barrier(len(ballots))
    said: list[str] = [""] * len(ballots)

    def cast(index: int) -> None:
        url, cookie, fields = ballots[index]
        post = urllib.request.Request(
            url,
            data=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            method="POST",
        )
        barrier.wait(timeout=30)
        with urllib.request.urlopen(post, timeout=60) as answer:
            said[index] = " ".join(html.unescape(answer.read().decode()).split())

    threads = [threading.Thread(target=cast, args=(i,)) for i in range(len(ballots))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(VOTED in text for text in said), said
    assert sum(DECIDED_BY_ME in text for text in said) == 1, said
    assert all(DECIDED_BY_OTHERS in t or STILL_OPEN in t for t in said if DECIDED_BY_ME not in t)
    mailbox.wait_for(document["contact"]["email"], 2)  # the receipt and one decision


# --- round 2 shows the conversation -------------------------------------------------------------


def test_round_two_shows_the_question_the_answer_and_the_changes_on_the_page_and_in_the_email(
    flow_stack: LocalSystem, tabs: Callable[[], Any]
) -> None:
    document = new_request()
    partner = document["contact"]["email"]
    reference, mailbox = posted(flow_stack, document)
    question = f"Which member states are involved? ({uuid.uuid4().hex[:6]})"
    answer = f"France and Spain, with their labour inspectorates ({uuid.uuid4().hex[:6]})."
    before = document["request"]["objectives"]
    after = "Design, test and adopt a national referral mechanism with every agency's role."

    home = tabs()
    open_in_english(home, review_link(mailbox, "lukas.schneider@home.example.org"))
    vote(home, ASK, question)  # one request for information pauses the round at once
    home.wait_for_load_state()
    [receipt, asked] = mailbox.wait_for(partner, 2)
    assert question in asked["text"]

    # The partner: the tag says the request waits for them; the warning button is not the
    # primary button.
    status = tabs()
    open_in_english(status, link_in(receipt, flow_stack.base_url, "/requests/"))
    assert background(status.locator("p.tag")) == TAG_COLOURS["information_requested"]
    send = status.locator("form:has(#answer) button[type=submit]")
    withdraw = status.locator("a.button-warning")
    assert (background(send), background(withdraw)) == (PRIMARY_GREEN, WARNING_RED)
    assert withdraw.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    no_violations(status, "status page with the committee's question (en)")
    status.locator("#answer").fill(answer)
    status.locator("form:has(#answer) details summary").click()
    status.locator("#request-objectives").fill(after)
    send.click()
    status.wait_for_load_state()

    # Round 2's email to the French member, opened in the browser from the local mailbox.
    fr = gettext_for("fr")
    second = mailbox.wait_for("claire.dubois@intpa.example.org", 2)[1]
    for text in (question, answer, before, after, "DG HOME", fr("Objectives")):
        assert text in second["text"], text
    for label, value in ((fr("Before"), before), (fr("After"), after)):  # French typography
        assert f"{label}\u00a0: \u2068{value}\u2069" in second["text"], label
    mail_page = tabs()
    mail_page.goto(f"{flow_stack.base_url}/_dev/mail?per_page=100")
    article = mail_page.locator(f"article#mail-{second['sequence']}")
    body = article.frame_locator("iframe")
    html_text = " ".join(body.locator("body").inner_text().split())
    for text in (question, answer, before, after, "DG HOME", fr("Questions to the partner")):
        assert " ".join(text.split()) in html_text, text
    [field] = [t for t in body.locator("p").all_inner_texts() if t.strip() == fr("Objectives")]
    assert field
    no_violations(mail_page, "the mailbox with round 2's review email")
    body.get_by_role("link", name=fr("Review the request")).click()
    mail_page.wait_for_url(re.compile(r"/review/"))
    review = mail_page

    # Round 2's review page, in the email's language, then in Arabic.
    assert review.locator("html").get_attribute("lang") == "fr"
    exchange = review.locator("section.exchange")
    assert "DG HOME" in exchange.locator("h3").inner_text()
    assert exchange.locator("p.pre").all_inner_texts()[:2] == [question, answer]
    row = review.locator("table.changes tbody tr")
    assert row.locator("th").inner_text() == fr("Objectives")
    assert row.locator("td").all_inner_texts() == [before, after]
    assert review.locator(".caption").first.inner_text() == fr("Round %(round)s") % {"round": 2}
    no_violations(review, "review page in round 2 (fr)")
    switch_to(review, "ar")
    for heading in (exchange.locator("h3"), exchange.locator("h4")):
        [day] = heading.locator('bdi[dir="ltr"]').all_inner_texts()
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)
        reads_left_to_right(review, heading, date_parts(day))
    no_violations(review, "review page in round 2 (ar)")

    # The partner's timeline says which round each event belongs to.
    open_in_english(status, link_in(receipt, flow_stack.base_url, "/requests/"))
    timeline = status.locator("ol.timeline").inner_text()
    for round_number in (1, 2):
        assert f"Review started (round {round_number})" in timeline, timeline
    assert reference in status.locator(".caption").inner_text()


# --- every answered field, in every language ----------------------------------------------------


def joint_request() -> dict[str, Any]:
    """A joint government and civil-society request answering every question it can."""
    document = new_request()
    document["institution"]["type"] = "joint_government_civil_society"
    document["institution"]["co_requesters"] = [
        {
            "name": "Réseau Migration Sénégal",
            "type": "civil_society_organisation",
            "role": "Outreach",
        },
        {"name": "Université Cheikh Anta Diop", "type": "academic_institution", "role": "Research"},
    ]
    document["request"]["activity_types"] = ["study_visit", "other"]
    document["request"]["activity_other"] = "A peer exchange with the Moroccan referral unit"
    document["request"]["eu_delegation_informed"] = False
    assert validate_request(document) == [], validate_request(document)
    return document


def answered_fields(document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Every answer of the document by the form's dotted name (lists of objects by index)."""
    found: dict[str, Any] = {}
    for key, value in document.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            found.update(answered_fields(value, f"{name}."))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                found.update(answered_fields(item, f"{name}.{index}."))
        elif value not in (None, "", []):
            found[name] = value
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_review_page_shows_every_answered_field_in_each_language(
    flow_stack: LocalSystem, tabs: Callable[[], Any], language: str
) -> None:
    document = joint_request()
    _, mailbox = posted(flow_stack, document)
    link = review_link(mailbox, "lukas.schneider@home.example.org")
    page = tabs()
    page.goto(link)
    if language != "en":
        switch_to(page, language)
    _ = gettext_for(language)
    titles = field_titles(request_form())
    options = {f.name: {o.value for o in f.options} for f in request_form().fields()}
    expected = {
        name: value
        for name, value in answered_fields(document).items()
        if name not in ("submission_id", "consent")
    }
    rows = {
        row.get_attribute("data-field"): row
        for row in page.locator(".summary-row[data-field]").all()
    }
    assert set(rows) == set(expected)
    snake_case = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")  # an option's code, untranslated
    for name, value in expected.items():
        label = rows[name].locator("dt").inner_text()
        shown = rows[name].locator("dd").inner_text()
        assert label.endswith(_(titles[name])), (name, label)
        assert shown.strip(), name
        assert not snake_case.search(shown), (name, shown)
        if name == "institution.country":
            assert shown == country_names(language)["SN"]
        elif isinstance(value, bool):
            assert shown == _("Yes" if value else "No")
        elif isinstance(value, (str, int)) and str(value) not in options.get(name, set()):
            assert str(value) in shown, (name, shown)  # the partner's own words, as written
    no_violations(page, f"review page with every answer ({language})")
    if language == "ar":
        start = rows["request.preferred_start"].locator("dd")
        reads_left_to_right(page, start, ["2027", "03"])
        submitted = page.locator('.summary-row:not([data-field]) dd bdi[dir="ltr"]').last
        reads_left_to_right(page, submitted, date_parts(submitted.inner_text()))
