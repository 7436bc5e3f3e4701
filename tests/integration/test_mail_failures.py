"""SES refusing mail, on moto: the account's refusals wait for the account, a message's refusals
are recorded, counted and told to the Project Officer (issue 16, item 4)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from botocore.awsrequest import AWSRequest

from tests.integration.faults import UNSERVED_PATH, error_response
from tests.integration.helpers import PARTNER, mail_to, seed_committee, sent_mail, submit
from tests.integration.observed import delete, invoke, metric_lines, named, received
from tests.integration.observed import run_workers as run_workers_over_sqs
from tests.support import Stack

OFFICER = "paula@icmpd.example.org"  # Africa's Project Officer; the example request is Senegal's


def ses_v1() -> Any:
    import boto3

    return boto3.client("ses", region_name="eu-west-1")


def open_round(client: Any, stack: Stack, document: dict[str, Any]) -> str:
    """Submit and run the review task: the receipt and three review requests wait on SQS."""
    seed_committee()
    request_id = submit(client, document)
    [task] = received(stack, "REVIEW_QUEUE_URL")
    invoke(client, "review_tasks", "REVIEW_QUEUE_URL", task)
    delete(stack, "REVIEW_QUEUE_URL", task)
    return request_id


def in_flight(stack: Stack) -> int:
    answer = stack.sqs.get_queue_attributes(
        QueueUrl=stack.env["NOTIFY_QUEUE_URL"],
        AttributeNames=["ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessages"],
    )["Attributes"]
    return int(answer["ApproximateNumberOfMessagesNotVisible"]) + int(
        answer["ApproximateNumberOfMessages"]
    )


def test_a_deleted_sender_identity_keeps_every_email_for_when_the_account_is_fixed(
    client: Any, stack: Stack, valid_request: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: the sender's identity deleted, SES refuses every email. Nothing is
    burned: each notification fails its invocation (SQS redelivers it), its claim is given
    back, MailAccountRefused goes out at once; once the identity is verified again, the
    redeliveries send all four, each a first attempt."""
    from functions.adapters.mailer import AccountRefusal

    request_id = open_round(client, stack, valid_request)
    ses_v1().delete_identity(Identity=stack.env["SENDER_EMAIL"])
    capsys.readouterr()

    notes = received(stack, "NOTIFY_QUEUE_URL")
    assert len(notes) == 4
    for message in notes:
        with pytest.raises(AccountRefusal, match=r"MessageRejected"):
            invoke(client, "notifications", "NOTIFY_QUEUE_URL", message)
    assert sent_mail() == []
    assert in_flight(stack) == 4  # none deleted: each comes back after its visibility timeout
    assert stack.items_of_kind("mail") == []  # every claim given back, no attempt spent
    trail = [e["action"]["S"] for e in stack.items_of_kind("event")]
    assert "mail_rejected" not in trail

    refused = named(metric_lines(capsys.readouterr().out), "MailAccountRefused")
    assert len(refused) == 4
    line = refused[0]
    assert line["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["Stage"], ["Stage", "Code"]]
    assert (line["Stage"], line["Code"], line["MailAccountRefused"]) == (
        "test",
        "MessageRejected",
        1,
    )
    assert line["request_id"] == request_id and line["sqs_message_id"] in {
        m["MessageId"] for m in notes
    }
    assert PARTNER not in json.dumps(refused)

    # The operator verifies the sender again; the visibility timeouts end; SQS redelivers.
    ses_v1().verify_email_identity(EmailAddress=stack.env["SENDER_EMAIL"])
    for message in notes:
        stack.sqs.change_message_visibility(
            QueueUrl=stack.env["NOTIFY_QUEUE_URL"],
            ReceiptHandle=message["ReceiptHandle"],
            VisibilityTimeout=0,
        )
    assert run_workers_over_sqs(client, stack) == 4
    assert sorted(m.kind for m in sent_mail()) == ["receipt"] + ["review_request"] * 3
    mails = stack.items_of_kind("mail")
    assert {(m["state"]["S"], m["attempts"]["N"]) for m in mails} == {("sent", "1")}
    assert len(named(metric_lines(capsys.readouterr().out), "MailSent")) == 4


@pytest.mark.parametrize(
    "code",
    ["SendingPausedException", "AccountSuspendedException", "MailFromDomainNotVerifiedException"],
)
def test_every_account_level_refusal_waits_for_the_account(
    client: Any,
    stack: Stack,
    valid_request: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    code: str,
) -> None:
    from functions.adapters import aws
    from functions.adapters.mailer import AccountRefusal

    open_round(client, stack, valid_request)
    [first, *_] = received(stack, "NOTIFY_QUEUE_URL")
    ses = aws.client("sesv2", "eu-west-1")

    def refuse(request: AWSRequest, **_: Any) -> Any:
        request.url = request.url.split("/v2/", 1)[0] + UNSERVED_PATH
        return error_response(400, code, "refused for the account")

    ses.meta.events.register_first("before-send.sesv2.SendEmail", refuse)
    try:
        with pytest.raises(AccountRefusal, match=code):
            invoke(client, "notifications", "NOTIFY_QUEUE_URL", first)
    finally:
        ses.meta.events.unregister("before-send.sesv2.SendEmail", refuse)
    assert stack.items_of_kind("mail") == []
    [line] = named(metric_lines(capsys.readouterr().out), "MailAccountRefused")
    assert line["Code"] == code


def refuse_the_partner(request: AWSRequest, **_: Any) -> Any:
    """SES's answer when the recipient is refused (a sandbox's unverified recipient): the
    message is refused, the account is fine. Other emails go through to moto."""
    raw = base64.b64decode(json.loads(request.body)["Content"]["Raw"]["Data"]).decode()
    if f"To: {PARTNER}" not in raw:
        return None
    request.url = request.url.split("/v2/", 1)[0] + UNSERVED_PATH
    message = (
        "Email address is not verified. The following identities failed the check in region "
        f"EU-WEST-1: {PARTNER}"
    )
    return error_response(400, "MessageRejected", message)


def test_ses_refusing_the_partners_address_is_recorded_counted_and_told_to_the_officer(
    client: Any, stack: Stack, valid_request: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    from functions.adapters import aws

    ses = aws.client("sesv2", "eu-west-1")
    request_id = open_round(client, stack, valid_request)
    capsys.readouterr()
    ses.meta.events.register_first("before-send.sesv2.SendEmail", refuse_the_partner)
    try:
        run_workers_over_sqs(client, stack)
    finally:
        ses.meta.events.unregister("before-send.sesv2.SendEmail", refuse_the_partner)

    # Recorded on the request: the receipt refused for good, in the trail.
    receipt = [m for m in stack.items_of_kind("mail") if m["sk"]["S"].startswith("MAIL#receipt")]
    assert [(m["state"]["S"], m["error"]["S"]) for m in receipt] == [
        ("rejected", "MessageRejected")
    ]
    [event] = [e for e in stack.items_of_kind("event") if e["action"]["S"] == "mail_rejected"]
    assert "MessageRejected" in json.dumps(event) and PARTNER not in json.dumps(event)

    # Counted: the metric the alarm watches, with SES's code.
    documents = metric_lines(capsys.readouterr().out)
    [rejected] = named(documents, "MailRejected")
    assert (rejected["Stage"], rejected["Code"], rejected["MailRejected"]) == (
        "test",
        "MessageRejected",
        1,
    )
    assert rejected["request_id"] == request_id
    assert len(named(documents, "MailSent")) == 4  # three review requests, the officer's notice
    assert named(documents, "MailAccountRefused") == []

    # Told: Africa's officer (the request is Senegal's), in their language, not Asia's.
    [notice] = mail_to(OFFICER, "partner_unreachable")
    assert "refused their address" in notice.text and "refused their address" in notice.html
    assert "list of addresses not to write to again" not in notice.text
    assert "MX-2026" in notice.subject
    assert mail_to("pavel@icmpd.example.org") == []
    assert mail_to(PARTNER) == []
    assert PARTNER not in json.dumps(documents)
