"""Emails speak each reader's language: the partner's preferred one, each member's own."""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.helpers import (
    COMMITTEE,
    MEMBER_EMAIL,
    PARTNER,
    VOTERS,
    Browser,
    mail_to,
    path_of,
    run_workers,
    seed_committee,
    submit,
)
from tests.support import Stack


def committee_with_an_arabic_speaking_member() -> dict[str, Any]:
    data = copy.deepcopy(COMMITTEE)
    [eeas] = [m for m in data["members"] if m["id"] == "eeas"]
    eeas["language"] = "ar"
    return data


def test_the_partner_reads_french_and_the_member_reads_arabic(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    assert valid_request["contact"]["preferred_language"] == "fr"
    seed_committee(committee_with_an_arabic_speaking_member())
    submit(client, valid_request)
    run_workers(client, stack)

    [receipt] = mail_to(PARTNER, "receipt")
    assert receipt.language == "fr"
    assert receipt.subject.startswith("Nous avons bien reçu votre demande \u2066MX-")
    assert "Nous avons bien reçu votre demande d'assistance" in receipt.text
    assert "page de suivi" in receipt.text and "comité de pilotage" in receipt.text
    # French typography in the template's labels too: "Référence\u00a0: MX-...", the reference
    # isolated (LRI ... PDI) so that it keeps its order in any direction.
    assert "\nRéférence\u00a0: \u2066MX-" in receipt.text
    assert receipt.text.split("\nRéférence", 1)[1].count("\u00a0: ") >= 2  # the other labels
    assert "Référence:" not in receipt.text and "Référence :" not in receipt.text
    assert '<html lang="fr" dir="ltr">' in receipt.html

    [review] = mail_to(MEMBER_EMAIL["eeas"], "review_request")
    assert review.language == "ar"
    assert review.subject.startswith("يُرجى مراجعة الطلب \u2066MX-")  # the reference left to right
    assert valid_request["request"]["title"] in review.subject  # the partner's words, as written
    assert "طلب مساعدة جديد بانتظار مراجعتك." in review.text
    assert "هذا الرابط شخصي" in review.text
    assert '<html lang="ar" dir="rtl">' in review.html
    assert "مراجعة الطلب</a>" in review.html  # the button

    for member in VOTERS:
        answer = Browser(client).vote(
            path_of(mail_to(MEMBER_EMAIL[member])[0].link("/review/")), "approve"
        )
        assert answer.status_code == 200, answer.body
    run_workers(client, stack)

    [decision] = mail_to(PARTNER, "decision_partner")
    assert decision.language == "fr"
    assert decision.subject.startswith("Décision concernant votre demande \u2066MX-")
    assert "a approuvé votre demande" in decision.text
    assert "Le chargé de projet de votre région prendra contact avec vous" in decision.text
    assert '<html lang="fr" dir="ltr">' in decision.html

    [told] = mail_to(MEMBER_EMAIL["eeas"], "decision_committee")
    assert told.subject.endswith(": تمت الموافقة عليه")
    assert "اتخذت اللجنة التوجيهية قرارًا بشأن الطلب" in told.text
    assert '<html lang="ar" dir="rtl">' in told.html


LANGUAGES = ("en", "fr", "es", "ar", "ru")
OTHER = {"en": "ru", "fr": "en", "es": "ar", "ar": "fr", "ru": "es"}


def links_in(mail: Any, path: str) -> list[str]:
    """Every link to ``path`` in both bodies of an email (the HTML's ``&amp;`` undone)."""
    html = re.findall(r'href="(https?://[^"]*' + re.escape(path) + r'[^"]*)"', mail.html)
    text = re.findall(r"https?://\S*" + re.escape(path) + r"\S*", mail.text)
    return [link.replace("&amp;", "&") for link in html] + text


def committee_speaking(language: str) -> dict[str, Any]:
    data = copy.deepcopy(COMMITTEE)
    for member in data["members"]:
        member["language"] = language
    return data


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_link_in_an_email_opens_the_page_in_the_emails_language(
    client: Any, stack: Stack, valid_request: dict[str, Any], language: str
) -> None:
    document = copy.deepcopy(valid_request)
    document["contact"]["preferred_language"] = language
    seed_committee(committee_speaking(language))
    request_id = submit(client, document)
    run_workers(client, stack)
    # The browser asks for another language: the link's own language wins.
    browser_says = {"Accept-Language": OTHER[language]}

    [review] = mail_to(MEMBER_EMAIL["intpa"], "review_request")
    assert review.language == language
    [review_link, *more] = links_in(review, "/review/")
    assert more and set(more) == {review_link}, "the text and the HTML give the same link"
    assert parse_qs(urlsplit(review_link).query)["lang"] == [language]
    page = Browser(client).get(path_of(review_link), headers=browser_says)
    assert page.status_code == 200
    assert f'<html lang="{language}"' in page.body.decode("utf-8")

    for member in VOTERS:
        link = links_in(mail_to(MEMBER_EMAIL[member], "review_request")[0], "/review/")[0]
        answer = Browser(client).vote(path_of(link), "approve")
        assert answer.status_code == 200, answer.body
        assert f'<html lang="{language}"' in answer.body.decode("utf-8")
    run_workers(client, stack)

    for kind in ("receipt", "decision_partner"):
        [mail] = mail_to(PARTNER, kind)
        assert mail.language == language, kind
        status_links = links_in(mail, f"/requests/{request_id}")
        assert len(status_links) >= 2, f"{kind}: a status link in the text and in the HTML"
        for link in status_links:
            query = parse_qs(urlsplit(link).query)
            assert query["lang"] == [language] and query["token"], (kind, link)
        page = Browser(client).get(path_of(status_links[0]), headers=browser_says)
        body = page.body.decode("utf-8")
        assert page.status_code == 200
        assert f'<html lang="{language}"' in body, kind
        # The switcher still works: each language's link keeps the token, without this one.
        token = parse_qs(urlsplit(status_links[0]).query)["token"][0]
        for other in LANGUAGES:
            switch = f'href="/requests/{request_id}?token={token}&amp;lang={other}"'
            assert switch in body, (kind, other)
        switched = Browser(client).get(
            f"/requests/{request_id}?token={token}&lang={OTHER[language]}"
        )
        assert f'<html lang="{OTHER[language]}"' in switched.body.decode("utf-8")
