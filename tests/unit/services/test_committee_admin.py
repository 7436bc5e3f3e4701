"""The administrators' changes to the committee against the review flow's rules (on the fakes):
there is no snapshot of a round's committee, so a change applies to the rounds under review at
once, and the round is settled again by the rule with the voters who remain."""

from __future__ import annotations

from typing import Any

import pytest

from functions.adapters import links
from functions.domain.errors import Conflict, InvalidRequest, NotAVoter, WrongRole
from functions.domain.mail import MailKind
from functions.domain.staff import StaffMember, StaffRole
from functions.domain.voting import Choice
from functions.services import committee, intake, review
from tests.unit.services.conftest import World, example_request

ADMIN = StaffMember("sub-admin", "demo-admin", frozenset({StaffRole.ADMINISTRATOR}))
COORDINATOR = StaffMember("sub-coord", "demo-coordinator", frozenset({StaffRole.COORDINATOR}))


def opened(world: World) -> str:
    request_id = intake.submit(example_request()).id
    world.advance(minutes=1)
    review.dispatch_review(request_id, 1)
    world.deliver_all()
    return request_id


def vote(request_id: str, member_id: str, choice: Choice) -> Any:
    link = links.ReviewLink(request_id, member_id, 1)
    return review.cast_vote(link, choice, "ok" if choice is not Choice.APPROVE else None)


def member_form(**change: str) -> dict[str, Any]:
    fields = {
        "id": "intpa",
        "name": "Claire Dubois",
        "body": "DG INTPA",
        "email": "claire@intpa.example.org",
        "role": "voting",
        "language": "fr",
    }
    return {"member": {**fields, **change}}


def test_removing_the_last_awaited_voter_decides_the_round_at_once(world: World) -> None:
    request_id = opened(world)
    vote(request_id, "intpa", Choice.APPROVE)
    vote(request_id, "eeas", Choice.APPROVE)
    assert world.repo.get_request(request_id).status == "under_review"  # type: ignore[union-attr]
    committee.remove_member(ADMIN, "home")  # the one vote the unanimous rule still waited for
    assert world.repo.get_request(request_id).status == "approved"  # type: ignore[union-attr]
    kinds = [n.kind for n in world.take_notifications()]
    assert MailKind.DECISION_PARTNER in kinds
    with pytest.raises(NotAVoter):  # the removed member's link
        vote(request_id, "home", Choice.REJECT)


def test_making_a_voter_an_observer_settles_the_open_rounds_too(world: World) -> None:
    request_id = opened(world)
    vote(request_id, "intpa", Choice.APPROVE)
    vote(request_id, "eeas", Choice.APPROVE)
    observer = member_form(
        id="home",
        name="Lukas Schneider",
        body="DG HOME",
        email="lukas@home.example.org",
        role="observer",
    )
    committee.update_member(ADMIN, "home", observer)
    assert world.repo.get_request(request_id).status == "approved"  # type: ignore[union-attr]


def test_a_vote_cast_by_a_removed_member_no_longer_counts(world: World) -> None:
    request_id = opened(world)
    vote(request_id, "intpa", Choice.APPROVE)
    # eeas's rejection would reject; eeas leaves before the round ends: the vote stays stored.
    committee.remove_member(ADMIN, "home")
    assert world.repo.get_request(request_id).status == "under_review"  # type: ignore[union-attr]
    assert set(review.round_votes(request_id, 1)) == {"intpa"}
    vote(request_id, "eeas", Choice.APPROVE)
    assert world.repo.get_request(request_id).status == "approved"  # type: ignore[union-attr]


def test_the_last_voting_member_stays(world: World) -> None:
    committee.remove_member(ADMIN, "home")
    committee.remove_member(ADMIN, "eeas")
    with pytest.raises(Conflict):
        committee.remove_member(ADMIN, "intpa")
    with pytest.raises(InvalidRequest) as refused:
        committee.update_member(ADMIN, "intpa", member_form(role="observer"))
    assert [(e.path, e.code) for e in refused.value.errors] == [("/member/role", "last_voter")]
    committee.remove_member(ADMIN, "near")  # an observer may always go


def test_only_an_administrator_changes_the_committee(world: World) -> None:
    for change in (
        lambda: committee.add_member(COORDINATOR, member_form(id="new")),
        lambda: committee.remove_member(COORDINATOR, "home"),
        lambda: committee.end_delegation(COORDINATOR, "eeas"),
        lambda: committee.remove_officer(COORDINATOR, "po-africa"),
    ):
        with pytest.raises(WrongRole):
            change()
    assert len(world.repo.members()) == 4 and world.repo.admin_events(5) == []


def test_a_posted_document_is_checked_whatever_its_shape(world: World) -> None:
    shapes: list[Any] = [None, [], "member", {"member": []}, {"member": {"id": {"$ne": 1}}}]
    for hostile in shapes:
        with pytest.raises(InvalidRequest):
            committee.add_member(ADMIN, hostile)
    assert len(world.repo.members()) == 4
