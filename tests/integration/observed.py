"""What an operator sees of a flow: the JSON log lines, the EMF metric lines, the queues as SQS
delivers them (message attributes included), for the tests of logs, metrics and mail failures."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support import Stack

# The top-level members of an EMF document's metadata (the EMF specification:
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
EMF_UNITS = {"Count", "Milliseconds", "Seconds", "Bytes", "None"}


def metric_lines(stdout: str) -> list[dict[str, Any]]:
    """Every EMF document printed on stdout, each checked against the specification's shape."""
    found = []
    for text in stdout.splitlines():
        if '"_aws"' not in text:
            continue
        document = json.loads(text)
        check_emf(document)
        found.append(document)
    return found


def check_emf(document: dict[str, Any]) -> None:
    """Fail unless ``document`` is a valid EMF document: ``_aws.Timestamp`` (ms), one or more
    ``CloudWatchMetrics`` directives with ``Namespace``, ``Dimensions`` (sets of at most 30
    names, each a top-level string member) and ``Metrics`` (``Name``, ``Unit``; each a
    top-level number); and our contract: namespace MIEUX, ["Stage"] on every metric."""
    metadata = document["_aws"]
    assert isinstance(metadata["Timestamp"], int) and metadata["Timestamp"] > 1_600_000_000_000
    directives = metadata["CloudWatchMetrics"]
    assert isinstance(directives, list) and directives
    for directive in directives:
        assert set(directive) == {"Namespace", "Dimensions", "Metrics"}
        assert directive["Namespace"] == "MIEUX"
        assert ["Stage"] in directive["Dimensions"]
        for dimension_set in directive["Dimensions"]:
            assert 1 <= len(dimension_set) <= 30
            for name in dimension_set:
                assert isinstance(document[name], str) and document[name], name
        assert directive["Metrics"]
        for metric in directive["Metrics"]:
            assert set(metric) <= {"Name", "Unit", "StorageResolution"}
            assert metric["Unit"] in EMF_UNITS
            assert isinstance(document[metric["Name"]], int | float)


def named(documents: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    """The EMF documents of metric ``name``."""
    return [
        d
        for d in documents
        if any(m["Name"] == name for x in d["_aws"]["CloudWatchMetrics"] for m in x["Metrics"])
    ]


@contextmanager
def log_lines() -> Iterator[list[dict[str, Any]]]:
    """Every log line of the block, written by the handler a local run uses (JSON, with the
    ids) and parsed back: a line that does not parse fails the test."""
    from functions.runtime import logs

    stream = io.StringIO()
    handler = logs.json_handler(stream)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logs.level())
    parsed: list[dict[str, Any]] = []
    try:
        yield parsed
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        parsed.extend(json.loads(text) for text in stream.getvalue().splitlines())


def received(stack: Stack, queue: str) -> list[dict[str, Any]]:
    """Receive every waiting message of a queue as Lambda's event source would: attributes and
    message attributes included, left in flight (delete them with :func:`delete`)."""
    url = stack.env[queue]
    messages: list[dict[str, Any]] = []
    while True:
        answer = stack.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        batch = answer.get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)


def delete(stack: Stack, queue: str, message: dict[str, Any]) -> None:
    stack.sqs.delete_message(QueueUrl=stack.env[queue], ReceiptHandle=message["ReceiptHandle"])


def invoke(client: Any, function: str, queue: str, message: dict[str, Any]) -> None:
    """Invoke a worker with one received message, as Lambda's SQS event source does."""
    from infra.local.workers import sqs_event

    name = queue_name(queue)
    arn = f"arn:aws:sqs:eu-west-1:123456789012:{name}"
    client.lambda_.invoke(function, sqs_event([message], arn, "eu-west-1"))


def queue_name(queue: str) -> str:
    return {"REVIEW_QUEUE_URL": "mieux-test-review-tasks"}.get(queue, "mieux-test-notifications")


WORKERS = (("review_tasks", "REVIEW_QUEUE_URL"), ("notifications", "NOTIFY_QUEUE_URL"))


def run_workers(client: Any, stack: Stack, rounds: int = 5) -> int:
    """Deliver every queued message to its worker through SQS (attributes kept), deleting each
    after its worker succeeded, until the queues are empty. Returns how many were handled."""
    handled = 0
    for _ in range(rounds):
        batch = 0
        for function, queue in WORKERS:
            for message in received(stack, queue):
                invoke(client, function, queue, message)
                delete(stack, queue, message)
                batch += 1
        handled += batch
        if not batch:
            break
    return handled
