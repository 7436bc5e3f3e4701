"""The implementations the contract suite runs against, and a clock the tests move."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from functions.adapters.dynamodb.fake import InMemoryRepository
from functions.adapters.repository import Repository
from functions.domain import clock
from tests.contract.factories import T0


@pytest.fixture(params=["memory", "dynamodb"])
def repo(request: pytest.FixtureRequest) -> Repository:
    """Each implementation of the contract in turn: the fake, and the table in moto."""
    if request.param == "memory":
        return InMemoryRepository()
    dynamodb = pytest.importorskip("functions.adapters.dynamodb.repository")
    request.getfixturevalue("stack")
    implementation: Repository = dynamodb.DynamoRepository()
    return implementation


class Clock:
    """The time ``functions.domain.clock.now`` answers: fixed, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def move(self, **delta: Any) -> None:
        """Move the clock on by a timedelta's arguments (seconds=..., days=...)."""
        self.current += timedelta(**delta)

    @property
    def epoch(self) -> int:
        """The current time in epoch seconds."""
        return int(self.current.timestamp())


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A clock stopped at the factories' instant (T0), for every test of the suite."""
    stopped = Clock(clock.parse_iso(T0))
    monkeypatch.setattr(clock, "now", stopped.now)
    return stopped
