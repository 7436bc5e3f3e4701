"""The Expert Roster's use cases: register, the focal point's answer, focal points, matching.

Takes and returns domain values (functions/domain/experts.py), raises domain errors; storage
only through ``repository()``. Nothing personal leaves in a log line or a token: ids only.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from functions.adapters import links, queue
from functions.adapters.repository import repository
from functions.domain import clock, text
from functions.domain.eligibility import region_of
from functions.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidRequest,
    NotFound,
)
from functions.domain.experts import (
    ActivityNeed,
    Expert,
    ExpertStatus,
    FocalPoint,
    Invitation,
    InvitationStatus,
    Match,
    Places,
    rank,
)
from functions.domain.mail import MailKind, Notification, RosterNotification, email_hash
from functions.domain.reference import reference_data
from functions.domain.staff import StaffMember
from functions.domain.validation import EXPERT, normalised_request, validate_expert
from functions.runtime.settings import get_settings

log = logging.getLogger(__name__)

REASON_MAX = 1000  # a focal point's reason for declining


class Registered(NamedTuple):
    """The answer to a registration. The link to the expert's own page goes by email only: an
    answer that held it would tell whoever typed an address whether it is on the roster."""

    expert_id: str
    status: str

    def as_json(self) -> dict[str, str]:
        """The API's 201 body."""
        return {"id": self.expert_id, "status": self.status}


def page_url(expert_id: str, language: str | None = None) -> str:
    """The absolute link to an expert's own page (signed, expiring)."""
    query = f"?token={links.expert_token(expert_id)}" + (f"&lang={language}" if language else "")
    return get_settings().public_url(f"/experts/me{query}")


def focal_url(link: links.FocalLink, language: str | None = None) -> str:
    """The absolute link a focal point answers a registration with (signed, expiring)."""
    query = f"?lang={language}" if language else ""
    return get_settings().public_url(f"/experts/confirm/{links.focal_token(link)}{query}")


def register(document: Any) -> Registered:
    """Validate and store a registration (``pending``). Raises :class:`InvalidRequest` with
    every error. An address registered already gets the same answer as a new one (a decoy
    with a fresh id, nothing stored): the form must not tell who is on the roster.

    Calls: one TransactWriteItems (the registration and its address marker).
    """
    document = normalised_request(document, EXPERT)
    errors = validate_expert(document)
    if errors:
        raise InvalidRequest(errors, EXPERT)
    expert_id = uuid.uuid4().hex
    page_url(expert_id)  # signed before anything is written: without a key, nothing is stored
    at = clock.iso(clock.now())
    expert = Expert(
        expert_id=expert_id,
        status=ExpertStatus.PENDING.value,
        document=document,
        registered_at=at,
        updated_at=at,
        email_hash=email_hash(document["expert"]["email"]),
    )
    store = repository()
    try:
        store.create_expert(expert)
    except Conflict:
        log.info("registration %s: the address is registered already; nothing stored", expert_id)
        return Registered(expert_id, ExpertStatus.PENDING.value)
    notes = [RosterNotification(expert_id, MailKind.EXPERT_RECEIPT)]
    notes += [
        RosterNotification(expert_id, MailKind.FOCAL_REQUEST, focal_recipient(focal))
        for focal in store.focal_points(expert.member_state)
    ]
    _publish(expert_id, notes)
    return Registered(expert_id, ExpertStatus.PENDING.value)


def focal_recipient(focal: FocalPoint) -> str:
    """A focal point as a roster notification names it: ``focal:<member state>:<id>``."""
    return f"focal:{focal.member_state}:{focal.focal_id}"


def _publish(owner: str, notes: Sequence[RosterNotification | Notification]) -> None:
    """Queue emails after a stored change. If the queue refuses, the change stays stored (it
    is not the person's error) and its emails are held in the table, ids only, for the
    sweeper to queue again (:func:`requeue_held_mail`): the mail is not lost. The worker
    sends each email once, so a batch queued in part and again in full is sent once."""
    try:
        queue.publish_notifications(notes)
        return
    except Exception:
        log.exception("notifications of %s not queued; held for the sweeper", owner)
    try:
        repository().hold_mail([n.as_message() for n in notes], clock.iso(clock.now()))
    except Exception:  # the queue and the table both failed in one request: say so loudly
        log.exception("notifications of %s neither queued nor held", owner)


