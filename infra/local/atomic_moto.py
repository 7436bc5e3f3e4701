"""Make moto's DynamoDB write operations atomic, as DynamoDB's are.

moto evaluates a condition and applies the write in two steps, without a lock, so two threads can
both pass the same condition (seen: two "approved" events from concurrent last votes). DynamoDB
serialises conditional writes and transactions on an item; tests that race writers need that
property from the test double, not a weaker one. One process-wide lock around moto's write
operations gives it; reads stay unlocked. The moto server of the local stack installs it
(infra/local/moto_server.py); in-process tests answer one call at a time (tests/conftest.py).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


def install() -> None:
    """Wrap moto's DynamoDB backend writes in one lock (idempotent)."""
    from moto.dynamodb.models import DynamoDBBackend

    for name in _WRITES:
        method = getattr(DynamoDBBackend, name, None)
        if method is None or getattr(method, "_atomic", False):
            continue

        @functools.wraps(method)
        def locked(self: Any, *args: Any, __method: Any = method, **kwargs: Any) -> Any:
            with _LOCK:
                return __method(self, *args, **kwargs)

        locked._atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, locked)
