"""Every kind of email is one value, known to the queue's contract, with its words and templates.

The notification schema, ``MailKind``, the subjects and the templates must name the same kinds:
a kind the schema accepts but nothing can render would be queued and fail in the worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from functions.domain import schemas
from functions.domain.mail import (
    PARTNER,
    MailKind,
    MailRecord,
    MailState,
    Notification,
    Recipient,
    Role,
    email_hash,
    member,
    officer,
)
from functions.presentation.mail_content import SUBJECTS
from functions.presentation.render import TEMPLATE_DIR


def schema_kinds() -> set[str]:
    schema = schemas.load("messages/notification.schema.json")
    return set(schema["properties"]["mail_kind"]["enum"])


def test_the_schema_names_exactly_the_mail_kinds() -> None:
    assert schema_kinds() == {kind.value for kind in MailKind}


def test_every_kind_has_a_subject() -> None:
    assert set(SUBJECTS) == set(MailKind)


@pytest.mark.parametrize("kind", list(MailKind))
def test_every_kind_has_a_text_and_an_html_template(kind: MailKind) -> None:
    for suffix in ("txt", "html"):
        assert (Path(TEMPLATE_DIR) / "emails" / f"{kind.value}.{suffix}").is_file()


def test_no_template_is_left_without_a_kind() -> None:
    names = {p.stem for p in (Path(TEMPLATE_DIR) / "emails").glob("*.txt")}
    assert {n for n in names if not n.startswith("_")} == {kind.value for kind in MailKind}


@pytest.mark.parametrize(
    ("text", "value"),
    [("partner", PARTNER), ("member:eeas", member("eeas")), ("officer:po-1", officer("po-1"))],
)
def test_a_recipient_reads_and_writes_its_id(text: str, value: Recipient) -> None:
    assert Recipient.parse(text) == value
    assert str(value) == text


@pytest.mark.parametrize("text", ["", "partner:x", "member:", "officer", "someone@example.org"])
def test_anything_else_is_not_a_recipient(text: str) -> None:
    with pytest.raises(ValueError, match="not a recipient"):
        Recipient.parse(text)


def test_a_notification_round_trips_through_its_queue_message() -> None:
    sent = Notification("a" * 32, MailKind.REMINDER, 2, member("home"), "3")
    message = sent.as_message()
    assert message == {
        "type": "notification",
        "request_id": "a" * 32,
        "mail_kind": "reminder",
        "round": 2,
        "recipient": "member:home",
        "key": "3",
    }
    assert Notification.from_message(message) == sent
    assert "key" not in Notification("a" * 32, MailKind.RECEIPT, 1, PARTNER).as_message()


def test_a_first_claim_is_sending_once() -> None:
    note = Notification("b" * 32, MailKind.RECEIPT, 1, PARTNER)
    claim = MailRecord.claim(note, "2026-12-01T10:00:00.000000Z")
    assert (claim.state, claim.attempts, claim.recipient.role) == (
        MailState.SENDING,
        1,
        Role.PARTNER,
    )


def test_an_address_hash_ignores_case_and_spaces() -> None:
    assert email_hash(" A.Diallo@Example.ORG ") == email_hash("a.diallo@example.org")
    assert "diallo" not in email_hash("a.diallo@example.org")
