"""Attached files (issue 20) in a real Chromium over real HTTP, on ``make run``'s stack (moto's
S3 behind the presigned POSTs): a partner attaches a PDF letter in place and sends the form, and
a committee member downloads it from the review page; a renamed executable is refused at its
field; without JavaScript a file goes through its own page and S3's redirect. Every new page
passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.run import LocalSystem
from tests.e2e.helpers import Mailbox, link_in, no_violations
from tests.e2e.test_drafts_browser import partner_document
from tests.e2e.test_review_flow import fill_form, voters

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_page(**options: Any) -> Any:
        context = browser.new_context(accept_downloads=True, **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def file_of(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_letter_attached_in_place_is_downloaded_from_the_review_page(
    local_stack: LocalSystem, new_page: Any, tmp_path: Path, screenshot: Any
) -> None:
    stack = local_stack
    partner, document = partner_document()
    page = new_page()
    page.goto(f"{stack.base_url}/?lang=en")
    fill_form(page, document)
    letter = page.locator("#f-attachment-letter-file")
    letter.set_input_files(file_of(tmp_path, "Carta oficial.pdf", PDF))
    state = page.locator("#f-attachment-letter-state")
    state.filter(has_text="letter.pdf").wait_for()
    assert "Attached:" in state.inner_text()
    no_violations(page, "form with an attached letter")
    screenshot(page, "form-attached-letter", full_page=False)
    page.locator("[data-submit]").click()
    page.wait_for_selector(".reference")
    [receipt] = Mailbox(stack).wait_for(partner, 1)
    reference = re.search(r"MX-\d{4}-\d{4,}", receipt["subject"])
    assert reference

    member = voters()[0]
    mailbox = Mailbox(stack, reference.group(0))
    [mail] = mailbox.wait_for(member["inbox"], 1)
    reviewer = new_page()
    reviewer.goto(link_in(mail, stack.base_url, "/review/"))
    download_link = reviewer.get_by_role("link", name="letter.pdf")
    with reviewer.expect_download() as started:
        download_link.click()
    download = started.value
    assert download.suggested_filename == "letter.pdf"
    assert Path(download.path()).read_bytes() == PDF
    no_violations(reviewer, "review page with an attachment")


def test_a_renamed_executable_is_refused_at_its_field(
    local_stack: LocalSystem, new_page: Any, tmp_path: Path
) -> None:
    page = new_page()
    page.goto(f"{local_stack.base_url}/?lang=en")
    page.locator("#f-attachment-letter-file").set_input_files(file_of(tmp_path, "letter.pdf", EXE))
    error = page.locator("#f-attachment-letter-error")
    error.wait_for()
    assert "program, not a document" in error.inner_text()
    assert (
        page.locator("#f-attachment-letter-file")
        .evaluate("e => e.getAttribute('aria-describedby')")
        .startswith("f-attachment-letter-error")
    )
    no_violations(page, "form with a refused file")


def test_without_javascript_a_file_goes_through_its_own_page(
    local_stack: LocalSystem, new_page: Any, tmp_path: Path, screenshot: Any
) -> None:
    page = new_page(java_script_enabled=False)
    page.goto(f"{local_stack.base_url}/?lang=es")
    link = page.locator("#f-attachment-supporting-1 a")
    upload_url = link.get_attribute("href")
    assert upload_url and link.get_attribute("target") == "_blank"
    page.goto(local_stack.base_url + upload_url)
    checked = new_page()  # axe needs the page's script: the same page in a scripted browser
    checked.goto(local_stack.base_url + upload_url)
    no_violations(checked, "upload page es")
    page.locator("#f-file").set_input_files(file_of(tmp_path, "anexo.pdf", PDF))
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/attachments/confirm" in page.url  # S3 sent the browser back
    checked.goto(page.url)
    no_violations(checked, "confirmation page es")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "El archivo está adjunto"
    assert "supporting-1.pdf" in page.locator("main").inner_text()
    screenshot(page, "attachment-done-es")
