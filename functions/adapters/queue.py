"""Typed messages on SQS, validated against ``schemas/messages`` when received.

What the app sends is built here from ids and is not validated again on every send (it was a
tenth of a submission's CPU): the test suite checks every message the app sends, in every test
(tests/aws_calls.py), and a message that still broke its contract would be refused by its
worker (:class:`BadMessage`: not retried, kept on the dead-letter queue for an operator).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import aws
from functions.domain import schemas
from functions.domain.errors import Unavailable
from functions.domain.mail import Notification, RosterNotification
from functions.runtime import logs
from functions.runtime.settings import get_settings

_SCHEMAS = {
    "review_task": "messages/review_task.schema.json",
    "notification": "messages/notification.schema.json",
    "roster_notification": "messages/roster_notification.schema.json",
}


class BadMessage(ValueError):
    """A message that breaks its contract: retrying cannot fix it."""


@contextmanager
def _sqs(action: str) -> Iterator[None]:
    """SQS's failures (after botocore's retries) as :class:`Unavailable`, the original kept."""
    try:
        yield
    except (BotoCoreError, ClientError) as error:
        raise Unavailable(f"SQS {action} failed ({type(error).__name__})") from error


def check(message: dict[str, Any]) -> dict[str, Any]:
    """Return ``message`` if it matches the schema of its type, else raise :class:`BadMessage`."""
    kind = message.get("type") if isinstance(message, dict) else None
    if kind not in _SCHEMAS:
        raise BadMessage(f"unknown message type {kind!r}")
    errors = list(schemas.validator(_SCHEMAS[str(kind)]).iter_errors(message))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path)
        raise BadMessage(f"{kind} message invalid at /{where}: {errors[0].validator}")
    return message


def parse(body: str) -> dict[str, Any]:
    """The message in an SQS record body, checked against its schema."""
    try:
        message = json.loads(body)
    except ValueError as error:
        raise BadMessage("message body is not JSON") from error
    return check(message)


def _attributes() -> dict[str, Any]:
    """The message attributes of what this invocation sends: its correlation id, so that the
    worker's log lines carry the id of the request that caused them (functions/runtime/logs.py).
    An attribute, not a body member: the message contracts stay the same."""
    correlation_id = logs.correlation_id()
    if not correlation_id:
        return {}
    value = {"DataType": "String", "StringValue": correlation_id}
    return {"MessageAttributes": {logs.CORRELATION_ATTRIBUTE: value}}


def _send(queue_url: str, message: dict[str, Any]) -> None:
    settings = get_settings()
    with _sqs("SendMessage"):
        aws.client("sqs", settings.region).send_message(
            QueueUrl=queue_url,
            MessageBody=json.dumps(message, separators=(",", ":")),
            **_attributes(),
        )


def publish_review_task(request_id: str, round_number: int) -> None:
    """Ask for a review round of a request (one SendMessage)."""
    message = {"type": "review_task", "request_id": request_id, "round": round_number}
    _send(get_settings().review_queue_url, message)


def publish_notifications(notifications: Sequence[Notification | RosterNotification]) -> None:
    """Queue emails, ten per SendMessageBatch call; :class:`Unavailable` if any entry failed."""
    settings = get_settings()
    sqs = aws.client("sqs", settings.region)
    attributes = _attributes()
    for start in range(0, len(notifications), 10):
        chunk = notifications[start : start + 10]
        entries = [
            {
                "Id": str(i),
                "MessageBody": json.dumps(n.as_message(), separators=(",", ":")),
                **attributes,
            }
            for i, n in enumerate(chunk)
        ]
        with _sqs("SendMessageBatch"):
            answer = sqs.send_message_batch(QueueUrl=settings.notify_queue_url, Entries=entries)
        if answer.get("Failed"):
            raise Unavailable(f"{len(answer['Failed'])} notification(s) not queued")


def depth(queue_url: str) -> int:
    """About how many messages wait on a queue (SQS's approximate count)."""
    sqs = aws.client("sqs", get_settings().region)
    with _sqs("GetQueueAttributes"):
        answer = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
    return int(answer["Attributes"].get("ApproximateNumberOfMessages", 0))


def peek(queue_url: str, limit: int = 10) -> list[str]:
    """The bodies of up to ``limit`` waiting messages, left on the queue (visible again at once)."""
    sqs = aws.client("sqs", get_settings().region)
    with _sqs("ReceiveMessage"):
        answer = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=min(limit, 10), VisibilityTimeout=0
        )
    return [message["Body"] for message in answer.get("Messages", [])]


def move_messages(
    from_url: str, to_url: str, on_message: Callable[[bool], None] | None = None
) -> tuple[int, int]:
    """Move every message of a dead-letter queue back to its source queue; (moved, kept).

    A message that breaks its contract would only fail again: it stays where it is (hidden for
    the length of the move, so it is not read twice). ``on_message(moved)`` follows progress.
    """
    sqs = aws.client("sqs", get_settings().region)
    moved = kept = 0
    while True:
        # A long poll (1 s): a short one can miss messages on real SQS and end the move early.
        answer = sqs.receive_message(
            QueueUrl=from_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=300,
            WaitTimeSeconds=1,
            MessageAttributeNames=["All"],  # the correlation id goes back with the message
        )
        messages = answer.get("Messages", [])
        if not messages:
            return moved, kept
        for message in messages:
            try:
                parse(message["Body"])
            except BadMessage:
                kept += 1
                if on_message:
                    on_message(False)
                continue
            kept_attributes = message.get("MessageAttributes")
            extra = {"MessageAttributes": kept_attributes} if kept_attributes else {}
            sqs.send_message(QueueUrl=to_url, MessageBody=message["Body"], **extra)
            sqs.delete_message(QueueUrl=from_url, ReceiptHandle=message["ReceiptHandle"])
            moved += 1
            if on_message:
                on_message(True)
