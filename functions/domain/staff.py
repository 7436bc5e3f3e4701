"""The facility's staff as the workspace sees them: who is signed in, and what each role may do.

Roles are the user pool's groups (infra/stack.yaml). A Project Officer's regions are the
Officer record whose id is the officer's user name (the committee data an administrator keeps):
the user pool says who someone is, the table says which regions they coordinate.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class StaffRole(StrEnum):
    """A group of the staff user pool."""

    ADMINISTRATOR = "administrator"  # the committee, the officers, staff accounts
    COORDINATOR = "coordinator"  # the team leader: every request
    OFFICER = "officer"  # the requests and Actions of the regions they coordinate
    VIEWER = "viewer"  # reads everything, changes nothing (the donor's monitor)


# Everyone signed in reads every page of the workspace but the committee's administration.
READERS = frozenset(StaffRole)
# Who may change a request or its Action at all (an officer only in their own regions).
EDITORS = frozenset({StaffRole.ADMINISTRATOR, StaffRole.COORDINATOR, StaffRole.OFFICER})


class StaffMember(NamedTuple):
    """Someone signed in to the workspace: the pool's ids (never an address) and their roles."""

    sub: str  # the user pool's stable id of the person
    username: str
    roles: frozenset[StaffRole]

    @property
    def actor(self) -> str:
        """How the audit trail names them: the pool's stable id, with the name beside it."""
        return f"staff:{self.sub}"

    def has_any(self, roles: frozenset[StaffRole]) -> bool:
        """True if any of their groups is one of ``roles``."""
        return bool(self.roles & roles)


def roles_of(groups: list[str] | tuple[str, ...]) -> frozenset[StaffRole]:
    """The workspace roles among a token's groups (unknown groups grant nothing)."""
    known = {role.value for role in StaffRole}
    return frozenset(StaffRole(group) for group in groups if group in known)


def may_edit_region(member: StaffMember, region: str, officer_regions: tuple[str, ...]) -> bool:
    """May ``member`` change a request (or its Action) of ``region``?

    Administrators and coordinators change every request; a Project Officer those of the
    regions their Officer record lists (``officer_regions``); a viewer nothing.
    """
    if member.has_any(frozenset({StaffRole.ADMINISTRATOR, StaffRole.COORDINATOR})):
        return True
    return StaffRole.OFFICER in member.roles and region in officer_regions
