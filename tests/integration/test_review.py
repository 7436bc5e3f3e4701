"""The committee's review, end to end under moto: dispatch, emails, votes, one decision."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.integration.helpers import (
    MEMBER_EMAIL,
    PARTNER,
    VOTERS,
    Browser,
    mail_to,
    request_item,
    review_path,
    run_workers,
    seed_committee,
    sent_mail,
    submit,
)
from tests.support import Stack


def votes_in(stack: Stack) -> list[dict[str, Any]]:
    return stack.items_of_kind("vote")


def test_dispatch_sends_a_receipt_and_one_review_request_per_voter(
    submitted: str, stack: Stack
) -> None:
    mails = sent_mail()
    assert sorted((m.kind, m.to[0]) for m in mails) == sorted(
        [("receipt", PARTNER)] + [("review_request", MEMBER_EMAIL[m]) for m in VOTERS]
    )
    assert request_item(stack)["status"]["S"] == "under_review"
    [receipt] = mail_to(PARTNER, "receipt")
    assert "MX-20" in receipt.subject and "/requests/" in receipt.link("/requests/")
    assert receipt.text and receipt.html.startswith("<!DOCTYPE html>")
    # The French-speaking partner reads French; so does the French-speaking member.
    assert receipt.language == "fr"
    assert [m.language for m in mail_to(MEMBER_EMAIL["home"])] == ["fr"]
    assert [m.language for m in mail_to(MEMBER_EMAIL["intpa"])] == ["en"]


def test_a_task_delivered_twice_sends_every_email_once(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    seed_committee()
    request_id = submit(client, valid_request)
    task = stack.review_tasks()
    from tests.integration.helpers import sqs_event

    for _ in range(2):
        client.lambda_.invoke("review_tasks", sqs_event(stack.env["REVIEW_QUEUE_URL"], task))
    notes = stack.notifications()
    assert len(notes) == 8  # two deliveries queue everything twice ...
    for body in notes:
        client.lambda_.invoke("notifications", sqs_event(stack.env["NOTIFY_QUEUE_URL"], [body]))
    assert len(sent_mail()) == 4  # ... and each email goes once.
    assert request_id


def test_a_scanner_fetching_review_links_changes_nothing(
    client: Any, stack: Stack, submitted: str
) -> None:
    before = stack.items()
    for member in VOTERS:
        for method in ("GET", "HEAD", "GET"):
            answer = client.http.request(method, review_path(member), headers={})
            assert answer.status_code == 200
    assert stack.items() == before
    assert votes_in(stack) == []


def test_the_review_page_shows_the_request_and_is_not_cached(
    client: Any, submitted: str, valid_request: dict[str, Any]
) -> None:
    page = client.http.get(review_path("intpa"))
    body = page.body.decode("utf-8")
    assert valid_request["request"]["title"] in body
    assert 'name="choice" value="approve"' in body and 'name="_csrf"' in body
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_unanimous_approval_decides_once_and_tells_everyone(
    client: Any, stack: Stack, submitted: str
) -> None:
    for member in VOTERS:
        answer = Browser(client).vote(review_path(member), "approve")
        assert answer.status_code == 200, answer.body
    assert request_item(stack)["status"]["S"] == "approved"
    run_workers(client, stack)
    [decision] = mail_to(PARTNER, "decision_partner")
    assert "approuvé" in decision.text or "approved" in decision.text
    assert len(mail_to("paula@icmpd.example.org", "decision_officer")) == 1
    assert len(mail_to("pavel@icmpd.example.org")) == 0  # not his region
    committee_told = [m for m in sent_mail() if m.kind == "decision_committee"]
    assert len(committee_told) == 4  # the three voters and the observer
    events = [e["action"]["S"] for e in stack.items_of_kind("event")]
    assert events.count("approved") == 1 and events.count("vote_cast") == 3


def test_a_rejection_needs_reasons_and_the_partner_reads_them(
    client: Any, stack: Stack, submitted: str
) -> None:
    browser = Browser(client)
    empty = browser.vote(review_path("home"), "reject", "")
    assert empty.status_code == 422
    assert "error-summary" in empty.body.decode("utf-8")
    assert votes_in(stack) == []
    answer = browser.vote(review_path("home"), "reject", "Outside the facility's mandate.")
    assert answer.status_code == 200
    assert request_item(stack)["status"]["S"] == "rejected"
    run_workers(client, stack)
    [decision] = mail_to(PARTNER, "decision_partner")
    assert "Outside the facility's mandate." in decision.text


def test_one_vote_per_member_per_round(client: Any, stack: Stack, submitted: str) -> None:
    browser = Browser(client)
    assert browser.vote(review_path("intpa"), "approve").status_code == 200
    again = browser.vote(review_path("intpa"), "reject", "Changed my mind")  # a replayed POST
    assert again.status_code == 409
    assert "Your vote is recorded" in again.body.decode("utf-8")
    [vote] = votes_in(stack)
    assert vote["choice"]["S"] == "approve"


def test_concurrent_last_votes_make_one_decision_and_one_email(
    client: Any, stack: Stack, submitted: str
) -> None:
    # In English whatever each member reads (the links carry the member's language).
    paths = {member: review_path(member) + "&lang=en" for member in VOTERS}
    browsers = {member: Browser(client) for member in VOTERS}
    forms = {}
    for member in VOTERS:
        page = browsers[member].get(paths[member])
        forms[member] = {
            "_csrf": browsers[member].csrf_from(page),
            "choice": "approve",
            "comment": "",
        }
    barrier = threading.Barrier(len(VOTERS))
    statuses: list[int] = []
    pages: list[str] = []

    def vote(member: str) -> None:
        barrier.wait()
        answer = browsers[member].post(paths[member], forms[member])
        statuses.append(answer.status_code)
        pages.append(answer.body.decode("utf-8"))

    threads = [threading.Thread(target=vote, args=(m,)) for m in VOTERS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200, 200]
    # The decision is made once, and said once: only the vote whose call made it says "with
    # your vote"; the others say what the committee decided (or, read before it, that it will).
    assert sum("With your vote the committee has approved" in p for p in pages) == 1
    others = [p for p in pages if "With your vote" not in p]
    assert all("The committee has approved" in p or "enough members" in p for p in others)
    events = [e["action"]["S"] for e in stack.items_of_kind("event")]
    assert events.count("approved") == 1
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "decision_partner")) == 1


def test_votes_after_the_decision_are_refused(client: Any, stack: Stack, submitted: str) -> None:
    late_voter = Browser(client)
    page = late_voter.get(review_path("intpa"))  # opened before the decision ...
    Browser(client).vote(review_path("eeas"), "reject", "No capacity this year.")
    fields = {"_csrf": late_voter.csrf_from(page), "choice": "approve", "comment": ""}
    late = late_voter.post(review_path("intpa"), fields)  # ... sent after it
    assert late.status_code == 409
    assert len(votes_in(stack)) == 1


@pytest.mark.parametrize(
    ("mangle", "status"),
    [
        (lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"), 400),
        (lambda t: "not-a-token", 400),
    ],
)
def test_tampered_links_are_refused(client: Any, submitted: str, mangle: Any, status: int) -> None:
    path = review_path("intpa")
    token = urlsplit(path).path.rsplit("/", 1)[1]  # without the link's ?lang=
    answer = client.http.get(f"/review/{mangle(token)}")
    assert answer.status_code == status
    assert "not valid" in answer.body.decode("utf-8")


def test_a_status_link_is_not_a_review_link(client: Any, submitted: str) -> None:
    [receipt] = mail_to(PARTNER, "receipt")
    token = parse_qs(urlsplit(receipt.link("/requests/")).query)["token"][0]
    answer = client.http.get(f"/review/{token}")
    assert answer.status_code == 403


def test_an_expired_link_is_gone(
    client: Any, submitted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from itsdangerous.timed import TimestampSigner

    path = review_path("intpa")
    monkeypatch.setenv("LINK_MAX_AGE_DAYS", "0")
    # The signer's clock a few seconds on, instead of waiting for the link to age.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 5)
    assert client.http.get(path).status_code == 410


def set_keys(stack: Stack, value: str) -> None:
    """Put a new version of the signing-key secret and drop the cached keys."""
    import boto3

    from functions.adapters import secrets

    boto3.client("secretsmanager", region_name="eu-west-1").put_secret_value(
        SecretId=stack.env["SIGNING_KEYS_SECRET_ID"], SecretString=value
    )
    secrets.forget()


def test_keys_rotate_old_links_keep_working(client: Any, stack: Stack, submitted: str) -> None:
    import boto3

    path = review_path("intpa")
    old = boto3.client("secretsmanager", region_name="eu-west-1").get_secret_value(
        SecretId=stack.env["SIGNING_KEYS_SECRET_ID"]
    )["SecretString"]
    from functions.adapters.secrets import parse_secret

    held = ",".join(parse_secret(old).keys)  # the secret is JSON now; the old form still reads
    set_keys(stack, f"{held},{'n' * 48}")  # a new key signs; the old one still verifies
    assert client.http.get(path).status_code == 200
    new_link = client.http.get(path).body.decode("utf-8")
    assert "Record my vote" in new_link
    set_keys(stack, "n" * 48)  # the old key retired: links signed with it die
    assert client.http.get(path).status_code == 400


def test_a_missing_key_fails_closed(client: Any, stack: Stack, submitted: str) -> None:
    path = review_path("intpa")
    set_keys(stack, " ")
    answer = client.http.get(path)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"


def test_a_failing_secret_store_mints_no_link(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    from functions.adapters import aws, secrets
    from tests.integration.faults import inject

    seed_committee()
    secrets.forget()
    inject(
        aws.client("secretsmanager", "eu-west-1"),
        "secrets-manager.GetSecretValue",
        lambda n: True,
        500,
        "InternalServiceError",
    )
    answer = client.http.post(
        "/requests", body=json.dumps(valid_request), headers={"Content-Type": "application/json"}
    )
    # No link can be minted, so nothing is stored or queued; the answer says try again.
    assert answer.status_code == 503
    assert "signing" not in answer.body.decode("utf-8")
    assert stack.items_of_kind("request") == [] and stack.review_tasks() == []


def test_a_vote_without_the_anti_forgery_token_is_refused(
    client: Any, stack: Stack, submitted: str
) -> None:
    browser = Browser(client)
    path = review_path("intpa")
    browser.get(path)
    answer = browser.post(path, {"choice": "approve"})
    assert answer.status_code == 403
    stranger = Browser(client)  # a token from another browser's page, without its cookie
    token = browser.csrf_from(browser.get(path))
    assert stranger.post(path, {"_csrf": token, "choice": "approve"}).status_code == 403
    assert votes_in(stack) == []


def test_the_links_in_mail_use_the_configured_base_url(client: Any, submitted: str) -> None:
    for mail in sent_mail():
        for url in mail.text.split():
            if url.startswith("http"):
                assert url.startswith("https://mieux.example.org/")


def test_the_review_page_shows_the_whole_request_the_instruments_and_the_round(
    client: Any, submitted: str, valid_request: dict[str, Any]
) -> None:
    assert Browser(client).vote(review_path("home"), "approve").status_code == 200
    for language, words in (
        ("en", ("Type of institution", "Preferred start", "Position", "1 of 3 approvals needed")),
        ("fr", ("Type d", "Sénégal", "1 sur 3")),
        ("ar", ('dir="rtl"', "السنغال")),
    ):
        # The link carries the member's language; the last ``lang`` wins.
        body = client.http.get(review_path("intpa") + f"&lang={language}").body.decode("utf-8")
        for word in words:
            assert word in body, (language, word)
        assert "DG HOME" in body and "Hugo Home" not in body  # who voted: the body, no name
        assert valid_request["contact"]["position"] in body
        assert valid_request["request"]["other_donors"] in body
        assert "DCI" in body or "EDF" in body  # Senegal's instruments


def test_a_field_added_to_a_copy_of_the_schema_is_read_on_the_review_page() -> None:
    import copy

    from functions.domain import schemas
    from functions.domain.reference import reference_data
    from functions.domain.voting import Progress
    from functions.presentation.formspec import build_form
    from functions.presentation.readout import read_request
    from functions.presentation.render import render
    from functions.services.review import RoundProgress
    from tests.support import example_request

    schema = copy.deepcopy(schemas.request_schema())
    schema["properties"]["request"]["properties"]["budget_line"] = {
        "type": "string",
        "title": "Budget line",
        "enum": ["a", "b"],
        "x-widget": "radios",
    }
    document = example_request()
    document["request"]["budget_line"] = "b"
    parts = read_request(build_form(schema), document, "en")
    html = render(
        "pages/_request_reading.html",
        "en",
        parts=parts,
        progress=RoundProgress(Progress("majority", 3, (), 0, 2, 0), ()),
        conversation=[],
        instruments=reference_data().countries["SN"].instruments,
        field_titles={},
    )
    assert 'data-field="request.budget_line"><dt>Budget line</dt><dd>b</dd>' in html
    assert "0 of 2 approvals needed" in html and "Majority of the voting members" in html
