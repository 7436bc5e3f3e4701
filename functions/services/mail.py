"""One notification becomes one email, rendered in the reader's language and sent exactly once.

The mail record of (kind, round, recipient, key) is claimed before sending and marked sent
after; a redelivered notification finds it and sends nothing. A worker that died between SES
accepting the message and the record being marked leaves a claim that expires after
``LEASE_SECONDS``; the next delivery then sends again (a rare duplicate is preferred over a lost
decision email), and if no delivery comes (the message went to the dead-letter queue) the
sweeper queues it again (functions/services/sweep.py, ``reclaimed``).

An email that can never go is refused for good, recorded on the request, counted
(``MailRejected``, ``MailSuppressed``) and not retried: an address the domain's rule refuses
(``invalid_address``), a recipient on the suppression list (``suppressed``), or SES's refusal of
this message (``MessageRejected``...). When it was the partner's, the region's Project Officers
are told (``partner_unreachable``: they can reach the partner another way).

A refusal of the whole account or sender (sending paused, account suspended, the sender or its
MAIL FROM domain not verified) is no fault of the email: the claim is given back, the refusal
counted at once (``MailAccountRefused``, an alarm) and :class:`mailer.AccountRefusal` raised, so
the notification stays on its queue and goes out once the account is fixed (from the
dead-letter queue, ``python -m functions.ops queues redrive``, if that took longer than its
deliveries).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, NamedTuple

from functions.adapters import links, mailer, queue
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.committee import Member, Officer, officers_for
from functions.domain.mail import (
    DRAFT_KINDS,
    INVALID_ADDRESS,
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    SUPPRESSED,
    WITH_REVIEW_LINK,
    MailKind,
    MailRecord,
    MailState,
    Notification,
    Role,
    email_hash,
    officer,
    sendable,
)
from functions.domain.records import Request
from functions.domain.reference import country_names, reference_data
from functions.presentation.formspec import request_form
from functions.presentation.mail_content import compose
from functions.presentation.readout import NOT_IN_MAIL, field_titles, read_request
from functions.runtime import logs, metrics
from functions.runtime.settings import get_settings
from functions.services import actions
from functions.services.review import conversation, event

log = logging.getLogger(__name__)
__all__ = [
    "LEASE_SECONDS", "MAX_ATTEMPTS", "Addressee", "SendInProgress", "deliver", "refuse", "resolve",
]  # fmt: skip


class SendInProgress(Exception):
    """Another worker holds the claim on this email: try again after the visibility timeout."""


class Addressee(NamedTuple):
    """Where an email goes and in which language; ``on_behalf_of`` when a delegate gets it."""

    address: str
    name: str
    language: str
    on_behalf_of: Member | None = None
    member: Member | None = None


def resolve(
    request: Request, notification: Notification, person: Member | Officer | None
) -> Addressee | None:
    """The address behind a notification's recipient; ``person`` is the member or officer
    read with the request. None when there is nobody to write to (erased, removed)."""
    role = notification.recipient.role
    if role is Role.PARTNER:
        contact = request.document["contact"]
        if "@" not in contact["email"]:  # erased (functions/services/erasure.py)
            return None
        return Addressee(contact["email"], contact["name"], request.language)
    if role is Role.MEMBER:
        if not isinstance(person, Member):
            return None
        delegate = person.acting_delegate(clock.now().date())
        if delegate is not None:
            return Addressee(delegate.email, delegate.name, person.language, person, person)
        return Addressee(person.email, person.name, person.language, None, person)
    if not isinstance(person, Officer):
        return None
    return Addressee(person.email, person.name, person.language)


def _claim(notification: Notification, expires_at: int | None) -> MailRecord | None:
    """Take the right to send this email; None if it was already sent (or refused for good).

    The record expires with its request (``expires_at``), as every item of the partition does.
    """
    store = repository()
    now = clock.now()
    claim = MailRecord.claim(notification, clock.iso(now))
    if store.claim_mail(claim, expires_at):
        return claim
    existing = store.get_mail(notification)
    if existing is None or existing.state is not MailState.SENDING:
        return None
    if clock.parse_iso(existing.at) + timedelta(seconds=LEASE_SECONDS) > now:
        raise SendInProgress(_described(notification))
    if not store.take_over_mail(existing, clock.iso(now)):
        raise SendInProgress(_described(notification))
    return existing._replace(at=clock.iso(now), attempts=existing.attempts + 1)


def _described(notification: Notification | MailRecord) -> str:
    """A notification in a log line or an error: ids only."""
    return (
        f"{notification.kind} round {notification.round} of {notification.request_id} "
        f"to {notification.recipient}"
    )


def deliver(message: dict[str, Any]) -> str:
    """Send the email a notification asks for, once. Returns what happened, for the log.

    Calls: one BatchGetItem (the request and the recipient; GetItem for the partner), one PutItem
    (the claim), one GetItem (the suppression list), one SendEmail, one UpdateItem (marked sent);
    a review request or a reminder after round 1 adds one Query (the partition's events: the
    conversation with the partner).
    """
    notification = Notification.from_message(message)
    if notification.kind in DRAFT_KINDS:
        return _deliver_about_draft(notification)
    logs.bind(request_id=notification.request_id)
    store = repository()
    request, person = store.request_and_recipient(notification.request_id, notification.recipient)
    if request is None:
        return "dropped: request gone"
    logs.bind(reference=request.reference)
    addressee = resolve(request, notification, person)
    if addressee is None:
        return "dropped: recipient gone"
    claim = _claim(notification, request.expires_at)
    if claim is None:
        return "duplicate"
    if not sendable(addressee.address):  # stored before the rule, or a committee's typo
        return _refused(request, claim, INVALID_ADDRESS)
    if store.is_suppressed(email_hash(addressee.address)):
        return _suppressed(request, claim)
    subject, text, html = compose(
        notification.kind, addressee.language, _context(notification, request, addressee)
    )
    try:
        message_id = mailer.send(
            addressee.address, subject, text, html, notification.kind, addressee.language
        )
    except mailer.AccountRefusal as refusal:
        _wait_for_the_account(claim, refusal.code)
        raise
    except mailer.PermanentRejection as rejection:
        return _refused(request, claim, rejection.code)
    note = None
    if addressee.on_behalf_of is not None:
        note = f"sent to the delegate of {notification.recipient}"
    store.finish_mail(claim, MailState.SENT, message_id=message_id, error=note)
    metrics.emit("MailSent")
    return "sent"


def _deliver_about_draft(notification: Notification) -> str:
    """A saved draft's email (its link, or the reminder that it ends soon), to the address the
    draft holds, once. A refusal is recorded on the mail record only: there is no request
    whose trail could hold it. Calls: one GetItem (the draft), one PutItem (the claim), one
    GetItem (the suppression list), one SendEmail, one UpdateItem (marked sent)."""
    from functions.services import drafts  # the draft emails only

    store = repository()
    draft = store.get_draft(notification.request_id)
    if draft is None:
        return "dropped: draft gone"  # sent as a request, erased, or ended
    address = (draft.values.get(drafts.EMAIL_FIELD) or [""])[-1].strip()
    claim = _claim(notification, draft.expires_at)
    if claim is None:
        return "duplicate"
    if not sendable(address):
        store.finish_mail(claim, MailState.REJECTED, error=INVALID_ADDRESS)
        metrics.emit("MailRejected", code=INVALID_ADDRESS)
        return f"rejected: {INVALID_ADDRESS}"
    if store.is_suppressed(email_hash(address)):
        store.finish_mail(claim, MailState.REJECTED, error=SUPPRESSED)
        metrics.emit("MailSuppressed")
        return SUPPRESSED
    context = {"kind": notification.kind.value, "status": "draft", "reference": ""}
    context.update(drafts.mail_context(draft))
    subject, text, html = compose(notification.kind, draft.language, context)
    try:
        message_id = mailer.send(address, subject, text, html, notification.kind, draft.language)
    except mailer.AccountRefusal as refusal:  # the draft's email waits with the others
        _wait_for_the_account(claim, refusal.code)
        raise
    except mailer.PermanentRejection as rejection:
        store.finish_mail(claim, MailState.REJECTED, error=rejection.code)
        metrics.emit("MailRejected", code=rejection.code)
        return f"rejected: {rejection.code}"
    store.finish_mail(claim, MailState.SENT, message_id=message_id)
    metrics.emit("MailSent")
    return "sent"


def _wait_for_the_account(claim: MailRecord, code: str) -> None:
    """SES refuses the account or the sender: give the claim back (the redelivery claims it
    afresh, its attempts not spent, so the sweeper never abandons it while the account is
    fixed) and raise the alarm now, not after the queue's retries."""
    repository().release_mail(claim)
    metrics.emit("MailAccountRefused", code=code)
    log.error(
        "SES refuses the account (%s): %s left on its queue",
        code,
        _described(claim),
        extra={"code": code, "mail_kind": claim.kind.value, "recipient": str(claim.recipient)},
    )


