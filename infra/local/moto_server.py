"""moto's server for the local stack, with DynamoDB requests handled one at a time.

moto's server is threaded and its DynamoDB backend is not thread-safe: it checks a condition and
applies the write in two unlocked steps (two concurrent last votes both won the decision), and a
TransactWriteItems deep-copies a table while another thread writes to it ("dictionary changed
size during iteration", a 500 the app rightly turns into a 503). DynamoDB serialises conditional
writes and transactions, so one lock around moto's DynamoDB handler gives the local stack (and the
load run) the semantics the service relies on. In-process tests do the same (tests/conftest.py).

It also holds the local stack's fault hook (moto has none): off until asked for, then a share of
DynamoDB writes (PutItem, UpdateItem, TransactWriteItems) is answered with a throttling error
(ProvisionedThroughputExceededException or ThrottlingException, as DynamoDB answers) and a share of
SESv2 SendEmail with TooManyRequestsException (429, as SESv2 answers), before moto sees the
request, so a throttled write changes nothing. The shares are drawn from a seeded random. The
hook is driven over HTTP on this server: ``POST /_mieux/faults`` with ``{"dynamodb": 0.1,
"ses": 0.1, "seed": 1}`` (0 turns a share off), ``GET /_mieux/faults`` for the shares and the
counts of requests seen and throttled. ``make load-faults`` (infra/load/run.py) uses it.

Run as ``python -m infra.local.moto_server -H 127.0.0.1 -p PORT`` (moto.server's arguments).
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

_LOCK = threading.Lock()
CONTROL_PATH = "/_mieux/faults"
DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "TransactWriteItems"})
# The two throttling answers DynamoDB gives, each with the type prefix it sends in ``__type``.
DYNAMODB_THROTTLES = (
    "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "com.amazon.coral.availability#ThrottlingException",
)

StartResponse = Callable[..., Any]


class Faults:
    """Which requests to throttle: a share per service, drawn from one seeded random."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._random = random.Random(0)  # noqa: S311 (fault injection, not security)
        self.rates = {"dynamodb": 0.0, "ses": 0.0}
        self.seed = 0
        self.seen = {"dynamodb": 0, "ses": 0}
        self.throttled = {"dynamodb": 0, "ses": 0}

    def configure(self, settings: dict[str, Any]) -> None:
        """New shares (0..1) and, if given, a new seed (the counts start again)."""
        with self._lock:
            for service in self.rates:
                if service in settings:
                    self.rates[service] = min(1.0, max(0.0, float(settings[service])))
            if "seed" in settings:
                self.seed = int(settings["seed"])
                self._random = random.Random(self.seed)  # noqa: S311
                self.seen = dict.fromkeys(self.seen, 0)
                self.throttled = dict.fromkeys(self.throttled, 0)

    def state(self) -> dict[str, Any]:
        """The shares, the seed, and how many requests were seen and throttled per service."""
        with self._lock:
            return {
                "rates": dict(self.rates),
                "seed": self.seed,
                "seen": dict(self.seen),
                "throttled": dict(self.throttled),
            }

    def throttle(self, service: str) -> int:
        """0 to let a request through, else 1 + the index of the throttling answer to give."""
        with self._lock:
            self.seen[service] += 1
            if not self.rates[service] or self._random.random() >= self.rates[service]:
                return 0
            self.throttled[service] += 1
            return 1 + self._random.randrange(len(DYNAMODB_THROTTLES))


FAULTS = Faults()


def _service_of(environ: dict[str, Any]) -> str:
    """``dynamodb`` or ``ses`` for a request the hook may throttle, else ``""``."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target.startswith("DynamoDB_") and target.rsplit(".", 1)[-1] in DYNAMODB_WRITES:
        return "dynamodb"
    post = environ.get("REQUEST_METHOD") == "POST"
    if post and environ.get("PATH_INFO") == "/v2/email/outbound-emails":
        return "ses"
    return ""


def _throttled(service: str, choice: int) -> tuple[str, list[tuple[str, str]], bytes]:
    request_id = str(uuid.uuid4())
    if service == "ses":
        body = {"message": "Maximum sending rate exceeded (injected by the local fault hook)"}
        headers = [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "TooManyRequestsException"),
            ("x-amzn-RequestId", request_id),
        ]
        return "429 Too Many Requests", headers, json.dumps(body).encode()
    kind = DYNAMODB_THROTTLES[choice - 1]
    body = {"__type": kind, "message": "Throughput exceeded (injected by the local fault hook)"}
    headers = [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-RequestId", request_id)]
    return "400 Bad Request", headers, json.dumps(body).encode()


def _body(environ: dict[str, Any]) -> bytes:
    # Read whole even when unused: a body left unread would be parsed as the next request on a
    # kept-alive connection.
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return bytes(environ["wsgi.input"].read(length)) if length else b""


def _control(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    body = _body(environ)
    if environ.get("REQUEST_METHOD") == "POST":
        try:
            FAULTS.configure(json.loads(body or b"{}"))
        except (ValueError, TypeError, AttributeError) as error:
            start_response("400 Bad Request", [("Content-Type", "application/json")])
            return [json.dumps({"error": type(error).__name__}).encode()]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(FAULTS.state()).encode()]


def inject_faults() -> None:
    """Put the fault hook in front of moto's dispatcher (every service, every request)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def with_faults(self: Any, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return _control(environ, start_response)
        service = _service_of(environ)
        choice = FAULTS.throttle(service) if service else 0
        if not choice:
            return original(self, environ, start_response)
        _body(environ)
        status, headers, body = _throttled(service, choice)
        start_response(status, headers)
        return [body]

    # Replacing a method of moto's class is the point here: mypy refuses method assignment.
    DomainDispatcherApplication.__call__ = with_faults  # type: ignore[method-assign]


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
    """Serialise DynamoDB, add the fault hook (off), then hand over to moto's server."""
    serialise_dynamodb()
    inject_faults()
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
