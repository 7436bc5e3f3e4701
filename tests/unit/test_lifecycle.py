"""The request's lifecycle is one table: every status write is checked against it."""

from __future__ import annotations

import pytest

from functions.domain.errors import TransitionNotAllowed
from functions.domain.requests import (
    ALLOWED,
    FINAL,
    Status,
    check_move,
    format_reference,
    is_final,
    reference_year,
    sources_of,
)


def test_every_status_has_its_row_and_final_ones_lead_nowhere() -> None:
    assert set(ALLOWED) == set(Status)
    assert all(not ALLOWED[status] for status in FINAL)


@pytest.mark.parametrize(
    ("target", "sources"),
    [
        (Status.UNDER_REVIEW, {Status.SUBMITTED}),
        (Status.APPROVED, {Status.UNDER_REVIEW}),
        (Status.REJECTED, {Status.UNDER_REVIEW}),
        (Status.INFORMATION_REQUESTED, {Status.UNDER_REVIEW}),
        (Status.SUBMITTED, {Status.INFORMATION_REQUESTED}),
        (Status.CLOSED, {Status.INFORMATION_REQUESTED}),
        (
            Status.WITHDRAWN,
            {Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED},
        ),
    ],
)
def test_the_sources_of_a_move_are_read_from_the_table(
    target: Status, sources: set[Status]
) -> None:
    assert set(sources_of(target)) == sources


def test_a_move_the_table_does_not_allow_is_refused_with_both_ends() -> None:
    check_move(Status.UNDER_REVIEW, Status.APPROVED)
    with pytest.raises(TransitionNotAllowed) as refused:
        check_move(Status.APPROVED, Status.WITHDRAWN)
    assert (refused.value.current, refused.value.target) == ("approved", "withdrawn")


def test_final_statuses() -> None:
    assert [s for s in Status if is_final(s)] == [s for s in Status if s in FINAL]


def test_a_reference_gives_its_year_and_anything_else_none() -> None:
    assert reference_year(format_reference(2026, 42)) == 2026
    assert reference_year(" mx-2025-12345 ") == 2025
    for other in ("0" * 32, "MX-26-0001", "MX-2026-01", "MX-2026-0001x", ""):
        assert reference_year(other) is None
