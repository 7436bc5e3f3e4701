"""Links and abuse not covered in tests/integration: a spoofed Host header, a removed member's
link, ten concurrent votes by one member, and no personal data or token in any log line over a
whole flow. (Scanners, tampered/expired/wrong-purpose links, rotated keys, CSRF, the honeypot,
the rate limit, oversize bodies and media types are in test_review, test_partner, test_intake and
test_form; docs/reliability.md counts them.)
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import Any

import pytest

from tests.integration.helpers import (
    MEMBER_EMAIL,
    PARTNER,
    VOTERS,
    Browser,
    mail_to,
    post,
    review_path,
    run_workers,
    sent_mail,
)
from tests.support import Stack

BASE = "https://mieux.example.org/"
SPOOFED = {
    "Content-Type": "application/json",
    "Host": "evil.example",
    "X-Forwarded-Host": "evil.example",
}


def test_a_spoofed_host_changes_no_link(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    from tests.integration.helpers import seed_committee

    seed_committee()
    answer = post(client, valid_request, SPOOFED)
    assert answer.status_code == 201
    assert json.loads(answer.body)["status_url"].startswith(BASE)
    run_workers(client, stack)
    links = [u for m in sent_mail() for u in re.findall(r"https?://[^\s\"'<>]+", m.text + m.html)]
    assert len(sent_mail()) == 4 and links
    assert all(u.startswith(BASE) or "evil" not in u for u in links)
    assert not [u for u in links if "evil.example" in u]


def test_the_link_of_a_removed_member_is_refused(client: Any, submitted: str) -> None:
    from functions.adapters.repository import repository

    path = review_path("eeas")
    assert repository().remove_member("eeas")
    assert client.http.get(path).status_code == 403
    answer = Browser(client).post(path, {"_csrf": "x", "choice": "approve", "comment": ""})
    assert answer.status_code == 403


@pytest.fixture
def serializable_transactions(monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB runs transactions one at a time (serializable); in-process moto does not, and
    two threads in its TransactWriteItems deep-copy a table while the other writes it (a 500 of
    moto's, not of the app). A lock restores DynamoDB's guarantee; the app's own races remain."""
    from moto.dynamodb.models import DynamoDBBackend

    original = DynamoDBBackend.transact_write_items
    lock = threading.Lock()

    def one_at_a_time(self: Any, *args: Any, **kwargs: Any) -> Any:
        with lock:
            return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", one_at_a_time)


@pytest.mark.usefixtures("serializable_transactions")
def test_ten_concurrent_votes_by_one_member_record_one(
    client: Any, stack: Stack, submitted: str
) -> None:
    path = review_path("intpa")
    browsers = [Browser(client) for _ in range(10)]
    forms = [
        {"_csrf": b.csrf_from(b.get(path)), "choice": "approve", "comment": ""} for b in browsers
    ]
    barrier = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def vote(n: int) -> None:
        barrier.wait()
        statuses.append(browsers[n].post(path, forms[n]).status_code)

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [409] * 9
    assert len(stack.items_of_kind("vote")) == 1
    events = [e["action"]["S"] for e in stack.items_of_kind("event")]
    assert events.count("vote_cast") == 1


@pytest.fixture
def every_log_line(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The app's log at DEBUG; the libraries' at WARNING (what production keeps)."""
    for name in ("botocore", "pynamodb", "urllib3"):
        caplog.set_level(logging.WARNING, logger=name)
    caplog.set_level(logging.DEBUG, logger="functions")  # last: it sets the handler's level too
    return caplog


def test_no_personal_data_or_token_in_any_log_line_over_a_whole_flow(
    client: Any,
    stack: Stack,
    valid_request: dict[str, Any],
    every_log_line: pytest.LogCaptureFixture,
) -> None:
    from tests.integration.helpers import seed_committee, submit

    seed_committee()
    submit(client, valid_request)
    run_workers(client, stack)
    for member in VOTERS:  # a unanimous approval: a decision and its emails
        assert Browser(client).vote(review_path(member), "approve").status_code == 200
    run_workers(client, stack)
    assert mail_to(PARTNER, "decision_partner")

    contact = valid_request["contact"]
    secrets = {contact["email"], contact["name"], contact["phone"], *MEMBER_EMAIL.values()}
    for mail in sent_mail():
        for url in re.findall(r"https?://[^\s\"'<>]+", mail.text):
            secrets.add(url)
            secrets.update(re.findall(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_.-]{10,}", url))  # tokens
    lines = [record.getMessage() for record in every_log_line.records]
    assert len(lines) >= 10  # the flow did log: a line per task and per email
    leaks = [(secret, line) for line in lines for secret in secrets if secret in line]
    assert leaks == []
