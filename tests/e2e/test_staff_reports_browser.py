"""The workspace's report in a real Chromium against `make run`'s stack (its seeded year): a
viewer signs in, opens Reports from the navigation and filters by year and region with the
keyboard only, downloads the CSV; the page in every language, Arabic right to left with its
charts drawn left to right; axe-core checks each. The screenshot is docs/images/staff-reports.png
(README).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from functions.domain import clock
from infra.local.run import LocalSystem
from tests.e2e.helpers import SCREENSHOTS, no_violations
from tests.e2e.test_staff_workspace import demo_passwords, submit
from tests.support import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]
LANGUAGES = ("en", "fr", "es", "ar", "ru")


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(accept_downloads=True)
    yield context.new_page()
    context.close()


def sign_in_by_keyboard(tab: Any, base: str, username: str, password: str) -> None:
    tab.goto(f"{base}/staff/sign-in?next=%2Fstaff")
    tab.locator("#username").focus()
    tab.keyboard.type(username)
    tab.keyboard.press("Tab")
    tab.keyboard.type(password)
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert "/staff/sign-in" not in tab.url, tab.url


def test_a_viewer_reads_the_report_filters_it_by_keyboard_and_downloads_it(
    local_stack: LocalSystem, tab: Any, screenshot: Any
) -> None:
    base = local_stack.base_url
    this_year = clock.now().year
    for country in ("SN", "SN", "BD", "GE"):  # two from Africa, one each from two regions
        submit(local_stack, country)
    tab.goto(f"{base}/staff/reports")
    assert "/staff/sign-in?next=%2Fstaff%2Freports" in tab.url  # no session: sign in first
    sign_in_by_keyboard(tab, base, "demo-viewer", demo_passwords(local_stack)["demo-viewer"])

    # Reports from the workspace's navigation, by keyboard.
    tab.locator(".staff-nav a[href^='/staff/reports']").focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert re.search(r"/staff/reports\?lang=en$", tab.url), tab.url
    assert tab.locator("h1").inner_text() == f"Report {this_year}"
    assert tab.locator("section.report-chart svg").count() == 21
    assert tab.locator("section.report-chart table").count() == 21
    assert tab.locator(".staff-nav a[aria-current='page']").inner_text() == "Reports"
    no_violations(tab, "report (en)")

    # The filters, by keyboard: a region from the list (arrow keys), then the button.
    tab.locator("#region").focus()
    tab.keyboard.press("ArrowDown")  # Every region -> the first region
    tab.keyboard.press("Tab")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    assert f"year={this_year}" in tab.url and "region=africa" in tab.url, tab.url
    region_table = tab.locator("#chart-region table tbody tr")
    assert region_table.count() == 1
    assert region_table.first.locator("th").inner_text() == "Sub-Saharan Africa"
    assert int(region_table.first.locator("td").first.inner_text()) >= 2

    # The CSV, by keyboard: a download with a safe name, UTF-8 with a byte-order mark.
    tab.locator("a[href^='/staff/reports/export.csv']").focus()
    with tab.expect_download() as download_info:
        tab.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename == f"mieux-report-{this_year}-africa-en.csv"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf") and b'"chart","title","label"' in body

    # A year that is not one: the error at its field, reachable from the summary.
    tab.goto(f"{base}/staff/reports?year=abc&lang=en")
    assert tab.locator(".error-summary").is_visible()
    assert tab.locator("#year-error").is_visible()
    no_violations(tab, "report with an error")

    # The screenshot (README): every region, the first chart with its table.
    tab.goto(f"{base}/staff/reports?year={this_year}&region=all&lang=en")
    tab.evaluate("document.getElementById('chart-region').scrollIntoView()")
    screenshot(tab, "staff-reports", full_page=False)
    shutil.copy(SCREENSHOTS / "staff-reports.png", ROOT / "docs" / "images" / "staff-reports.png")

    for language in LANGUAGES:
        tab.goto(f"{base}/staff/reports?year={this_year}&region=all&lang={language}")
        assert tab.locator("html").get_attribute("lang") == language
        assert tab.locator("section.report-chart svg").count() == 21
        no_violations(tab, f"report ({language})")
    # Arabic: the page right to left, each drawing left to right, the numbers isolated.
    tab.goto(f"{base}/staff/reports?year={this_year}&lang=ar")
    assert tab.locator("html").get_attribute("dir") == "rtl"
    assert tab.locator("h1").inner_text().startswith("تقرير")
    assert tab.locator(".report-drawing[dir='ltr']").count() == 21
    assert tab.locator("td.number bdi[dir='ltr']").count() > 21
    tab.evaluate("document.getElementById('chart-region').scrollIntoView()")
    screenshot(tab, "staff-reports-ar", full_page=False)
    # The first chart's table: its label column is at the right edge in Arabic.
    table = tab.locator("#chart-region table").bounding_box()
    label = tab.locator("#chart-region tbody th").first.bounding_box()
    assert label["x"] + label["width"] > table["x"] + table["width"] / 2
