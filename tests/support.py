"""What many tests share and import (a plain module: test modules never import a conftest)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3

from functions.domain import schemas

ROOT = Path(__file__).resolve().parent.parent


def example_request() -> dict[str, Any]:
    """A fresh copy of the schema's own example: a valid request."""
    return schemas.example("request.schema.json")


class Stack:
    """The provisioned local stack inside moto, with counting helpers for assertions."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
        self.sqs = boto3.client("sqs", region_name="eu-west-1")

    def items(self) -> list[dict[str, Any]]:
        """Every item in the table (tests may scan; the app never does)."""
        pages = self.dynamodb.get_paginator("scan").paginate(TableName=self.env["TABLE_NAME"])
        return [item for page in pages for item in page["Items"]]

    def items_of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [item for item in self.items() if item.get("kind", {}).get("S") == kind]

    def drain(self, queue_url: str) -> list[dict[str, Any]]:
        """Receive (and delete) every message waiting on a queue; bodies parsed."""
        bodies: list[dict[str, Any]] = []
        while True:
            answer = self.sqs.receive_message(
                QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0
            )
            messages = answer.get("Messages", [])
            if not messages:
                return bodies
            for message in messages:
                bodies.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])

    def review_tasks(self) -> list[dict[str, Any]]:
        return self.drain(self.env["REVIEW_QUEUE_URL"])

    def notifications(self) -> list[dict[str, Any]]:
        return self.drain(self.env["NOTIFY_QUEUE_URL"])


def observe_api_calls(
    monkeypatch: Any, observe: Callable[[Any, str, dict[str, Any], dict[str, Any]], None]
) -> None:
    """Until the test ends (or ``monkeypatch.undo``), show every botocore API call and its
    answer to ``observe(client, operation, params, answer)``; pynamodb's clients included.

    One wrap of ``BaseClient._make_api_call`` for the tests that count calls or items read (the
    bench's own is ``infra.bench.calls.api_calls_through``; the policy recorder,
    tests/aws_calls.py, wraps it for the whole session and sees failed calls too).
    """
    import botocore.client

    original = botocore.client.BaseClient._make_api_call

    def observed(client: Any, operation: str, params: dict[str, Any]) -> Any:
        answer = original(client, operation, params)
        observe(client, operation, params, answer)
        return answer

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", observed)


# The environment of a stage made of fakes (service tests): nothing here reaches AWS.
FAKE_STAGE = {
    "MIEUX_STAGE": "test",
    "TABLE_NAME": "in-memory",
    "REVIEW_QUEUE_URL": "fake://review",
    "NOTIFY_QUEUE_URL": "fake://notify",
    "PUBLIC_BASE_URL": "https://mieux.example.org",
    "SENDER_EMAIL": "mieux@example.org",
    "SIGNING_KEYS": "service-test-key-0123456789abcdef",
}
