"""Emails as values: what kind each is, who receives it, and the record of sending it.

A notification names its recipient by role and id (``partner``, ``member:<id>``,
``officer:<id>``), never by address: the address is looked up when the email is sent, so a queue
message carries no personal data and a delegate named after queuing still gets the link.
"""

from __future__ import annotations

import hashlib
import string
from enum import StrEnum
from typing import NamedTuple

# A domain label's letters, digits and hyphen (RFC 1123), and RFC 5322's ``atext``: what a
# dot-atom local part may hold (no quoted strings, no comments).
_LDH = frozenset(string.ascii_letters + string.digits + "-")
_ATEXT = _LDH | frozenset("!#$%&'*+/=?^_`{|}~")


def sendable(address: str) -> bool:
    """True if the mailer can put ``address`` in a To header and SES can deliver to it.

    THE address rule, for intake (functions/domain/validation.py) and the mailer alike: ASCII
    only (no SMTPUTF8; an international domain is written in its punycode form), at most 254
    characters, a dot-atom local part of at most 64 (RFC 5321 4.5.3.1, RFC 5322 3.4.1), and a
    domain of at least two LDH labels of 1 to 63 characters that neither start nor end with a
    hyphen (the domain of WHATWG's "valid e-mail address", plus a dot). String operations
    only: linear in the length, whatever the input.
    """
    if len(address) > 254 or not address.isascii():
        return False
    local, at, domain = address.partition("@")
    if not at or not local or len(local) > 64:
        return False
    atoms = local.split(".")
    if not all(atom and _ATEXT.issuperset(atom) for atom in atoms):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(
        0 < len(label) <= 63
        and _LDH.issuperset(label)
        and not label.startswith("-")
        and not label.endswith("-")
        for label in labels
    )


def email_hash(address: str) -> str:
    """A stable, non-reversible key for an address: requests are found by it for erasure, and
    the suppression list holds only it. Case and surrounding spaces do not matter."""
    return hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()


class MailKind(StrEnum):
    """Every email the service sends. schemas/messages/notification.schema.json lists the same
    values, and each has a subject and two templates (a test holds all three together)."""

    RECEIPT = "receipt"
    REVIEW_REQUEST = "review_request"
    DECISION_PARTNER = "decision_partner"
    DECISION_OFFICER = "decision_officer"
    DECISION_COMMITTEE = "decision_committee"
    INFORMATION_REQUESTED = "information_requested"
    REMINDER = "reminder"
    ESCALATION = "escalation"
    STILL_UNDER_REVIEW = "still_under_review"
    INFORMATION_EXPIRED = "information_expired"
    WITHDRAWN = "withdrawn"
    ACTION_PUBLISHED = "action_published"
    ACTIVITY_CHANGED = "activity_changed"
    PARTNER_UNREACHABLE = "partner_unreachable"  # to the region's officers: key = the lost kind
    EVALUATION_HOST = "evaluation_host"  # the host's evaluation link: key = activity-<n>-done
    # The Expert Roster's (RosterNotification, not Notification: no request behind them).
    EXPERT_RECEIPT = "expert_receipt"  # to the expert: the registration and the own page's link
    FOCAL_REQUEST = "focal_request"  # to each focal point of the member state: the link to answer
    EXPERT_DECIDED = "expert_decided"  # to the expert: confirmed or declined (key = the status)
    # key = "<request id>.<activity>"; to the expert, and a copy to the focal points that ask
    INVITATION = "invitation"
    INVITATION_REMINDER = "invitation_reminder"  # to the expert, before the deadline
    # To a deployed expert, once an activity they accepted is done: key = "<request id>.<n>"
    EVALUATION_EXPERT = "evaluation_expert"
    # A Notification (the request's): to the region's officers, key = "freed-<n>-<status>-<id>"
    INVITATION_FREED = "invitation_freed"
    # A saved draft (issue 20): the notification's ``request_id`` is the DRAFT's id, ``key`` the
    # draft's version ("v3"): each save mails a fresh link; the reminder goes once per version.
    DRAFT_SAVED = "draft_saved"
    DRAFT_EXPIRING = "draft_expiring"


ROSTER_KINDS = frozenset(
    {
        MailKind.EXPERT_RECEIPT,
        MailKind.FOCAL_REQUEST,
        MailKind.EXPERT_DECIDED,
        MailKind.INVITATION,
        MailKind.INVITATION_REMINDER,
        MailKind.EVALUATION_EXPERT,
    }
)


# A claim (``sending``) older than this belongs to a worker that died: it may be taken over. The
# notifications queue's visibility timeout (180 s, infra/stack.yaml) is longer, so a redelivery
# always finds a claim it may take over.
LEASE_SECONDS = 120
# Claims taken this many times without an outcome: the email kills every worker that tries it
# (a poison message). The sweeper records it as refused instead of queuing it again.
MAX_ATTEMPTS = 5
# Why the service itself refused an email (MailRecord.error, the mail_rejected event's code).
INVALID_ADDRESS = "invalid_address"
SUPPRESSED = "suppressed"
ABANDONED = "abandoned"

# The emails about a draft, not a request: the recipient is the address the draft holds.
DRAFT_KINDS = frozenset({MailKind.DRAFT_SAVED, MailKind.DRAFT_EXPIRING})

