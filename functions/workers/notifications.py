"""SQS worker: one notification, one email, sent once."""

from __future__ import annotations

import logging

from chalice.app import Blueprint, SQSEvent

from functions.adapters import queue
from functions.runtime import logs
from functions.runtime.invocation import each_invocation
from functions.runtime.settings import deploy_time_name

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


@blueprint.on_sqs_message(
    queue=deploy_time_name("NOTIFY_QUEUE_NAME", "mieux-local-notifications"), batch_size=1
)
@each_invocation  # Lambda imports this module, not app.py: see functions/runtime/invocation.py
def notifications(event: SQSEvent) -> None:
    """Deliver each notification. Ids only in the log line: never an address or a subject.

    An exception leaves the message for redelivery: SES refusing the whole account
    (``AccountRefusal``, counted and alarmed by the mail service), throttling past the retries,
    another worker's claim (``SendInProgress``)."""
    # Imported here, on the first notification: the mail service pulls in Jinja2, the email
    # package and the templates' helpers. app.py imports this module to register it, so a
    # module-level import would add them to the API's cold start.
    from functions.services.mail import deliver

    for record in event:
        raw = record.to_dict()
        with logs.scope(
            sqs_message_id=raw.get("messageId"), correlation_id=logs.record_correlation_id(raw)
        ):
            message = queue.parse(record.body)
            if message["type"] == "roster_notification":
                # The roster's emails (issue 18): imported on use as well.
                from functions.services import roster_mail

                outcome = roster_mail.deliver(message)
                log.info(
                    "roster notification %s to %s: %s",
                    message["mail_kind"],
                    message["recipient"],
                    outcome,
                    extra={
                        "mail_kind": message["mail_kind"],
                        "recipient": message["recipient"],
                        "outcome": outcome,
                    },
                )
                continue
            outcome = deliver(message)
            log.info(
                "notification %s round %s to %s: %s",
                message["mail_kind"],
                message["round"],
                message["recipient"],
                outcome,
                extra={
                    "mail_kind": message["mail_kind"],
                    "recipient": message["recipient"],
                    "outcome": outcome,
                },
            )
