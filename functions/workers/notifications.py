"""SQS worker: one notification, one email, sent once."""

from __future__ import annotations

import logging

from chalice.app import Blueprint, SQSEvent

from functions.adapters import queue
from functions.runtime.invocation import each_invocation
from functions.runtime.settings import deploy_time_name

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


@blueprint.on_sqs_message(
    queue=deploy_time_name("NOTIFY_QUEUE_NAME", "mieux-local-notifications"), batch_size=1
)
@each_invocation  # Lambda imports this module, not app.py: see functions/runtime/invocation.py
def notifications(event: SQSEvent) -> None:
    """Deliver each notification. Ids only in the log line: never an address or a subject."""
    # Imported here, on the first notification: the mail service pulls in Jinja2, the email
    # package and the templates' helpers. app.py imports this module to register it, so a
    # module-level import would add them to the API's cold start.
    from functions.services.mail import deliver

    for record in event:
        message = queue.parse(record.body)
        if message["type"] == "roster_notification":
            from functions.services import roster_mail  # the roster's emails: on use as well

            outcome = roster_mail.deliver(message)
            log.info(
                "roster notification of expert %s %s to %s: %s",
                message["expert_id"],
                message["mail_kind"],
                message["recipient"],
                outcome,
            )
            continue
        outcome = deliver(message)
        log.info(
            "notification %s %s round %s to %s: %s",
            message["request_id"],
            message["mail_kind"],
            message["round"],
            message["recipient"],
            outcome,
        )
