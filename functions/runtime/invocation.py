"""What every Lambda entry point does around each invocation.

The settings are read once per invocation (once per container in Lambda), and the first
invocation ends the container's start-up (functions/runtime/startup.py: the collector runs again).

Two entry points, one behaviour: the API Lambda's handler is ``app.app``, which applies the
app's HTTP middleware; each worker Lambda's handler is its own function (``sam.json``:
``functions.workers.<module>.<function>``), so Lambda imports the worker's module and never
``app.py``, and the app's middleware never wraps it. Each worker's handler is therefore
decorated with :func:`each_invocation` (a test runs every handler the way Lambda imports it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from functions.runtime.settings import once_per_invocation
from functions.runtime.startup import resume_collector

Event = TypeVar("Event")
Result = TypeVar("Result")


def around_invocation(call: Callable[[], Result]) -> Result:
    """Run one invocation: the settings pinned for its length, start-up over at its end."""
    try:
        with once_per_invocation():
            return call()
    finally:
        resume_collector()


def each_invocation(handler: Callable[[Event], Result]) -> Callable[[Event], Result]:
    """A worker's handler, run by :func:`around_invocation` (put it under Chalice's decorator)."""

    @functools.wraps(handler)
    def invoked(event: Event) -> Result:
        return around_invocation(lambda: handler(event))

    return invoked
