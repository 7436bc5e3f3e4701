"""In Lambda, the container's start-up runs without the cyclic collector (runtime/startup.py).

Each case runs in its own interpreter: the collector is process-wide, and this test session
must keep its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from infra.bench.operations import api_event

ROOT = Path(__file__).resolve().parents[2]

HEALTH = api_event("GET", "/health", None)

# Prints the collector's state after the import of the app, then after two invocations.
PROBE = """
import gc, json, os, sys
import app
after_import = [gc.isenabled(), gc.get_freeze_count()]
states = []
for _ in range(2):
    answer = app.app(json.loads(os.environ["EVENT"]), None)
    states.append([answer["statusCode"], gc.isenabled(), gc.get_freeze_count()])
print(json.dumps({"import": after_import, "invocations": states}))
"""


def run_probe(**env: str) -> dict[str, Any]:
    base = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**base, "MIEUX_STAGE": "test", "EVENT": json.dumps(HEALTH), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_in_lambda_the_collector_waits_for_the_end_of_the_first_invocation() -> None:
    seen = run_probe(AWS_LAMBDA_FUNCTION_NAME="mieux-dev")
    assert seen["import"] == [False, 0]  # paused while the app was imported
    (status, enabled, frozen), second = seen["invocations"]
    assert status == 200 and enabled is True
    assert isinstance(frozen, int) and frozen > 10_000  # what start-up made: never walked again
    # Frozen once per container, not per invocation (objects freed since leave the count).
    assert second[:2] == [200, True] and isinstance(second[2], int) and second[2] <= frozen


def test_outside_lambda_the_collector_is_left_alone() -> None:
    seen = run_probe()
    assert seen["import"] == [True, 0]
    assert seen["invocations"] == [[200, True, 0], [200, True, 0]]


def test_the_collector_comes_back_even_when_the_first_invocation_fails() -> None:
    # An unreadable body, and no table, queue or key settings: the handler cannot succeed.
    failing = {**api_event("POST", "/requests", None), "body": "{"}
    seen = run_probe(AWS_LAMBDA_FUNCTION_NAME="mieux-dev", EVENT=json.dumps(failing))
    (status, enabled, frozen), _ = seen["invocations"]
    assert status >= 400 and enabled is True and isinstance(frozen, int) and frozen > 0


# Lambda imports a worker's handler by its module (sam.json), never app.py: the handler itself
# must end the start-up (runtime/invocation.py), or the collector would stay paused for the
# life of the container.
WORKER_PROBE = """
import gc, importlib, json, os, sys
module_name, _, function_name = os.environ["HANDLER"].rpartition(".")
handler = getattr(importlib.import_module(module_name), function_name)
paused = not gc.isenabled()
try:
    handler(json.loads(os.environ["EVENT"]), None)
    outcome = "returned"
except Exception as error:  # a minimal event may well be refused: the collector must come back
    outcome = type(error).__name__
print(json.dumps([paused, gc.isenabled(), gc.get_freeze_count() > 0, "app" in sys.modules]))
"""

SQS_EVENT: dict[str, Any] = {
    "Records": [
        {
            "messageId": "1",
            "receiptHandle": "r",
            "body": "{}",
            "attributes": {},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q",
            "awsRegion": "eu-west-1",
        }
    ]
}
SNS_EVENT: dict[str, Any] = {
    "Records": [
        {
            "EventSource": "aws:sns",
            "Sns": {
                "Message": "{}",
                "Subject": "",
                "MessageAttributes": {},
                "Timestamp": "2026-11-27T00:00:00.000Z",
                "TopicArn": "arn:aws:sns:eu-west-1:123456789012:t",
            },
        }
    ]
}
SCHEDULED_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "1",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-27T00:00:00Z",
    "region": "eu-west-1",
    "resources": [],
    "detail": {},
}


def worker_handlers() -> list[tuple[str, dict[str, Any]]]:
    """Every event-driven Lambda of the app: its handler string and a minimal event."""
    from chalice.app import ScheduledEventConfig, SNSEventConfig, SQSEventConfig

    from app import app

    events: dict[type, dict[str, Any]] = {
        SQSEventConfig: SQS_EVENT,
        SNSEventConfig: SNS_EVENT,
        ScheduledEventConfig: SCHEDULED_EVENT,
    }
    found = [(source.handler_string, events[type(source)]) for source in app.event_sources]
    found += [(function.handler_string, {}) for function in app.pure_lambda_functions]
    return found


def test_every_worker_lambda_ends_its_own_start_up() -> None:
    handlers = worker_handlers()
    assert len(handlers) >= 4
    base = {k: v for k, v in os.environ.items() if k != "AWS_LAMBDA_FUNCTION_NAME"}
    for handler, event in handlers:
        result = subprocess.run(
            [sys.executable, "-c", WORKER_PROBE],
            cwd=ROOT,
            env={
                **base,
                "MIEUX_STAGE": "test",
                "AWS_LAMBDA_FUNCTION_NAME": "mieux-dev-worker",
                "HANDLER": handler,
                "EVENT": json.dumps(event),
            },
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        paused, enabled, frozen, imported_app = json.loads(result.stdout.strip().splitlines()[-1])
        assert paused and enabled and frozen, (handler, paused, enabled, frozen)
        assert not imported_app, handler  # as in Lambda: the module alone