def requeue_held_mail() -> int:
    """The sweeper's duty: queue again the notifications held when the queue refused them
    (one Query of the held batches); each batch is forgotten once queued. Stops at the first
    refusal (the queue is still down: the next run tries again). How many were queued."""
    store = repository()
    queued = 0
    for key, messages in store.held_mail():
        notes = [_notification_of(message) for message in messages]
        try:
            queue.publish_notifications(notes)
        except Exception:
            log.exception("held notifications %s not queued again yet", key)
            break
        store.drop_held_mail(key)
        queued += len(notes)
    return queued


def _notification_of(message: dict[str, object]) -> RosterNotification | Notification:
    """The notification a held queue message carries (it was made by ``as_message``)."""
    if message.get("type") == "roster_notification":
        return RosterNotification.from_message(message)
    return Notification.from_message(message)


def decoy_registration() -> Registered:
    """What a bot that filled the honeypot sees: a success that stored nothing."""
    return Registered(uuid.uuid4().hex, ExpertStatus.PENDING.value)


def own_invitations(expert_id: str) -> list[Invitation]:
    """The expert's invitations, oldest first, for their own page (by index)."""
    return repository().expert_invitations(expert_id)


def own_page(expert_id: str) -> Expert:
    """The expert an own-page link names (one GetItem); :class:`NotFound` once they left."""
    expert = repository().get_expert(expert_id)
    if expert is None or expert.status == ExpertStatus.LEAVING.value:
        raise NotFound("expert")
    return expert


def update_profile(expert_id: str, document: Any) -> Expert:
    """The expert's own changes: the whole registration, validated like a new one (every error
    at its field: :class:`InvalidRequest`), stored with the roster re-indexed (topics, member
    state). The email address cannot change here (``address_unchangeable``): it is the roster's
    one-registration-per-address marker and the address the focal point confirmed; a change
    would have to be confirmed from the new address, so the expert registers again with it
    instead. A new member state sends the registration back to ``pending`` for that state's
    focal points to confirm. :class:`Conflict` if it changed meanwhile (another tab)."""
    expert = own_page(expert_id)
    document = normalised_request(document, EXPERT)
    errors = validate_expert(document)
    if not errors and email_hash(document["expert"]["email"]) != expert.email_hash:
        errors = [FieldError("/expert/email", "address_unchangeable")]
    if errors:
        raise InvalidRequest(errors, EXPERT)
    moved = document["expert"]["member_state"] != expert.member_state
    updated = expert._replace(
        document=document,
        status=ExpertStatus.PENDING.value if moved else expert.status,
        updated_at=clock.iso(clock.now()),
    )
    store = repository()
    if not store.update_expert(updated, expert):
        raise Conflict("the registration changed meanwhile")
    log.info("expert %s updated their registration%s", expert_id, " (member state)" * moved)
    if moved:
        _publish(
            expert_id,
            [
                # A key of its own: a focal point asked before (the expert moves back) asks again.
                RosterNotification(
                    expert_id,
                    MailKind.FOCAL_REQUEST,
                    focal_recipient(f),
                    "moved-" + clock.now().strftime("%Y%m%dT%H%M%S"),
                )
                for f in store.focal_points(updated.member_state)
            ],
        )
    return own_page(expert_id)


# --- the focal point's answer ---------------------------------------------------------------


class FocalView(NamedTuple):
    """What a focal point's link shows: the registration, and whether it is still open."""

    expert: Expert
    focal_point: FocalPoint

    @property
    def open(self) -> bool:
        """True while the registration waits for an answer."""
        return self.expert.status == ExpertStatus.PENDING.value


def focal_view(link: links.FocalLink) -> FocalView:
    """The registration a focal point's link names (two GetItems; changes nothing). A link
    whose focal point was removed, or whose expert is of another member state, is refused."""
    store = repository()
    focal = store.focal_point(link.member_state, link.focal_id)
    if focal is None:
        raise Forbidden("this focal point no longer confirms registrations")
    expert = store.get_expert(link.expert_id)
    if expert is None:
        raise NotFound("registration")
    if expert.member_state != focal.member_state:
        raise Forbidden("this registration is another member state's")
    return FocalView(expert, focal)


