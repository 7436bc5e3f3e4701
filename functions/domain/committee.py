"""The Steering Committee and the Project Officers, as plain values."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple


class Role(StrEnum):
    """What a member does with a review request."""

    VOTING = "voting"  # votes; the decision rule counts the vote
    VETO = "veto"  # votes, and a rejection rejects whatever the rule
    OBSERVER = "observer"  # is told the outcome, does not vote


class Delegate(NamedTuple):
    """Someone who votes for a member between two dates (both included)."""

    name: str
    email: str
    valid_from: date
    valid_until: date

    def active_on(self, day: date) -> bool:
        """True when ``day`` falls within the delegation."""
        return self.valid_from <= day <= self.valid_until


class Member(NamedTuple):
    """A member of the Steering Committee (DG INTPA, DG HOME, the EEAS, ...)."""

    member_id: str
    name: str
    body: str
    email: str
    role: Role
    language: str = "en"
    delegate: Delegate | None = None

    @property
    def votes(self) -> bool:
        """Voting members and veto holders vote; observers do not."""
        return self.role in (Role.VOTING, Role.VETO)

    def acting_delegate(self, day: date) -> Delegate | None:
        """The delegate who receives this member's review links on ``day``, if any."""
        if self.delegate is not None and self.delegate.active_on(day):
            return self.delegate
        return None


class Officer(NamedTuple):
    """A Project Officer, who coordinates the requests (and Actions) of some regions."""

    officer_id: str
    name: str
    email: str
    regions: tuple[str, ...]
    language: str = "en"


def officers_for(region: str, officers: list[Officer]) -> list[Officer]:
    """The Project Officers who coordinate ``region``."""
    return [officer for officer in officers if region in officer.regions]


def delegate_from(data: dict[str, Any]) -> Delegate:
    """A delegation from its JSON form (as files and the table keep it: dates as YYYY-MM-DD)."""
    return Delegate(
        data["name"],
        data["email"],
        date.fromisoformat(data["valid_from"]),
        date.fromisoformat(data["valid_until"]),
    )


def member_from(data: dict[str, Any]) -> Member:
    """A member from its JSON form (``delegate`` optional, dates as YYYY-MM-DD)."""
    delegate = delegate_from(data["delegate"]) if data.get("delegate") else None
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
