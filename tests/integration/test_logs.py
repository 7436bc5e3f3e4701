"""A whole local flow read as an operator reads CloudWatch: every log line is JSON with its ids,
every metric line is EMF, and nothing personal appears anywhere (issue 16, item 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.helpers import (
    COMMITTEE,
    JSON,
    VOTERS,
    Browser,
    path_of,
    seed_committee,
    sent_mail,
)
from tests.integration.observed import log_lines, metric_lines, named, run_workers
from tests.support import Stack

CORRELATION = "partner-portal-7f3a"


def personal_values(document: dict[str, Any]) -> set[str]:
    """What must never reach a log or a metric: the contact's details and every text someone
    wrote in the request (names, titles, free text: any string with a space or an @), and the
    committee's and officers' names and addresses."""
    values: set[str] = set()

    def walk(value: Any, under_contact: bool) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, under_contact or key == "contact")
        elif isinstance(value, list):
            for child in value:
                walk(child, under_contact)
        elif isinstance(value, str) and len(value) >= 4:
            written = " " in value or "@" in value
            if written or (under_contact and value not in ("en", "fr", "es", "ar", "ru")):
                values.add(value)

    walk(document, False)
    for person in COMMITTEE["members"] + COMMITTEE["officers"]:
        values.update({person["name"], person["email"]})
    return values


def review_links() -> dict[str, str]:
    """Each voter's review link, from the review request they were mailed."""
    from tests.integration.helpers import MEMBER_EMAIL

    links = {}
    for member, address in MEMBER_EMAIL.items():
        [mail] = [m for m in sent_mail() if address in m.to and m.kind == "review_request"]
        links[member] = path_of(mail.link("/review/"))
    return links