def refuse(request_id: str, claim: MailRecord, code: str) -> None:
    """Record a claimed email as refused for good (``code``, never an address) and say so in
    the request's trail (a ``mail_rejected`` event, not public)."""
    store = repository()
    store.finish_mail(claim, MailState.REJECTED, error=code)
    store.append_event(
        event(
            request_id,
            "mail_rejected",
            "system",
            claim.round,
            {"kind": claim.kind.value, "recipient": str(claim.recipient), "code": code},
            public=False,
            suffix=str(claim.recipient),
        )
    )


def _refused(request: Request, claim: MailRecord, code: str) -> str:
    """A refusal of this email: the officers told if it was the partner's (queued first: if
    queuing fails the claim goes stale and the email is tried again), recorded, counted."""
    _tell_officers(request, claim, rejected=True)
    refuse(request.request_id, claim, code)
    metrics.emit("MailRejected", code=code)
    return f"rejected: {code}"


# The key of an officer's notice about a partner's email SES (or our address rule) refused:
# ``<lost kind>:rejected``; a suppressed address's notice keeps the plain ``<lost kind>``.
REJECTED_SUFFIX = ":rejected"


def _tell_officers(request: Request, claim: MailRecord, *, rejected: bool) -> None:
    """The region's Project Officers hear that the partner cannot be emailed (partner's mail
    only): one ``partner_unreachable`` notice each, keyed by the lost email's kind."""
    if claim.recipient.role is not Role.PARTNER:
        return
    key = claim.kind.value + (REJECTED_SUFFIX if rejected else "")
    told = [
        Notification(
            request.request_id,
            MailKind.PARTNER_UNREACHABLE,
            claim.round,
            officer(person.officer_id),
            key,
        )
        for person in officers_for(request.region, repository().officers())
    ]
    if told:
        queue.publish_notifications(told)


