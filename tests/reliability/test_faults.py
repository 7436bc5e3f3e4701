"""Faults not covered in tests/integration: DynamoDB failing on submit, and a poison message.

Covered elsewhere (and counted in docs/reliability.md): a failed publish (test_intake), SES
throttling, permanent rejection and a crash between claim and send (test_mail), a failing
secret store (test_review).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.integration.faults import refused
from tests.integration.helpers import assert_nothing_stored_or_published, post
from tests.support import Stack


def dynamodb_client(operation: str) -> Any:
    """The botocore client that makes ``operation`` on submit: every model and the transactions
    share one connection (functions/adapters/dynamodb/models.py), so one client makes both."""
    from functions.adapters.dynamodb import models

    return models.connection().client


GENERIC = "The service is unavailable for a moment. Nothing was saved; try again."


def assert_generic_503(answer: Any) -> None:
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "30"
    assert json.loads(answer.body) == {
        "errors": [{"path": "", "code": "unavailable", "message": GENERIC}]
    }


@pytest.mark.parametrize(
    ("operation", "status", "code"),
    [
        ("UpdateItem", 400, "ProvisionedThroughputExceededException"),
        ("UpdateItem", 500, "InternalServerError"),
        ("TransactWriteItems", 400, "ThrottlingException"),
        ("TransactWriteItems", 500, "InternalServerError"),
    ],
    ids=["counter-throttled", "counter-failing", "write-throttled", "write-failing"],
)
def test_dynamodb_failing_on_submit_is_a_generic_503_with_nothing_published(
    client: Any,
    stack: Stack,
    valid_request: dict[str, Any],
    operation: str,
    status: int,
    code: str,
) -> None:
    with refused(dynamodb_client(operation), operation, status, code) as counts:
        answer = post(client, valid_request)
    assert_generic_503(answer)
    assert counts["failed"] >= 1
    assert_nothing_stored_or_published(stack)


def test_a_poison_task_goes_to_the_dead_letter_queue_and_blocks_nothing(
    client: Any, stack: Stack, valid_request: dict[str, Any], sqs_clock: Any
) -> None:
    """Real SQS semantics in moto: visibility timeout (1 s here), redrive after maxReceiveCount."""
    from app import app
    from infra.local.workers import Poller
    from tests.integration.helpers import seed_committee, submit

    seed_committee()
    queue = stack.env["REVIEW_QUEUE_URL"]
    stack.sqs.set_queue_attributes(QueueUrl=queue, Attributes={"VisibilityTimeout": "1"})
    redrive = stack.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["RedrivePolicy"])
    max_receives = int(json.loads(redrive["Attributes"]["RedrivePolicy"])["maxReceiveCount"])
    poison = {"type": "review_task", "request_id": "no-such-request", "round": "one"}
    stack.sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(poison))
    request_id = submit(client, valid_request)  # a good task behind the poison
    poller = Poller(stack.sqs, "review_tasks", app.handler_map["review_tasks"], queue, "eu-west-1")

    deliveries = 0
    for _ in range(10 * max_receives):  # a bound, not a wait: each empty poll moves the clock
        got = poller.poll_once(wait_seconds=0)
        deliveries += got
        dead = stack.sqs.get_queue_attributes(
            QueueUrl=stack.env["REVIEW_DLQ_URL"], AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        if dead == "1" and not got:
            break
        if not got:
            sqs_clock.advance(1.1)  # past the 1 s visibility timeout
    [dead_letter] = stack.drain(stack.env["REVIEW_DLQ_URL"])
    assert dead_letter == poison
    assert deliveries == max_receives + 1  # the poison max_receives times, the good task once
    [item] = stack.items_of_kind("request")
    assert item["pk"]["S"] == f"REQ#{request_id}" and item["status"]["S"] == "under_review"
    assert len(stack.notifications()) == 4  # the receipt and three review requests, once each


def test_a_failed_publish_is_recovered_by_the_sweeper_once(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored-but-unpublished half is in test_intake; this end runs once the sweeper exists."""
    pytest.importorskip("functions.services.sweep", reason="the sweeper is not merged yet")
    from app import app
    from functions.adapters import aws
    from infra.local.workers import schedule_sources, scheduled_event

    sqs = aws.client("sqs", "eu-west-1")

    def refuse(**_: Any) -> None:
        raise RuntimeError("SQS is down")

    sqs.meta.events.register_first("before-send.sqs.SendMessage", refuse)
    answer = post(client, valid_request)
    sqs.meta.events.unregister("before-send.sqs.SendMessage", refuse)
    assert answer.status_code == 201 and stack.review_tasks() == []
    monkeypatch.setenv("STUCK_SUBMISSION_MINUTES", "0")
    for _ in range(2):  # a second sweep must not publish it again
        for source in schedule_sources(app):
            client.lambda_.invoke(source.function, scheduled_event(source.function, "eu-west-1"))
    tasks = stack.review_tasks()
    assert [t["request_id"] for t in tasks] == [json.loads(answer.body)["id"]]
