"""The committee as a whole: importing members and Project Officers from their JSON form, and
the administrator's changes in the staff workspace (members, observers, delegates, officers).

A change from the workspace is a document of ``schemas/committee.schema.json`` (one of its
parts: ``member``, ``delegate``, ``officer``), checked against the schema and then against the
committee as stored (an id already taken, a delegate of nobody, the dates of a delegation,
the last voting member); every problem comes back at its field as :class:`InvalidRequest`,
and nothing is written. Each change that is written adds a line to the administration's trail
(``Repository.append_admin_event``), with the staff member's identity and ids only.

What a change does to a round under review (services/review.py reads the committee as it is
now, there is no snapshot of a round): a removed member's review links stop working
(:class:`NotAVoter`), a vote they cast stays in the request's trail but no longer counts, and
so each open round is settled again at once by the rule with the remaining voters
(:func:`settle_open_rounds`: a round whose last awaited vote was the removed member's is decided
now, not left waiting for a vote that cannot come). The same holds for a member made an
observer. The committee always keeps one voting member (the decision rule has nobody to count
otherwise).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.committee import Delegate, Member, Officer, Role, member_from, officer_from
from functions.domain.errors import Conflict, FieldError, InvalidRequest, NotFound, WrongRole
from functions.domain.records import Event
from functions.domain.staff import StaffMember, StaffRole

SCHEMA = "committee.schema.json"
TRAIL_SHOWN = 20  # the lines of the administration's trail the committee page shows
ADMINS = frozenset({StaffRole.ADMINISTRATOR})


def seed_demo(data: dict[str, Any]) -> tuple[int, int]:
    """Store the members and officers of ``{"members": [...], "officers": [...]}``."""
    members = [member_from(item) for item in data.get("members", [])]
    officers = [officer_from(item) for item in data.get("officers", [])]
    store = repository()
    for member in members:
        store.save_member(member)
    for officer in officers:
        store.save_officer(officer)
    return len(members), len(officers)


# --- checks shared by the administration's forms --------------------------------------------


def require_admin(staff: StaffMember) -> None:
    """Raise :class:`WrongRole` unless ``staff`` is an administrator (the web checks it too)."""
    if not staff.has_any(ADMINS):
        raise WrongRole()


def part_of(document: Any, part: str, schema: str = SCHEMA) -> dict[str, Any]:
    """The ``part`` of a posted document, valid against ``schema``; :class:`InvalidRequest`
    with every schema error otherwise (only ``part`` is posted: the others are not checked)."""
    from functions.domain.validation import normalised_request, schema_errors

    given = document if isinstance(document, dict) else {}
    others = [FieldError("/" + str(name)[:100], "unknown_field") for name in given if name != part]
    document = {part: given.get(part, {})}
    errors = schema_errors(document, schema)
    if errors or others:
        raise InvalidRequest(errors + others, schema)
    data: dict[str, Any] = normalised_request(document, schema)[part]
    return data


def address_errors(path: str, email: str) -> list[FieldError]:
    """The address, if the mailer could not send to it (the schema's pattern is looser)."""
    from functions.domain.mail import sendable

    return [] if sendable(email) else [FieldError(path, "format")]


def admin_event(staff: StaffMember, action: str, subject: str, detail: dict[str, Any]) -> Event:
    """A line of the administration's trail: who (the pool's stable id and user name), what,
    and the subject's id; never a name or an address."""
    return Event(
        request_id="",
        at=clock.iso(clock.now()),
        action=action,
        actor=staff.actor,
        round=0,
        detail={**detail, "id": subject, "username": staff.username},
        public=False,
        suffix=subject,
    )


def _refuse(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidRequest(errors, SCHEMA)


def _audit(staff: StaffMember, action: str, subject: str, **detail: Any) -> None:
    repository().append_admin_event(admin_event(staff, action, subject, detail))


def trail(limit: int = TRAIL_SHOWN) -> list[Event]:
    """The latest changes to the committee, the officers and the focal points (one Query)."""
    return repository().admin_events(limit)


# --- members and observers --------------------------------------------------------------------


def _member_errors(data: dict[str, Any], others: list[Member]) -> list[FieldError]:
    errors = address_errors("/member/email", data["email"])
    if any(m.email.casefold() == data["email"].casefold() for m in others):
        errors.append(FieldError("/member/email", "taken"))
    if Role(data["role"]) is Role.OBSERVER and not any(m.votes for m in others):
        errors.append(FieldError("/member/role", "last_voter"))
    return errors


def add_member(staff: StaffMember, document: Any) -> Member:
    """A new member (or observer) of the committee; the id must be new."""
    require_admin(staff)
    data = part_of(document, "member")
    members = repository().members()
    errors = []
    if any(m.member_id == data["id"] for m in members):
        errors.append(FieldError("/member/id", "taken"))
    _refuse(errors + _member_errors(data, members))
    member = member_from(data)
    repository().save_member(member)
    _audit(staff, "member_added", member.member_id, role=member.role.value, body=member.body)
    return member


def update_member(staff: StaffMember, member_id: str, document: Any) -> Member:
    """A member's name, institution, address, role or language changed; their delegate kept.
    :class:`NotFound` for no such member."""
    require_admin(staff)
    if isinstance(document, dict) and isinstance(document.get("member"), dict):
        document["member"]["id"] = member_id  # the id is the URL's: it never changes
    members = repository().members()
    existing = next((m for m in members if m.member_id == member_id), None)
    if existing is None:
        raise NotFound("member")
    data = part_of(document, "member")
    others = [m for m in members if m.member_id != member_id]
    _refuse(_member_errors(data, others))
    member = member_from(data)._replace(delegate=existing.delegate)
    repository().save_member(member)
    changed = sorted(k for k in Member._fields if getattr(member, k) != getattr(existing, k))
    _audit(staff, "member_changed", member_id, fields=changed)
    if existing.votes and not member.votes:
        settle_open_rounds()
    return member


def remove_member(staff: StaffMember, member_id: str) -> Member:
    """Take a member (or observer) off the committee; their votes stay in the requests' trails.
    :class:`NotFound` for no such member; :class:`Conflict` for the last voting member."""
    require_admin(staff)
    members = repository().members()
    existing = next((m for m in members if m.member_id == member_id), None)
    if existing is None:
        raise NotFound("member")
    if existing.votes and not any(m.votes for m in members if m.member_id != member_id):
        raise Conflict("the last voting member cannot be removed")
    if not repository().remove_member(member_id):
        raise NotFound("member")
    _audit(staff, "member_removed", member_id, role=existing.role.value)
    if existing.votes:
        settle_open_rounds()
    return existing


def settle_open_rounds() -> int:
    """Apply the decision rule again to every round under review, with the committee as it is
    now (after a voter left it); how many were decided. Each decision is the review flow's one
    conditional write (services/review.py ``settle_round``): made once, the partner and the
    committee told once, whoever else settles the same round at the same moment."""
    from functions.domain.requests import Status
    from functions.services import review

    store = repository()
    members = store.members()
    decided = 0
    for request in store.requests_in_status(Status.UNDER_REVIEW.value):
        settled = review.settle_round(request.request_id, request.round, members)
        decided += settled.won
    return decided


# --- delegates ------------------------------------------------------------------------------


def save_delegate(staff: StaffMember, document: Any) -> Member:
    """A member's delegate for a period (both days included), replacing any earlier one."""
    require_admin(staff)
    data = part_of(document, "delegate")
    found = repository().member(data["member"])
    member = found if found is not None and found.votes else None  # an observer has no vote
    errors = [] if member is not None else [FieldError("/delegate/member", "no_member")]
    errors += address_errors("/delegate/email", data["email"])
    if member is not None and member.email.casefold() == data["email"].casefold():
        errors.append(FieldError("/delegate/email", "taken"))
    start, end = date.fromisoformat(data["valid_from"]), date.fromisoformat(data["valid_until"])
    if end < start:
        errors.append(FieldError("/delegate/valid_until", "before_start"))
    _refuse(errors)
    assert member is not None  # refused above otherwise
    updated = member._replace(delegate=Delegate(data["name"], data["email"], start, end))
    repository().save_member(updated)
    period = {"valid_from": start.isoformat(), "valid_until": end.isoformat()}
    _audit(staff, "delegate_saved", member.member_id, **period)
    return updated


def end_delegation(staff: StaffMember, member_id: str) -> Member:
    """The member has no delegate any more (the delegate's links stop working at once)."""
    require_admin(staff)
    member = repository().member(member_id)
    if member is None or member.delegate is None:
        raise NotFound("delegate")
    updated = member._replace(delegate=None)
    repository().save_member(updated)
    _audit(staff, "delegate_removed", member_id)
    return updated


# --- Project Officers ------------------------------------------------------------------------


def _officer_errors(data: dict[str, Any]) -> list[FieldError]:
    return address_errors("/officer/email", data["email"])


def add_officer(staff: StaffMember, document: Any) -> Officer:
    """A new Project Officer and the regions they coordinate; the user name must be new."""
    require_admin(staff)
    data = part_of(document, "officer")
    errors = []
    if repository().officer(data["id"]) is not None:
        errors.append(FieldError("/officer/id", "taken"))
    _refuse(errors + _officer_errors(data))
    officer = officer_from(data)
    repository().save_officer(officer)
    _audit(staff, "officer_added", officer.officer_id, regions=list(officer.regions))
    return officer


def update_officer(staff: StaffMember, officer_id: str, document: Any) -> Officer:
    """A Project Officer's name, address, regions or language changed."""
    require_admin(staff)
    if isinstance(document, dict) and isinstance(document.get("officer"), dict):
        document["officer"]["id"] = officer_id
    existing = repository().officer(officer_id)
    if existing is None:
        raise NotFound("officer")
    data = part_of(document, "officer")
    _refuse(_officer_errors(data))
    officer = officer_from(data)
    repository().save_officer(officer)
    changed = sorted(k for k in Officer._fields if getattr(officer, k) != getattr(existing, k))
    _audit(staff, "officer_changed", officer_id, fields=changed, regions=list(officer.regions))
    return officer


def remove_officer(staff: StaffMember, officer_id: str) -> Officer:
    """Remove a Project Officer: their regions' requests are nobody's until reassigned."""
    require_admin(staff)
    existing = repository().officer(officer_id)
    if existing is None or not repository().remove_officer(officer_id):
        raise NotFound("officer")
    _audit(staff, "officer_removed", officer_id)
    return existing


def open_rounds(limit: int = 100) -> int:
    """How many requests are under review (their rounds open), counted up to ``limit`` from
    one index page: what the removal page warns about."""
    from functions.domain.requests import Status

    page = repository().queue_page(status=Status.UNDER_REVIEW.value, limit=limit)
    return len(page.requests)
