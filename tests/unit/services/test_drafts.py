"""Save and continue later (issue 20): the drafts service on the fakes, in milliseconds."""

from __future__ import annotations

import time
from typing import Any
from unittest import mock

import itsdangerous.timed
import pytest

from functions.adapters import links
from functions.domain.errors import Conflict, DraftExpired, DraftGone, InvalidRequest, LinkError
from functions.domain.mail import MailKind, email_hash
from functions.services import drafts, erasure, intake, sweep
from tests.unit.services.conftest import World, example_request

ADDRESS = "ana.lopez@example.org"


def answers(**extra: str) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """The form's answers (as posted) and the document they make: the contact only."""
    values = {
        "contact.name": ["Ana López"],
        "contact.email": [ADDRESS],
        "submission_id": ["sub-1"],
        **{name: [value] for name, value in extra.items()},
    }
    document: dict[str, Any] = {"contact": {"name": "Ana López", "email": ADDRESS}}
    if "request.title" in extra:
        document["request"] = {"title": extra["request.title"]}
    return values, document


def test_a_first_save_stores_the_answers_and_queues_the_link(world: World) -> None:
    values, document = answers()
    saved = drafts.save(values, document, "es")

    stored = world.repo.get_draft(saved.draft_id)
    assert stored is not None and stored.values == values and stored.version == 1
    assert stored.email_hash == email_hash(ADDRESS) and stored.language == "es"
    assert saved.email == ADDRESS and links.read_draft_token(saved.token) == saved.draft_id
    [note] = world.take_notifications()
    assert (note.request_id, note.kind, note.key) == (saved.draft_id, MailKind.DRAFT_SAVED, "v1")
    assert "ana" not in str(note.as_message()).lower()  # ids only in the queue


def test_the_link_email_is_sent_once_in_the_drafts_language(world: World) -> None:
    values, document = answers(**{"request.title": "Mecanismo"})
    saved = drafts.save(values, document, "es")
    notes = world.take_notifications()
    world.notifications.extend(notes + notes)  # delivered twice

    assert world.deliver_all() == ["sent", "duplicate"]
    [mail] = world.sent
    assert mail.to == ADDRESS and mail.language == "es" and mail.kind == "draft_saved"
    assert f"/drafts/{saved.draft_id}?token=" in mail.text and "Mecanismo" in mail.text
    assert "Ana López" in mail.text


def test_saving_again_updates_the_same_draft(world: World) -> None:
    values, document = answers()
    first = drafts.save(values, document, "es")
    more, document = answers(**{"request.title": "Mecanismo"})
    second = drafts.save(more, document, "fr", first.token)

    assert second.draft_id == first.draft_id
    stored = world.repo.get_draft(first.draft_id)
    assert stored is not None and stored.version == 2 and stored.language == "fr"
    assert stored.values["request.title"] == ["Mecanismo"]
    assert [n.key for n in world.take_notifications()] == ["v1", "v2"]


def test_a_save_from_a_stale_window_changes_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    values, document = answers()
    first = drafts.save(values, document, "es")
    stored = world.repo.get_draft(first.draft_id)
    monkeypatch.setattr(world.repo, "get_draft", lambda _id: stored)  # read before the other save
    drafts.save(values, document, "es", first.token)
    with pytest.raises(Conflict):
        drafts.save(values, document, "es", first.token)


def test_what_is_missing_is_no_error_but_what_is_wrong_is(world: World) -> None:
    values, document = answers()
    document["request"] = {"title": "x" * 5000, "duration_months": "twelve"}
    with pytest.raises(InvalidRequest) as refused:
        drafts.save(values, document, "en")
    codes = {(e.path, e.code) for e in refused.value.errors}
    assert ("/request/title", "too_long") in codes
    assert ("/request/duration_months", "type") in codes
    assert all(e.code != "required" for e in refused.value.errors)
    assert world.take_notifications() == []


@pytest.mark.parametrize("email", ["", "not an address", "a@b", "ä@example.org"])
def test_a_draft_needs_an_address_the_link_can_go_to(world: World, email: str) -> None:
    values, document = answers()
    document["contact"]["email"] = email
    with pytest.raises(InvalidRequest) as refused:
        drafts.save(values, document, "en")
    assert [e.path for e in refused.value.errors] == ["/contact/email"]


