"""One notification becomes one email, rendered in the reader's language and sent exactly once.

The mail record ``MAIL#<kind>#<round>#<recipient>`` is claimed before sending and marked sent
after; a redelivered notification finds it and sends nothing. A worker that died between SES
accepting the message and the record being marked leaves a claim that expires after
``LEASE_SECONDS``; the next delivery then sends again (a rare duplicate is preferred over a lost
decision email).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, NamedTuple

from functions.adapters import committee, links, mailer, store
from functions.domain import clock
from functions.domain.committee import Member
from functions.domain.errors import NotFound
from functions.domain.reference import country_names, reference_data
from functions.presentation.mail_content import compose
from functions.runtime.settings import get_settings
from functions.services import actions
from functions.services.review import load_request

log = logging.getLogger(__name__)
LEASE_SECONDS = 120


class SendInProgress(Exception):
    """Another worker holds the claim on this email: try again after the visibility timeout."""


class Recipient(NamedTuple):
    """Where an email goes and in which language; ``on_behalf_of`` when a delegate gets it."""

    address: str
    name: str
    language: str
    on_behalf_of: Member | None = None
    member: Member | None = None


def person_key(recipient: str) -> tuple[str, str] | None:
    """The key of the item behind a recipient id: a member's or an officer's (None: partner)."""
    role, _, identifier = recipient.partition(":")
    if role == "partner":
        return None
    if role == "member":
        return committee.member_key(identifier)
    return committee.officer_key(identifier)


def load(request_id: str, recipient: str) -> tuple[store.RequestItem, store.TableItem | None]:
    """The request and the recipient's item, read together (one BatchGetItem; for the
    partner, one GetItem). Raises :class:`NotFound` when the request is gone."""
    person = person_key(recipient)
    if person is None:
        return load_request(request_id), None
    key = (store.request_key(request_id), "META")
    found = store.get_many([key, person])
    request = found.get(key)
    if not isinstance(request, store.RequestItem):
        raise NotFound(request_id)
    return request, found.get(person)


def resolve(
    request: store.RequestItem, recipient: str, person: store.TableItem | None = None
) -> Recipient | None:
    """The address behind a recipient id (``partner``, ``member:<id>``, ``officer:<id>``);
    ``person`` is the member's or officer's item as :func:`load` read it."""
    role = recipient.partition(":")[0]
    if role == "partner":
        contact = request.document["contact"]
        if "@" not in contact["email"]:  # erased (functions/services/erasure.py)
            return None
        return Recipient(contact["email"], contact["name"], request.language)
    if role == "member":
        member = committee.member_of(person)
        if member is None:
            return None
        delegate = member.acting_delegate(clock.now().date())
        if delegate is not None:
            return Recipient(delegate.email, delegate.name, member.language, member, member)
        return Recipient(member.email, member.name, member.language, None, member)
    officer = committee.officer_of(person)
    if officer is None:
        return None
    return Recipient(officer.email, officer.name, officer.language)


def mail_key(message: dict[str, Any]) -> str:
    """The sort key of the mail record of one notification."""
    key = f"MAIL#{message['mail_kind']}#{message['round']:03d}#{message['recipient']}"
    return key + (f"#{message['key']}" if message.get("key") else "")


def _claim(message: dict[str, Any], expires_at: int | None = None) -> store.MailItem | None:
    """Take the right to send this email; None if it was already sent (or refused for good).

    The record expires with its request (``expires_at``), as every item of the partition does.
    """
    now = clock.now()
    claim = store.MailItem(
        store.request_key(message["request_id"]),
        mail_key(message),
        mail_kind=message["mail_kind"],
        round=message["round"],
        recipient=message["recipient"],
        state="sending",
        attempts=1,
        at=clock.iso(now),
        expires_at=expires_at,
    )
    if store.save_new(claim):
        return claim
    existing = store.get(store.MailItem, claim.pk, claim.sk)
    if existing is None or existing.state != "sending":
        return None
    if clock.parse_iso(existing.at) + timedelta(seconds=LEASE_SECONDS) > now:
        raise SendInProgress(claim.sk)
    taken = store.conditional_update(
        existing,
        [store.MailItem.at.set(clock.iso(now)), store.MailItem.attempts.add(1)],
        store.MailItem.at == existing.at,
    )
    if not taken:
        raise SendInProgress(claim.sk)
    return existing


def deliver(message: dict[str, Any]) -> str:
    """Send the email a notification asks for, once. Returns what happened, for the log.

    Calls: one BatchGetItem (the request and the recipient; GetItem for the partner), one PutItem
    (the claim), one SendEmail, one UpdateItem (marked sent).
    """
    try:
        request, person = load(message["request_id"], message["recipient"])
    except NotFound:
        return "dropped: request gone"
    recipient = resolve(request, message["recipient"], person)
    if recipient is None:
        return "dropped: recipient gone"
    expires = int(request.expires_at) if request.expires_at is not None else None
    claim = _claim(message, expires)
    if claim is None:
        return "duplicate"
    subject, text, html = compose(
        message["mail_kind"], recipient.language, _context(message, request, recipient)
    )
    try:
        message_id = mailer.send(
            recipient.address, subject, text, html, message["mail_kind"], recipient.language
        )
    except mailer.PermanentRejection as rejection:
        store.conditional_update(
            claim,
            [store.MailItem.state.set("rejected"), store.MailItem.error.set(rejection.code)],
            store.MailItem.state == "sending",
        )
        store.append_event(
            store.event_item(
                request.request_id,
                "mail_rejected",
                "system",
                message["round"],
                {
                    "kind": message["mail_kind"],
                    "recipient": message["recipient"],
                    "code": rejection.code,
                },
                public=False,
                suffix=message["recipient"],
            )
        )
        return f"rejected: {rejection.code}"
    actions = [store.MailItem.state.set("sent"), store.MailItem.message_id.set(message_id)]
    if recipient.on_behalf_of is not None:
        actions.append(store.MailItem.error.set(f"sent to the delegate of {message['recipient']}"))
    store.conditional_update(claim, actions, store.MailItem.state == "sending")
    return "sent"


def _context(
    message: dict[str, Any], request: store.RequestItem, recipient: Recipient
) -> dict[str, Any]:
    """Everything a template may show: the request's summary and the links for this reader."""
    settings = get_settings()
    reference = reference_data()
    document = request.document
    institution = document["institution"]
    if institution.get("country") in reference.countries:
        # Country names come localized from CLDR; region names go through the catalogs.
        place = country_names(recipient.language).get(institution["country"], "")
    else:
        place = reference.regions.get(institution.get("region", ""), "")
    context: dict[str, Any] = {
        "kind": message["mail_kind"],
        "round": message["round"],
        "recipient_name": recipient.name,
        "on_behalf_of": recipient.on_behalf_of.name if recipient.on_behalf_of else None,
        "reference": request.reference,
        "status": request.status,
        "title": document["request"]["title"],
        "institution": institution["name"],
        "institution_type": reference.institution_types[institution["type"]],
        "place": place,
        "pillar": reference.pillars[document["request"]["pillar"]],
        "topics": [reference.topics[t] for t in document["request"]["topics"]],
        "background": document["request"]["background"],
        "objectives": document["request"]["objectives"],
        "contact_name": document["contact"]["name"],
        "contact_email": document["contact"]["email"],
        "question": request.open_question,
        "reason": request.decision_reason,
        "submitted_on": request.submitted_at[:10],
    }
    if message["recipient"] == "partner":
        context["status_url"] = links.status_url(request.request_id)
    if message["mail_kind"] in ("review_request", "reminder") and recipient.member is not None:
        token = links.review_token(
            links.ReviewLink(request.request_id, recipient.member.member_id, message["round"])
        )
        context["review_url"] = settings.public_url(f"/review/{token}")
        expires = clock.now() + timedelta(days=settings.link_max_age_days)
        context["link_expires_on"] = expires.date().isoformat()
    if message["mail_kind"] in ("action_published", "activity_changed"):
        key = str(message.get("key", ""))
        context.update(actions.mail_context(request.request_id, recipient.language, key))
    return context
