"""The administration pages in a real Chromium against `make run`'s stack, in French and with
the keyboard only: an administrator gives a member a delegate with dates (first with the dates
reversed: the error at its field), then adds a national focal point; axe-core checks every page
on the way, in every language for the two lists.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.run import LocalSystem
from tests.e2e.helpers import no_violations
from tests.e2e.test_staff_workspace import LANGUAGES, demo_passwords

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    yield context.new_page()
    context.close()


def press_enter_and_wait(tab: Any) -> None:
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


def type_into(tab: Any, selector: str, text: str) -> None:
    """Focus a field by the keyboard's order (Tab until it has the focus), then type."""
    for _ in range(80):
        if tab.evaluate("(s) => document.activeElement === document.querySelector(s)", selector):
            break
        tab.keyboard.press("Tab")
    else:
        raise AssertionError(f"{selector} never took the focus by Tab")
    tab.keyboard.type(text)


ORDERS = (("month", "day", "year"), ("day", "month", "year"), ("year", "month", "day"))


def date_order(tab: Any) -> tuple[str, ...]:
    """The order this Chromium's date fields take their segments in (its interface locale's,
    not the page's): found by typing into a field on a scratch page of the same browser."""
    scratch = tab.context.new_page()
    try:
        scratch.set_content('<input id="before"><input id="day" type="date">')
        for order in ORDERS:
            scratch.locator("#before").focus()
            scratch.keyboard.press("Tab")
            scratch.keyboard.type(keys_of_day(order, "2031-01-31"))
            if scratch.locator("#day").input_value() == "2031-01-31":
                return order
            scratch.set_content('<input id="before"><input id="day" type="date">')
    finally:
        scratch.close()
    raise AssertionError("no order of segments gives the date")


def keys_of_day(order: tuple[str, ...], iso: str) -> str:
    """What to type into a date field for ``iso``, in the browser's order of segments."""
    year, month, day = iso.split("-")
    return "".join({"year": year, "month": month, "day": day}[part] for part in order)


def tab_to(tab: Any, selector: str) -> None:
    type_into(tab, selector, "")


def test_an_administrator_adds_a_delegate_and_a_focal_point_in_french(
    local_stack: LocalSystem, tab: Any
) -> None:
    base = local_stack.base_url
    passwords = demo_passwords(local_stack)
    tab.goto(f"{base}/staff/sign-in?lang=fr&next=%2Fstaff%2Fcommittee%3Flang%3Dfr")
    type_into(tab, "#username", "demo-admin")
    type_into(tab, "#password", passwords["demo-admin"])
    press_enter_and_wait(tab)
    assert "/staff/committee" in tab.url, tab.url
    assert tab.locator("h1").inner_text() == "Comité"
    for language in LANGUAGES:
        tab.goto(f"{base}/staff/committee?lang={language}")
        no_violations(tab, f"committee ({language})")
    tab.goto(f"{base}/staff/committee?lang=fr")

    # Add a delegate: the page's link, then the form, every field by the keyboard.
    tab_to(tab, "a[href^='/staff/committee/delegates?lang=fr']")
    press_enter_and_wait(tab)
    assert "/staff/committee/delegates" in tab.url
    no_violations(tab, "delegate form (fr)")
    tab_to(tab, "#f-delegate-member")
    tab.keyboard.type("Lukas")  # the select's type-ahead: Lukas Schneider (DG HOME)
    assert tab.locator("#f-delegate-member").input_value() == "home"
    type_into(tab, "#f-delegate-name", "Anne Martin")
    type_into(tab, "#f-delegate-email", "anne.martin@home.example.org")
    # The date fields, typed: the last day before the first.
    order = date_order(tab)
    type_into(tab, "#f-delegate-valid-from", keys_of_day(order, "2031-01-31"))
    type_into(tab, "#f-delegate-valid-until", keys_of_day(order, "2031-01-06"))
    assert tab.locator("#f-delegate-valid-from").input_value() == "2031-01-31"
    tab_to(tab, "form[action^='/staff/committee/delegates'] button[type=submit]")
    press_enter_and_wait(tab)
    summary = tab.locator(".error-summary")
    assert summary.is_visible()
    assert "Dernier jour de la délégation" in summary.inner_text()
    assert tab.locator("#f-delegate-valid-until[aria-invalid=true]").count() == 1
    no_violations(tab, "delegate form with an error (fr)")
    # The answers are kept: the dates put right, sent again.
    type_into(tab, "#f-delegate-valid-from", keys_of_day(order, "2031-01-06"))
    type_into(tab, "#f-delegate-valid-until", keys_of_day(order, "2031-01-31"))
    tab_to(tab, "form[action^='/staff/committee/delegates'] button[type=submit]")
    press_enter_and_wait(tab)
    assert re.search(r"/staff/committee\?lang=fr&done=delegate_saved", tab.url), tab.url
    assert tab.locator("text=Le suppléant est enregistré.").is_visible()
    row = tab.locator("tr", has_text="Anne Martin")
    assert "2031-01-06" in row.inner_text() and "2031-01-31" in row.inner_text()
    assert "Pas commencée" in row.inner_text()
    no_violations(tab, "committee after the change (fr)")

    # A focal point: the workspace's navigation, the list, the form.
    tab_to(tab, ".staff-nav a[href^='/staff/focal-points']")
    press_enter_and_wait(tab)
    assert tab.locator("h1").inner_text() == "Points focaux"
    for language in LANGUAGES:
        tab.goto(f"{base}/staff/focal-points?lang={language}")
        no_violations(tab, f"focal points ({language})")
    tab.goto(f"{base}/staff/focal-points?lang=fr")
    tab_to(tab, "a[href^='/staff/focal-points/add']")
    press_enter_and_wait(tab)
    no_violations(tab, "focal point form (fr)")
    short = f"lu-{uuid.uuid4().hex[:6]}"
    tab_to(tab, "#f-focal-point-member-state")
    tab.keyboard.type("Luxembourg")
    assert tab.locator("#f-focal-point-member-state").input_value() == "LU"
    type_into(tab, "#f-focal-point-id", short)
    type_into(tab, "#f-focal-point-name", "Paul Weber")
    type_into(tab, "#f-focal-point-email", "paul.weber@mae.example.lu")
    tab_to(tab, "input[name='focal_point.language']:checked")
    tab.keyboard.press("ArrowDown")  # English (the default) -> Français
    assert tab.locator("input[name='focal_point.language']:checked").get_attribute("value") == "fr"
    tab_to(tab, "form[action^='/staff/focal-points'] button[type=submit]")
    press_enter_and_wait(tab)
    assert "/staff/focal-points/LU" in tab.url, tab.url
    assert tab.locator("text=Le point focal est ajouté.").is_visible()
    row = tab.locator("tr", has_text="Paul Weber")
    assert short in row.inner_text() and "paul.weber@mae.example.lu" in row.inner_text()
    no_violations(tab, "a member state's focal points (fr)")
    tab.goto(f"{base}/staff/focal-points?lang=fr")
    assert "Paul Weber" in tab.locator("tr", has_text="Luxembourg").inner_text()
