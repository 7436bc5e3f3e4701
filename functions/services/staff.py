"""The staff workspace's use cases: signing in, who is signed in, and what they may change.

The user pool (adapters/cognito.py) says who someone is and their roles; the table says which
regions a Project Officer coordinates (the Officer record whose id is their user name). Every
change a staff member makes is written with their identity (:attr:`StaffMember.actor`, the
pool's stable id, and their user name in the event's detail).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from functions.adapters import cognito
from functions.adapters.cognito import Challenge, Tokens
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.committee import Officer
from functions.domain.errors import NotFound, WrongRole
from functions.domain.records import Event, Request
from functions.domain.staff import EDITORS, StaffMember, may_edit_region, roles_of

# The sign-in steps, named for the web layer (it never imports the adapter).
__all__ = ["Challenge", "Tokens"]


def sign_in(username: str, password: str) -> Tokens | Challenge:
    """The first step of signing in: the session's tokens, or the next step the pool asks."""
    return cognito.sign_in(username, password)


def new_password(challenge: Challenge, password: str) -> Tokens | Challenge:
    """Answer ``NEW_PASSWORD_REQUIRED`` (a first sign-in with the temporary password)."""
    return cognito.respond(challenge, {"NEW_PASSWORD": password})


def totp_code(challenge: Challenge, code: str) -> Tokens | Challenge:
    """Answer ``SOFTWARE_TOKEN_MFA`` with the authenticator's current code."""
    return cognito.respond(challenge, {"SOFTWARE_TOKEN_MFA_CODE": code})


def begin_totp_setup(challenge: Challenge) -> tuple[str, Challenge]:
    """``MFA_SETUP``: the secret to enter in an authenticator app."""
    return cognito.begin_totp_setup(challenge)


def finish_totp_setup(challenge: Challenge, code: str) -> Tokens | Challenge:
    """``MFA_SETUP``: the authenticator's first code confirms it; signed in."""
    return cognito.finish_totp_setup(challenge, code)


def renew(refresh_token: str) -> Tokens:
    """A fresh access token for a session whose token expired."""
    return cognito.renew(refresh_token)


def is_expired(access_token: str) -> bool:
    """True if the token is the pool's and only its time has passed."""
    return cognito.is_expired(access_token)


def identify(access_token: str) -> StaffMember:
    """Who holds this session (its signature and claims checked); :class:`NotSignedIn` if none."""
    claims = cognito.verified_claims(access_token)
    groups = claims.get("cognito:groups") or []
    return StaffMember(
        sub=str(claims["sub"]),
        username=str(claims.get("username", "")),
        roles=roles_of([str(group) for group in groups] if isinstance(groups, list) else []),
    )


def sign_out(member: StaffMember) -> None:
    """End every session of ``member`` (the pool revokes their refresh tokens)."""
    cognito.sign_out(member.username)


def officer_regions(member: StaffMember) -> tuple[str, ...]:
    """The regions ``member`` coordinates as a Project Officer (none if they are not one)."""
    officer = repository().officer(member.username)
    return officer.regions if officer is not None else ()


def check_may_edit(member: StaffMember, request: Request) -> None:
    """Raise :class:`WrongRole` unless ``member`` may change ``request`` (its region)."""
    if not member.has_any(EDITORS):
        raise WrongRole()
    if not may_edit_region(member, request.region, officer_regions(member)):
        raise WrongRole()


def editable_request(member: StaffMember, request_id: str) -> Request:
    """The request ``member`` is about to change: it exists and they may change it."""
    request = repository().get_request(request_id)
    if request is None:
        raise NotFound()
    check_may_edit(member, request)
    return request


def staff_event(
    member: StaffMember, request: Request, action: str, detail: dict[str, Any], public: bool
) -> Event:
    """An audit event of a change ``member`` made (their stable id and user name recorded)."""
    return Event(
        request_id=request.request_id,
        at=clock.iso(clock.now()),
        action=action,
        actor=member.actor,
        round=request.round,
        detail={**detail, "username": member.username},
        public=public,
    )