# The emails that carry a committee member's signed review link.
WITH_REVIEW_LINK = frozenset({MailKind.REVIEW_REQUEST, MailKind.REMINDER})


class Role(StrEnum):
    """Who an email is for."""

    PARTNER = "partner"
    MEMBER = "member"
    OFFICER = "officer"


class Recipient(NamedTuple):
    """A recipient id: the partner of the request, a committee member, or a Project Officer."""

    role: Role
    id: str = ""

    def __str__(self) -> str:
        return self.role.value if self.role is Role.PARTNER else f"{self.role.value}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Recipient:
        """The recipient a notification names (``partner``, ``member:<id>``, ``officer:<id>``).

        Raises ValueError for anything else (the message schema refuses it before this).
        """
        role, _, identifier = text.partition(":")
        if role == Role.PARTNER and not identifier:
            return PARTNER
        if role in (Role.MEMBER, Role.OFFICER) and identifier:
            return cls(Role(role), identifier)
        raise ValueError(f"not a recipient: {text!r}")


PARTNER = Recipient(Role.PARTNER)


def member(member_id: str) -> Recipient:
    """A committee member as recipient."""
    return Recipient(Role.MEMBER, member_id)


def officer(officer_id: str) -> Recipient:
    """A Project Officer as recipient."""
    return Recipient(Role.OFFICER, officer_id)


class Notification(NamedTuple):
    """One email to send, as the notifications queue carries it: ids only.

    ``key`` tells apart emails of one kind sent more than once in a round (a reminder's
    interval, an activity's change).
    """

    request_id: str
    kind: MailKind
    round: int
    recipient: Recipient
    key: str = ""

    def as_message(self) -> dict[str, object]:
        """The queue message (schemas/messages/notification.schema.json)."""
        message: dict[str, object] = {
            "type": "notification",
            "request_id": self.request_id,
            "mail_kind": self.kind.value,
            "round": self.round,
            "recipient": str(self.recipient),
        }
        if self.key:
            message["key"] = self.key
        return message

    @classmethod
    def from_message(cls, message: dict[str, object]) -> Notification:
        """The notification a (schema-checked) queue message carries."""
        return cls(
            str(message["request_id"]),
            MailKind(str(message["mail_kind"])),
            int(str(message["round"])),
            Recipient.parse(str(message["recipient"])),
            str(message.get("key") or ""),
        )


class MailState(StrEnum):
    """Where the sending of one email stands."""

    SENDING = "sending"  # claimed by a worker; a claim older than the lease may be taken over
    SENT = "sent"
    REJECTED = "rejected"  # refused for good by SES: not retried


class MailRecord(NamedTuple):
    """The record of one email (kind, round, recipient, key) of a request: sent at most once."""

    request_id: str
    kind: MailKind
    round: int
    recipient: Recipient
    key: str
    state: MailState
    attempts: int
    at: str  # when the current claim was taken, or the outcome recorded
    message_id: str | None = None
    error: str | None = None

    @classmethod
    def claim(cls, notification: Notification, at: str) -> MailRecord:
        """A first claim on sending ``notification``."""
        return cls(
            notification.request_id,
            notification.kind,
            notification.round,
            notification.recipient,
            notification.key,
            MailState.SENDING,
            1,
            at,
        )


EXPERT = "expert"  # a roster notification's recipient: the expert it is about


class RosterNotification(NamedTuple):
    """One email of the Expert Roster, as the notifications queue carries it: ids only.

    ``recipient`` is ``expert`` or ``focal:<member state>:<focal point id>``.
    """

    expert_id: str
    kind: MailKind
    recipient: str = EXPERT
    key: str = ""

    def as_message(self) -> dict[str, object]:
        """The queue message (schemas/messages/roster_notification.schema.json)."""
        message: dict[str, object] = {
            "type": "roster_notification",
            "expert_id": self.expert_id,
            "mail_kind": self.kind.value,
            "recipient": self.recipient,
        }
        if self.key:
            message["key"] = self.key
        return message

    @classmethod
    def from_message(cls, message: dict[str, object]) -> RosterNotification:
        """The notification a (schema-checked) queue message carries."""
        return cls(
            str(message["expert_id"]),
            MailKind(str(message["mail_kind"])),
            str(message["recipient"]),
            str(message.get("key") or ""),
        )

    def focal_point(self) -> tuple[str, str] | None:
        """(member state, focal point id) for a focal point's email, else None."""
        role, _, rest = self.recipient.partition(":")
        if role != "focal":
            return None
        member_state, _, focal_id = rest.partition(":")
        return member_state, focal_id


class RosterMailRecord(NamedTuple):
    """The record of one roster email (kind, recipient, key) of an expert: sent at most once."""

    expert_id: str
    kind: MailKind
    recipient: str
    key: str
    state: MailState
    attempts: int
    at: str
    message_id: str | None = None
    error: str | None = None

    @classmethod
    def claim(cls, notification: RosterNotification, at: str) -> RosterMailRecord:
        """A first claim on sending ``notification``."""
        return cls(
            notification.expert_id,
            notification.kind,
            notification.recipient,
            notification.key,
            MailState.SENDING,
            1,
            at,
        )
