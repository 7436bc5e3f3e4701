"""The hosted form through Chalice's test client: pages, anti-forgery, rate limit, the answers."""

from __future__ import annotations

import copy
import json
import re
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.domain import errors, schemas
from functions.presentation.formspec import build_form
from tests.integration.helpers import form_fields_of
from tests.support import Stack

FORM = "application/x-www-form-urlencoded"
BROWSER = {"Content-Type": FORM, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def open_form(client: Any, lang: str = "en") -> tuple[str, dict[str, str]]:
    """GET the form; the page and the fields a browser would send back (hidden ones)."""
    answer = client.http.get(f"/?lang={lang}")
    assert answer.status_code == 200
    page = answer.body.decode("utf-8")
    cookie = answer.headers["Set-Cookie"].split(";")[0]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))
    return page, {"cookie": cookie, **hidden}


def send(
    client: Any, state: dict[str, str], fields: list[tuple[str, str]], lang: str = "en"
) -> Any:
    plumbing = [(k, v) for k, v in state.items() if k != "cookie"]
    headers = {**BROWSER, "Cookie": state["cookie"]}
    body = urlencode([*plumbing, ("website", ""), *fields])
    return client.http.post(f"/requests?lang={lang}", body=body, headers=headers)


def without_submission_id(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "submission_id"}


def test_the_form_is_built_from_the_schema(client: Any, stack: Stack) -> None:
    page, state = open_form(client)
    assert '<html lang="en" dir="ltr">' in page
    assert 'for="f-institution-name"' in page and 'name="institution.name"' in page
    assert "Name of the institution" in page
    assert re.search(r'<legend class="legend">Type of institution', page)
    assert 'aria-describedby="f-contact-email-hint"' in page
    assert '<option value="SN">Senegal</option>' in page and 'value="DE"' not in page
    assert state["_csrf"] and len(state["submission_id"]) >= 8
    assert "HttpOnly" in client.http.get("/").headers["Set-Cookie"]


def test_a_field_added_to_a_copy_of_the_schema_appears_with_no_template_change() -> None:
    schema = copy.deepcopy(schemas.request_schema())
    schema["properties"]["contact"]["properties"]["fax"] = {
        "type": "string",
        "title": "Fax number",
        "description": "Only if you still use one.",
        "maxLength": 30,
    }
    schema["properties"]["request"]["properties"]["budget_line"] = {
        "type": "string",
        "title": "Budget line",
        "enum": ["a", "b"],
        "x-widget": "radios",
    }
    spec = build_form(schema)
    names = [f.name for f in spec.fields()]
    assert "contact.fax" in names and "request.budget_line" in names
    from functions.presentation.render import render
    from functions.web.form import _field_view

    fax = next(f for f in spec.fields() if f.name == "contact.fax")
    view = _field_view(fax, "en", {}, {})
    assert view["label"] == "Fax number" and view["hint"] == "Only if you still use one."
    html = render(
        "pages/form.html",
        "en",
        title="T",
        sections=[{"name": "contact", "title": "C", "hint": "", "items": [view]}],
        hidden=[],
        summary=[],
        honeypot="website",
    )
    assert 'name="contact.fax"' in html and 'Fax number <span class="optional">' in html


def test_errors_come_back_on_the_page_with_the_answers_kept(client: Any, stack: Stack) -> None:
    _, state = open_form(client)
    answer = send(
        client,
        state,
        [("institution.name", "Ministère <de l'Intérieur>"), ("contact.email", "not-an-email")],
    )
    assert answer.status_code == 422
    page = answer.body.decode("utf-8")
    assert "<title>Error:" in page and 'class="error-summary"' in page
    assert '<a href="#f-contact-email">Email address is not in the expected format</a>' in page
    assert '<a href="#f-institution-type">Enter or choose: Type of institution</a>' in page
    assert 'id="f-contact-email-error"' in page
    assert 'aria-describedby="f-contact-email-hint f-contact-email-error"' in page
    # The answers are kept, escaped.
    assert 'value="Ministère &lt;de l&#39;Intérieur&gt;"' in page
    assert 'value="not-an-email"' in page
    assert f'value="{state["submission_id"]}"' in page
    assert stack.items_of_kind("request") == []


