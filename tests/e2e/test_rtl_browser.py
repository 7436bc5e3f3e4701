"""Arabic pages read in the right order: dates, numbers and codes are isolated, left to right.

In right-to-left text the bidirectional algorithm reads a run of digits after an Arabic letter
as Arabic numbers: unisolated, ``2027-03`` shows as ``03-2027`` and a phone number's groups come
in reverse. Here the real Chromium lays the hints out and the test reads where each part lands.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import LiveStack, no_violations

pytestmark = pytest.mark.browser

# Where each part of a text starts on the screen, left to right (x of its first character).
_LEFT_OF = """([selector, parts]) => {
  const hint = document.querySelector(selector);
  const text = hint.textContent;
  const walker = document.createTreeWalker(hint, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let at = 0;
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    nodes.push([n, at]);
    at += n.data.length;
  }
  return parts.map((part) => {
    const start = text.indexOf(part);
    if (start < 0) return null;
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
def page(browser: Any, live: LiveStack) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, viewport={"width": 1000, "height": 900})
    yield context.new_page()
    context.close()


def test_the_arabic_hints_examples_read_left_to_right(page: Any, screenshot: Any) -> None:
    page.goto("/?lang=ar")
    assert page.locator("html").get_attribute("dir") == "rtl"

    month = page.locator("#f-request-preferred-start-hint")
    assert month.locator('bdi[dir="ltr"]').inner_text() == "2027-03"
    year, month_number = page.evaluate(
        _LEFT_OF, ["#f-request-preferred-start-hint", ["2027", "03"]]
    )
    assert year is not None and month_number is not None
    assert year < month_number, "the example reads 03-2027"

    phone = page.locator("#f-contact-phone-hint")
    assert phone.locator('bdi[dir="ltr"]').inner_text() == "+221 33 123 45 67"
    lefts = page.evaluate(_LEFT_OF, ["#f-contact-phone-hint", ["+221", "33 ", "123", "45 ", "67"]])
    assert None not in lefts
    assert lefts == sorted(lefts), "the phone number's groups come in reverse"

    no_violations(page, "form ar (isolated examples)")
    screenshot(page, "form-ar-hints", full_page=False)
