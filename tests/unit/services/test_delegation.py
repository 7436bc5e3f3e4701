"""A delegate's review link: bound to the delegate, checked when the vote is cast, told apart in
the trail ("delegate for member eeas", with the delegation's dates, never the delegate's name)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from functions.adapters import links
from functions.domain.committee import Delegate
from functions.domain.errors import Forbidden
from functions.domain.mail import MailKind
from functions.domain.voting import Choice
from functions.services import intake, review
from tests.unit.services.conftest import START, World, example_request

DELEGATE_ADDRESS = "tomasz@eeas.example.org"  # the conftest's delegate of "eeas", active now


def opened(world: World) -> str:
    """A request whose first round is open and whose review emails are sent."""
    request_id = intake.submit(example_request()).id
    world.advance(minutes=1)
    review.dispatch_review(request_id, 1)
    world.deliver_all()
    return request_id


def mailed_link(world: World, to: str) -> links.ReviewLink:
    """The review link of the last review email sent to ``to``, as the web page reads it."""
    [mail] = [s for s in world.sent if s.kind == MailKind.REVIEW_REQUEST and s.to == to][-1:]
    found = re.search(r"/review/([A-Za-z0-9_.\-]+)", mail.text)
    assert found is not None
    return links.read_review_token(found.group(1))


def end_delegation(world: World, member_id: str = "eeas") -> None:
    """What `committee set-delegate --until yesterday` leaves in the store."""
    member = world.repo.member(member_id)
    assert member is not None and member.delegate is not None
    yesterday = world.now.date() - timedelta(days=1)
    ended = member.delegate._replace(
        valid_from=yesterday - timedelta(days=30), valid_until=yesterday
    )
    world.repo.save_member(member._replace(delegate=ended))


def test_the_delegate_receives_a_link_bound_to_the_delegate(world: World) -> None:
    opened(world)
    link = mailed_link(world, DELEGATE_ADDRESS)
    assert (link.member_id, link.holder) == ("eeas", links.Holder.DELEGATE)
    assert link.delegation_from == START.date().isoformat()
    assert mailed_link(world, "lukas@home.example.org").holder is links.Holder.MEMBER


def test_a_delegate_link_after_the_delegation_ended_is_refused(world: World) -> None:
    request_id = opened(world)
    link = mailed_link(world, DELEGATE_ADDRESS)
    end_delegation(world)
    with pytest.raises(Forbidden) as refused:
        review.cast_vote(link, Choice.APPROVE, None)
    assert refused.value.code == "delegation_ended"
    assert world.repo.round_votes(request_id, 1) == {}
    with pytest.raises(Forbidden):  # the page refuses too (GET shows, and says why)
        review.voter(link)


def test_a_new_delegation_does_not_revive_the_former_delegates_link(world: World) -> None:
    opened(world)
    link = mailed_link(world, DELEGATE_ADDRESS)
    member = world.repo.member("eeas")
    assert member is not None
    # Replaced by someone else from yesterday on (a replacement is told apart by its first day).
    since = world.now.date() - timedelta(days=1)
    other = Delegate("Ana Other", "ana@eeas.example.org", since, since + timedelta(days=10))
    world.repo.save_member(member._replace(delegate=other))
    with pytest.raises(Forbidden):
        review.cast_vote(link, Choice.APPROVE, None)


def test_the_delegates_vote_reads_delegate_for_the_member_with_the_dates_only(
    world: World,
) -> None:
    request_id = opened(world)
    review.cast_vote(mailed_link(world, DELEGATE_ADDRESS), Choice.APPROVE, None)
    assert world.repo.round_votes(request_id, 1)["eeas"].cast_by == "delegate:eeas"
    [cast] = [e for e in world.repo.partition(request_id).events if e.action == "vote_cast"]
    assert cast.actor == "delegate:eeas"
    until = (START.date() + timedelta(365)).isoformat()
    assert cast.detail == {
        "member": "eeas",
        "choice": "approve",
        "delegate_for": "eeas",
        "delegation_from": START.date().isoformat(),
        "delegation_until": until,
    }
    assert "Tomasz" not in repr(cast) and "tomasz" not in repr(cast)


def test_the_members_own_link_votes_as_the_member_while_a_delegation_is_active(
    world: World,
) -> None:
    request_id = opened(world)
    review.cast_vote(links.ReviewLink(request_id, "eeas", 1), Choice.REJECT, "No budget.")
    assert world.repo.round_votes(request_id, 1)["eeas"].cast_by == "member:eeas"
    [cast] = [e for e in world.repo.partition(request_id).events if e.action == "vote_cast"]
    assert cast.actor == "member:eeas" and "delegate_for" not in cast.detail


def test_a_link_minted_before_links_had_a_holder_is_a_members_link(world: World) -> None:
    request_id = opened(world)
    old = links.mint(links.Purpose.REVIEW, {"r": request_id, "m": "eeas", "n": 1})
    link = links.read_review_token(old)
    assert link == links.ReviewLink(request_id, "eeas", 1)
    assert link.holder is links.Holder.MEMBER
    end_delegation(world)
    review.cast_vote(link, Choice.APPROVE, None)
    assert world.repo.round_votes(request_id, 1)["eeas"].cast_by == "member:eeas"


def test_the_delegates_email_says_the_link_ends_with_the_delegation(world: World) -> None:
    member = world.repo.member("eeas")
    assert member is not None and member.delegate is not None
    ends = world.now.date() + timedelta(days=5)  # before the link's own 21 days
    world.repo.save_member(member._replace(delegate=member.delegate._replace(valid_until=ends)))
    opened(world)
    [mail] = [s for s in world.sent if s.to == DELEGATE_ADDRESS]
    assert f"It expires on \u2066{ends.isoformat()}\u2069" in mail.text  # left to right