def test_a_valid_form_shows_the_reference_and_a_double_submit_stores_one(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    _, state = open_form(client, "fr")
    fields = form_fields_of(without_submission_id(valid_request))
    first = send(client, state, fields, "fr")
    assert first.status_code == 201, first.body
    page = first.body.decode("utf-8")
    reference = re.search(r'class="reference"><bdi dir="ltr">(MX-\d{4}-\d{4})</bdi><', page)
    assert reference is not None
    [status_link] = re.findall(r'<a class="button" href="([^"]+)"', page)
    assert unescape(status_link).endswith("&lang=fr")  # the request's language, as in its emails
    again = send(client, state, fields, "fr")
    assert again.status_code == 201
    assert reference.group(1) in again.body.decode("utf-8")
    [item] = stack.items_of_kind("request")
    assert item["reference"]["S"] == reference.group(1)
    assert item["submission_id"]["S"] == state["submission_id"]
    assert len(stack.review_tasks()) == 1


def test_answers_to_questions_that_do_not_apply_are_dropped(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    _, state = open_form(client)
    valid_request["institution"] = {
        "name": "Economic Community of West African States (ECOWAS)",
        "type": "regional_organisation",
        "region": "africa",
        "country": "SN",  # typed before the type was chosen: not part of a regional request
    }
    answer = send(client, state, form_fields_of(without_submission_id(valid_request)))
    assert answer.status_code == 201, answer.body
    [item] = stack.items_of_kind("request")
    assert "country" not in json.loads(item["document"]["S"])["institution"]


@pytest.mark.parametrize("change", ["no cookie", "no token", "other browser", "forged"])
def test_a_form_without_a_valid_anti_forgery_token_is_refused(
    client: Any, stack: Stack, valid_request: dict[str, Any], change: str
) -> None:
    _, state = open_form(client)
    _, other = open_form(client)
    if change == "no cookie":
        state["cookie"] = "x=1"
    elif change == "no token":
        state.pop("_csrf")
    elif change == "other browser":
        state["cookie"] = other["cookie"]
        state["cookie"] = state["cookie"].split("=")[0] + "=" + "A" * 32
    else:
        state["_csrf"] = state["_csrf"][:-4] + "AAAA"
    answer = send(client, state, form_fields_of(without_submission_id(valid_request)))
    assert answer.status_code == 403
    assert "The form could not be sent" in answer.body.decode("utf-8")
    assert stack.items_of_kind("request") == []


def test_the_honeypot_shows_a_confirmation_and_stores_nothing(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    _, state = open_form(client)
    fields = [(k, v) for k, v in form_fields_of(without_submission_id(valid_request))]
    state["website"] = "http://spam.example"
    answer = send(client, state, fields)
    assert answer.status_code == 201
    assert stack.items_of_kind("request") == []


def test_too_many_posts_from_one_address_get_a_429(client: Any, stack: Stack) -> None:
    statuses = [
        client.http.post("/requests", body="{}", headers={"Content-Type": "application/json"})
        for _ in range(20)
    ]
    assert {answer.status_code for answer in statuses} == {422}
    refused = client.http.post("/requests", body="{}", headers={"Content-Type": "application/json"})
    assert refused.status_code == 429
    assert json.loads(refused.body)["errors"][0]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    page = client.http.post("/requests?lang=ar", body="a=1", headers=BROWSER)
    assert page.status_code == 429 and page.headers["Retry-After"]
    assert 'dir="rtl"' in page.body.decode("utf-8")
    [rate] = stack.items_of_kind("rate")
    assert int(rate["hits"]["N"]) == 22 and "127.0.0.1" not in json.dumps(rate)
    assert int(rate["expires_at"]["N"]) > 0


def test_static_files_are_served_with_a_long_cache(client: Any, stack: Stack) -> None:
    css = client.http.get("/static/app.css")
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "immutable" in css.headers["Cache-Control"]
    js = client.http.get("/static/app.js")
    assert js.headers["Content-Type"].startswith("text/javascript")
    assert client.http.get("/static/secret.py").status_code == 404


def test_pages_json_and_static_files_carry_the_same_security_headers(
    client: Any, stack: Stack
) -> None:
    from functions.web.headers import SECURITY_HEADERS

    answers = [
        client.http.get("/"),
        client.http.get("/static/app.css"),
        client.http.get("/health"),
        client.http.get("/requests/x?token=bad"),  # an error page
    ]
    for answer in answers:
        assert SECURITY_HEADERS.items() <= answer.headers.items(), answer.headers


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.LinkExpired(), 410),
        (errors.LinkError(), 400),
        (errors.AlreadyVoted(), 409),
        (errors.RateLimited(300), 429),
        (errors.NotFound(), 404),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_the_shared_error_pages_render_in_every_language(
    error: errors.DomainError, status: int
) -> None:
    from functions.web.errors import error_page

    for lang in ("en", "fr", "es", "ar", "ru"):
        answer = error_page(error, lang)
        assert answer.status_code == status
        body = unescape(answer.body)
        assert f'lang="{lang}"' in body and "<h1>" in body


def test_form_fields_become_the_same_document_for_a_browser_and_an_api_client(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One path (presentation.formdata.request_from_form): the JSON answer to a form-encoded
    post used to keep the answers to questions that do not apply, and to leave out the
    sections nobody touched, where the hosted form dropped and kept them."""
    from functions.services import intake as intake_service

    documents: list[dict[str, Any]] = []

    def submitted(document: dict[str, Any]) -> Any:
        documents.append(copy.deepcopy(document))
        raise errors.InvalidRequest([errors.FieldError("/consent", "consent_required")])

    monkeypatch.setattr(intake_service, "submit", submitted)
    valid_request["institution"] = {
        "name": "Economic Community of West African States (ECOWAS)",
        "type": "regional_organisation",
        "region": "africa",
        "country": "SN",  # does not apply to a regional organisation
    }
    fields = form_fields_of({k: v for k, v in valid_request.items() if k != "request"})
    _, state = open_form(client)
    page = send(client, state, fields)
    plumbing = [("submission_id", state["submission_id"]), ("_csrf", state["_csrf"])]
    api_body = urlencode([*plumbing, *fields])  # a form post needs the token, whatever it asks
    api_headers = {"Content-Type": FORM, "Accept": "application/json", "Cookie": state["cookie"]}
    api = client.http.post("/requests", body=api_body, headers=api_headers)
    assert page.status_code == 422 and page.headers["Content-Type"].startswith("text/html")
    assert api.status_code == 422 and json.loads(api.body)["errors"][0]["code"] == (
        "consent_required"
    )
    browser_document, api_document = documents
    assert browser_document == api_document
    assert "country" not in api_document["institution"]
    assert api_document["request"] == {}  # untouched: each question gets its own message