def answer_registration(link: links.FocalLink, confirm: bool, reason: str = "") -> FocalView:
    """The focal point confirms (the expert becomes active) or declines with a reason. Once:
    a second answer, from this or another focal point, changes nothing and says so
    (:class:`Conflict`). A decline without a reason is an :class:`InvalidRequest`."""
    view = focal_view(link)
    reason = text.normalised(reason).strip()
    if not confirm:
        errors = reason_errors(reason)
        if errors:
            raise InvalidRequest(errors)
    if not view.open:
        raise Conflict("this registration was answered already")
    status = ExpertStatus.ACTIVE if confirm else ExpertStatus.DECLINED
    at = clock.iso(clock.now())
    store = repository()
    by = f"focal:{link.member_state}:{link.focal_id}"
    if not store.decide_expert(link.expert_id, status.value, by, at, None if confirm else reason):
        raise Conflict("this registration was answered already")
    log.info("registration %s %s by %s", link.expert_id, status.value, by)
    _publish(
        link.expert_id,
        [RosterNotification(link.expert_id, MailKind.EXPERT_DECIDED, key=status.value)],
    )
    return focal_view(link)


def reason_errors(reason: str) -> list[FieldError]:
    """A decline's reason: required, one to REASON_MAX characters, the text rule."""
    if not reason:
        return [FieldError("/reason", "required")]
    if len(reason) > REASON_MAX:
        return [FieldError("/reason", "too_long", {"limit": REASON_MAX})]
    problem = text.problem(reason, multiline=True)
    return [FieldError("/reason", problem)] if problem else []


def focal_links(expert_id: str) -> list[tuple[FocalPoint, str]]:
    """Each focal point of the expert's member state, with the link to answer the registration
    (in the focal point's language): what the focal points' emails carry."""
    store = repository()
    expert = store.get_expert(expert_id)
    if expert is None:
        raise NotFound("registration")
    return [
        (
            focal,
            focal_url(
                links.FocalLink(expert_id, focal.member_state, focal.focal_id), focal.language
            ),
        )
        for focal in store.focal_points(expert.member_state)
    ]


# --- focal points (the ops CLI now, the workspace later) -------------------------------------


def save_focal_point(focal: FocalPoint) -> None:
    """Create or replace a focal point. Raises ValueError for a member state outside the EU 27,
    an address the mailer could not use or a language the service does not speak."""
    from functions.domain.mail import sendable
    from functions.domain.reference import LANGUAGES

    if focal.member_state not in reference_data().member_states:
        raise ValueError(f"not an EU member state: {focal.member_state}")
    if not sendable(focal.email):
        raise ValueError("not an address the mailer can use")
    if focal.language not in LANGUAGES:
        raise ValueError(f"not a language of the service: {focal.language}")
    if not focal.focal_id or not focal.name.strip():
        raise ValueError("a focal point needs an id and a name")
    repository().save_focal_point(focal)


# --- focal points in the staff workspace (administrators) --------------------------------------

FOCAL_SCHEMA = "focal_point.schema.json"


def _focal_from(data: dict[str, Any]) -> FocalPoint:
    return FocalPoint(
        focal_id=data["id"],
        member_state=data["member_state"],
        name=data["name"],
        email=data["email"],
        language=data["language"],
        copy_invitations=bool(data.get("copy_invitations", False)),
    )


def add_focal_point(staff: StaffMember, document: Any) -> FocalPoint:
    """A new focal point of a member state (schemas/focal_point.schema.json): every problem at
    its field (:class:`InvalidRequest`), an id already used in the member state among them."""
    from functions.services import committee

    committee.require_admin(staff)
    data = committee.part_of(document, "focal_point", FOCAL_SCHEMA)
    errors = committee.address_errors("/focal_point/email", data["email"])
    if repository().focal_point(data["member_state"], data["id"]) is not None:
        errors.append(FieldError("/focal_point/id", "taken"))
    if errors:
        raise InvalidRequest(errors, FOCAL_SCHEMA)
    focal = _focal_from(data)
    save_focal_point(focal)
    event = committee.admin_event(staff, "focal_point_added", _focal_subject(focal), {})
    repository().append_admin_event(event)
    return focal


