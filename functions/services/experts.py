"""The Expert Roster's use cases: register, the focal point's answer, focal points, matching.

Takes and returns domain values (functions/domain/experts.py), raises domain errors; storage
only through ``repository()``. Nothing personal leaves in a log line or a token: ids only.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date
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
    Match,
    rank,
)
from functions.domain.mail import MailKind, RosterNotification, email_hash
from functions.domain.reference import reference_data
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


def _publish(expert_id: str, notes: list[RosterNotification]) -> None:
    """Queue roster emails; a failure is logged, not the person's error (the registration or
    the answer is stored). ``ops experts resend`` queues them again."""
    try:
        queue.publish_notifications(notes)
    except Exception:
        log.exception("roster notifications of %s not queued", expert_id)


def decoy_registration() -> Registered:
    """What a bot that filled the honeypot sees: a success that stored nothing."""
    return Registered(uuid.uuid4().hex, ExpertStatus.PENDING.value)


def own_page(expert_id: str) -> Expert:
    """The expert an own-page link names (one GetItem); :class:`NotFound` once they left."""
    expert = repository().get_expert(expert_id)
    if expert is None:
        raise NotFound("expert")
    return expert


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
    )


def match(request_id: str, number: int) -> Ranking:
    """The active experts for an activity, ranked, each with the criteria it matched. Reads by
    index (roster-index, the request's topics): the items read grow with the candidates, not
    with the roster."""
    need = activity_need(request_id, number)
    candidates, read = repository().active_experts_of_topics(list(need.topics))
    return Ranking(need, rank(need, candidates), read)