NOTE_LIMIT = 3000


def add_note(member: StaffMember, request_id: str, text: str) -> Event:
    """An internal note on a request (the partner never sees it), written by ``member``."""
    request = editable_request(member, request_id)
    event = staff_event(member, request, "note", {"text": text}, public=False)
    repository().append_event(event)
    return event


# --- the queue -----------------------------------------------------------------------------------

PAGE_SIZE = 25


class QueueFilter(NamedTuple):
    """What the queue shows: one status (by time in it) or one region and year (by
    submission), narrowed by the other filters within the page read.

    ``officer``: the regions of that Project Officer (an officer id); ``mine``: those of the
    one signed in. ``year`` 0: every year (a region's view then reads this year)."""

    status: str = "under_review"
    region: str = ""
    year: int = 0
    pillar: str = ""
    officer: str = ""
    mine: bool = False
    newest_first: bool = False
    cursor: str = ""


class QueueRow(NamedTuple):
    """One line of the queue: ids, codes and dates only (the page words them)."""

    request_id: str
    reference: str
    institution: str
    country: str
    region: str
    pillar: str
    status: str
    status_since: str
    days_in_status: int
    round: int
    officers: tuple[str, ...]
    votes_awaited: int | None = None  # under review: voting members yet to vote; else None


class QueueView(NamedTuple):
    """A page of the queue, the cursor of the next one, and the counts per status.

    ``filtered``: filters were applied within the ``read`` items of the index page (the page
    may show fewer, and the next page continues after what was read). ``regions``: the
    regions an officer filter stood for (none: the officer coordinates none)."""

    rows: list[QueueRow]
    cursor: str | None
    counts: dict[str, int]
    read: int = 0
    filtered: bool = False
    regions: tuple[str, ...] = ()
    officers: tuple[Officer, ...] = ()  # every Project Officer (the filter's choices)


def queue(wanted: QueueFilter, member: StaffMember | None = None) -> QueueView:
    """One page of the queue, read from one index (``PAGE_SIZE`` items at most), the officers
    (one Query of the OFFICERS partition, also for an officer filter), the counts per status
    (one Query of their partition) and, for requests under review, the committee (one Query:
    the votes awaited are its voting members less the round's count of votes, kept on the
    request): never every request, never a request's votes."""
    store = repository()
    officers = store.officers()
    regions: tuple[str, ...] = ()
    by_officer = bool(wanted.officer) or (wanted.mine and member is not None)
    if wanted.mine and member is not None:
        regions = officer_regions(member)
    elif wanted.officer:
        regions = next((o.regions for o in officers if o.officer_id == wanted.officer), ())
    pillar = wanted.pillar or None
    counts = store.status_counts()
    if by_officer and not regions:
        return QueueView([], None, counts, 0, False, (), tuple(officers))  # nothing to read
    if wanted.region and not by_officer:
        page = store.queue_page(
            region=wanted.region,
            year=wanted.year or clock.now().year,
            status=wanted.status or None,
            pillar=pillar,
            cursor=wanted.cursor or None,
            newest_first=wanted.newest_first,
            limit=PAGE_SIZE,
        )
        filtered = bool(wanted.status or pillar)
    else:
        page = store.queue_page(
            status=wanted.status or "under_review",
            regions=regions,
            year=wanted.year or None,
            pillar=pillar,
            cursor=wanted.cursor or None,
            newest_first=wanted.newest_first,
            limit=PAGE_SIZE,
        )
        filtered = bool(regions or wanted.year or pillar)
    from functions.domain.requests import Status

    reviewed = [r for r in page.requests if r.status == Status.UNDER_REVIEW]
    voters = sum(1 for m in store.members() if m.votes) if reviewed else 0
    today = clock.now()
    rows = []
    for request in page.requests:
        since = clock.parse_iso(request.status_since)
        under_review = request.status == Status.UNDER_REVIEW
        institution = request.document.get("institution", {})
        rows.append(
            QueueRow(
                request_id=request.request_id,
                reference=request.reference,
                institution=str(institution.get("name", "")),
                country=request.country or "",
                region=request.region,
                pillar=request.pillar,
                status=request.status,
                status_since=request.status_since,
                days_in_status=max(0, (today - since).days),
                round=request.round,
                officers=tuple(o.name for o in officers if request.region in o.regions),
                votes_awaited=max(0, voters - request.votes_cast) if under_review else None,
            )
        )
    return QueueView(rows, page.cursor, counts, page.read, filtered, regions, tuple(officers))


