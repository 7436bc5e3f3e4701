"""The committee as a whole: importing members and Project Officers from their JSON form."""

from __future__ import annotations

from typing import Any

from functions.adapters import committee
from functions.domain.committee import member_from, officer_from


def seed_demo(data: dict[str, Any]) -> tuple[int, int]:
    """Store the members and officers of ``{"members": [...], "officers": [...]}``."""
    members = [member_from(item) for item in data.get("members", [])]
    officers = [officer_from(item) for item in data.get("officers", [])]
    for member in members:
        committee.save_member(member)
    for officer in officers:
        committee.save_officer(officer)
    return len(members), len(officers)
