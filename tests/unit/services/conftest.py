"""Service tests: the use cases on the in-memory repository, a recording queue and mailer.

No AWS at all: each test takes milliseconds. What only DynamoDB shows (calls, conditions under
races, TTL) is held by tests/contract/, run against both the fake and moto.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from functions.adapters import mailer, queue, secrets
from functions.adapters import repository as seam
from functions.adapters.dynamodb.fake import InMemoryRepository
from functions.domain import clock, schemas
from functions.domain.committee import Delegate, Member, Officer, Role
from functions.domain.mail import Notification
from tests.support import FAKE_STAGE

ROOT = Path(__file__).resolve().parents[3]
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Sent(NamedTuple):
    """One email the recording mailer was asked to send."""

    to: str
    subject: str
    text: str
    kind: str
    language: str


class World:
    """The fakes a service test drives: the repository, the queues, the mail, the clock."""

    def __init__(self, repo: InMemoryRepository) -> None:
        self.repo = repo
        self.review_tasks: list[tuple[str, int]] = []
        self.notifications: list[Notification] = []
        self.sent: list[Sent] = []
        self.now = START
        self.refuse_mail: str | None = None  # a PermanentRejection code to answer with

    def advance(self, **delta: float) -> None:
        """Move the clock on."""
        self.now += timedelta(**delta)

    def take_notifications(self) -> list[Notification]:
        """The notifications queued since the last call."""
        taken = list(self.notifications)
        self.notifications.clear()
        return taken

    def deliver_all(self) -> list[str]:
        """Run the mail service on every queued notification, as the worker would."""
        from functions.services.mail import deliver

        return [deliver(n.as_message()) for n in self.take_notifications()]


def example_request() -> dict[str, Any]:
    """A fresh copy of the schema's own example, without its submission id: a new request."""
    document = schemas.example("request.schema.json")
    document.pop("submission_id", None)
    return document


COMMITTEE = [
    Member("intpa", "Claire Dubois", "DG INTPA", "claire@intpa.example.org", Role.VOTING, "fr"),
    Member("home", "Lukas Schneider", "DG HOME", "lukas@home.example.org", Role.VOTING),
    Member(
        "eeas",
        "Sofia Marques",
        "EEAS",
        "sofia@eeas.example.org",
        Role.VOTING,
        delegate=Delegate(
            "Tomasz Nowak", "tomasz@eeas.example.org", START.date(), START.date() + timedelta(365)
        ),
    ),
    Member("near", "Elena Rossi", "DG NEAR", "elena@near.example.org", Role.OBSERVER),
]
OFFICERS = [
    Officer("po-africa", "Amina Diop", "amina@icmpd.example.org", ("africa",)),
    Officer("po-asia", "Ravi Menon", "ravi@icmpd.example.org", ("asia", "middle_east")),
]


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A stage made of fakes, with the demo-like committee and officers."""
    for name, value in FAKE_STAGE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SIGNING_KEYS_SECRET_ID", raising=False)
    secrets.forget()
    repo = InMemoryRepository()
    fakes = World(repo)
    monkeypatch.setattr(clock, "now", lambda: fakes.now)
    monkeypatch.setattr(
        queue, "publish_review_task", lambda rid, rnd: fakes.review_tasks.append((rid, rnd))
    )
    monkeypatch.setattr(queue, "publish_notifications", fakes.notifications.extend)

    def send(to: str, subject: str, text: str, html: str, kind: str, language: str) -> str:
        if fakes.refuse_mail:
            raise mailer.PermanentRejection(fakes.refuse_mail)
        fakes.sent.append(Sent(to, subject, text, str(kind), language))
        return f"message-{len(fakes.sent)}"

    monkeypatch.setattr(mailer, "send", send)
    for member in COMMITTEE:
        repo.save_member(member)
    for officer in OFFICERS:
        repo.save_officer(officer)
    seam.use(repo)
    yield fakes
    seam.use(None)
    secrets.forget()
