"""moto's server for the local stack, with DynamoDB requests handled one at a time.

moto's server is threaded and its DynamoDB backend is not thread-safe: it checks a condition and
applies the write in two unlocked steps (two concurrent last votes both won the decision), and a
TransactWriteItems deep-copies a table while another thread writes to it ("dictionary changed
size during iteration", a 500 the app rightly turns into a 503). DynamoDB serialises conditional
writes and transactions, so one lock around moto's DynamoDB handler gives the local stack (and the
load run) the semantics the service relies on. In-process tests do the same (tests/conftest.py).

Run as ``python -m infra.local.moto_server -H 127.0.0.1 -p PORT`` (moto.server's arguments).
"""

from __future__ import annotations

import threading
from typing import Any

_LOCK = threading.Lock()


def serialise_dynamodb() -> None:
    """Wrap moto's DynamoDB request handler in one process-wide lock."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def one_at_a_time(self: Any) -> Any:
        with _LOCK:
            return original(self)

    # Replacing a method of moto's class is the point here: mypy refuses method assignment.
    DynamoHandler.call_action = one_at_a_time  # type: ignore[method-assign]


def main() -> None:
    """Serialise DynamoDB, then hand over to moto's server."""
    serialise_dynamodb()
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
