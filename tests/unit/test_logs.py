"""The log lines' shape, ids and level (functions/runtime/logs.py), without AWS."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest

from functions.runtime import logs
from tests.support import ROOT


def formatted(record_logger: str = "functions.test", **extra: Any) -> dict[str, Any]:
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    logger = logging.getLogger(record_logger)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("notification %s: %s", "receipt", "sent", extra=extra)
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def test_a_line_has_lambdas_shape_and_the_ids_of_its_scope() -> None:
    with logs.scope(aws_request_id="lambda-1", correlation_id="corr-1"):
        with logs.scope(sqs_message_id="msg-1"):
            logs.bind(request_id="r" * 32, reference="MX-2026-0001")
            line = formatted(outcome="sent")
        outside = formatted()
    assert line.pop("timestamp").endswith("Z")
    assert line == {
        "level": "INFO",
        "message": "notification receipt: sent",
        "logger": "functions.test",
        "requestId": "lambda-1",
        "correlation_id": "corr-1",
        "sqs_message_id": "msg-1",
        "request_id": "r" * 32,
        "reference": "MX-2026-0001",
        "outcome": "sent",
    }
    # The record's scope ended with it: the invocation's ids stay, the record's are gone.
    assert outside["correlation_id"] == "corr-1" and "sqs_message_id" not in outside
    assert "request_id" not in outside


def test_outside_any_scope_a_line_has_no_ids_and_bind_does_nothing() -> None:
    logs.bind(request_id="r1")
    line = formatted()
    assert not {"requestId", "correlation_id", "request_id"} & set(line)


def test_only_known_ids_are_bound() -> None:
    with logs.scope(correlation_id="c"), pytest.raises(ValueError, match="email"):
        logs.bind(email="someone@example.org")


def test_an_extra_of_the_call_wins_over_the_scope() -> None:
    with logs.scope(correlation_id="c"):
        assert formatted(correlation_id="given")["correlation_id"] == "given"


def test_an_exception_line_has_its_type_message_and_trace() -> None:
    stream = io.StringIO()
    handler = logs.json_handler(stream)
    logger = logging.getLogger("functions.test.errors")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError("SES did not send the message for now (Throttling)")
        except RuntimeError:
            logger.exception("send failed")
    finally:
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert (line["level"], line["errorType"]) == ("ERROR", "RuntimeError")
    assert line["errorMessage"] == "SES did not send the message for now (Throttling)"
    assert isinstance(line["stackTrace"], list) and "test_logs.py" in line["location"]


@pytest.mark.parametrize(
    ("env", "level"),
    [
        ({}, logging.INFO),
        ({"AWS_LAMBDA_LOG_LEVEL": "DEBUG"}, logging.DEBUG),
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, logging.DEBUG),
        ({"AWS_LAMBDA_LOG_LEVEL": "WARN"}, logging.WARNING),
        ({"AWS_LAMBDA_LOG_LEVEL": "FATAL"}, logging.CRITICAL),
        ({"LOG_LEVEL": "error"}, logging.ERROR),
        ({"AWS_LAMBDA_LOG_LEVEL": "INFO", "LOG_LEVEL": "ERROR"}, logging.INFO),
        ({"LOG_LEVEL": "loud"}, logging.INFO),
    ],
)
def test_the_level_follows_lambdas_setting_then_the_stages(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], level: int
) -> None:
    monkeypatch.delenv("AWS_LAMBDA_LOG_LEVEL", raising=False)
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert logs.level() == level


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"X-Correlation-Id": "portal-123"}, "portal-123"),
        ({"X-Correlation-Id": "a:b.c_d-e"}, "a:b.c_d-e"),
        (
            {"X-Amzn-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"},
            "1-5759e988-bd862e3fe1be46a994272793",
        ),
        (
            {"X-Correlation-Id": "mine", "X-Amzn-Trace-Id": "Root=1-5759e988-bd86"},
            "mine",
        ),
        ({"X-Amzn-Trace-Id": "Self=1-abc;Root=1-def-012"}, "1-def-012"),
    ],
)
def test_the_edge_takes_the_callers_correlation_id(headers: dict[str, str], expected: str) -> None:
    assert logs.incoming_correlation_id(headers) == expected


@pytest.mark.parametrize(
    "given", ["", " ", "x" * 129, "a b", "a\nb", "a\rb", '"}', "<script>", "é", "a/b", "a\x00b"]
)
def test_a_correlation_id_that_is_not_plain_is_replaced(given: str) -> None:
    made = logs.incoming_correlation_id({"X-Correlation-Id": given})
    assert made != given and len(made) == 32 and made.isalnum()
    assert logs.incoming_correlation_id({"X-Amzn-Trace-Id": "Root=" + given}) != given


def test_an_sqs_record_brings_its_correlation_id() -> None:
    given = {"messageAttributes": {"correlation_id": {"stringValue": "corr-7"}}}
    assert logs.record_correlation_id(given) == "corr-7"
    traced = {"attributes": {"AWSTraceHeader": "Root=1-aa-bb;Parent=cc;Sampled=1"}}
    assert logs.record_correlation_id(traced) == "1-aa-bb"
    hostile = {"messageAttributes": {"correlation_id": {"stringValue": "a\nb"}}}
    assert len(logs.record_correlation_id(hostile)) == 32
    assert len(logs.record_correlation_id({})) == 32


CHILD = """
import logging, sys
{setup}
from functions.runtime import logs
logs.configure()
logs.configure()  # once per process
with logs.scope(aws_request_id="lambda-1", correlation_id="corr-1"):
    logging.getLogger("functions.child").info("seen", extra={{"outcome": "sent"}})
    logging.getLogger("functions.child").debug("not seen")
    logging.getLogger("botocore.credentials").info("Found credentials in environment")
