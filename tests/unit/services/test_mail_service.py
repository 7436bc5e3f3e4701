"""One notification becomes one email, in the reader's language, sent once."""

from __future__ import annotations

from functions.domain.mail import MailKind, MailState, Notification, member
from functions.services import intake, review
from tests.unit.services.conftest import World, example_request


def opened(world: World) -> str:
    request_id = intake.submit(example_request()).id
    review.dispatch_review(request_id, 1)
    return request_id


def test_every_email_of_a_round_is_sent_once(world: World) -> None:
    request_id = opened(world)
    queued = list(world.notifications)
    assert world.deliver_all() == ["sent"] * 4
    world.notifications.extend(queued)  # SQS delivers again
    assert world.deliver_all() == ["duplicate"] * 4
    assert len(world.sent) == 4
    receipt = next(s for s in world.sent if s.kind == MailKind.RECEIPT)
    assert (receipt.to, receipt.language) == ("a.diallo@interieur.example.sn", "fr")
    records = world.repo.partition(request_id).mail
    assert {r.state for r in records} == {MailState.SENT}


def test_the_delegate_gets_the_members_review_link(world: World) -> None:
    opened(world)
    world.deliver_all()
    to_eeas = [s for s in world.sent if s.kind == MailKind.REVIEW_REQUEST and "eeas" in s.to]
    assert [s.to for s in to_eeas] == ["tomasz@eeas.example.org"]
    assert "/review/" in to_eeas[0].text


def test_a_refusal_is_recorded_once_and_not_retried(world: World) -> None:
    request_id = opened(world)
    world.refuse_mail = "MessageRejected"
    results = world.deliver_all()
    assert results == ["rejected: MessageRejected"] * 4
    found = world.repo.partition(request_id)
    assert {r.state for r in found.mail} == {MailState.REJECTED}
    assert sum(e.action == "mail_rejected" for e in found.events) == 4


def test_a_removed_member_or_a_gone_request_gets_nothing(world: World) -> None:
    request_id = opened(world)
    world.take_notifications()
    world.repo.remove_member("home")
    note = Notification(request_id, MailKind.REVIEW_REQUEST, 1, member("home"))
    world.notifications.append(note)
    world.notifications.append(note._replace(request_id="e" * 32))
    assert world.deliver_all() == ["dropped: recipient gone", "dropped: request gone"]
    assert world.sent == []
