"""The expert updates their registration from their own page (the signed link): the roster's
form generated from the schema and filled with what is stored; a POST with the page's token
saves it, re-indexing the roster; every bad input at its field with nothing changed; the email
address cannot change there; GET and HEAD change nothing."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.adapters import links
from functions.adapters.repository import repository
from functions.domain.experts import FocalPoint
from functions.services import experts as service
from tests.integration.helpers import Browser, mail_to, path_of, run_workers
from tests.integration.test_experts import _active_experts, form_of, registration
from tests.support import Stack

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def expert(client: Any, stack: Stack) -> str:
    service.save_focal_point(FocalPoint("sgae", "FR", "Jeanne Focal", "jeanne@sgae.example.fr"))
    [expert_id] = _active_experts(client, "one@example.fr")
    run_workers(client, stack)
    return expert_id


def edit_path(expert_id: str) -> str:
    return path_of(service.page_url(expert_id)).replace("/experts/me?", "/experts/me/edit?")


def fields_of(page: Any) -> list[tuple[str, str]]:
    """What the page's form would post untouched: its inputs' values, the checked choices and
    the selected options (the form is plain HTML: no script needed)."""
    body = page.body.decode("utf-8")
    form = body.split("<form", 2)[2] if body.count("<form") > 1 else body.split("<form", 1)[1]
    found: list[tuple[str, str]] = []
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name:
            continue
        if kind and kind.group(1) in ("checkbox", "radio") and "checked" not in tag:
            continue
        found.append((name.group(1), value.group(1) if value else ""))
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        found += [(name, v) for v in re.findall(r'<option value="([^"]*)"[^>]*selected', options)]
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S):
        found.append((name, text))
    return [(n, html.unescape(v)) for n, v in found]


def post(browser: Any, path: str, fields: list[tuple[str, str]]) -> Any:
    headers = browser._headers({"Content-Type": FORM})
    return browser._keep(browser.client.http.post(path, body=urlencode(fields), headers=headers))


def replaced(fields: list[tuple[str, str]], name: str, *values: str) -> list[tuple[str, str]]:
    return [f for f in fields if f[0] != name] + [(name, v) for v in values]


def test_the_form_is_filled_with_the_registration_and_a_get_changes_nothing(
    client: Any, stack: Stack, expert: str
) -> None:
    before = stack.items()
    for method in ("GET", "HEAD"):  # a mail scanner
        assert client.http.request(method, edit_path(expert)).status_code == 200
    assert stack.items() == before
    body = client.http.get(edit_path(expert) + "&lang=fr").body.decode("utf-8")
    assert '<html lang="fr"' in body and "Enregistrer les modifications" in body
    assert 'value="one@example.fr"' in body and 'value="Expert 0"' in body
    assert re.search(r'value="trafficking_in_human_beings"[^>]*checked', body)
    assert 'name="expertise.languages.1.level"' in body  # each stored entry of a group
    assert 'action="/experts/me/edit?token=' in body


def test_an_update_is_saved_and_reindexes_the_topics(
    client: Any, stack: Stack, expert: str
) -> None:
    browser = Browser(client)
    page = browser.get(edit_path(expert))
    fields = replaced(fields_of(page), "expertise.topics", "labour_migration")
    fields = replaced(fields, "expert.position", "Cheffe de mission")
    answer = post(browser, edit_path(expert), fields)
    assert answer.status_code == 200, answer.body.decode()[:3000]
    assert (
        "Your changes are saved." in answer.body.decode() or "modifications" in answer.body.decode()
    )
    stored = repository().get_expert(expert)
    assert stored is not None and stored.topics == ("labour_migration",)
    assert stored.document["expert"]["position"] == "Cheffe de mission"
    assert stored.status == "active" and stored.version == 3  # created, confirmed, updated
    found = repository().active_experts_of_topics(["labour_migration"])[0]
    assert [e.expert_id for e in found] == [expert]
    assert repository().active_experts_of_topics(["trafficking_in_human_beings"])[0] == []


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("expert.email", ("other@example.fr",), "cannot be changed here"),
        ("expert.email", ("not an address",), "not in the expected format"),
        ("expert.member_state", ("CH",), "from the list"),
        ("expert.name", ("",), "Enter or choose"),
        ("expert.name", ("A\u0007B",), "control character"),
        ("expertise.topics", ("cooking",), "from the list"),
        ("expertise.topics", (), "Choose at least"),
        ("availability.days_per_year", ("-4",), "or more"),
        ("availability.days_per_year", ("9" * 40,), ""),
        ("consent", (), "agree"),
        ("unknown.field", ("x",), ""),
    ],
)
def test_bad_input_is_refused_at_its_field_and_nothing_changes(
    client: Any, stack: Stack, expert: str, name: str, values: tuple[str, ...], message: str
) -> None:
    before = repository().get_expert(expert)
    browser = Browser(client)
    path = edit_path(expert)
    page = browser.get(path)
    answer = post(browser, path, replaced(fields_of(page), name, *values))
    assert answer.status_code == 422, (name, answer.status_code, answer.body.decode()[-3000:])
    body = answer.body.decode("utf-8")
    assert "error-summary" in body and message in body
    assert repository().get_expert(expert) == before


def test_a_new_member_state_is_confirmed_again_by_its_focal_point(
    client: Any, stack: Stack, expert: str
) -> None:
    service.save_focal_point(FocalPoint("bamf", "DE", "Dieter Focal", "dieter@bamf.example.de"))
    browser = Browser(client)
    page = browser.get(edit_path(expert))
    answer = post(
        browser, edit_path(expert), replaced(fields_of(page), "expert.member_state", "DE")
    )
    assert answer.status_code == 200
    stored = repository().get_expert(expert)
    assert stored is not None and (stored.status, stored.member_state) == ("pending", "DE")
    assert repository().active_experts_of_topics(list(stored.topics))[0] == []
    assert [e.expert_id for e in repository().roster_page("DE", "pending")[0]] == [expert]
    run_workers(client, stack)
    [request] = mail_to("dieter@bamf.example.de", "focal_request")
    assert "/experts/confirm/" in request.text


def test_without_the_token_from_another_site_or_by_a_bot_nothing_changes(
    client: Any, stack: Stack, expert: str
) -> None:
    before = repository().get_expert(expert)
    browser = Browser(client)
    page = browser.get(edit_path(expert))
    fields = replaced(fields_of(page), "expert.position", "Changed")
    assert post(browser, edit_path(expert), replaced(fields, "_csrf")).status_code == 403
    other = Browser(client)  # another browser: the token is not bound to its cookie
    assert post(other, edit_path(expert), fields).status_code == 403
    cross = browser.client.http.post(
        edit_path(expert),
        body=urlencode(fields),
        headers=browser._headers({"Content-Type": FORM, "Origin": "https://evil.example"}),
    )
    assert cross.status_code == 403
    trapped = post(browser, edit_path(expert), [*fields, ("website", "http://spam.example")])
    assert trapped.status_code in (200, 403)
    forged = edit_path(expert).split("token=")[0] + "token=forged"
    assert client.http.get(forged).status_code in (400, 403, 404)
    assert repository().get_expert(expert) == before


def test_an_expert_who_left_has_no_form(client: Any, stack: Stack, expert: str) -> None:
    path = edit_path(expert)
    service.leave_roster(expert)
    assert client.http.get(path).status_code == 404


def test_the_own_page_links_to_the_update(client: Any, stack: Stack, expert: str) -> None:
    body = client.http.get(path_of(service.page_url(expert))).body.decode("utf-8")
    assert "/experts/me/edit?token=" in body
    assert links.read_expert_token(edit_path(expert).split("token=")[1]) == expert
    assert form_of(registration())  # the registration's own fields are the form's
