"""Save and continue later (issue 20), through the pages, the queue, the mail worker and moto."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.mail import email_hash
from functions.services import erasure, sweep
from tests.integration.helpers import (
    Browser,
    form_fields_of,
    mail_to,
    path_of,
    run_workers,
    sent_mail,
)
from tests.support import Stack, example_request

ADDRESS = "ana.lopez@example.org"
HTML = {"Accept": "text/html"}


def hidden_of(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page))


def half_a_form() -> list[tuple[str, str]]:
    """The institution and the contact answered; the request itself not started."""
    document = example_request()
    document["contact"]["email"] = ADDRESS
    fields = form_fields_of({k: document[k] for k in ("institution", "contact")})
    return [(k, v) for k, v in fields if k != "contact.preferred_language"]


def post_form(
    browser: Browser, page: Any, fields: list[tuple[str, str]], lang: str, save: bool
) -> Any:
    """Post the form ``page`` holds (its hidden fields, the trap left empty) with ``fields``,
    by its "Save and continue later" button when ``save``."""
    hidden = hidden_of(page if isinstance(page, str) else page.body.decode("utf-8"))
    body = [*hidden.items(), ("website", ""), *fields]
    if save:
        body.append(("_action", "save"))
    headers = browser._headers(
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}
    )
    return browser._keep(
        browser.client.http.post(f"/requests?lang={lang}", body=urlencode(body), headers=headers)
    )


def saved_half_form(client: Any, stack: Stack, lang: str = "es") -> tuple[Any, str]:
    """Save half a form; the page answered and the draft link from the email."""
    browser = Browser(client)
    form = browser.get(f"/?lang={lang}", HTML)
    answer = post_form(browser, form, half_a_form(), lang, save=True)
    assert answer.status_code == 200, answer.body.decode()[:2000]
    run_workers(client, stack)
    [mail] = mail_to(ADDRESS, "draft_saved")
    return answer, mail.link("/drafts/")


def test_saving_half_a_form_mails_a_link_that_puts_every_answer_back(
    client: Any, stack: Stack
) -> None:
    answer, link = saved_half_form(client, stack)

    page = unescape(answer.body.decode("utf-8"))
    assert '<html lang="es"' in page and ADDRESS in page
    [mail] = mail_to(ADDRESS, "draft_saved")
    assert mail.language == "es" and "lang=es" in link
    assert not stack.review_tasks() and not stack.notifications()  # no request, no review
    assert list(repository().requests_in_status("submitted")) == []

    # A new browser (no cookie): the link shows the form with the answers, changes nothing.
    other = Browser(client)
    continued = other.get(path_of(link), HTML)
    assert continued.status_code == 200
    restored = unescape(continued.body.decode("utf-8"))
    document = example_request()
    assert f'value="{document["institution"]["name"]}"' in restored
    assert f'value="{ADDRESS}"' in restored
    assert 'name="_draft"' in restored
    # The language switcher keeps the draft: the same link in another language.
    switch = re.search(r'href="(/drafts/[^"]+lang=fr)"', restored)
    assert switch, "the language switcher leaves the draft"
    in_french = other.get(unescape(switch.group(1)), HTML)
    assert in_french.status_code == 200 and '<html lang="fr"' in in_french.body.decode()
    assert "Save and continue later" not in restored  # Spanish page
    draft_id = urlsplit(link).path.rsplit("/", 1)[-1]
    stored = repository().get_draft(draft_id)
    assert stored is not None and stored.version == 1 and stored.language == "es"


def test_saving_again_updates_the_same_draft_and_sending_deletes_it(
    client: Any, stack: Stack
) -> None:
    _, link = saved_half_form(client, stack)
    draft_id = urlsplit(link).path.rsplit("/", 1)[-1]
    browser = Browser(client)
    page = browser.get(path_of(link), HTML)

    fields = [*half_a_form(), ("request.title", "Borrador")]
    saved = post_form(browser, page, fields, "es", save=True)
    assert saved.status_code == 200
    again = repository().get_draft(draft_id)
    assert (
        again is not None and again.version == 2 and again.values["request.title"] == ["Borrador"]
    )
    run_workers(client, stack)
    assert len(mail_to(ADDRESS, "draft_saved")) == 2

    everything = [
        (k, v) for k, v in form_fields_of(example_request()) if not k.startswith("contact.email")
    ] + [("contact.email", ADDRESS)]
    sent = post_form(browser, page, everything, "es", save=False)
    assert sent.status_code == 201, sent.body.decode()[:3000]
    assert repository().get_draft(draft_id) is None
    assert client.http.get(path_of(link), headers=HTML).status_code == 410


def test_a_draft_checks_what_was_answered_but_not_what_is_missing(
    client: Any, stack: Stack
) -> None:
    browser = Browser(client)
    form = browser.get("/?lang=en", HTML)
    too_long = [*half_a_form(), ("request.title", "x" * 5000)]
    answer = post_form(browser, form, too_long, "en", save=True)
    assert answer.status_code == 422
    page = unescape(answer.body.decode("utf-8"))
    assert "Title" in page and "characters or fewer" in page
    # The missing answers are not errors of a draft: one error, the title's.
    assert page.count('class="error-message"') == 1

    no_address = [(k, v) for k, v in half_a_form() if k != "contact.email"]
    answer = post_form(browser, browser.get("/", HTML), no_address, "en", save=True)
    assert answer.status_code == 422
    assert "Enter your email address to save the form" in unescape(answer.body.decode())
    assert not stack.notifications() and sent_mail() == []


def test_a_draft_link_that_expired_explains_itself_in_five_languages(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, link = saved_half_form(client, stack)
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    headings = {
        "en": "This saved form is no longer available",
        "fr": "Ce formulaire enregistré n\u2019est plus disponible",
        "es": "Este formulario guardado ya no está disponible",
        "ar": "هذا النموذج المحفوظ لم يعد متاحًا",
        "ru": "Эта сохранённая форма больше недоступна",
    }
    for lang, heading in headings.items():
        answer = client.http.get(path_of(link).replace("lang=es", f"lang={lang}"), headers=HTML)
        assert answer.status_code == 410
        assert heading in unescape(answer.body.decode("utf-8")), lang


def test_a_forged_or_foreign_draft_link_shows_nothing(client: Any, stack: Stack) -> None:
    _, link = saved_half_form(client, stack)
    parts = urlsplit(link)
    token = parse_qs(parts.query)["token"][0]
    assert client.http.get(f"{parts.path}?token={token[:-4]}", headers=HTML).status_code == 400
    other_id = "0" * 32
    assert client.http.get(f"/drafts/{other_id}?token={token}", headers=HTML).status_code == 403
    assert client.http.get(f"{parts.path}", headers=HTML).status_code == 400
    assert ADDRESS not in client.http.get(f"/drafts/{other_id}?token={token}").body.decode()


def test_the_reminder_goes_once_before_the_draft_ends(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_half_form(client, stack)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=24))
    assert sweep.sweep(clock.now())["draft_reminders"] == 0
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=25, minutes=1))
    assert sweep.sweep(clock.now())["draft_reminders"] == 1
    assert sweep.sweep(clock.now())["draft_reminders"] == 0
    run_workers(client, stack)
    [reminder] = mail_to(ADDRESS, "draft_expiring")
    assert reminder.language == "es" and "/drafts/" in reminder.text


def test_erasure_deletes_the_drafts_of_the_address(client: Any, stack: Stack) -> None:
    _, link = saved_half_form(client, stack)
    draft_id = urlsplit(link).path.rsplit("/", 1)[-1]

    report = erasure.erase_person(ADDRESS.upper())

    assert report.changed["draft"] == 1
    assert repository().get_draft(draft_id) is None
    assert client.http.get(path_of(link), headers=HTML).status_code == 410


def test_saving_needs_the_forms_anti_forgery_token(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    form = browser.get("/?lang=en", HTML)
    page = form.body.decode("utf-8")
    forged = page.replace('name="_csrf" value="', 'name="_csrf" value="x')
    answer = post_form(browser, forged, half_a_form(), "en", save=True)
    assert answer.status_code == 403
    assert not stack.notifications()
    assert repository().draft_ids_by_email_hash(email_hash(ADDRESS)) == []


def test_answers_to_no_question_of_the_form_are_refused(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    form = browser.get("/?lang=en", HTML)
    answer = post_form(browser, form, [*half_a_form(), ("evil.field", "x" * 1000)], "en", save=True)
    assert answer.status_code == 422
    assert not stack.notifications()


@pytest.mark.parametrize(
    "path",
    [
        "/drafts/" + "a" * 5000 + "?token=" + "b" * 5000,
        "/drafts/%00?token=x",
        "/drafts/x?token=" + "." * 3000,
        "/drafts/x",
    ],
)
def test_hostile_draft_links_are_refused_quickly(client: Any, stack: Stack, path: str) -> None:
    answer = client.http.get(path, headers=HTML)
    assert 400 <= answer.status_code < 500
    assert "data-form" not in answer.body.decode("utf-8")  # never the form, never answers
