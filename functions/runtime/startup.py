"""A Lambda container's start-up runs without the cyclic garbage collector.

A cold start imports the app and, on its first event, builds the validators and the AWS clients:
about 100,000 objects that live as long as the container, and almost no cyclic garbage. Each
collection in that time walks the objects made so far, and the full ones walk them all: about
50 ms of collections in a cold start of the API Lambda (``make bench``, docs/performance.md).

So, in Lambda only, the collector is paused when ``app.py`` starts importing the app's modules
and resumed when the first invocation ends. What start-up made is then frozen (``gc.freeze``):
later collections never walk it again, so warm invocations collect only their own objects.
Refcounting still frees everything that is not in a cycle while the collector is paused; the
cycles made during start-up (a few thousand objects, mostly classes) are kept, once.

Outside Lambda (tests, ``chalice local``, tools) nothing changes: there the process lives long
and a paused collector would only let memory grow.
"""

from __future__ import annotations

import gc
import os

_paused = False


def in_lambda() -> bool:
    """True inside a Lambda execution environment (the runtime sets the function's name)."""
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


def pause_collector() -> None:
    """Pause the cyclic collector for the container's start-up, in Lambda only."""
    global _paused
    if in_lambda() and gc.isenabled() and not _paused:
        gc.disable()
        _paused = True


def resume_collector() -> None:
    """After the first invocation: freeze what start-up made and collect as usual again."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


# On import, so that ``app.py`` pauses the collector before it imports anything else of ours.
pause_collector()
