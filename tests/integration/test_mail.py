"""The mail worker: throttling, permanent rejections, crashes, delegates, hostile partner text."""

from __future__ import annotations

import email
import json
from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.faults import inject
from tests.integration.helpers import (
    COMMITTEE,
    PARTNER,
    Browser,
    mail_to,
    path_of,
    run_workers,
    seed_committee,
    sent_mail,
    sqs_event,
    submit,
)
from tests.support import Stack


def ses_client() -> Any:
    from functions.adapters import aws

    return aws.client("sesv2", "eu-west-1")


def test_throttled_sends_are_retried_and_sent_once(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    seed_committee()
    counts = inject(
        ses_client(), "sesv2.SendEmail", lambda n: n % 2 == 1, 429, "TooManyRequestsException"
    )
    submit(client, valid_request)
    run_workers(client, stack)
    assert counts == {"attempts": 8, "failed": 4}  # each email throttled once, retried by botocore
    assert len(sent_mail()) == 4
    assert {m["state"]["S"] for m in stack.items_of_kind("mail")} == {"sent"}


def test_throttling_that_outlasts_the_retries_leaves_the_message_for_redelivery(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    seed_committee()
    submit(client, valid_request)
    client.lambda_.invoke(
        "review_tasks", sqs_event(stack.env["REVIEW_QUEUE_URL"], stack.review_tasks())
    )
    [first, *_] = stack.notifications()
    counts = inject(
        ses_client(), "sesv2.SendEmail", lambda n: True, 429, "TooManyRequestsException"
    )
    event = sqs_event(stack.env["NOTIFY_QUEUE_URL"], [first])
    with pytest.raises(Exception, match="TooManyRequests"):
        client.lambda_.invoke("notifications", event)
    assert counts == {"attempts": 5, "failed": 5}  # 1 try + 4 retries (botocore standard mode)
    assert sent_mail() == []
    [claim] = stack.items_of_kind("mail")
    assert claim["state"]["S"] == "sending"  # the redelivery takes it over after the lease


def test_an_unverified_sender_is_the_accounts_refusal_not_the_emails(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SES refuses a sender it has not verified (MessageRejected naming the sender): every
    email would meet it, so none is burned (tests/integration/test_mail_failures.py)."""
    from functions.adapters.mailer import AccountRefusal

    seed_committee()
    submit(client, valid_request)
    client.lambda_.invoke(
        "review_tasks", sqs_event(stack.env["REVIEW_QUEUE_URL"], stack.review_tasks())
    )
    monkeypatch.setenv("SENDER_EMAIL", "unverified@example.net")  # SES rejects this sender
    for body in stack.notifications():
        with pytest.raises(AccountRefusal):
            client.lambda_.invoke("notifications", sqs_event(stack.env["NOTIFY_QUEUE_URL"], [body]))
    assert stack.items_of_kind("mail") == []
    assert [e for e in stack.items_of_kind("event") if e["action"]["S"] == "mail_rejected"] == []


def test_a_crash_between_claim_and_send_is_recovered_after_the_lease(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_committee()
    submit(client, valid_request)
    client.lambda_.invoke(
        "review_tasks", sqs_event(stack.env["REVIEW_QUEUE_URL"], stack.review_tasks())
    )
    notes = stack.notifications()
    crashed, rest = notes[0], notes[1:]

    def die(**_: Any) -> None:
        raise RuntimeError("worker killed")

    ses_client().meta.events.register_first("before-send.sesv2.SendEmail", die)
    invoke = sqs_event(stack.env["NOTIFY_QUEUE_URL"], [crashed])
    with pytest.raises(RuntimeError):
        client.lambda_.invoke("notifications", invoke)
    ses_client().meta.events.unregister("before-send.sesv2.SendEmail", die)
    for body in rest:
        client.lambda_.invoke("notifications", sqs_event(stack.env["NOTIFY_QUEUE_URL"], [body]))
    assert len(sent_mail()) == 3
    # Redelivered within the lease: another worker may be sending; try again later.
    from functions.services import mail

    with pytest.raises(mail.SendInProgress, match="receipt round 1"):
        client.lambda_.invoke("notifications", invoke)

    monkeypatch.setattr(mail, "LEASE_SECONDS", 0)
    client.lambda_.invoke("notifications", invoke)
    client.lambda_.invoke("notifications", invoke)  # and a late duplicate sends nothing
    assert len(sent_mail()) == 4
    kinds = sorted(m.kind for m in sent_mail())
    assert kinds == ["receipt", "review_request", "review_request", "review_request"]


def test_an_active_delegate_gets_the_link_and_the_trail_records_both(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    today = date.today()
    data = json.loads(json.dumps(COMMITTEE))
    data["members"][2]["delegate"] = {
        "name": "Dora Delegate",
        "email": "dora@eeas.example.org",
        "valid_from": (today - timedelta(days=1)).isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
    }
    seed_committee(data)
    submit(client, valid_request)
    run_workers(client, stack)
    assert mail_to("eva@eeas.example.org") == []
    [mail] = mail_to("dora@eeas.example.org", "review_request")
    assert "delegate of \u2068Eva Eeas\u2069" in mail.text  # the name isolated (bidi)
    assert Browser(client).vote(path_of(mail.link("/review/")), "approve").status_code == 200
    [vote] = stack.items_of_kind("vote")
    assert vote["member_id"]["S"] == "eeas" and vote["cast_by"]["S"] == "delegate:eeas"
    [record] = [m for m in stack.items_of_kind("mail") if m["recipient"]["S"] == "member:eeas"]
    assert "delegate" in record["error"]["S"]


HOSTILE = "<script>alert(1)</script>\r\nBcc: victim@example.org\r\n<img src=x onerror=alert(2)>"
# A field of one line refuses line breaks (functions/domain/text.py): the same markup, one line.
HOSTILE_LINE = HOSTILE.replace("\r\n", " ")


def test_hostile_partner_text_is_escaped_in_every_email_and_page(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    seed_committee()
    valid_request["institution"]["name"] = "Ministry " + HOSTILE_LINE
    valid_request["contact"]["name"] = "Aminata " + HOSTILE_LINE
    valid_request["request"]["title"] = HOSTILE_LINE + " " + "x" * 60
    for field in ("background", "objectives", "expected_results", "target_groups"):
        valid_request["request"][field] = HOSTILE + " " + "x" * 60
    submit(client, valid_request)
    run_workers(client, stack)
    [review] = mail_to("ana@intpa.example.org", "review_request")
    assert (
        Browser(client).vote(path_of(review.link("/review/")), "reject", HOSTILE).status_code == 200
    )
    run_workers(client, stack)
    mails = sent_mail()
    assert len(mails) >= 8
    for mail in mails:
        assert "<script>" not in mail.html and "<img src=x" not in mail.html
        assert "victim@example.org" not in mail.to[0]
        headers = [name.lower() for name in email.message_from_string(mail.raw)]
        assert "bcc" not in headers and headers.count("to") == 1  # no header was added
        assert "\r" not in mail.subject and "\n" not in mail.subject
    [receipt] = mail_to(PARTNER, "receipt")
    pages = [
        client.http.get(path_of(receipt.link("/requests/"))),
        client.http.get(
            path_of(mail_to("ana@intpa.example.org", "review_request")[0].link("/review/"))
        ),
    ]
    for page in pages:
        body = page.body.decode("utf-8")
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body
