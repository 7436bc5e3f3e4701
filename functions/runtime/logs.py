"""Log lines as JSON objects, each with the correlation ids of its invocation; ids only.

In Lambda the functions run with ``LogFormat: JSON`` and an ``ApplicationLogLevel``
(``LoggingConfig``, infra/stack.yaml). The Python runtime then puts its own handler on the root
logger with a JSON formatter (awslambdaric ``lambda_runtime_log_utils.JsonFormatter``) and sets
the root logger's level from ``AWS_LAMBDA_LOG_LEVEL``. That formatter writes ``timestamp``,
``level``, ``message``, ``logger`` and ``requestId`` (the Lambda request id, from the record's
``aws_request_id``), ``errorType``/``errorMessage``/``stackTrace``/``location`` for an exception,
and then EVERY other attribute of the record, which is what ``extra=`` and
:class:`CorrelationFilter` put there: each becomes a top-level member of the line.

So this module only has to (a) put the ids on every record, (b) set the level to INFO when
Lambda has not (without ``AWS_LAMBDA_LOG_LEVEL`` the root logger stays at WARNING and every info
line is dropped), and (c) outside Lambda, format lines the same way (:class:`JsonFormatter`), so
that a local run, a test and CloudWatch Logs Insights read the same shape::

    {"timestamp": "2026-12-01T13:30:57.123Z", "level": "INFO", "logger": "functions.workers...",
     "message": "notification sent", "requestId": "<Lambda request id>",
     "correlation_id": "...", "sqs_message_id": "...", "request_id": "...",
     "reference": "MIEUX-2026-0007", "outcome": "sent"}

The ids (:data:`FIELDS`): ``correlation_id`` (taken from an incoming ``X-Correlation-Id`` or
``X-Amzn-Trace-Id``, made at the edge otherwise, and passed to the workers in the SQS messages'
``correlation_id`` attribute), ``request_id`` and ``reference`` (the MIEUX request, once known),
``sqs_message_id`` (the record a worker handles) and the Lambda request id. NOTHING PERSONAL:
never an address, a name, a subject or text someone wrote, in a message, an ``extra=`` field or
an exception's text (the runtime logs ``str(exception)`` as ``errorMessage``). An ``extra=``
value must be a JSON value (str, int, a dict or list of them): the runtime's encoder has no
fallback for anything else.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any

from functions.runtime.startup import in_lambda

# The ids a line may carry, in the order a person reads them. ``aws_request_id`` is the record
# attribute Lambda's formatter writes as ``requestId``; the others are written as named.
AWS_REQUEST_ID = "aws_request_id"
FIELDS = ("correlation_id", "sqs_message_id", "request_id", "reference")
CORRELATION_HEADER = "X-Correlation-Id"
CORRELATION_ATTRIBUTE = "correlation_id"  # the SQS message attribute

# A correlation id someone else sent is kept only if it is short and plain (it is echoed in a
# header and written in every line): otherwise a new one is made.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_TRACE_ROOT = re.compile(r"(?:^|;)\s*Root=([A-Za-z0-9-]{1,64})")

# Libraries whose info lines say nothing an operator needs (botocore: "Found credentials").
_QUIET = ("botocore", "boto3", "urllib3", "pynamodb")

_ids: ContextVar[dict[str, str] | None] = ContextVar("log_ids", default=None)
_configured = False


def new_correlation_id() -> str:
    """A fresh correlation id (made at the edge when none came in)."""
    return uuid.uuid4().hex


def plain_id(value: object) -> str | None:
    """``value`` if it is fit to be a correlation id (short, plain characters), else None."""
    text = str(value or "").strip()
    return text if _PLAIN_ID.fullmatch(text) else None


def incoming_correlation_id(headers: Mapping[str, str]) -> str:
    """The request's correlation id: its ``X-Correlation-Id``, else the root of its
    ``X-Amzn-Trace-Id`` (API Gateway and X-Ray set it), else a new one. ``headers`` is
    case-insensitive (Chalice's request headers)."""
    given = plain_id(headers.get(CORRELATION_HEADER))
    if given:
        return given
    trace = _TRACE_ROOT.search(str(headers.get("X-Amzn-Trace-Id") or ""))
    return trace.group(1) if trace else new_correlation_id()


def record_correlation_id(record: Mapping[str, Any]) -> str:
    """An SQS record's correlation id: its ``correlation_id`` message attribute (set by
    functions/adapters/queue.py), else the root of its X-Ray trace header, else a new one."""
    attributes = record.get("messageAttributes") or {}
    given = plain_id((attributes.get(CORRELATION_ATTRIBUTE) or {}).get("stringValue"))
    if given:
        return given
    trace_header = str((record.get("attributes") or {}).get("AWSTraceHeader") or "")
    trace = _TRACE_ROOT.search(trace_header)
    return trace.group(1) if trace else new_correlation_id()


# --- the ids of the running invocation ------------------------------------------------------


def current_ids() -> dict[str, str]:
    """The ids bound now (for an EMF line); the Lambda request id as ``requestId``."""
    ids = _ids.get() or {}
    named = {("requestId" if key == AWS_REQUEST_ID else key): value for key, value in ids.items()}
    return named


def correlation_id() -> str:
    """The correlation id of the running invocation, or ``""`` outside one."""
    return (_ids.get() or {}).get("correlation_id", "")


@contextmanager
def scope(**ids: str | None) -> Iterator[None]:
    """Within the block, every line carries the ids bound outside it, plus ``ids``.

    The invocation opens one (Lambda request id, correlation id), a worker one per SQS record
    (its message id and correlation id); :func:`bind` adds to the innermost."""
    inner = dict(_ids.get() or {})
    inner.update({key: str(value) for key, value in ids.items() if value})
    token = _ids.set(inner)
    try:
        yield
    finally:
        _ids.reset(token)


def bind(**ids: str | None) -> None:
    """Add ids to the lines of the running scope (the request id once read, its reference).
    Outside any scope (a tool, a unit test calling a service) nothing is bound."""
    current = _ids.get()
    if current is None:
        return
    unknown = set(ids) - set(FIELDS)
    if unknown:
        raise ValueError(f"not a log id: {sorted(unknown)}")
    current.update({key: str(value) for key, value in ids.items() if value})


class CorrelationFilter(logging.Filter):
    """Puts the running scope's ids on each record (never over an ``extra=`` of the call)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in (_ids.get() or {}).items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


# --- the shape of a line ---------------------------------------------------------------------


@cache
def _record_attributes() -> frozenset[str]:
    """LogRecord's own attributes: not written as members (Lambda's formatter leaves them out)."""
    plain = logging.LogRecord("", logging.INFO, "", 0, "", (), None)
    extra = {"message", "asctime", "taskName", AWS_REQUEST_ID, "tenant_id", "_frame_type"}
    return frozenset(vars(plain).keys() | extra)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, in the shape Lambda's JSON log format writes (see the module's
    docstring): for local runs and tests, so that they read what CloudWatch will hold. (In
    Lambda the runtime's formatter writes the lines: what only this one needs is imported here,
    not on the cold start.)"""

    def format(self, record: logging.LogRecord) -> str:
        import traceback
        from datetime import UTC, datetime

        moment = datetime.fromtimestamp(record.created, tz=UTC)
        milliseconds = f"{moment.microsecond // 1000:03d}"
        line: dict[str, Any] = {
            "timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S.") + milliseconds + "Z",
            "level": logging.getLevelName(min(50, max(0, record.levelno)) // 10 * 10),
            "message": record.getMessage(),
            "logger": record.name,
        }
        if getattr(record, AWS_REQUEST_ID, None):
            line["requestId"] = getattr(record, AWS_REQUEST_ID)
        if record.exc_info and record.exc_info[0] is not None:
            kind, error, trace = record.exc_info
            line["errorType"] = kind.__name__
            line["errorMessage"] = str(error)
            line["stackTrace"] = traceback.format_tb(trace)
            line["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
        own = _record_attributes()
        for key, value in vars(record).items():
            if key not in own and key not in line and value is not None:
                line[key] = value
        return json.dumps(line, ensure_ascii=False, default=str)


def json_handler(stream: Any = None) -> logging.Handler:
    """A handler writing JSON lines with the ids: what :func:`configure` installs locally."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(CorrelationFilter())
    return handler


# --- configuration, once per process ---------------------------------------------------------


def level() -> int:
    """The application's log level: Lambda's ``AWS_LAMBDA_LOG_LEVEL`` (set from the function's
    ``ApplicationLogLevel``), else the stage's ``LOG_LEVEL``, else INFO."""
    name = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO").upper()
    name = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(name, name)
    value = logging.getLevelName(name)
    return value if isinstance(value, int) else logging.INFO


def _console(handler: logging.Handler) -> bool:
    consoles = (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__)
    return type(handler) is logging.StreamHandler and handler.stream in consoles


def configure() -> None:
    """Set the level and put the ids on every line; outside Lambda, lines become JSON too.

    In Lambda the runtime's handler is the root logger's (JSON, see the module's docstring):
    it gets the filter. Elsewhere a console handler already there (``chalice local``'s, the
    local workers') gets the JSON formatter too, and a process with none gets one on stderr.
    Handlers of other kinds (pytest's capture) are left as they are. Runs once per process.
    """
    global _configured
    if _configured:
        return
    _configured = True
    root = logging.getLogger()
    root.setLevel(level())
    for name in _QUIET:
        library = logging.getLogger(name)
        if library.level == logging.NOTSET:
            library.setLevel(logging.WARNING)
    if in_lambda():
        for handler in root.handlers:
            handler.addFilter(CorrelationFilter())
        return
    consoles = [handler for handler in root.handlers if _console(handler)]
    for handler in consoles:
        handler.setFormatter(JsonFormatter())
        handler.addFilter(CorrelationFilter())
    if not root.handlers:
        root.addHandler(json_handler())
