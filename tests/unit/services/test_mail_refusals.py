"""SES's refusals on the fakes (issue 16, item 4): the message's refusal tells the officers in
their language; the account's refusal gives the claim back and spends no attempt."""

from __future__ import annotations

import pytest

from functions.adapters import mailer
from functions.domain.committee import Officer
from functions.domain.mail import PARTNER, MailKind, MailState, Notification, officer
from functions.presentation.i18n import gettext_for
from functions.services import intake, review, sweep
from functions.services.mail import MAX_ATTEMPTS, deliver
from tests.unit.services.conftest import World, example_request

REFUSED = (
    "We could not send an email about request %(reference)s from your region to its contact "
    "person, %(contact)s: our mail service refused their address. Please reach them another way "
    "and ask them to check their address."
)
SUPPRESSED_WORDS = "list of addresses not to write to again"


def opened(world: World) -> str:
    request_id = intake.submit(example_request()).id
    review.dispatch_review(request_id, 1)
    return request_id


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar", "ru"])
def test_the_officer_reads_that_ses_refused_the_partner_in_their_language(
    world: World, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    world.repo.save_officer(
        Officer("po-africa", "Amina Diop", "amina@icmpd.example.org", ("africa",), language)
    )
    request_id = opened(world)
    receipt, *_ = world.take_notifications()
    world.refuse_mail = "MessageRejected"
    assert deliver(receipt.as_message()) == "rejected: MessageRejected"
    world.refuse_mail = None
    [told] = world.take_notifications()
    assert told == Notification(
        request_id, MailKind.PARTNER_UNREACHABLE, 1, officer("po-africa"), "receipt:rejected"
    )
    assert deliver(told.as_message()) == "sent"
    [notice] = world.sent
    assert (notice.to, notice.language) == ("amina@icmpd.example.org", language)
    sentence = gettext_for(language)(REFUSED)
    assert language == "en" or sentence != REFUSED  # translated, not left in English
    opening, _, rest = sentence.partition("%(reference)s")
    why = rest.partition("%(contact)s")[2]  # what differs from the suppressed address's notice
    assert opening in notice.text and why in notice.text and len(why) > 40
    assert SUPPRESSED_WORDS not in notice.text
    assert "a.diallo@interieur.example.sn" not in notice.text


def test_a_members_refused_email_tells_no_officer(world: World) -> None:
    opened(world)
    _, first_review, *_ = world.take_notifications()
    world.refuse_mail = "MessageRejected"
    assert deliver(first_review.as_message()) == "rejected: MessageRejected"
    assert world.take_notifications() == []


def test_the_accounts_refusal_spends_no_attempt_however_long_it_lasts(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More deliveries than MAX_ATTEMPTS while the account is refused: the claim is given back
    each time, so the sweeper never abandons the email, and the first good delivery sends it."""
    request_id = opened(world)
    receipt, *_ = world.take_notifications()
    refusing = True
    send = mailer.send

    def account_refused(*args: str) -> str:
        if refusing:
            raise mailer.AccountRefusal("SendingPausedException")
        return send(*args)

    monkeypatch.setattr(mailer, "send", account_refused)
    for _ in range(MAX_ATTEMPTS + 2):
        with pytest.raises(mailer.AccountRefusal):
            deliver(receipt.as_message())
        assert world.repo.get_mail(receipt) is None
        world.advance(minutes=20)
        sweep.sweep()
        assert world.take_notifications() == []  # nothing stale to requeue, nothing abandoned
    refusing = False
    assert deliver(receipt.as_message()) == "sent"
    record = world.repo.get_mail(receipt)
    assert record is not None and (record.state, record.attempts) == (MailState.SENT, 1)
    trail = [e.action for e in world.repo.partition(request_id).events]
    assert "mail_rejected" not in trail
    assert receipt.recipient == PARTNER