# --- the dossier's actions ------------------------------------------------------------------------

REASON_LIMIT = 1000


def remind_voters(member: StaffMember, request_id: str) -> int:
    """Remind the voting members who have not voted in the open round (one email each, now);
    how many were reminded. :class:`TransitionNotAllowed` unless the request is under review."""
    from functions.adapters import queue
    from functions.domain.errors import TransitionNotAllowed
    from functions.domain.mail import MailKind, Notification
    from functions.domain.mail import member as member_recipient
    from functions.domain.requests import Status

    request = editable_request(member, request_id)
    if request.status != Status.UNDER_REVIEW:
        raise TransitionNotAllowed(request.status)
    store = repository()
    request_now, votes = store.request_and_round_votes(request_id, request.round)
    voted = {vote.member_id for vote in votes}
    # A key of its own (the minute it was asked): the sweeper's reminders are not used up.
    key = "staff-" + clock.now().strftime("%Y%m%dT%H%M")
    waiting = [m for m in store.members() if m.votes and m.member_id not in voted]
    notifications = [
        Notification(
            request_id, MailKind.REMINDER, request.round, member_recipient(m.member_id), key
        )
        for m in waiting
    ]
    detail = {"members": [m.member_id for m in waiting]}
    store.append_event(staff_event(member, request_now or request, "reminded", detail, False))
    if notifications:
        queue.publish_notifications(notifications)
    return len(notifications)


RESENT = ".resent-"  # what a resent email's key adds to the original's (see resend_mail)


def resend_mail(
    member: StaffMember, request_id: str, kind: str, round_number: int, recipient: str, key: str
) -> str:
    """Send one of the request's emails again, as a new email; its key.

    The original's record stays (the dossier shows both): the new one has the original's key
    with ``.resent-<time>`` added, so the mail worker claims and sends it once like any other,
    and the API never deletes a record. :class:`Conflict` while a worker is sending the
    original (its claim is fresh); :class:`NotFound` for an email the request never had.
    """
    from functions.adapters import queue
    from functions.domain.errors import Conflict
    from functions.domain.mail import LEASE_SECONDS, MailKind, MailState, Notification, Recipient

    request = editable_request(member, request_id)
    try:
        original = Notification(
            request_id, MailKind(kind), round_number, Recipient.parse(recipient), key
        )
        queue.check(original.as_message())
    except (ValueError, queue.BadMessage) as error:
        raise NotFound() from error
    store = repository()
    record = store.get_mail(original)
    if record is None:
        raise NotFound()
    age = (clock.now() - clock.parse_iso(record.at)).total_seconds()
    if record.state is MailState.SENDING and age < LEASE_SECONDS:
        raise Conflict("this email is being sent right now")
    base = key.split(RESENT, 1)[0]
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    again = original._replace(key=f"{base}{RESENT}{stamp}" if base else f"resent-{stamp}")
    queue.check(again.as_message())
    detail = {
        "kind": kind,
        "round": round_number,
        "recipient": recipient,
        "previous": record.state.value,
        "key": again.key,
    }
    store.append_event(staff_event(member, request, "mail_resent", detail, False))
    queue.publish_notifications([again])
    return again.key


def withdraw_for_partner(member: StaffMember, request_id: str, reason: str) -> None:
    """Withdraw the request for the partner (who asked by other means), with their reason."""
    from functions.services import partner

    editable_request(member, request_id)
    detail = {"reason": reason, "username": member.username, "for": "partner"}
    partner.withdraw(request_id, actor=member.actor, detail=detail)


