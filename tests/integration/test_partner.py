"""The partner's side after submitting: status page, answering a question, withdrawing."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.helpers import (
    PARTNER,
    Browser,
    mail_to,
    path_of,
    request_item,
    review_path,
    run_workers,
    sent_mail,
)
from tests.support import Stack


def status_path() -> str:
    [receipt] = mail_to(PARTNER, "receipt")
    return path_of(receipt.link("/requests/"))


def status_page_and_token() -> tuple[str, str]:
    """The status page's path and its ``token=...`` query, without the email's language."""
    request_path, query = status_path().split("?")
    token = next(part for part in query.split("&") if part.startswith("token="))
    return request_path, token


def test_the_status_page_shows_the_public_timeline(client: Any, submitted: str) -> None:
    # The receipt's link opens the page in the partner's language (French); here, in English.
    assert '<html lang="fr"' in client.http.get(status_path()).body.decode("utf-8")
    page = client.http.get(status_path() + "&lang=en")
    body = page.body.decode("utf-8")
    assert page.status_code == 200
    assert "Under review by the Steering Committee" in body
    assert "Request received" in body and "Review started" in body
    assert page.headers["Cache-Control"] == "no-store"


def test_the_status_page_answers_json_and_hides_the_committee(
    client: Any,
    stack: Stack,
    submitted: str,
) -> None:
    Browser(client).vote(review_path("intpa"), "approve", "Internal note: strong case")
    answer = client.http.get(status_path(), headers={"Accept": "application/json"})
    body = json.loads(answer.body)
    assert body["status"] == "under_review"
    assert [e["action"] for e in body["timeline"]] == ["submitted", "review_opened"]
    assert "Internal note" not in answer.body.decode("utf-8")
    assert "intpa" not in answer.body.decode("utf-8")


def test_a_status_link_works_only_for_its_own_request(
    client: Any,
    submitted: str,
) -> None:
    token = parse_qs(urlsplit(status_path()).query)["token"][0]
    assert client.http.get(f"/requests/{'0' * 32}?token={token}").status_code == 403
    assert client.http.get(f"/requests/{submitted}").status_code == 400
    review_token = urlsplit(review_path("intpa")).path.rsplit("/", 1)[1]
    assert client.http.get(f"/requests/{submitted}?token={review_token}").status_code == 403


def test_more_information_answered_then_approved_in_round_two(
    client: Any,
    stack: Stack,
    submitted: str,
) -> None:
    question = "Which agencies will take part in the referral mechanism?"
    assert (
        Browser(client).vote(review_path("home"), "more_information", question).status_code == 200
    )
    assert request_item(stack)["status"]["S"] == "information_requested"
    run_workers(client, stack)
    [asked] = mail_to(PARTNER, "information_requested")
    assert question in asked.text

    partner = Browser(client)
    page = partner.get(status_path())
    assert question in page.body.decode("utf-8")
    empty = partner.post(
        status_path().split("?")[0] + "/answer?" + status_path().split("?")[1],
        {"_csrf": partner.csrf_from(page), "answer": ""},
    )
    assert empty.status_code == 422
    answer_path = status_path().split("?")[0] + "/answer?" + status_path().split("?")[1]
    answered = partner.post(
        answer_path,
        {
            "_csrf": partner.csrf_from(page),
            "answer": "Police, social services and three NGOs.",
            "request.objectives": "Design, test and adopt a national referral mechanism.",
        },
    )
    assert answered.status_code == 200, answered.body
    item = request_item(stack)
    assert item["round"]["N"] == "2" and item["status"]["S"] == "submitted"
    assert json.loads(item["document"]["S"])["request"]["objectives"].startswith("Design, test")

    run_workers(client, stack)
    assert request_item(stack)["status"]["S"] == "under_review"
    round_two = [m for m in sent_mail() if m.kind == "review_request"]
    assert len(round_two) == 6  # three voters, two rounds
    # Round 2 shows the whole conversation: the question, who asked, the answer, the change.
    before = "Design and test a national referral mechanism"
    for mail in round_two[3:]:
        for text in (mail.text, mail.html):
            assert question in text and "Police, social services and three NGOs." in text
            assert "DG HOME" in text and before in text and "Design, test and adopt" in text
    page = client.http.get(review_path("intpa")).body.decode("utf-8")
    assert question in page and "Police, social services and three NGOs." in page
    assert "DG HOME" in page and before in page and "Design, test and adopt" in page
    assert "0 of 3 approvals needed" in page and "Nobody yet" in page
    trail = [e for e in stack.items_of_kind("event") if e["action"]["S"].startswith("information")]
    assert "Hugo" not in json.dumps(trail)  # bodies, never the members' names
    assert len(mail_to(PARTNER, "receipt")) == 1  # no second receipt
    for member in ("intpa", "home", "eeas"):
        assert Browser(client).vote(review_path(member), "approve").status_code == 200
    assert request_item(stack)["status"]["S"] == "approved"
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "decision_partner")) == 1
    votes = stack.items_of_kind("vote")
    assert sorted(v["sk"]["S"][:9] for v in votes) == ["VOTE#001#"] + ["VOTE#002#"] * 3
    # The timeline says each event's round, in every language: two reviews, told apart.
    for lang, started in TWO_REVIEWS.items():
        body = html.unescape(client.http.get(f"{status_path()}&lang={lang}").body.decode("utf-8"))
        assert all(f"{started} {n}" in body for n in ("1)", "2)")), lang


TWO_REVIEWS = {  # "Review started (round" in each language (the number follows)
    "en": "Review started (round",
    "fr": "Début de l'examen (tour",
    "es": "Inicio del examen (ronda",
    "ar": "بدء المراجعة (الجولة",
    "ru": "Начато рассмотрение (раунд",
}


def test_an_old_round_link_cannot_vote_in_the_new_round(
    client: Any,
    stack: Stack,
    submitted: str,
) -> None:
    old_link = review_path("intpa")
    member = Browser(client)
    old_page = member.get(old_link)  # opened in round 1 ...
    Browser(client).vote(review_path("home"), "more_information", "Which agencies?")
    partner = Browser(client)
    page = partner.get(status_path())
    answer_path = status_path().split("?")[0] + "/answer?" + status_path().split("?")[1]
    partner.post(answer_path, {"_csrf": partner.csrf_from(page), "answer": "The police."})
    run_workers(client, stack)
    fields = {"_csrf": member.csrf_from(old_page), "choice": "approve", "comment": ""}
    stale = member.post(old_link, fields)  # ... sent in round 2
    assert stale.status_code == 409
    assert "This review round has ended" in stale.body.decode("utf-8")
    assert len(stack.items_of_kind("vote")) == 1


def test_withdrawal_stops_the_review_and_tells_the_officer(
    client: Any,
    stack: Stack,
    submitted: str,
) -> None:
    member = Browser(client)
    ballot = member.get(review_path("intpa"))  # a vote racing the withdrawal
    partner = Browser(client)
    withdraw_path = status_path().split("?")[0] + "/withdraw?" + status_path().split("?")[1]
    page = partner.get(withdraw_path)  # the confirmation: the status page links to it
    done = partner.post(withdraw_path, {"_csrf": partner.csrf_from(page)})
    assert done.status_code == 200
    assert request_item(stack)["status"]["S"] == "withdrawn"
    fields = {"_csrf": member.csrf_from(ballot), "choice": "approve", "comment": ""}
    late = member.post(review_path("intpa"), fields)
    assert late.status_code == 409
    assert stack.items_of_kind("vote") == []
    run_workers(client, stack)
    assert len(mail_to("paula@icmpd.example.org", "withdrawn")) == 1
    again = partner.post(withdraw_path, {"_csrf": partner.csrf_from(page)})
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("language", "question", "button"),
    [
        ("en", "Are you sure you want to withdraw the request?", "Yes, withdraw the request"),
        ("fr", "Voulez-vous vraiment retirer la demande\u202f?", "Oui, retirer la demande"),
        ("es", "¿Seguro que desea retirar la solicitud?", "Sí, retirar la solicitud"),
        ("ar", "هل أنت متأكد من أنك تريد سحب الطلب؟", "نعم، اسحب الطلب"),
        ("ru", "Вы уверены, что хотите отозвать заявку?", "Да, отозвать заявку"),
    ],
)
def test_withdrawing_asks_first_and_the_question_changes_nothing(
    client: Any, stack: Stack, submitted: str, language: str, question: str, button: str
) -> None:
    request_path, query = status_page_and_token()
    withdraw_path = f"{request_path}/withdraw?{query}"
    status = client.http.get(f"{request_path}?{query}&lang={language}").body.decode("utf-8")
    assert f'href="{withdraw_path}&amp;lang={language}"' in status  # a link, not a form
    assert 'class="button button-warning"' in status
    before = stack.items()
    browser = Browser(client)
    answer = browser.get(f"{withdraw_path}&lang={language}")
    body = answer.body.decode("utf-8")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert f'lang="{language}"' in body and question in body and button in body
    assert f'action="{withdraw_path}&amp;lang={language}"' in body and browser.csrf_from(answer)
    assert f'href="{request_path}?{query}&amp;lang={language}"' in body  # cancel: back
    assert client.http.request("HEAD", withdraw_path).status_code == 200
    assert stack.items() == before
    assert request_item(stack)["status"]["S"] == "under_review"


def test_the_confirmation_needs_the_status_token_and_an_open_request(
    client: Any, stack: Stack, submitted: str
) -> None:
    request_path, query = status_page_and_token()
    assert client.http.get(f"{request_path}/withdraw").status_code == 400
    assert client.http.get(f"/requests/{'0' * 32}/withdraw?{query}").status_code == 403
    partner = Browser(client)
    page = partner.get(f"{request_path}/withdraw?{query}")
    partner.post(f"{request_path}/withdraw?{query}", {"_csrf": partner.csrf_from(page)})
    again = client.http.get(f"{request_path}/withdraw?{query}")
    assert again.status_code == 409
    assert "This action is no longer possible" in again.body.decode("utf-8")


def test_withdrawal_needs_the_page_token(client: Any, stack: Stack, submitted: str) -> None:
    withdraw_path = status_path().split("?")[0] + "/withdraw?" + status_path().split("?")[1]
    assert Browser(client).post(withdraw_path, {}).status_code == 403
    assert request_item(stack)["status"]["S"] == "under_review"


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_scanners_on_the_status_link_change_nothing(
    client: Any,
    stack: Stack,
    submitted: str,
    method: str,
) -> None:
    before = stack.items()
    for _ in range(3):
        assert client.http.request(method, status_path(), headers={}).status_code == 200
    assert stack.items() == before