def update_focal_point(
    staff: StaffMember, member_state: str, focal_id: str, document: Any
) -> FocalPoint:
    """A focal point's name, address, language or copies changed (its member state and id
    are the URL's). :class:`NotFound` for no such focal point."""
    from functions.services import committee

    committee.require_admin(staff)
    existing = repository().focal_point(member_state, focal_id)
    if existing is None:
        raise NotFound("focal point")
    if isinstance(document, dict) and isinstance(document.get("focal_point"), dict):
        document["focal_point"].update(member_state=member_state, id=focal_id)
    data = committee.part_of(document, "focal_point", FOCAL_SCHEMA)
    errors = committee.address_errors("/focal_point/email", data["email"])
    if errors:
        raise InvalidRequest(errors, FOCAL_SCHEMA)
    focal = _focal_from(data)
    save_focal_point(focal)
    changed = sorted(k for k in FocalPoint._fields if getattr(focal, k) != getattr(existing, k))
    detail = {"fields": changed}
    repository().append_admin_event(
        committee.admin_event(staff, "focal_point_changed", _focal_subject(focal), detail)
    )
    return focal


def remove_focal_point(staff: StaffMember, member_state: str, focal_id: str) -> FocalPoint:
    """Remove a focal point: the links it was sent stop working (:func:`focal_view`)."""
    from functions.services import committee

    committee.require_admin(staff)
    existing = repository().focal_point(member_state, focal_id)
    if existing is None or not repository().remove_focal_point(member_state, focal_id):
        raise NotFound("focal point")
    event = committee.admin_event(staff, "focal_point_removed", _focal_subject(existing), {})
    repository().append_admin_event(event)
    return existing


def _focal_subject(focal: FocalPoint) -> str:
    return f"{focal.member_state}:{focal.focal_id}"


def awaiting_confirmation(member_state: str) -> list[Expert]:
    """A member state's registrations its focal points have not answered yet (one Query on
    roster-index, then the profiles)."""
    return repository().experts_of_member_state(member_state, ExpertStatus.PENDING.value)


# --- matching ----------------------------------------------------------------------------


class Ranking(NamedTuple):
    """The ranked candidates for one activity, and the items read to find them."""

    need: ActivityNeed
    matches: list[Match]
    items_read: int


def activity_need(request_id: str, number: int) -> ActivityNeed:
    """What activity ``number`` of a request's Action asks of its experts: its type, dates and
    place from the Action, the topics and the partner's language from the request."""
    store = repository()
    request = store.get_request(request_id)
    action = store.get_action(request_id)
    if request is None:
        raise NotFound("request")
    if action is None:
        raise NotFound("Action")
    activities = action.plan["activities"]
    if not 1 <= number <= len(activities):
        raise NotFound("activity")
    activity = activities[number - 1]
    country = activity["place"]["country"]
    eligible = reference_data().countries.get(country)
    return ActivityNeed(
        request_id=request_id,
        number=number,
        type=activity["type"],
        title=activity["title"],
        starts_on=date.fromisoformat(activity["starts_on"]),
        ends_on=date.fromisoformat(activity["ends_on"]),
        # A study visit in the EU takes place in a member state: the partner's country then.
        country=country if eligible else (request.country or ""),
        region=eligible.region if eligible else region_of(request.document),
        language=request.language,
        topics=tuple(request.document["request"]["topics"]),
        places=int(activity["experts"]["number"]),
        reference=request.reference,
    )


def match(request_id: str, number: int) -> Ranking:
    """The active experts for an activity, ranked, each with the criteria it matched. Reads by
    index (roster-index, the request's topics): the items read grow with the candidates, not
    with the roster."""
    need = activity_need(request_id, number)
    candidates, read = repository().active_experts_of_topics(list(need.topics))
    return Ranking(need, rank(need, candidates), read)


# --- invitations --------------------------------------------------------------------------

RESPONSE_DAYS = 7  # an invitation waits this long for an answer
REMINDER_BEFORE = timedelta(days=2)  # the expert is reminded this long before the deadline


class Invited(NamedTuple):
    """What an invitation round did: the invitations sent, the experts left out and why."""

    sent: list[Invitation]
    skipped: dict[str, str]  # expert id -> why (not active, invited already, unknown)


def invitation_url(link: links.InvitationLink, language: str | None = None) -> str:
    """The absolute link an expert answers an invitation with (signed, expiring)."""
    query = f"?lang={language}" if language else ""
    return get_settings().public_url(f"/experts/invitation/{links.invitation_token(link)}{query}")


