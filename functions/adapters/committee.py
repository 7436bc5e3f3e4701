"""Committee members and Project Officers in the table: the committee is data, not code."""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.adapters import store
from functions.domain.committee import Delegate, Member, Officer, Role

MEMBERS = "COMMITTEE"
OFFICERS = "OFFICERS"


def _member(item: store.MemberItem) -> Member:
    delegate = None
    if item.delegate:
        raw: dict[str, Any] = item.delegate.as_dict()
        delegate = Delegate(
            raw["name"],
            raw["email"],
            date.fromisoformat(raw["valid_from"]),
            date.fromisoformat(raw["valid_until"]),
        )
    role = Role(item.role)
    return Member(item.member_id, item.name, item.body, item.email, role, item.language, delegate)


def members() -> list[Member]:
    """Every active member, in id order (one Query)."""
    store.bind()
    items = store.MemberItem.query(MEMBERS, store.TableItem.sk.startswith("MEMBER#"))
    return [_member(item) for item in items if item.active]


def member_key(member_id: str) -> tuple[str, str]:
    """The key of a member's item, to read it together with other items."""
    return MEMBERS, f"MEMBER#{member_id}"


def member_of(item: store.TableItem | None) -> Member | None:
    """The member an item read elsewhere holds; None if missing, not a member, or removed."""
    return _member(item) if isinstance(item, store.MemberItem) and item.active else None


def member(member_id: str) -> Member | None:
    """One member by id, or None (also for a removed member)."""
    return member_of(store.get(store.MemberItem, *member_key(member_id)))


def save_member(value: Member) -> None:
    """Create or replace a member."""
    store.bind()
    delegate = None
    if value.delegate is not None:
        delegate = {
            "name": value.delegate.name,
            "email": value.delegate.email,
            "valid_from": value.delegate.valid_from.isoformat(),
            "valid_until": value.delegate.valid_until.isoformat(),
        }
    store.MemberItem(
        MEMBERS,
        f"MEMBER#{value.member_id}",
        member_id=value.member_id,
        name=value.name,
        body=value.body,
        email=value.email,
        role=value.role.value,
        language=value.language,
        delegate=delegate,
        active=1,
    ).save()


def remove_member(member_id: str) -> bool:
    """Take a member off the committee; their past votes stay in the audit trail."""
    item = store.get(store.MemberItem, MEMBERS, f"MEMBER#{member_id}")
    if item is None:
        return False
    item.delete()
    return True


def _officer(item: store.OfficerItem) -> Officer:
    return Officer(item.officer_id, item.name, item.email, tuple(item.regions or []), item.language)


def officers() -> list[Officer]:
    """Every Project Officer (one Query)."""
    store.bind()
    return [_officer(item) for item in store.OfficerItem.query(OFFICERS)]


def officer_key(officer_id: str) -> tuple[str, str]:
    """The key of a Project Officer's item, to read it together with other items."""
    return OFFICERS, f"OFFICER#{officer_id}"


def officer_of(item: store.TableItem | None) -> Officer | None:
    """The Project Officer an item read elsewhere holds; None if missing or not an officer."""
    return _officer(item) if isinstance(item, store.OfficerItem) else None


def officer(officer_id: str) -> Officer | None:
    """One Project Officer by id, or None."""
    return officer_of(store.get(store.OfficerItem, *officer_key(officer_id)))


def save_officer(value: Officer) -> None:
    """Create or replace a Project Officer."""
    store.bind()
    store.OfficerItem(
        OFFICERS,
        f"OFFICER#{value.officer_id}",
        officer_id=value.officer_id,
        name=value.name,
        email=value.email,
        regions=list(value.regions),
        language=value.language,
    ).save()


def remove_officer(officer_id: str) -> bool:
    """Remove a Project Officer."""
    item = store.get(store.OfficerItem, OFFICERS, f"OFFICER#{officer_id}")
    if item is None:
        return False
    item.delete()
    return True
