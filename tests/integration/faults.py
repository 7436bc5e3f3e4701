"""Fault injection for botocore clients under moto (moto has none of its own).

botocore calls every ``before-send`` handler and uses the first response, so moto's own handler
runs even when an injected one answers first. An injected failure therefore also points the
request at a path moto does not serve, so that moto records nothing for the failed attempt.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSResponse

UNSERVED_PATH = "/injected-fault-by-test"


class _Body:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Any:
        yield self.body

    def read(self, *_: Any) -> bytes:
        return self.body


def error_response(status: int, code: str, message: str = "injected") -> AWSResponse:
    """A JSON-protocol error answer (SESv2, DynamoDB and SQS's JSON protocol read it alike)."""
    body = json.dumps({"__type": code, "message": message}).encode()
    return AWSResponse("https://injected", status, {"x-amzn-ErrorType": code}, _Body(body))


def inject(
    client: Any, event: str, fail_when: Callable[[int], bool], status: int, code: str
) -> dict[str, int]:
    """Answer attempt number n (from 1) of ``event`` with an error when ``fail_when(n)``."""
    counts = {"attempts": 0, "failed": 0}

    def hook(request: Any, **_: Any) -> AWSResponse | None:
        counts["attempts"] += 1
        if not fail_when(counts["attempts"]):
            return None
        counts["failed"] += 1
        scheme, _, rest = request.url.partition("://")
        host = rest.split("/", 1)[0]
        request.url = f"{scheme}://{host}{UNSERVED_PATH}"
        return error_response(status, code)

    client.meta.events.register_first(f"before-send.{event}", hook)
    return counts


@contextlib.contextmanager
def refused(client: Any, operation: str, status: int, code: str) -> Iterator[dict[str, int]]:
    """Every ``operation`` of ``client`` fails with ``code``, as after botocore's retries.

    Answered at ``before-call``, before any request is built: a ``before-send`` answer does not
    stop moto's own handler, and DynamoDB routes by header, not path, so the write would happen
    (see ``inject``). Removed afterwards: pynamodb's clients outlive the test.
    """
    counts = {"failed": 0}
    service = client.meta.service_model.endpoint_prefix

    def hook(**_: Any) -> tuple[Any, dict[str, Any]]:
        counts["failed"] += 1
        parsed = {"Error": {"Code": code, "Message": "injected"}, "ResponseMetadata": {}}
        return error_response(status, code), parsed

    event = f"before-call.{service}.{operation}"
    client.meta.events.register_first(event, hook)
    try:
        yield counts
    finally:
        client.meta.events.unregister(event, hook)
