"""Fixtures shared by every test: a fresh moto account provisioned from infra/stack.yaml."""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parent.parent

# Dummy credentials before anything creates a client: no test may ever reach real AWS.
for _name, _value in {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}.items():
    os.environ[_name] = _value
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from moto import mock_aws  # noqa: E402  (after the credentials above)

from functions.adapters import aws as aws_clients  # noqa: E402
from functions.adapters import secrets  # noqa: E402
from tests import aws_calls  # noqa: E402

POLICY_TESTS = "test_policy.py"


def pytest_configure(config: pytest.Config) -> None:
    """Record the app's AWS calls from the start (tests/integration/test_policy.py reads them)."""
    aws_calls.install()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run the policy tests last, once the rest of the suite has made its calls."""
    items.sort(key=lambda item: item.path.name == POLICY_TESTS)


@pytest.fixture(autouse=True)
def sent_messages_keep_their_contracts() -> Iterator[None]:
    """Every SQS message the app sends matches its schema (tests/aws_calls.py checks each)."""
    aws_calls.BROKEN_MESSAGES.clear()
    yield
    broken, aws_calls.BROKEN_MESSAGES[:] = list(aws_calls.BROKEN_MESSAGES), []
    assert not broken, broken


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Hand the recording to a parent run (the policy test's own subprocess mode)."""
    out = os.environ.get(aws_calls.OUT_VARIABLE)
    if out:
        aws_calls.write(Path(out))


def example_request() -> dict[str, Any]:
    """A fresh copy of the schema's own example: a valid request."""
    schema = json.loads((ROOT / "schemas" / "request.schema.json").read_text(encoding="utf-8"))
    return copy.deepcopy(schema["examples"][0])


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


def _one_call_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Answer one AWS call at a time, as the real services apply each call atomically.

    moto's in-process backends are not thread-safe: a DynamoDB transaction deep-copies the
    tables while another thread's call writes to them ("dictionary changed size during
    iteration"). Tests that vote from several threads at once need the service's atomicity.
    """
    from moto.core.botocore_stubber import BotocoreStubber

    lock = threading.Lock()
    original = BotocoreStubber.process_request

    def process_request(self: Any, request: Any) -> Any:
        with lock:
            return original(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", process_request)


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A fresh moto account with the stage's resources created from infra/stack.yaml."""
    from infra.local.provision import provision

    aws_clients.reset_clients()
    secrets.forget()
    _one_call_at_a_time(monkeypatch)
    with mock_aws():
        env = provision(stage="local", public_base_url="https://mieux.example.org")
        env["MIEUX_STAGE"] = "test"
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield Stack(env)
    aws_clients.reset_clients()


@pytest.fixture
def client(stack: Stack) -> Iterator[Any]:
    """Chalice's test client on the real app, against the moto stack."""
    from chalice.test import Client

    from app import app

    with Client(app, stage_name="test", project_dir=str(ROOT)) as test_client:
        yield test_client


@pytest.fixture
def valid_request() -> dict[str, Any]:
    return example_request()
