"""SQS worker: a review task opens a review round (receipt, review emails queued)."""

from __future__ import annotations

import logging

from chalice.app import Blueprint, SQSEvent

from functions.adapters import queue
from functions.runtime import logs
from functions.runtime.invocation import each_invocation
from functions.runtime.settings import deploy_time_name

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


# batch_size=1: a failure redelivers only its own message (see docs/architecture.md).
@blueprint.on_sqs_message(
    queue=deploy_time_name("REVIEW_QUEUE_NAME", "mieux-local-review-tasks"), batch_size=1
)
@each_invocation  # Lambda imports this module, not app.py: see functions/runtime/invocation.py
def review_tasks(event: SQSEvent) -> None:
    """Open the round each task names. An exception leaves the message for redelivery."""
    # Imported here: the review service is this worker's (and the review pages'); app.py imports
    # this module to register it, so a module-level import would add it to the API's cold start.
    from functions.services.review import dispatch_review

    for record in event:
        raw = record.to_dict()
        with logs.scope(
            sqs_message_id=raw.get("messageId"), correlation_id=logs.record_correlation_id(raw)
        ):
            message = queue.parse(record.body)
            request_id, round_number = message["request_id"], message["round"]
            logs.bind(request_id=request_id)
            queued = dispatch_review(request_id, round_number)
            log.info(
                "review task round %s: %s notifications",
                round_number,
                queued,
                extra={"round": round_number, "queued": queued},
            )