def test_a_whole_flow_logs_json_lines_with_ids_and_nothing_personal(
    client: Any, stack: Stack, valid_request: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """Submit (with the portal's correlation id), the review task, the receipt and review
    emails, three votes through the review pages, the decision and its emails."""
    seed_committee()
    capsys.readouterr()
    with log_lines() as lines:
        answer = client.http.post(
            "/requests",
            body=json.dumps(valid_request),
            headers={**JSON, "X-Correlation-Id": CORRELATION},
        )
        assert answer.status_code == 201
        assert answer.headers["X-Correlation-Id"] == CORRELATION
        request_id = json.loads(answer.body)["id"]
        reference = json.loads(answer.body)["reference"]
        assert run_workers(client, stack) == 5  # the task, the receipt, three review requests
        browser = Browser(client)
        links = review_links()
        for member in VOTERS:
            voted = browser.vote(links[member], "approve")
            assert voted.status_code == 200
        assert run_workers(client, stack) >= 5  # the decision's emails
    output = capsys.readouterr().out
    assert {m.kind for m in sent_mail()} >= {"receipt", "review_request", "decision_partner"}

    # Every line parsed (log_lines fails otherwise), and each carries its ids.
    assert len(lines) >= 12
    for line in lines:
        assert {"timestamp", "level", "message", "logger"} <= set(line), line
        assert line["requestId"] and line["correlation_id"], line
        assert line["request_id"] == request_id, line
        if line["logger"].startswith("functions.workers") or "sqs_message_id" in line:
            assert line["sqs_message_id"], line
    messages = [line["message"] for line in lines]
    assert "request submitted" in messages and "decision: approved" in messages

    # The submission's correlation id follows the request through SQS to the workers.
    submitted = [line for line in lines if line["message"] == "request submitted"]
    assert [line["correlation_id"] for line in submitted] == [CORRELATION]
    assert submitted[0]["reference"] == reference
    first_round = [line for line in lines if line["message"].startswith("review task")]
    first_round += [
        line
        for line in lines
        if line.get("mail_kind") in ("receipt", "review_request") and "outcome" in line
    ]
    assert len(first_round) == 5
    assert {line["correlation_id"] for line in first_round} == {CORRELATION}
    # The decision's emails carry the id of the vote that decided.
    [decision] = [line for line in lines if line["message"] == "decision: approved"]
    decision_mail = [
        line for line in lines if str(line.get("mail_kind", "")).startswith("decision")
    ]
    assert decision_mail and {line["correlation_id"] for line in decision_mail} == {
        decision["correlation_id"]
    }
    assert decision["correlation_id"] != CORRELATION  # a vote is its own request at the edge
    assert len({line["requestId"] for line in lines}) >= 10  # one per invocation

    # The metrics of the flow, each an EMF document with the ids.
    documents = metric_lines(output)
    assert [d["RequestsSubmitted"] for d in named(documents, "RequestsSubmitted")] == [1]
    [decided] = named(documents, "Decisions")
    assert (decided["Code"], decided["request_id"]) == ("approved", request_id)
    assert len(named(documents, "MailSent")) == len(sent_mail())
    assert all(d["correlation_id"] and d["requestId"] for d in documents)

    # Nothing personal, anywhere: not in the raw lines, not in any value.
    everything = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + output
    personal = personal_values(valid_request)
    assert "a.diallo@interieur.example.sn" in personal and len(personal) > 10
    leaked = sorted(value for value in personal if value.lower() in everything.lower())
    assert leaked == []


def test_a_hostile_correlation_id_is_replaced_not_echoed(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    """An id too long, or with characters a log reader or a header would choke on, is not
    taken: the edge makes its own (and says which in the answer)."""
    for hostile in ["x" * 129, "a\nb", 'a"b', "ab cd", "Ω"]:
        with log_lines() as lines:
            answer = client.http.post(
                "/requests", body="{}", headers={**JSON, "X-Correlation-Id": hostile}
            )
        assert answer.status_code == 422
        made = answer.headers["X-Correlation-Id"]
        assert made != hostile and len(made) == 32
        assert all(line["correlation_id"] == made for line in lines)


def test_the_trace_header_gives_the_correlation_id_when_none_is_sent(
    client: Any, stack: Stack
) -> None:
    trace = "Root=1-67891233-abcdef012345678912345678;Parent=53995c3f42cd8ad8;Sampled=1"
    answer = client.http.get("/health", headers={"X-Amzn-Trace-Id": trace})
    assert answer.headers["X-Correlation-Id"] == "1-67891233-abcdef012345678912345678"


def test_refusals_are_counted_by_their_code(
    client: Any, stack: Stack, valid_request: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """RequestsRefused and VotesRefused carry the code the refused party was answered with."""
    seed_committee()
    capsys.readouterr()
    invalid = client.http.post("/requests", body="{}", headers=JSON)
    cross_site = client.http.post(
        "/requests",
        body=json.dumps(valid_request),
        headers={**JSON, "Sec-Fetch-Site": "cross-site"},
    )
    unreadable = client.http.post("/requests", body="{", headers=JSON)
    assert (invalid.status_code, cross_site.status_code, unreadable.status_code) == (422, 403, 400)
    answered = ["invalid", json.loads(cross_site.body)["errors"][0]["code"], "malformed_json"]
    refused = named(metric_lines(capsys.readouterr().out), "RequestsRefused")
    assert [d["Code"] for d in refused] == answered

    accepted = client.http.post("/requests", body=json.dumps(valid_request), headers=JSON)
    assert accepted.status_code == 201
    run_workers(client, stack)
    links = review_links()
    browser = Browser(client)
    assert browser.vote(links["intpa"], "approve").status_code == 200
    again = browser.vote(links["intpa"], "approve")
    path, _, query = links["home"].partition("?")
    forged = browser.vote(
        path[:-3] + ("abc" if not path.endswith("abc") else "xyz") + "?" + query, "approve"
    )
    no_choice = browser.vote(links["eeas"], "")
    assert (again.status_code, forged.status_code, no_choice.status_code) == (409, 400, 422)
    documents = metric_lines(capsys.readouterr().out)
    codes = [d["Code"] for d in named(documents, "VotesRefused")]
    assert codes == ["already_voted", "invalid", "invalid"]
    assert named(documents, "RequestsSubmitted") and not named(documents, "Decisions")
