"""The mailbox in a real browser: mail is readable, links in both bodies lead where they say."""

from __future__ import annotations

import json
import urllib.request
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from infra.local.run import LocalSystem
from tests.e2e.helpers import aws, no_violations

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab of the session's Chromium (tests/e2e/conftest.py)."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


def send(stack: LocalSystem, subject: str, text: str, html: str) -> None:
    message = EmailMessage()
    message["Subject"], message["From"] = subject, stack.env["SENDER_EMAIL"]
    message["To"] = "Elena Rossi <elena.rossi@near.example.org>"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    aws(stack, "ses").send_raw_email(RawMessage={"Data": message.as_bytes()})


def test_links_in_the_text_and_in_the_html_body_open_in_the_browser(
    local_stack: LocalSystem, page: Any
) -> None:
    marker = uuid.uuid4().hex[:8]
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    send(
        local_stack,
        f"Links {marker}",
        f"Status: {local_stack.base_url}/health?from=text",
        f'<p style="color: #333">Open <a href="{local_stack.base_url}/health?from=html">the '
        f'status</a><script>document.title = "pwned"</script></p>',
    )
    page.goto(f"{local_stack.base_url}/_dev/mail")
    mail = page.locator("article.mail", has_text=f"Links {marker}")
    assert mail.locator(".to").inner_text() == "Elena Rossi <elena.rossi@near.example.org>"

    frame = mail.frame_locator("iframe")
    assert frame.locator("p").inner_text() == "Open the status"
    frames = [f for f in page.frames if f.url == "about:srcdoc"]
    assert frames and "pwned" not in [f.evaluate("document.title") for f in frames]  # no script
    frame.get_by_role("link", name="the status").click()
    page.wait_for_url(f"{local_stack.base_url}/health?from=html")
    assert '"ok"' in page.content()

    page.go_back()
    mail.locator("pre.text a").click()
    page.wait_for_url(f"{local_stack.base_url}/health?from=text")
    page.go_back()
    assert page.title().startswith("Mailbox")
    assert not [e for e in errors if "Content Security Policy" in e and "style" in e]


def test_the_mailbox_pages_newest_first_and_older_pages_are_one_click_away(
    local_stack: LocalSystem, page: Any
) -> None:
    marker = uuid.uuid4().hex[:8]
    for n in range(1, 27):
        send(local_stack, f"Page {marker} #{n}", f"text {n}", f"<p>html {n}</p>")

    page.goto(f"{local_stack.base_url}/_dev/mail")
    subjects = page.locator("article.mail h2").all_inner_texts()
    assert len(subjects) == 25
    assert subjects[0].endswith(f"Page {marker} #26")  # the newest first
    assert subjects[24].endswith(f"Page {marker} #2")
    assert page.locator("a[rel=prev]").count() == 0
    no_violations(page, "the mailbox, page 1")

    page.locator("nav.pages").first.get_by_role("link", name="Older").click()
    page.wait_for_url(f"{local_stack.base_url}/_dev/mail?page=2")
    older = page.locator("article.mail", has_text=f"Page {marker} #1")
    assert older.locator("pre.text").inner_text().strip() == "text 1"
    assert page.title().startswith("Mailbox") and "page 2" in page.title()
    no_violations(page, "the mailbox, page 2")
    page.locator("nav.pages").first.get_by_role("link", name="Newer").click()
    page.wait_for_url(f"{local_stack.base_url}/_dev/mail?page=1")

    first, second = (mail_json(local_stack, f"?page={n}") for n in (1, 2))
    assert first["newer"] is None and first["older"] == "/_dev/mail.json?page=2"
    assert second["page"] == 2 and second["newer"] == "/_dev/mail.json?page=1"
    sequences = [m["sequence"] for m in first["mail"]]
    assert len(sequences) == 25 and sequences == sorted(sequences, reverse=True)
    assert max(m["sequence"] for m in second["mail"]) < min(sequences)
    assert f"Page {marker} #1" in [m["subject"] for m in second["mail"]]


def mail_json(stack: LocalSystem, query: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{stack.base_url}/_dev/mail.json{query}", timeout=30) as got:
        answer: dict[str, Any] = json.loads(got.read())
    return answer
