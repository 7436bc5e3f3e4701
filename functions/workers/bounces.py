"""SES bounces and complaints (via SNS) -> the suppression list, so nobody is mailed again in vain.

SES publishes an event for every bounce and complaint of mail sent through the stage's
configuration set (``infra/stack.yaml``). A permanent bounce or a complaint suppresses the
address; a transient or undetermined bounce does not (the mailbox may be full today). Addresses
are never logged: only counts and SES's message id.
"""

from __future__ import annotations

import json
import logging
from typing import Any, NamedTuple

from chalice.app import Blueprint, SNSEvent

from functions.runtime.invocation import each_invocation
from functions.runtime.settings import deploy_time_name
from functions.services import suppression

log = logging.getLogger(__name__)

bounces = Blueprint(__name__)


class BadNotification(ValueError):
    """An SNS message that is not an SES notification: retrying cannot fix it."""


class Verdict(NamedTuple):
    """What one SES notification asks for: the addresses to suppress and why."""

    kind: str  # bounce | complaint | other
    addresses: tuple[str, ...]
    reason: str
    message_id: str


def read_notification(message: str) -> Verdict:
    """Parse an SES event (configuration-set event publishing, or identity notifications)."""
    try:
        notification = json.loads(message)
    except ValueError as error:
        raise BadNotification("the SNS message is not JSON") from error
    if not isinstance(notification, dict):
        raise BadNotification("the SNS message is not a JSON object")
    # Event publishing says "eventType", identity notifications "notificationType".
    kind = str(notification.get("eventType") or notification.get("notificationType") or "")
    message_id = str(notification.get("mail", {}).get("messageId", ""))
    if kind == "Bounce":
        return _bounce(notification.get("bounce", {}), message_id)
    if kind == "Complaint":
        return _complaint(notification.get("complaint", {}), message_id)
    return Verdict("other", (), kind or "unknown", message_id)


def _addresses(recipients: Any) -> tuple[str, ...]:
    if not isinstance(recipients, list):
        raise BadNotification("the recipients are not a list")
    return tuple(
        str(entry["emailAddress"])
        for entry in recipients
        if isinstance(entry, dict) and entry.get("emailAddress")
    )


def _bounce(bounce: dict[str, Any], message_id: str) -> Verdict:
    bounce_type = str(bounce.get("bounceType", ""))
    addresses = _addresses(bounce.get("bouncedRecipients", []))
    if bounce_type != "Permanent":  # Transient or Undetermined: the address may work tomorrow
        return Verdict("bounce", (), bounce_type.lower() or "unknown", message_id)
    return Verdict("bounce", addresses, "bounce", message_id)


def _complaint(complaint: dict[str, Any], message_id: str) -> Verdict:
    addresses = _addresses(complaint.get("complainedRecipients", []))
    if complaint.get("complaintFeedbackType") == "not-spam":  # the recipient withdrew it
        return Verdict("complaint", (), "not-spam", message_id)
    return Verdict("complaint", addresses, "complaint", message_id)


def record(message: str) -> Verdict:
    """Suppress what an SES notification says must be suppressed (one PutItem per address)."""
    verdict = read_notification(message)
    added = sum(suppression.suppress(address, verdict.reason) for address in verdict.addresses)
    log.info(
        "ses %s (%s) for message %s: %d address(es) suppressed, %d new",
        verdict.kind,
        verdict.reason,
        verdict.message_id or "-",
        len(verdict.addresses),
        added,
    )
    return verdict


@bounces.on_sns_message(
    topic=deploy_time_name("SES_EVENTS_TOPIC", "mieux-local-ses-events"), name="bounces"
)
@each_invocation  # Lambda imports this module, not app.py: see functions/runtime/invocation.py
def handle_ses_event(event: SNSEvent) -> None:
    """The ``bounces`` Lambda: one SES notification per SNS message."""
    record(event.message)
