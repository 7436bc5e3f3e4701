"""Typed messages on SQS: validated against ``schemas/messages`` when sent and when received."""

from __future__ import annotations

import json
from typing import Any

from functions import schemas
from functions.adapters import aws
from functions.settings import get_settings

_SCHEMAS = {
    "review_task": "messages/review_task.schema.json",
    "notification": "messages/notification.schema.json",
}


class BadMessage(ValueError):
    """A message that breaks its contract: retrying cannot fix it."""


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


def _send(queue_url: str, message: dict[str, Any]) -> None:
    settings = get_settings()
    aws.client("sqs", settings.region).send_message(
        QueueUrl=queue_url, MessageBody=json.dumps(check(message), separators=(",", ":"))
    )


def publish_review_task(request_id: str, round_number: int) -> None:
    """Ask for a review round of a request (one SendMessage)."""
    message = {"type": "review_task", "request_id": request_id, "round": round_number}
    _send(get_settings().review_queue_url, message)


def publish_notifications(messages: list[dict[str, Any]]) -> None:
    """Queue emails, ten per SendMessageBatch call; raises if any entry failed."""
    settings = get_settings()
    sqs = aws.client("sqs", settings.region)
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        entries = [
            {"Id": str(i), "MessageBody": json.dumps(check(m), separators=(",", ":"))}
            for i, m in enumerate(chunk)
        ]
        answer = sqs.send_message_batch(QueueUrl=settings.notify_queue_url, Entries=entries)
        if answer.get("Failed"):
            raise RuntimeError(f"{len(answer['Failed'])} notification(s) not queued")
