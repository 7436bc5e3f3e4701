"""One roster notification becomes one email, in the reader's language, sent once.

The same protocol as the requests' mail (functions/services/mail.py): the record of (kind,
recipient, key) is claimed before sending and finished after; a redelivered notification finds
it and sends nothing; a claim older than the lease (a worker that died) is taken over by the
next delivery. An address the mailer cannot use, or one on the suppression list, is refused
for good and not retried.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, NamedTuple

from functions.adapters import links, mailer
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.experts import Expert
from functions.domain.mail import (
    EXPERT,
    INVALID_ADDRESS,
    LEASE_SECONDS,
    SUPPRESSED,
    MailKind,
    MailState,
    RosterMailRecord,
    RosterNotification,
    email_hash,
    sendable,
)
from functions.presentation.formspec import expert_form
from functions.presentation.mail_content import compose
from functions.presentation.readout import read_request
from functions.runtime.settings import get_settings
from functions.services import experts as roster
from functions.services.mail import SendInProgress

# The expert's own address stays off the focal point's summary (mail is forwarded).
NOT_IN_MAIL = frozenset({"expert.email"})


class Reader(NamedTuple):
    """Where a roster email goes, in which language, and the focal point's id if it is one."""

    address: str
    name: str
    language: str
    focal: tuple[str, str] | None = None


def _reader(expert: Expert, notification: RosterNotification) -> Reader | None:
    """The expert, or the focal point the notification names; None if gone."""
    focal = notification.focal_point()
    if focal is None:
        if notification.recipient != EXPERT:
            return None
        return Reader(
            expert.document["expert"]["email"], expert.document["expert"]["name"], expert.language
        )
    point = repository().focal_point(*focal)
    if point is None:
        return None
    return Reader(point.email, point.name, point.language, focal)


def _claim(notification: RosterNotification) -> RosterMailRecord | None:
    store = repository()
    now = clock.now()
    claim = RosterMailRecord.claim(notification, clock.iso(now))
    if store.claim_roster_mail(claim):
        return claim
    existing = store.get_roster_mail(notification)
    if existing is None or existing.state is not MailState.SENDING:
        return None
    if clock.parse_iso(existing.at) + timedelta(seconds=LEASE_SECONDS) > now:
        raise SendInProgress(f"{notification.kind} of expert {notification.expert_id}")
    if not store.take_over_roster_mail(existing, clock.iso(now)):
        raise SendInProgress(f"{notification.kind} of expert {notification.expert_id}")
    return existing._replace(at=clock.iso(now), attempts=existing.attempts + 1)


def deliver(message: dict[str, Any]) -> str:
    """Send the roster email a notification asks for, once. Returns what happened (ids only).

    Calls: one GetItem (the expert; one more for a focal point), one PutItem (the claim), one
    GetItem (the suppression list), one SendEmail, one UpdateItem (marked sent).
    """
    notification = RosterNotification.from_message(message)
    store = repository()
    expert = store.get_expert(notification.expert_id)
    if expert is None:
        return "dropped: expert gone"
    reader = _reader(expert, notification)
    if reader is None:
        return "dropped: recipient gone"
    claim = _claim(notification)
    if claim is None:
        return "duplicate"
    if not sendable(reader.address):
        store.finish_roster_mail(claim, MailState.REJECTED, error=INVALID_ADDRESS)
        return f"rejected: {INVALID_ADDRESS}"
    if store.is_suppressed(email_hash(reader.address)):
        store.finish_roster_mail(claim, MailState.REJECTED, error=SUPPRESSED)
        return SUPPRESSED
    context = _context(notification, expert, reader)
    subject, text, html = compose(notification.kind, reader.language, context)
    try:
        message_id = mailer.send(
            reader.address, subject, text, html, notification.kind, reader.language
        )
    except mailer.PermanentRejection as rejection:
        store.finish_roster_mail(claim, MailState.REJECTED, error=rejection.code)
        return f"rejected: {rejection.code}"
    store.finish_roster_mail(claim, MailState.SENT, message_id=message_id)
    return "sent"


def _context(notification: RosterNotification, expert: Expert, reader: Reader) -> dict[str, Any]:
    """What a roster template may show: the registration read back and this reader's link."""
    settings = get_settings()
    document = expert.document
    context: dict[str, Any] = {
        "kind": notification.kind.value,
        "recipient_name": reader.name,
        "expert_name": document["expert"]["name"],
        "administration": document["expert"]["administration"],
        "status": "",
        "reference": "",
        "title": "",
        "decided": expert.status,
        "reason": expert.decline_reason,
        "parts": read_request(expert_form(), document, reader.language, NOT_IN_MAIL),
    }
    if notification.kind in (MailKind.INVITATION, MailKind.INVITATION_REMINDER):
        context.update(_invitation_context(notification, expert, reader))
    elif notification.kind is MailKind.EVALUATION_EXPERT:
        context.update(_evaluation_context(notification, expert, reader))
    elif reader.focal is None:
        context["page_url"] = roster.page_url(expert.expert_id, reader.language)
    else:
        link = links.FocalLink(expert.expert_id, *reader.focal)
        context["focal_url"] = roster.focal_url(link, reader.language)
        expires = clock.now() + timedelta(days=settings.link_max_age_days)
        context["link_expires_on"] = expires.date().isoformat()
    return context


def _invitation_context(
    notification: RosterNotification, expert: Expert, reader: Reader
) -> dict[str, Any]:
    """The activity an invitation is for, its deadline and, for the expert, the link."""
    from functions.domain.reference import ACTIVITY_TYPES, country_names

    request_id, _, number = notification.key.partition(".")
    need = roster.activity_need(request_id, int(number))
    invitation = repository().get_invitation(request_id, int(number), expert.expert_id)
    respond_by = invitation.respond_by[:10] if invitation else ""
    context: dict[str, Any] = {
        "activity_title": need.title,
        "activity_type": ACTIVITY_TYPES.get(need.type, need.type),
        "starts_on": need.starts_on.isoformat(),
        "ends_on": need.ends_on.isoformat(),
        "place": country_names(reader.language).get(need.country, need.country),
        "respond_by": respond_by,
        "copy": reader.focal is not None,
        "parts": [],
    }
    if reader.focal is None:
        link = links.InvitationLink(request_id, int(number), expert.expert_id)
        context["invitation_url"] = roster.invitation_url(link, reader.language)
    return context


def _evaluation_context(
    notification: RosterNotification, expert: Expert, reader: Reader
) -> dict[str, Any]:
    """The done activity a deployed expert is asked to evaluate, and their own link."""
    from functions.services import evaluation

    context = _invitation_context(notification, expert, reader)
    request_id, _, number = notification.key.partition(".")
    link = evaluation.expert_link(request_id, int(number), expert.expert_id)
    expires = clock.now() + timedelta(days=links.EVALUATION_DAYS)
    context.pop("invitation_url", None)
    context.update(
        evaluation_url=links.evaluation_url(link, reader.language),
        link_expires_on=expires.date().isoformat(),
    )
    return context