def invite(request_id: str, activity: int, expert_ids: list[str], by: str) -> Invited:
    """Invite chosen active experts to an activity; each gets an email with a signed link to
    accept or decline (and the focal points that ask for it a copy). The places are the
    activity's ``experts.number``; they fill with the first acceptances."""
    need = activity_need(request_id, activity)
    store = repository()
    now = clock.now()
    at = clock.iso(now)
    respond_by = clock.iso(now + timedelta(days=RESPONSE_DAYS))
    wanted: list[Invitation] = []
    skipped: dict[str, str] = {}
    experts: dict[str, Expert] = {}
    for expert_id in dict.fromkeys(expert_ids):
        expert = store.get_expert(expert_id)
        if expert is None:
            skipped[expert_id] = "no such expert"
        elif expert.status != ExpertStatus.ACTIVE.value:
            skipped[expert_id] = f"not active ({expert.status})"
        else:
            experts[expert_id] = expert
            wanted.append(
                Invitation(
                    request_id,
                    activity,
                    expert_id,
                    InvitationStatus.INVITED.value,
                    at,
                    respond_by,
                    expert.member_state,
                    expert.gender,
                    by,
                    activity_type=need.type,
                    reference=need.reference,
                )
            )
    sent = store.invite(wanted, Places(request_id, activity, need.places)) if wanted else []
    skipped.update({i.expert_id: "invited already" for i in wanted if i not in sent})
    notes: list[RosterNotification] = []
    for invitation in sent:
        key = f"{request_id}.{activity}"
        notes.append(RosterNotification(invitation.expert_id, MailKind.INVITATION, key=key))
        member_state = experts[invitation.expert_id].member_state
        notes += [
            RosterNotification(invitation.expert_id, MailKind.INVITATION, focal_recipient(f), key)
            for f in store.focal_points(member_state)
            if f.copy_invitations
        ]
    if notes:  # the invitations are stored: their emails are queued, or held for the sweeper
        _publish(f"{request_id}.{activity}", notes)
    log.info("activity %s of %s: %s invited by %s", activity, request_id, len(sent), by)
    return Invited(sent, skipped)


class InvitationView(NamedTuple):
    """What an invitation's link shows: the invitation, the activity, the places left."""

    invitation: Invitation
    need: ActivityNeed
    places: Places | None
    expert: Expert

    @property
    def open(self) -> bool:
        """True while the invitation waits for an answer and its deadline has not passed."""
        return (
            self.invitation.status == InvitationStatus.INVITED.value
            and self.invitation.respond_by > clock.iso(clock.now())
        )


def invitation_view(link: links.InvitationLink) -> InvitationView:
    """The invitation a link names (reads only)."""
    store = repository()
    invitation = store.get_invitation(link.request_id, link.activity, link.expert_id)
    expert = store.get_expert(link.expert_id)
    if invitation is None or expert is None:
        raise NotFound("invitation")
    places, _ = store.activity_invitations(link.request_id, link.activity)
    return InvitationView(invitation, activity_need(link.request_id, link.activity), places, expert)


def answer_invitation(link: links.InvitationLink, accept: bool, reason: str = "") -> str:
    """The expert accepts (``accepted``, or ``full`` when the places were taken first) or
    declines with a reason (``declined``: the officers are told the place is free). Raises
    :class:`Conflict` when the invitation was answered already or its deadline passed, and
    :class:`InvalidRequest` for a decline without a reason."""
    view = invitation_view(link)
    reason = text.normalised(reason).strip()
    if not accept and (errors := reason_errors(reason)):
        raise InvalidRequest(errors)
    if not view.open:
        raise Conflict("this invitation was answered already, or its deadline passed")
    store = repository()
    at = clock.iso(clock.now())
    if accept:
        outcome = store.accept_invitation(view.invitation, at)
        if outcome == "answered":
            raise Conflict("this invitation was answered already, or its deadline passed")
        if outcome == "full":
            store.close_invitation(view.invitation, InvitationStatus.FULL.value, at)
            return InvitationStatus.FULL.value
        return InvitationStatus.ACCEPTED.value
    if not store.close_invitation(view.invitation, InvitationStatus.DECLINED.value, at, reason):
        raise Conflict("this invitation was answered already")
    _tell_officers(view.invitation, InvitationStatus.DECLINED)
    return InvitationStatus.DECLINED.value


