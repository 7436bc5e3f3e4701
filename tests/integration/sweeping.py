"""Clocks tests move instead of waiting (the app's, moto SQS's); counted table reads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support import observe_api_calls

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


class FrozenClock:
    """``functions.domain.clock.now`` at a moment the test chooses and moves."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, at: datetime = START) -> None:
        from functions.domain import clock

        self.at = at
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta: float) -> datetime:
        self.at += timedelta(**delta)
        return self.at


class SqsClock:
    """moto's SQS clock (visibility timeouts, delays) moved by the test instead of waited for."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import moto.sqs.models
        from moto.core.utils import unix_time, unix_time_millis

        self.offset = 0.0
        real_millis, real_seconds = unix_time_millis, unix_time
        monkeypatch.setattr(moto.sqs.models, "unix_time_millis", lambda: real_millis() + self.ms)
        monkeypatch.setattr(moto.sqs.models, "unix_time", lambda: real_seconds() + self.offset)

    @property
    def ms(self) -> float:
        return self.offset * 1000

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@contextmanager
def counted_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Count the items DynamoDB reads for the calls made inside the block, by operation.

    A Query or Scan reads ``ScannedCount`` items (what it is billed for, before any filter); a
    GetItem one if found. Counted in botocore, under every client (pynamodb's included).
    """
    counts: Counter[str] = Counter()
    counting_on = [True]

    def counting(client: Any, operation: str, params: dict[str, Any], answer: Any) -> None:
        if counting_on[0] and client.meta.service_model.service_name == "dynamodb":
            counts[f"calls:{operation}"] += 1
            if operation in ("Query", "Scan"):
                counts[f"items:{operation}:{params.get('IndexName', 'table')}"] += answer.get(
                    "ScannedCount", 0
                )
            elif operation == "GetItem":
                counts["items:GetItem"] += 1 if answer.get("Item") else 0

    observe_api_calls(monkeypatch, counting)
    try:
        yield counts
    finally:
        counting_on[0] = False


def items_read(counts: Counter[str]) -> int:
    """The total of items read, over every operation."""
    return sum(value for key, value in counts.items() if key.startswith("items:"))
