"""Counting AWS calls: every botocore client, whoever created it (ours or pynamodb's).

Shared by ``make bench`` (figure 3 and the items read of figure 5) and the regression test that
keeps the call counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.client
import botocore.exceptions

# The minimum calls of each operation, and why each one cannot go. The bench and the tests compare
# the counted calls with these; a change here is a design change (update docs/architecture.md).
MINIMUM: dict[str, dict[str, str]] = {
    "submit": {
        "dynamodb.UpdateItem": (
            "two atomic ADDs: the sender's hourly rate window, and the year's reference counter"
        ),
        "dynamodb.TransactWriteItems": (
            "the request, its audit event and the submission marker, all or nothing"
        ),
        "sqs.SendMessage": "the review task (ids only) for the review worker",
    },
}


@dataclass
class Recorder:
    """The calls made while recording, and what DynamoDB said it read for each."""

    calls: Counter[str] = field(default_factory=Counter)
    scanned: list[tuple[str, int]] = field(default_factory=list)
    capacity: list[tuple[str, float]] = field(default_factory=list)

    def note(self, service: str, operation: str, answer: dict[str, Any]) -> None:
        """Count one call; keep ScannedCount and ConsumedCapacity when the answer has them."""
        name = f"{service}.{operation}"
        self.calls[name] += 1
        if "ScannedCount" in answer:
            self.scanned.append((name, int(answer["ScannedCount"])))
        consumed = answer.get("ConsumedCapacity")
        if isinstance(consumed, dict) and "CapacityUnits" in consumed:
            self.capacity.append((name, float(consumed["CapacityUnits"])))

    def scans(self) -> list[str]:
        """Calls that read a whole table or index (the app must make none)."""
        return [name for name in self.calls if name.endswith((".Scan", ".ParallelScan"))]


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record every botocore API call made inside the block.

    Wraps ``BaseClient._make_api_call`` (one entry per API call; retries inside it are not counted
    twice) rather than registering event hooks per client, so that clients created before the
    block (pynamodb caches one per model class) are counted too.
    """
    recorder = Recorder()
    original = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        try:
            answer = original(client, operation, params)
        except botocore.exceptions.ClientError as error:  # a refused call is a call
            recorder.note(service, operation, {})
            raise error
        recorder.note(service, operation, answer)
        return answer

    botocore.client.BaseClient._make_api_call = counted
    try:
        yield recorder
    finally:
        botocore.client.BaseClient._make_api_call = original
