"""The staff workspace's rules with plain values: roles, regions, the way back after sign-in."""

from __future__ import annotations

import pytest

from functions.domain.staff import StaffMember, StaffRole, may_edit_region, roles_of
from functions.web.staff.area import safe_return_path


def member(*roles: StaffRole) -> StaffMember:
    return StaffMember("sub-1", "someone", frozenset(roles))


def test_only_known_groups_become_roles() -> None:
    assert roles_of(["officer", "admins", "viewer", ""]) == {StaffRole.OFFICER, StaffRole.VIEWER}


@pytest.mark.parametrize(
    "roles, region, own, allowed",
    [
        ((StaffRole.ADMINISTRATOR,), "africa", (), True),
        ((StaffRole.COORDINATOR,), "asia_pacific", (), True),
        ((StaffRole.OFFICER,), "africa", ("africa",), True),
        ((StaffRole.OFFICER,), "asia_pacific", ("africa",), False),
        ((StaffRole.OFFICER,), "africa", (), False),  # no Officer record: no region
        ((StaffRole.VIEWER,), "africa", ("africa",), False),
        ((StaffRole.VIEWER, StaffRole.OFFICER), "africa", ("africa",), True),
        ((), "africa", ("africa",), False),
    ],
)
def test_who_may_change_a_request_of_a_region(
    roles: tuple[StaffRole, ...], region: str, own: tuple[str, ...], allowed: bool
) -> None:
    assert may_edit_region(member(*roles), region, own) is allowed


def test_the_audit_trail_names_the_pools_stable_id() -> None:
    assert member(StaffRole.OFFICER).actor == "staff:sub-1"


@pytest.mark.parametrize(
    "asked, kept",
    [
        ("/staff", "/staff"),
        ("/staff?status=approved&after=abc", "/staff?status=approved&after=abc"),
        ("/staff/requests/abc", "/staff/requests/abc"),
        (None, "/staff"),
        ("", "/staff"),
        ("/staffing", "/staff"),
        ("//evil.example/staff", "/staff"),
        ("https://evil.example/staff", "/staff"),
        ("/staff/\\evil", "/staff"),
        ("/staff/\r\nLocation: x", "/staff"),
        ("/staff/" + "a" * 600, "/staff"),
        ("/", "/staff"),
    ],
)
def test_the_way_back_stays_in_the_workspace(asked: str | None, kept: str) -> None:
    assert safe_return_path(asked) == kept
