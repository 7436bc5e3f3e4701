"""Content negotiation (functions/web/negotiation.py): one reading of Accept for both questions."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from functions.web.negotiation import accepted, quality, wants_html, wants_json

FORM = "application/x-www-form-urlencoded"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def request(accept: str | None, content_type: str = FORM) -> Any:
    headers = {"content-type": content_type}
    if accept is not None:
        headers["accept"] = accept
    return SimpleNamespace(headers=headers)


def test_q_values_are_read_and_the_most_specific_range_decides() -> None:
    ranges = accepted("text/*;q=0.3, text/html;q=0.7, */*; q=0.1, application/json;q=oops")
    assert quality(ranges, "text/html") == 0.7
    assert quality(ranges, "text/plain") == 0.3
    assert quality(ranges, "image/png") == 0.1
    assert quality(ranges, "application/json") == 0.0  # a malformed q-value asks for nothing
    assert accepted("text/html;level=1;q=2") == {"text/html": 1.0}


@pytest.mark.parametrize(
    ("accept", "html", "json"),
    [
        (BROWSER, True, False),
        ("text/html", True, False),
        ("application/json", False, True),
        ("application/json, text/html;q=0.5", False, True),
        ("application/json;q=0.5, text/html", True, False),
        ("application/json, text/html", False, False),  # a tie: each route's default
        ("*/*", False, False),
        ("", False, False),
        (None, False, False),
        ("text/html;q=0", False, False),
        ("text/html;q=0.0, application/json", False, True),
        ("text/*, application/json;q=0.9", True, False),
    ],
)
def test_both_questions_answer_from_the_same_reading(
    accept: str | None, html: bool, json: bool
) -> None:
    """A page is the default of the pages, JSON the default of the API: only an explicit
    preference moves either, and never both at once."""
    assert wants_html(request(accept)) is html
    assert wants_json(request(accept)) is json


def test_a_page_is_wanted_only_for_a_posted_form() -> None:
    assert not wants_html(request("text/html", "application/json"))
    assert wants_html(request("*/*"), {"_html": ["1"]})  # the hosted form says so itself
    assert not wants_html(request("*/*"), {"_html": ["0"]})