def _suppressed(request: Request, claim: MailRecord) -> str:
    """The recipient must not be mailed (a bounce, a complaint): nothing is sent, the request
    records it, and for the partner the region's Project Officers are told (they can reach the
    partner another way). The officers' notices are queued before the record is finished: if
    queuing fails, the claim goes stale and the email is tried again."""
    store = repository()
    _tell_officers(request, claim, rejected=False)
    store.finish_mail(claim, MailState.REJECTED, error=SUPPRESSED)
    store.append_event(
        event(
            request.request_id,
            "mail_suppressed",
            "system",
            claim.round,
            {"kind": claim.kind.value, "recipient": str(claim.recipient)},
            public=False,
            suffix=str(claim.recipient),
        )
    )
    metrics.emit("MailSuppressed")
    return SUPPRESSED


def _context(notification: Notification, request: Request, recipient: Addressee) -> dict[str, Any]:
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
        "kind": notification.kind.value,
        "round": notification.round,
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
        # partner_unreachable: whether SES (or the address rule) refused the partner's address,
        # or the address is on the suppression list (see _tell_officers).
        "address_refused": notification.key.endswith(REJECTED_SUFFIX),
    }
    spec = request_form()
    context["parts"] = read_request(spec, document, recipient.language, NOT_IN_MAIL)
    context["conversation"] = []
    if notification.kind in WITH_REVIEW_LINK and notification.round > 1:
        # The whole conversation so far: each question, who asked, the answer, the changes
        # (a question ends a round, so round 1 has none and costs no Query).
        context["conversation"] = conversation(repository().partition(request.request_id).events)
        context["field_titles"] = {k.partition(".")[2]: v for k, v in field_titles(spec).items()}
    if notification.recipient.role is Role.PARTNER:
        # Every link opens the page in the email's language (the page's switcher still works).
        context["status_url"] = links.status_url(request.request_id, recipient.language)
    if notification.kind in WITH_REVIEW_LINK and recipient.member is not None:
        link = links.ReviewLink(request.request_id, recipient.member.member_id, notification.round)
        expires = (clock.now() + timedelta(days=settings.link_max_age_days)).date()
        delegate = recipient.member.acting_delegate(clock.now().date())
        if recipient.on_behalf_of is not None and delegate is not None:
            # The delegate's link is theirs: it votes only while this delegation lasts.
            link = link._replace(
                holder=links.Holder.DELEGATE, delegation_from=delegate.valid_from.isoformat()
            )
            expires = min(expires, delegate.valid_until)
        token = links.review_token(link)
        context["review_url"] = settings.public_url(f"/review/{token}?lang={recipient.language}")
        context["link_expires_on"] = expires.isoformat()
    if notification.kind is MailKind.INVITATION_FREED:
        # key "freed-<activity>-<declined|expired>-<expert id>": the activity and why
        _, number, status, _ = notification.key.split("-", 3)
        context.update(actions.mail_context(request.request_id, recipient.language, ""))
        action = context.get("action") or {"activities": []}
        found = [a for a in action["activities"] if a["number"] == int(number)]
        context["activity"] = found[0] if found else None
        context["freed_because"] = status
    if notification.kind in (
        MailKind.ACTION_PUBLISHED,
        MailKind.ACTIVITY_CHANGED,
        MailKind.EVALUATION_HOST,
    ):
        context.update(
            actions.mail_context(request.request_id, recipient.language, notification.key)
        )
    if notification.kind is MailKind.EVALUATION_HOST and context.get("activity"):
        done = int(context["activity"]["number"])
        host = links.EvaluationLink(request.request_id, done, "host")
        context["evaluation_url"] = links.evaluation_url(host, recipient.language)
        expires = (clock.now() + timedelta(days=links.EVALUATION_DAYS)).date()
        context["link_expires_on"] = expires.isoformat()
    return context
