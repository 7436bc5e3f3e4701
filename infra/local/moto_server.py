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

It also serves the local mailbox's page of sent mail: ``GET /_mieux/mail?offset=0&limit=25``
answers ``{"total": N, "mail": [...]}``, the ``limit`` newest emails after the ``offset`` newest,
newest first, each as moto recorded it (``kind`` "simple" or "raw", ``id``, ``sequence``: the
position in send order across both kinds, from 1). moto's own ``/moto-api/data.json`` serialises
every object of every service ever created (each DynamoDB item, each SQS message, attribute by
attribute), which took seconds after a few requests; this reads SES's list of sent mail only.

Run as ``python -m infra.local.moto_server -H 127.0.0.1 -p PORT`` (moto.server's arguments).
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

_LOCK = threading.Lock()
CONTROL_PATH = "/_mieux/faults"
MAIL_PATH = "/_mieux/mail"
MAIL_LIMIT = 1000
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


def sent_mail_records(offset: int, limit: int) -> dict[str, Any]:
    """The page of SES's sent mail, newest first: ``limit`` emails after the ``offset`` newest."""
    from moto.ses.models import Message, RawMessage, ses_backends

    sent = [
        message
        for regions in list(ses_backends.values())
        for backend in list(regions.values())
        for message in list(backend.sent_messages)
        if isinstance(message, Message | RawMessage)
    ]
    total = len(sent)
    offset = max(0, offset)
    end = max(0, total - offset)
    start = max(0, end - max(0, min(limit, MAIL_LIMIT)))
    mail: list[dict[str, Any]] = []
    for index in range(end - 1, start - 1, -1):
        message = sent[index]
        record: dict[str, Any] = {
            "id": message.id,
            "sequence": index + 1,
            "source": message.source,
            "destinations": message.destinations,
        }
        if isinstance(message, RawMessage):
            record.update(kind="raw", raw_data=message.raw_data)
        else:
            record.update(kind="simple", subject=message.subject, body=message.body)
        mail.append(record)
    return {"total": total, "mail": mail}


def _mail(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    _body(environ)
    query = parse_qs(str(environ.get("QUERY_STRING", "")))
    try:
        offset = int(query.get("offset", ["0"])[0])
        limit = int(query.get("limit", ["25"])[0])
    except ValueError:
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [json.dumps({"error": "offset and limit are integers"}).encode()]
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(sent_mail_records(offset, limit)).encode()]


def inject_faults() -> None:
    """Put the fault hook and the mail page in front of moto's dispatcher (every request)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__

    def with_faults(self: Any, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return _control(environ, start_response)
        if environ.get("PATH_INFO") == MAIL_PATH:
            return _mail(environ, start_response)
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
    """Serialise DynamoDB, add the fault hook (off) and the mail page, then run moto's server."""
    serialise_dynamodb()
    inject_faults()
    from moto.server import main as moto_main

    moto_main()


if __name__ == "__main__":
    main()
