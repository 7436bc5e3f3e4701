"""moto's server with DynamoDB requests handled one at a time.

moto's server is threaded, and its DynamoDB backend is not thread-safe: TransactWriteItems
deep-copies a table while another thread writes to it ("dictionary changed size during
iteration", a 500 of moto's own that the app rightly turns into a 503). DynamoDB is linearizable
per item and serialises transactions, so one lock around moto's DynamoDB handler makes the load
run measure the app rather than that race. Used by ``make load`` only.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_original = DynamoHandler.call_action
_lock = threading.Lock()


def _one_at_a_time(self: Any) -> Any:
    with _lock:
        return _original(self)


DynamoHandler.call_action = _one_at_a_time  # type: ignore[method-assign]

if __name__ == "__main__":
    main()
