"""Emails speak each reader's language: the partner's preferred one, each member's own."""

from __future__ import annotations

import copy
from typing import Any

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