def freed_key(invitation: Invitation, status: InvitationStatus) -> str:
    """The key of the officers' email about a freed place (one per invitation)."""
    return f"freed-{invitation.activity}-{status.value}-{invitation.expert_id}"


def _tell_officers(invitation: Invitation, status: InvitationStatus) -> None:
    """The region's Project Officers learn that a place is free again (the request's mail)."""
    from functions.domain.committee import officers_for
    from functions.domain.mail import officer

    store = repository()
    request = store.get_request(invitation.request_id)
    if request is None:
        return
    key = freed_key(invitation, status)
    notes = [
        Notification(
            request.request_id, MailKind.INVITATION_FREED, request.round, officer(o.officer_id), key
        )
        for o in officers_for(request.region, store.officers())
    ]
    if notes:
        _publish(request.request_id, notes)


def sweep_invitations(now: datetime | None = None) -> dict[str, int]:
    """The sweeper's duty: reminders before the deadline (once), and invitations unanswered
    past it expire (the officers are told the place is free). Reads the waiting invitations
    whose deadline is near (status-index): never every invitation."""
    store = repository()
    now = now or clock.now()
    at = clock.iso(now)
    reminded = expired = 0
    for invitation in store.invitations_due(clock.iso(now + REMINDER_BEFORE)):
        if invitation.respond_by <= at:
            if store.close_invitation(invitation, InvitationStatus.EXPIRED.value, at):
                _tell_officers(invitation, InvitationStatus.EXPIRED)
                expired += 1
        elif not invitation.reminded and store.mark_invitation_reminded(invitation):
            key = f"{invitation.request_id}.{invitation.activity}"
            note = RosterNotification(invitation.expert_id, MailKind.INVITATION_REMINDER, key=key)
            _publish(invitation.expert_id, [note])
            reminded += 1
    return {"invitations_reminded": reminded, "invitations_expired": expired}


# --- leaving the roster ---------------------------------------------------------------------


def leave_roster(expert_id: str) -> None:
    """The expert leaves: from now on no one matches, invites or shows them, and the sweeper's
    next run erases their registration and everything personal (the API deletes nothing);
    their deployments stay as anonymous counts (member state and gender). Once: a second call
    finds nothing (:class:`NotFound`)."""
    if not repository().mark_leaving(expert_id, clock.iso(clock.now())):
        raise NotFound("expert")
    log.info("expert %s left the roster; erased by the next sweep", expert_id)


def erase_leavers() -> int:
    """The sweeper's duty: erase the experts who left (status-index: those only)."""
    store = repository()
    erased = 0
    for expert_id in store.experts_leaving():
        store.erase_expert(expert_id)
        erased += 1
    return erased


# --- the staff workspace's roster (an activity's experts: services/staff_experts.py) ------------


def well_formed_id(expert_id: str) -> bool:
    """An expert id as registration makes them (32 hex digits): anything else is no one's."""
    return len(expert_id) == 32 and all(c in "0123456789abcdef" for c in expert_id)


class RosterView(NamedTuple):
    """One page of the roster of a member state in a status, and the counts of every state."""

    member_state: str
    status: str
    experts: list[Expert]
    cursor: str | None
    counts: dict[str, dict[str, int]]  # member state -> status -> registrations


ROSTER_PAGE = 25


def roster(member_state: str, status: str, cursor: str = "") -> RosterView:
    """The workspace's roster: one index page of a member state's registrations in a status,
    and the counts by member state (counting Queries on roster-index, keys only). No member
    state: the counts only."""
    store = repository()
    experts: list[Expert] = []
    after = None
    if member_state:
        experts, after = store.roster_page(member_state, status, ROSTER_PAGE, cursor or None)
    return RosterView(member_state, status, experts, after, store.roster_size())


def expert_record(expert_id: str) -> tuple[Expert, list[Invitation]]:
    """An expert as the workspace shows them: the registration and their invitations (the
    accepted ones are their deployments). :class:`NotFound` for no one or an expert leaving."""
    if not well_formed_id(expert_id):
        raise NotFound("expert")
    expert = repository().get_expert(expert_id)
    if expert is None or expert.status == ExpertStatus.LEAVING.value:
        raise NotFound("expert")
    return expert, repository().expert_invitations(expert_id)