root = logging.getLogger()
print("HANDLERS", len(root.handlers), [len(h.filters) for h in root.handlers], file=sys.stderr)
"""


def child(setup: str, env: dict[str, str]) -> tuple[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_LAMBDA")}
    environment.pop("LOG_LEVEL", None)
    environment.update(env)
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(setup=setup)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout, done.stderr


def test_a_bare_process_gets_json_lines_on_stderr_at_info() -> None:
    stdout, stderr = child("", {})
    lines = [json.loads(text) for text in stderr.splitlines() if text.startswith("{")]
    assert [(line["message"], line["requestId"], line["outcome"]) for line in lines] == [
        ("seen", "lambda-1", "sent")
    ]
    assert "HANDLERS 1 [1]" in stderr and stdout == ""


def test_chalice_locals_console_handler_writes_json_lines_too() -> None:
    setup = "logging.basicConfig(stream=sys.stdout, level=logging.INFO, format='%(message)s')"
    stdout, stderr = child(setup, {})
    [line] = [json.loads(text) for text in stdout.splitlines()]
    assert (line["message"], line["correlation_id"]) == ("seen", "corr-1")
    assert "HANDLERS 1 [1]" in stderr


def test_in_lambda_the_runtimes_handler_gets_the_ids_and_no_second_handler() -> None:
    """Lambda's runtime put its handler on the root logger before our code ran (here a stand-in
    on stdout); configure() only adds the ids' filter and the level Lambda asks for."""
    setup = (
        "h = logging.StreamHandler(sys.stdout)\n"
        "h.setFormatter(logging.Formatter('%(levelname)s %(message)s %(aws_request_id)s'))\n"
        "logging.getLogger().addHandler(h)"
    )
    stdout, stderr = child(
        setup,
        {"AWS_LAMBDA_FUNCTION_NAME": "mieux-prod-notifications", "AWS_LAMBDA_LOG_LEVEL": "DEBUG"},
    )
    assert stdout.splitlines() == ["INFO seen lambda-1", "DEBUG not seen lambda-1"]
    assert "HANDLERS 1 [1]" in stderr
