"""What every Lambda entry point does around each invocation.

The settings are read once per invocation (once per container in Lambda), the first
invocation ends the container's start-up (functions/runtime/startup.py: the collector runs again),
and every log line of the invocation carries its Lambda request id and its correlation id
(functions/runtime/logs.py; logging is configured on the first invocation, after the runtime's).

Two entry points, one behaviour: the API Lambda's handler is ``app.app``, which applies the
app's HTTP middleware; each worker Lambda's handler is its own function (``sam.json``:
``functions.workers.<module>.<function>``), so Lambda imports the worker's module and never
``app.py``, and the app's middleware never wraps it. Each worker's handler is therefore
decorated with :func:`each_invocation` (a test runs every handler the way Lambda imports it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from functions.runtime import logs
from functions.runtime.settings import once_per_invocation
from functions.runtime.startup import resume_collector

Event = TypeVar("Event")
Result = TypeVar("Result")


def around_invocation(
    call: Callable[[], Result], context: Any = None, correlation_id: str | None = None
) -> Result:
    """Run one invocation: the settings pinned for its length, its log lines with the Lambda
    request id of ``context`` and ``correlation_id`` (a new one if None), start-up over at its
    end."""
    logs.configure()
    ids = logs.scope(
        aws_request_id=getattr(context, "aws_request_id", None),
        correlation_id=correlation_id or logs.new_correlation_id(),
    )
    try:
        with ids, once_per_invocation():
            return call()
    finally:
        resume_collector()


def each_invocation(handler: Callable[[Event], Result]) -> Callable[[Event], Result]:
    """A worker's handler, run by :func:`around_invocation` (put it under Chalice's decorator).

    The correlation id is new here; an SQS worker takes each record's own (``logs.scope`` with
    ``logs.record_correlation_id``) for the lines of that record."""

    @functools.wraps(handler)
    def invoked(event: Event) -> Result:
        return around_invocation(lambda: handler(event), getattr(event, "context", None))

    return invoked