def test_an_old_link_is_expired_and_a_sent_draft_gone(world: World) -> None:
    values, document = answers()
    saved = drafts.save(values, document, "es")
    assert drafts.restore(saved.draft_id, saved.token).values == values
    with pytest.raises(links.LinkWrongPurpose):
        drafts.restore("0" * 32, saved.token)
    with pytest.raises(LinkError):
        drafts.restore(saved.draft_id, saved.token[:-4])  # cut short
    with pytest.raises(links.LinkWrongPurpose):  # a status link is not a draft's
        drafts.restore(saved.draft_id, links.status_token(saved.draft_id))

    # Past its time the draft reads as gone (the TTL) ...
    world.advance(days=31)
    with pytest.raises(DraftGone):
        drafts.restore(saved.draft_id, saved.token)
    with pytest.raises(DraftGone):
        drafts.save(values, document, "es", saved.token)
    # ... and a link signed more than DRAFT_DAYS ago is expired (the same page answers both).
    past = int(time.time()) - 31 * 86400
    with mock.patch.object(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _: past):
        old = links.draft_token(saved.draft_id)
    with pytest.raises(DraftExpired):
        drafts.restore(saved.draft_id, old)
    with pytest.raises(DraftExpired):
        drafts.save(values, document, "es", old)


def test_sending_the_form_ends_the_draft(world: World) -> None:
    values, document = answers()
    saved = drafts.save(values, document, "es")
    intake.submit(example_request())
    drafts.discard(saved.token)

    with pytest.raises(DraftGone):
        drafts.restore(saved.draft_id, saved.token)
    with pytest.raises(DraftGone):
        drafts.save(values, document, "es", saved.token)
    drafts.discard(saved.token)  # twice: nothing to do
    drafts.discard("forged")  # a forged token deletes nothing and says nothing


def test_the_reminder_goes_once_per_save_before_the_end(world: World) -> None:
    values, document = answers()
    saved = drafts.save(values, document, "es")
    world.take_notifications()

    world.advance(days=24)
    assert sweep.sweep(world.now)["draft_reminders"] == 0
    world.advance(days=1, minutes=1)
    assert sweep.sweep(world.now)["draft_reminders"] == 1
    assert sweep.sweep(world.now)["draft_reminders"] == 0
    [reminder] = world.take_notifications()
    assert reminder.kind is MailKind.DRAFT_EXPIRING and reminder.key == "v1"
    assert world.deliver_all() == []  # taken above
    world.notifications.append(reminder)
    assert world.deliver_all() == ["sent"]
    assert "draft_expiring" in {m.kind for m in world.sent}

    # Saved again: thirty more days, and one more reminder before they end.
    drafts.save(values, document, "es", saved.token)
    world.take_notifications()
    world.advance(days=25, minutes=1)
    assert sweep.sweep(world.now)["draft_reminders"] == 1


def test_a_draft_kept_less_than_the_reminder_gets_none(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRAFT_DAYS", "3")
    values, document = answers()
    saved = drafts.save(values, document, "es")
    stored = world.repo.get_draft(saved.draft_id)
    assert stored is not None and stored.reminder_due is None


def test_a_draft_email_to_a_suppressed_or_gone_address_is_not_sent(world: World) -> None:
    values, document = answers()
    saved = drafts.save(values, document, "es")
    world.repo.suppress(email_hash(ADDRESS), "bounce", "2026-03-01T00:00:00Z")
    assert world.deliver_all() == ["suppressed"]

    drafts.save(values, document, "es", saved.token)
    drafts.discard(saved.token)
    assert world.deliver_all() == ["dropped: draft gone"]
    assert world.sent == []


def test_erasure_ends_every_draft_of_the_address(world: World) -> None:
    values, document = answers()
    one = drafts.save(values, document, "es")
    two = drafts.save(values, document, "fr")
    other_values, other_document = answers()
    other_values["contact.email"] = ["someone@example.org"]
    other_document["contact"]["email"] = "someone@example.org"
    other = drafts.save(other_values, other_document, "en")

    report = erasure.erase_person("  Ana.Lopez@Example.org ")

    assert report.changed["draft"] == 2
    assert world.repo.get_draft(one.draft_id) is None
    assert world.repo.get_draft(two.draft_id) is None
    assert world.repo.get_draft(other.draft_id) is not None
