"""Save and continue later (issue 20): a half-filled form kept for a while, with no account.

A draft holds the form's answers as posted, so that opening its link puts every answer back
where it was typed. Saving checks what was answered (bounds, types, formats: a hostile draft
costs what a hostile request costs) but not what is missing; it needs an address, where the
signed link to continue goes (``Purpose.DRAFT``, the draft's id only, as old as the draft). Each
save keeps the draft ``DRAFT_DAYS`` more and mails a fresh link; the sweeper reminds once per
save, ``DRAFT_REMINDER_DAYS`` before the end. Sending the form as a request ends the draft (its
answers go at once; the table's TTL deletes the item: the API deletes nothing).
Staff and the committee never see a draft: it is not a request, and no listing reads it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from functions.adapters import links, queue
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.errors import Conflict, DraftExpired, DraftGone, InvalidRequest, LinkExpired
from functions.domain.mail import PARTNER, MailKind, Notification, email_hash
from functions.domain.records import Draft
from functions.domain.validation import normalised_request, validate_draft
from functions.runtime.settings import get_settings

log = logging.getLogger(__name__)

EMAIL_FIELD = "contact.email"  # the form's field whose answer the link is mailed to


class SavedDraft(NamedTuple):
    """What the person who saved sees: where the link went and until when it works."""

    draft_id: str
    token: str  # continues this draft (and sends it): put back in the form
    email: str
    expires_on: str  # ISO date


def save(
    values: dict[str, list[str]], document: Any, language: str, token: str | None = None
) -> SavedDraft:
    """Save the form's answers as a draft (a new one, or the one ``token`` continues) and mail
    the link to continue. Raises :class:`InvalidRequest` with every error of what was answered,
    :class:`DraftExpired` / :class:`DraftGone` for a draft no longer kept, :class:`Conflict` when
    another save of the same draft came first.

    Calls: (continuing) one GetItem; one conditional PutItem; one SendMessage.
    """
    errors = validate_draft(normalised_request(document))
    if errors:
        raise InvalidRequest(errors)
    store = repository()
    previous: int | None = None
    if token:
        draft_id = _draft_id(token)
        existing = store.get_draft(draft_id)
        if existing is None:
            raise DraftGone("this draft is no longer kept")
        previous = existing.version
    else:
        draft_id = uuid.uuid4().hex
    settings = get_settings()
    moment = clock.now()
    ends = moment + timedelta(days=settings.draft_days)
    reminder = ends - timedelta(days=settings.draft_reminder_days)
    email = (values.get(EMAIL_FIELD) or [""])[-1].strip()
    draft = Draft(
        draft_id=draft_id,
        values={name: list(answers) for name, answers in values.items()},
        email_hash=email_hash(email),
        language=language,
        version=(previous or 0) + 1,
        saved_at=clock.iso(moment),
        expires_at=int(ends.timestamp()),
        reminder_due=clock.iso(reminder) if reminder > moment else None,
    )
    if not store.save_draft(draft, previous):
        raise Conflict("this draft was saved again meanwhile")
    queue.publish_notifications(
        [Notification(draft_id, MailKind.DRAFT_SAVED, 1, PARTNER, f"v{draft.version}")]
    )
    return SavedDraft(draft_id, links.draft_token(draft_id), email, ends.date().isoformat())


def _draft_id(token: str) -> str:
    try:
        return links.read_draft_token(token)
    except LinkExpired as error:
        raise DraftExpired("this draft's link has expired") from error


def restore(draft_id: str, token: str) -> Draft:
    """The draft a link opens (a read, never a change: mail scanners open links too)."""
    if _draft_id(token) != draft_id:
        raise links.LinkWrongPurpose("this link is for another draft")
    draft = repository().get_draft(draft_id)
    if draft is None:
        raise DraftGone("this draft is no longer kept")
    return draft


def discard(token: str) -> None:
    """Delete the draft a form was continued from, now that it was sent as a request. A link
    no longer valid deletes nothing: that draft ends with its TTL."""
    try:
        draft_id = links.read_draft_token(token)
    except links.LinkError:
        return
    repository().discard_draft(draft_id)


def remind_expiring(now_iso: str) -> int:
    """Queue the reminder of every draft whose reminder is due (once per save: the mark is
    conditional on the version read). Returns how many were queued."""
    store = repository()
    due: list[Notification] = []
    for draft in store.drafts_due_reminder(now_iso):
        if store.mark_draft_reminded(draft.draft_id, draft.version):
            key = f"v{draft.version}"
            due.append(Notification(draft.draft_id, MailKind.DRAFT_EXPIRING, 1, PARTNER, key))
    if due:
        queue.publish_notifications(due)
    return len(due)


def erase(address: str) -> int:
    """End every draft that holds ``address`` (erasure: its answers go at once); returns how
    many."""
    store = repository()
    return sum(store.discard_draft(i) for i in store.draft_ids_by_email_hash(email_hash(address)))


def mail_context(draft: Draft) -> dict[str, Any]:
    """What the draft emails show: the person's name, the form's title so far, the link and
    the day the draft ends (the link opens the form in the draft's language)."""
    values = draft.values
    return {
        "recipient_name": (values.get("contact.name") or [""])[-1],
        "title": (values.get("request.title") or [""])[-1],
        "draft_url": links.draft_url(draft.draft_id, draft.language),
        "expires_on": datetime.fromtimestamp(draft.expires_at, UTC).date().isoformat(),
    }
