"""The local stand-in for Lambda's SQS event source mapping and schedules, on a small test app."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from chalice.app import Blueprint, Chalice, Rate
from moto import mock_aws

from infra.local.workers import (
    Poller,
    Sweeper,
    other_sources,
    queue_sources,
    schedule_sources,
)
from tests.integration.sweeping import SqsClock

REGION = "eu-west-1"


def make_app(seen: list[dict[str, Any]]) -> Chalice:
    """An app whose handlers live in a blueprint, as the real ones do."""
    workers = Blueprint(__name__)

    @workers.on_sqs_message(queue="test-tasks", batch_size=1)
    def tasks(event: Any) -> None:
        for record in event:
            seen.append(record.to_dict())
            if record.body == "fail":
                raise RuntimeError("handler failed")

    @workers.schedule(Rate(15, unit=Rate.MINUTES))
    def sweeper(event: Any) -> None:
        seen.append({"scheduled": event.to_dict()})

    @workers.on_sns_message(topic="bounces-topic")
    def bounces(event: Any) -> None:
        raise AssertionError("never run locally")

    app = Chalice(app_name="workers-test")
    app.register_blueprint(workers)
    return app


@pytest.fixture
def sqs() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("sqs", region_name=REGION)


def make_queue(sqs: Any, visibility: int = 30, max_receives: int = 2) -> tuple[str, str]:
    """A queue with a dead-letter queue, as infra/stack.yaml makes them (shorter timings)."""
    dlq = sqs.create_queue(QueueName="test-tasks-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
    redrive = {
        "deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"],
        "maxReceiveCount": str(max_receives),
    }
    url = sqs.create_queue(
        QueueName="test-tasks",
        Attributes={"VisibilityTimeout": str(visibility), "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    return url, dlq


def counts(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages on a queue."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(got[names[0]]), int(got[names[1]])


def poller_for(app: Chalice, sqs: Any, url: str) -> Poller:
    return Poller(sqs, "tasks", app.handler_map["tasks"], url, REGION, batch_size=10)


def test_the_handlers_are_found_in_blueprints() -> None:
    app = make_app([])
    [source] = queue_sources(app)
    assert (source.function, source.queue, source.batch_size) == ("tasks", "test-tasks", 1)
    assert [s.function for s in schedule_sources(app)] == ["sweeper"]
    assert schedule_sources(app)[0].expression == "rate(15 minutes)"
    assert other_sources(app) == ["bounces (SNS)"]


def test_a_handled_message_is_deleted_and_the_event_is_lambda_shaped(sqs: Any) -> None:
    seen: list[dict[str, Any]] = []
    app = make_app(seen)
    url, _ = make_queue(sqs)
    sent = [sqs.send_message(QueueUrl=url, MessageBody=f"task {n}")["MessageId"] for n in (1, 2)]
    poller = poller_for(app, sqs, url)

    assert poller.poll_once(wait_seconds=0) == 2
    assert counts(sqs, url) == (0, 0)
    assert sorted(record["messageId"] for record in seen) == sorted(sent)
    record = seen[0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == poller.queue_arn
    assert poller.queue_arn.endswith(":test-tasks")
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["awsRegion"] == REGION
    assert record["receiptHandle"] and record["body"] in {"task 1", "task 2"}


def test_a_failure_is_left_for_redelivery_then_dead_lettered(sqs: Any, sqs_clock: SqsClock) -> None:
    seen: list[dict[str, Any]] = []
    app = make_app(seen)
    url, dlq = make_queue(sqs, visibility=1, max_receives=2)
    message_id = sqs.send_message(QueueUrl=url, MessageBody="fail")["MessageId"]
    poller = poller_for(app, sqs, url)

    assert poller.poll_once(wait_seconds=0) == 1
    assert counts(sqs, url) == (0, 1)  # not deleted: invisible until the timeout ends
    assert poller.poll_once(wait_seconds=0) == 0  # the visibility timeout is honoured
    sqs_clock.advance(1.2)
    assert poller.poll_once(wait_seconds=0) == 1
    assert [r["attributes"]["ApproximateReceiveCount"] for r in seen] == ["1", "2"]
    assert {r["messageId"] for r in seen} == {message_id}
    sqs_clock.advance(1.2)
    # The third receive exceeds maxReceiveCount: SQS (and moto) move it to the dead-letter queue.
    assert poller.poll_once(wait_seconds=0) == 0
    assert len(seen) == 2
    assert counts(sqs, url) == (0, 0)
    [dead] = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert dead["MessageId"] == message_id and dead["Body"] == "fail"


def test_the_sweeper_calls_schedule_handlers_with_a_scheduled_event() -> None:
    seen: list[dict[str, Any]] = []
    app = make_app(seen)
    sweeper = Sweeper({"sweeper": app.handler_map["sweeper"]}, REGION, 60, threading.Lock())
    sweeper.sweep_once()
    [call] = seen
    event = call["scheduled"]
    assert event["detail-type"] == "Scheduled Event" and event["source"] == "aws.events"
    assert event["resources"][0].endswith(":rule/sweeper")


def test_a_handler_on_a_queue_the_stack_lacks_stops_the_workers_with_its_name(sqs: Any) -> None:
    from infra.local.workers import start

    stop = threading.Event()
    with pytest.raises(SystemExit, match="tasks listens on queue 'test-tasks'"):
        start(make_app([]), REGION, 60, stop)
