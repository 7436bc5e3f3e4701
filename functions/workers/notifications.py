"""SQS worker: one notification, one email, sent once."""

from __future__ import annotations

import logging

from chalice.app import Blueprint, SQSEvent

from functions.adapters import queue
from functions.settings import deploy_time_name

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


@blueprint.on_sqs_message(
    queue=deploy_time_name("NOTIFY_QUEUE_NAME", "mieux-local-notifications"), batch_size=1
)
def notifications(event: SQSEvent) -> None:
    """Deliver each notification. Ids only in the log line: never an address or a subject."""
    # Imported here, on the first notification: the mail service pulls in Jinja2, the email
    # package and the templates' helpers, which only this Lambda uses. Every Lambda of the app
    # imports app.py (Chalice puts all handlers in one module), so a module-level import would
    # add them to the cold start of the API and the other workers too.
    from functions.services.mail import deliver

    for record in event:
        message = queue.parse(record.body)
        outcome = deliver(message)
        log.info(
            "notification %s %s round %s to %s: %s",
            message["request_id"],
            message["mail_kind"],
            message["round"],
            message["recipient"],
            outcome,
        )
