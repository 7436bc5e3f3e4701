"""Loading a committee from a file: the local stage's demo committee, and operators' imports."""

from __future__ import annotations

from datetime import date
from typing import Any

from functions.adapters import committee
from functions.core.committee import Delegate, Member, Officer, Role


def member_from(data: dict[str, Any]) -> Member:
    """A member from its JSON form (``delegate`` optional, dates as YYYY-MM-DD)."""
    delegate = None
    if data.get("delegate"):
        raw = data["delegate"]
        delegate = Delegate(
            raw["name"],
            raw["email"],
            date.fromisoformat(raw["valid_from"]),
            date.fromisoformat(raw["valid_until"]),
        )
    return Member(
        member_id=data["id"],
        name=data["name"],
        body=data["body"],
        email=data["email"],
        role=Role(data.get("role", "voting")),
        language=data.get("language", "en"),
        delegate=delegate,
    )


def officer_from(data: dict[str, Any]) -> Officer:
    """A Project Officer from its JSON form."""
    return Officer(
        officer_id=data["id"],
        name=data["name"],
        email=data["email"],
        regions=tuple(data["regions"]),
        language=data.get("language", "en"),
    )


def seed_demo(data: dict[str, Any]) -> tuple[int, int]:
    """Store the members and officers of ``{"members": [...], "officers": [...]}``."""
    members = [member_from(item) for item in data.get("members", [])]
    officers = [officer_from(item) for item in data.get("officers", [])]
    for member in members:
        committee.save_member(member)
    for officer in officers:
        committee.save_officer(officer)
    return len(members), len(officers)
