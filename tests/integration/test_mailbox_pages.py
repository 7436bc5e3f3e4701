"""The mailbox's pages, over moto's real record of sent mail: newest first, only the page parsed.

The local moto server's ``/_mieux/mail`` (infra/local/moto_server.py) is called in-process on
moto's SES backend; the adapter reads it through the same JSON it gets over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from email.message import EmailMessage
from io import BytesIO
from typing import Any

import boto3
import pytest
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from functions.adapters import mailbox
from infra.local import moto_server

REGION = "eu-west-1"
SENDER = "mieux@example.org"


@pytest.fixture
def moto_mail(fresh_account: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The adapter reading the moto server's mail page in-process, as JSON."""

    def fetch(endpoint_url: str, offset: int, limit: int, timeout: float = 5.0) -> dict[str, Any]:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": moto_server.MAIL_PATH,
            "QUERY_STRING": f"offset={offset}&limit={limit}",
            "wsgi.input": BytesIO(),
        }
        body = b"".join(moto_server._mail(environ, lambda status, headers: None))
        answer: dict[str, Any] = json.loads(body)
        return answer

    monkeypatch.setattr(mailbox, "fetch_records", fetch)
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=SENDER)
    yield


def raw(subject: str) -> str:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, SENDER, "p@example.org"
    message.set_content(f"{subject}: http://localhost:8000/requests/x")
    message.add_alternative(f"<p>{subject}</p>", subtype="html")
    return message.as_string()


def test_pages_hold_the_newest_first_across_both_kinds(moto_mail: None) -> None:
    ses = boto3.client("ses", region_name=REGION)
    sesv2 = boto3.client("sesv2", region_name=REGION)
    for n in range(1, 31):
        if n % 3 == 0:
            ses.send_raw_email(RawMessage={"Data": raw(f"mail {n}")})
        elif n % 3 == 1:
            ses.send_email(
                Source=SENDER,
                Destination={"ToAddresses": ["m@example.org"]},
                Message={"Subject": {"Data": f"mail {n}"}, "Body": {"Text": {"Data": "t"}}},
            )
        else:
            sesv2.send_email(
                FromEmailAddress=SENDER,
                Destination={"ToAddresses": ["m@example.org"]},
                Content={
                    "Simple": {
                        "Subject": {"Data": f"mail {n}"},
                        "Body": {"Html": {"Data": "<p>h</p>"}},
                    }
                },
            )

    first = mailbox.mail_page("http://127.0.0.1:5001")
    assert (first.total, first.pages, first.has_newer, first.has_older) == (30, 2, False, True)
    assert [m.subject for m in first.mail] == [f"mail {n}" for n in range(30, 5, -1)]
    assert [m.sequence for m in first.mail] == list(range(30, 5, -1))
    second = mailbox.mail_page("http://127.0.0.1:5001", 2)
    assert (second.has_newer, second.has_older) == (True, False)
    assert [m.subject for m in second.mail] == ["mail 5", "mail 4", "mail 3", "mail 2", "mail 1"]
    assert second.mail[2].text.startswith("mail 3: http://")  # the raw one, parsed whole
    assert mailbox.mail_page("http://127.0.0.1:5001", 3).mail == []
    ten = mailbox.mail_page("http://127.0.0.1:5001", 3, per_page=10)
    assert [m.sequence for m in ten.mail] == list(range(10, 0, -1))


def test_with_a_thousand_emails_one_page_parses_only_its_own(moto_mail: None) -> None:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    for n in range(1, 1001):
        backend.send_raw_email(SENDER, ["p@example.org"], raw(f"mail {n}"))

    before = mailbox.stats["parsed"]
    page = mailbox.mail_page("http://127.0.0.1:5001")
    assert mailbox.stats["parsed"] - before == 25
    assert (page.total, page.pages) == (1000, 40)
    assert [m.subject for m in page.mail] == [f"mail {n}" for n in range(1000, 975, -1)]

    mailbox.mail_page("http://127.0.0.1:5001")  # reloaded: every message already parsed
    assert mailbox.stats["parsed"] - before == 25
    oldest = mailbox.mail_page("http://127.0.0.1:5001", 40)
    assert mailbox.stats["parsed"] - before == 50
    assert [m.subject for m in oldest.mail][-1] == "mail 1"
    assert not oldest.has_older


def test_the_mail_page_refuses_a_query_that_is_not_a_number() -> None:
    statuses: list[str] = []
    environ = {"QUERY_STRING": "offset=x", "wsgi.input": BytesIO()}
    body = b"".join(moto_server._mail(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["400 Bad Request"] and b"integers" in body
