"""Decision rules, with plain values: no AWS, no HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from functions.domain.committee import Delegate, Member, Officer, Role, officers_for
from functions.domain.errors import InvalidRequest
from functions.domain.voting import (
    COMMENT_LIMIT,
    Ballot,
    Choice,
    Closed,
    Outcome,
    RuleError,
    decide,
    parse_rule,
    progress,
    read_ballot,
    silent_approvals,
    why_closed,
)

A, R, Q = Choice.APPROVE, Choice.REJECT, Choice.MORE_INFORMATION


def committee(*roles: Role) -> list[Member]:
    return [
        Member(f"m{i}", f"Member {i}", "DG", f"m{i}@example.org", role)
        for i, role in enumerate(roles)
    ]


def votes(*choices: Choice | None) -> dict[str, Choice]:
    return {f"m{i}": choice for i, choice in enumerate(choices) if choice is not None}


THREE = committee(Role.VOTING, Role.VOTING, Role.VOTING)


@pytest.mark.parametrize(
    ("rule", "cast", "outcome"),
    [
        ("unanimous", votes(), Outcome.PENDING),
        ("unanimous", votes(A, A), Outcome.PENDING),
        ("unanimous", votes(A, A, A), Outcome.APPROVED),
        ("unanimous", votes(A, R), Outcome.REJECTED),
        ("unanimous", votes(None, None, Q), Outcome.INFORMATION_REQUESTED),
        ("majority", votes(A), Outcome.PENDING),
        ("majority", votes(A, A), Outcome.APPROVED),
        ("majority", votes(A, R), Outcome.PENDING),
        ("majority", votes(R, R), Outcome.REJECTED),
        ("majority", votes(A, R, A), Outcome.APPROVED),
        ("quorum:1", votes(A), Outcome.APPROVED),
        ("quorum:2", votes(R, A), Outcome.PENDING),
        ("quorum:2", votes(R, R), Outcome.REJECTED),
        ("quorum:3", votes(A, A, R), Outcome.REJECTED),
    ],
)
def test_rules(rule: str, cast: dict[str, Choice], outcome: Outcome) -> None:
    assert decide(parse_rule(rule), THREE, cast) is outcome


def test_a_veto_holder_rejects_under_any_rule() -> None:
    members = committee(Role.VOTING, Role.VOTING, Role.VETO)
    for rule in ("unanimous", "majority", "quorum:1"):
        assert decide(parse_rule(rule), members, votes(A, A, R)) is Outcome.REJECTED


def test_approval_waits_for_the_veto_holders() -> None:
    members = committee(Role.VOTING, Role.VOTING, Role.VETO)
    assert decide(parse_rule("majority"), members, votes(A, A)) is Outcome.PENDING
    assert decide(parse_rule("majority"), members, votes(A, A, A)) is Outcome.APPROVED


def test_observers_neither_vote_nor_count() -> None:
    members = committee(Role.VOTING, Role.OBSERVER)
    assert decide(parse_rule("unanimous"), members, votes(A)) is Outcome.APPROVED
    assert decide(parse_rule("unanimous"), members, votes(None, R)) is Outcome.PENDING


def test_impossible_rules_are_refused() -> None:
    with pytest.raises(RuleError):
        parse_rule("most")
    with pytest.raises(RuleError):
        parse_rule("quorum:0")
    with pytest.raises(RuleError):
        decide(parse_rule("quorum:4"), THREE, votes(A))
    with pytest.raises(RuleError):
        decide(parse_rule("unanimous"), committee(Role.OBSERVER), votes())


def test_positive_silence_counts_only_after_its_delay() -> None:
    opened = datetime(2026, 1, 1, tzinfo=UTC)
    later = datetime(2026, 1, 15, tzinfo=UTC)
    assert silent_approvals(THREE, votes(A), opened, later, 0) == []
    assert silent_approvals(THREE, votes(A), opened, later, 30) == []
    silent = silent_approvals(THREE, votes(A), opened, later, 14)
    assert silent == ["m1", "m2"]
    cast = {**votes(A), **dict.fromkeys(silent, A)}
    assert decide(parse_rule("unanimous"), THREE, cast) is Outcome.APPROVED


def test_a_delegate_acts_only_within_its_dates() -> None:
    delegate = Delegate("D", "d@example.org", date(2026, 3, 1), date(2026, 3, 31))
    member = Member("m", "M", "EEAS", "m@example.org", Role.VOTING, delegate=delegate)
    assert member.acting_delegate(date(2026, 2, 28)) is None
    assert member.acting_delegate(date(2026, 3, 1)) is delegate
    assert member.acting_delegate(date(2026, 3, 31)) is delegate
    assert member.acting_delegate(date(2026, 4, 1)) is None


def test_officers_are_found_by_region() -> None:
    one = Officer("o1", "O1", "o1@example.org", ("africa",))
    two = Officer("o2", "O2", "o2@example.org", ("asia_pacific", "africa"))
    assert officers_for("africa", [one, two]) == [one, two]
    assert officers_for("latin_america_caribbean", [one, two]) == []


# --- a ballot as sent, and whether the round still takes one ---


def refusals(choice: str, comment: str) -> list[tuple[str, str]]:
    with pytest.raises(InvalidRequest) as refused:
        read_ballot(choice, comment)
    return [(error.path, error.code) for error in refused.value.errors]


def test_an_approval_needs_no_words_and_a_comment_is_trimmed() -> None:
    assert read_ballot("approve", "  ") == Ballot(Choice.APPROVE, None)
    assert read_ballot("reject", " not eligible ") == Ballot(Choice.REJECT, "not eligible")
    assert read_ballot("more_information", "x" * COMMENT_LIMIT).comment == "x" * COMMENT_LIMIT


@pytest.mark.parametrize(
    ("choice", "comment", "expected"),
    [
        ("", "", [("/choice", "choose")]),
        ("maybe", "why not", [("/choice", "choose")]),
        ("reject", " ", [("/comment", "reject_needs_text")]),
        ("more_information", "", [("/comment", "more_information_needs_text")]),
        ("approve", "x" * (COMMENT_LIMIT + 1), [("/comment", "too_long")]),
        ("", "x" * (COMMENT_LIMIT + 1), [("/choice", "choose"), ("/comment", "too_long")]),
    ],
)
def test_a_ballot_is_refused_with_every_problem_at_its_field(
    choice: str, comment: str, expected: list[tuple[str, str]]
) -> None:
    assert refusals(choice, comment) == expected


@pytest.mark.parametrize(
    ("status", "current_round", "link_round", "closed"),
    [
        ("under_review", 2, 2, None),
        ("approved", 2, 2, Closed.DECIDED),
        ("rejected", 1, 2, Closed.DECIDED),  # decided wins over a round that moved on
        ("withdrawn", 1, 1, Closed.DECIDED),
        ("under_review", 3, 2, Closed.ROUND_OVER),
        ("submitted", 3, 2, Closed.ROUND_OVER),
        ("information_requested", 2, 2, Closed.PAUSED),
        ("submitted", 2, 2, Closed.PAUSED),  # the new round is not dispatched yet
    ],
)
def test_why_voting_is_closed(
    status: str, current_round: int, link_round: int, closed: Closed | None
) -> None:
    assert why_closed(status, current_round, link_round) == closed


@pytest.mark.parametrize(
    ("rule", "cast", "approvals", "needed", "voted"),
    [
        ("unanimous", votes(A, A), 2, 3, ("m0", "m1")),
        ("unanimous", votes(), 0, 3, ()),
        ("majority", votes(None, A, R), 1, 2, ("m1", "m2")),
        ("quorum:2", votes(A, None, A), 2, 2, ("m0", "m2")),
    ],
)
def test_progress_says_approvals_against_what_the_rule_needs(
    rule: str, cast: dict[str, Choice], approvals: int, needed: int, voted: tuple[str, ...]
) -> None:
    found = progress(parse_rule(rule), THREE, cast)
    assert (found.approvals, found.needed, found.voted) == (approvals, needed, voted)
    assert found.still_needed == max(needed - approvals, 0) and found.voters == 3
    assert found.rule == rule.partition(":")[0]


def test_progress_counts_veto_holders_still_to_approve_and_ignores_observers() -> None:
    members = committee(Role.VETO, Role.VOTING, Role.OBSERVER)
    found = progress(parse_rule("majority"), members, votes(None, A))
    assert (found.voters, found.needed, found.vetoes_waiting) == (2, 2, 1)
    assert progress(parse_rule("majority"), members, votes(A, A)).vetoes_waiting == 0
    with pytest.raises(RuleError):
        progress(parse_rule("unanimous"), committee(Role.OBSERVER), {})