def move_activity(member: StaffMember, request_id: str, number: int, status: str) -> bool:
    """Move activity ``number`` of the request's Action to ``status`` (the partner is emailed);
    False when it had that status already. ``ActionError`` for no Action or no such activity."""
    from functions.services import actions

    editable_request(member, request_id)
    return actions.set_activity_status(request_id, number, status, actor=member.actor)


# --- a question's deadline -------------------------------------------------------------------

DEADLINE_LIMIT_DAYS = 90  # a deadline moves at most this far from today


def question_deadline(request: Request) -> datetime | None:
    """When the sweeper closes a request waiting for the partner's answer: the deadline staff
    extended it to, else ``INFORMATION_EXPIRY_DAYS`` after the question; None when it waits
    for no answer (or the stage closes none)."""
    from functions.domain.requests import Status
    from functions.runtime.settings import get_settings

    if request.status != Status.INFORMATION_REQUESTED:
        return None
    if request.answer_by is not None:
        return clock.parse_iso(request.answer_by)
    days = get_settings().information_expiry_days
    if days <= 0:
        return None
    return clock.parse_iso(request.status_since) + timedelta(days=days)


def last_day_to_answer(request: Request) -> str:
    """The last day (UTC, ``YYYY-MM-DD``) the partner has to answer; "" when none is awaited."""
    deadline = question_deadline(request)
    return "" if deadline is None else (deadline - timedelta(microseconds=1)).date().isoformat()


def deadline_problem(request: Request, day: date | None) -> str:
    """Why ``day`` cannot be the question's new deadline ("" if it can): a date after today,
    later than the deadline it replaces, at most ``DEADLINE_LIMIT_DAYS`` from today."""
    today = clock.now().date()
    current = question_deadline(request)
    if day is None:
        return "date_invalid"
    if day <= today:
        return "date_not_future"
    if day > today + timedelta(days=DEADLINE_LIMIT_DAYS):
        return "date_too_far"
    if current is not None and _end_of(day) <= current:
        return "date_not_later"
    return ""


def _end_of(day: date) -> datetime:
    """The partner has the whole day (UTC): the deadline is the start of the next one."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=UTC)


def extend_deadline(member: StaffMember, request_id: str, day: date) -> str:
    """Give the partner until the end of ``day`` (UTC) to answer the committee's question;
    the new deadline (ISO). :class:`TransitionNotAllowed` unless the request waits for an
    answer, ``ValueError`` (its code) for a day :func:`deadline_problem` refuses."""
    from functions.domain.errors import TransitionNotAllowed
    from functions.domain.requests import Status

    request = editable_request(member, request_id)
    if request.status != Status.INFORMATION_REQUESTED:
        raise TransitionNotAllowed(request.status)
    problem = deadline_problem(request, day)
    if problem:
        raise ValueError(problem)
    previous = question_deadline(request)
    answer_by = clock.iso(_end_of(day))
    detail = {"answer_by": answer_by, "previous": clock.iso(previous) if previous else ""}
    event = staff_event(member, request, "deadline_extended", detail, public=False)
    if not repository().extend_answer_by(request_id, request.round, answer_by, event):
        raise TransitionNotAllowed(request.status)  # answered (or withdrawn) meanwhile
    return answer_by


def record_outcome(member: StaffMember, request_id: str, number: int, document: Any) -> int:
    """The outcome of done activity ``number`` a Project Officer posted (services/actions.py
    ``record_outcome_form``): in their own region only, audited with their identity."""
    from functions.services import actions

    editable_request(member, request_id)
    return actions.record_outcome_form(request_id, number, document, actor=member.actor)


def set_publication(member: StaffMember, request_id: str, public: bool) -> bool:
    """Put the Action on the public pages or take it off them (the partner's answer, which the
    officer records): in their own region only, audited. False when nothing changed."""
    from functions.services import actions

    editable_request(member, request_id)
    return actions.set_publication(request_id, public, actor=member.actor)
