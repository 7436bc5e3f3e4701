"""The committee as a whole: importing members and Project Officers from their JSON form."""

from __future__ import annotations

from typing import Any

from functions.adapters.repository import repository
from functions.domain.committee import member_from, officer_from


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
