"""SES's refusals told apart (functions/adapters/mailer.py): the account's, the message's, or
neither (retried). No address is kept from SES's text."""

from __future__ import annotations

import pytest

from functions.adapters.mailer import AccountRefusal, PermanentRejection, classify, names_sender

SENDER = "mieux@icmpd.example.org"
NOT_VERIFIED = (
    "Email address is not verified. The following identities failed the check in region "
    "EU-WEST-1: {}"
)


@pytest.mark.parametrize(
    "code",
    [
        "SendingPausedException",
        "AccountSuspendedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",
    ],
)
def test_the_accounts_refusals(code: str) -> None:
    refusal = classify(code, "whatever SES says", SENDER)
    assert isinstance(refusal, AccountRefusal) and refusal.code == code


@pytest.mark.parametrize(
    "message",
    [
        NOT_VERIFIED.format(SENDER),
        NOT_VERIFIED.format(SENDER.upper()),
        NOT_VERIFIED.format(f"{SENDER}, partner@example.sn"),
        NOT_VERIFIED.format(f"partner@example.sn, {SENDER}."),
        f"Did not have authority to send from email {SENDER}",  # moto's wording
    ],
)
def test_an_unverified_sender_is_the_accounts_refusal(message: str) -> None:
    refusal = classify("MessageRejected", message, SENDER)
    assert isinstance(refusal, AccountRefusal) and refusal.code == "MessageRejected"
    assert SENDER not in str(refusal)


@pytest.mark.parametrize(
    "message",
    [
        NOT_VERIFIED.format("partner@example.sn"),
        NOT_VERIFIED.format("paula.mieux@icmpd.example.org"),  # ends with the sender's address
        NOT_VERIFIED.format("a+mieux@icmpd.example.org"),
        NOT_VERIFIED.format("mieux@icmpd.example.org.evil"),
        NOT_VERIFIED.format("colleague@icmpd.example.org"),  # the sender's domain, not it
        "Message contains a blocked attachment",
        "",
    ],
)
def test_a_refused_recipient_or_message_is_the_messages_refusal(message: str) -> None:
    refusal = classify("MessageRejected", message, SENDER)
    assert isinstance(refusal, PermanentRejection) and refusal.code == "MessageRejected"
    assert "@" not in str(refusal)


@pytest.mark.parametrize("code", ["BadRequestException", "InvalidParameterValue"])
def test_other_permanent_refusals_of_the_message(code: str) -> None:
    assert isinstance(classify(code, "", SENDER), PermanentRejection)


@pytest.mark.parametrize(
    "code", ["TooManyRequestsException", "Throttling", "InternalFailure", "LimitExceededException"]
)
def test_the_rest_is_retried_later(code: str) -> None:
    assert classify(code, NOT_VERIFIED.format(SENDER), SENDER) is None


def test_no_sender_names_nobody() -> None:
    assert not names_sender(NOT_VERIFIED.format(SENDER), "")
