"""The dossier's actions: remind the members who have not voted, send an email again, withdraw
for the partner; each audited with the staff member's identity, each refused where it must be."""

from __future__ import annotations

from typing import Any

import pytest

from functions.adapters.repository import repository
from tests.integration.helpers import (
    MEMBER_EMAIL,
    PARTNER,
    Browser,
    mail_to,
    path_of,
    run_workers,
)
from tests.integration.staff import csrf_of, signed_in, staff_accounts
from tests.support import Stack


@pytest.fixture
def reviewed(submitted: str, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> str:
    """A request under review (receipt and review emails sent) and the staff's accounts."""
    staff_accounts(stack, monkeypatch)
    return submitted


def events(request_id: str, action: str) -> list[Any]:
    return [e for e in repository().partition(request_id).events if e.action == action]


def test_the_dossier_shows_votes_and_every_email_with_its_state(client: Any, reviewed: str) -> None:
    browser = signed_in(client, "demo-viewer")
    body = browser.get(f"/staff/requests/{reviewed}").body.decode()
    assert "review_request" in body and "receipt" in body and "Sent" in body
    assert "No vote yet." in body
    assert "Send again" not in body and "Remind the members" not in body  # a viewer


def test_reminding_mails_each_member_who_has_not_voted(
    client: Any, stack: Stack, reviewed: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{reviewed}")
    answer = browser.post(f"/staff/requests/{reviewed}/remind", {"_csrf": csrf_of(page)})
    assert answer.status_code == 200
    assert "The members who have not voted are reminded." in answer.body.decode()
    run_workers(client, stack)
    for address in MEMBER_EMAIL.values():
        assert len(mail_to(address, "reminder")) == 1
    [event] = events(reviewed, "reminded")
    assert event.public is False and event.actor.startswith("staff:")
    assert event.detail["username"] == "po-africa" and len(event.detail["members"]) == 3


def test_an_email_is_sent_again_once_asked(client: Any, stack: Stack, reviewed: str) -> None:
    browser = signed_in(client, "demo-coordinator")
    page = browser.get(f"/staff/requests/{reviewed}")
    fields = {"_csrf": csrf_of(page), "kind": "receipt", "round": "1", "recipient": "partner"}
    answer = browser.post(f"/staff/requests/{reviewed}/resend", {**fields, "key": ""})
    assert answer.status_code == 200, answer.body
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "receipt")) == 2
    [event] = events(reviewed, "mail_resent")
    assert event.detail["kind"] == "receipt" and event.detail["username"] == "demo-coordinator"
    # A new email with a key of its own; the original's record stays in the dossier.
    records = [m for m in repository().partition(reviewed).mail if m.kind == "receipt"]
    assert sorted(r.key for r in records) == ["", event.detail["key"]]
    assert event.detail["key"].startswith("resent-")


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "receipt", "round": "7", "recipient": "partner"},  # never sent
        {"kind": "no_such_kind", "round": "1", "recipient": "partner"},
        {"kind": "receipt", "round": "1", "recipient": "stranger:1"},
        {"kind": "receipt", "round": "x" * 50, "recipient": "partner"},
        {"kind": "receipt", "round": "1", "recipient": "partner", "key": "bad key!"},
    ],
)
def test_an_email_the_request_never_had_is_not_found(
    client: Any, reviewed: str, fields: dict[str, str]
) -> None:
    browser = signed_in(client, "demo-coordinator")
    page = browser.get(f"/staff/requests/{reviewed}")
    answer = browser.post(f"/staff/requests/{reviewed}/resend", {"_csrf": csrf_of(page), **fields})
    assert answer.status_code == 404
    assert events(reviewed, "mail_resent") == []


def test_withdrawing_for_the_partner_needs_the_reason_and_records_it(
    client: Any, stack: Stack, reviewed: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{reviewed}")
    empty = browser.post(f"/staff/requests/{reviewed}/withdraw", {"_csrf": csrf_of(page)})
    assert empty.status_code == 422 and 'href="#reason"' in empty.body.decode()
    assert repository().get_request(reviewed).status == "under_review"  # type: ignore[union-attr]
    answer = browser.post(
        f"/staff/requests/{reviewed}/withdraw",
        {"_csrf": csrf_of(empty), "reason": "The ministry merged the department (call, 1 Dec)."},
    )
    assert answer.status_code == 200
    stored = repository().get_request(reviewed)
    assert stored is not None and stored.status == "withdrawn"
    [event] = events(reviewed, "withdrawn")
    assert event.actor.startswith("staff:") and event.detail["username"] == "po-africa"
    assert event.detail["reason"].startswith("The ministry merged")
    again = browser.post(
        f"/staff/requests/{reviewed}/withdraw", {"_csrf": csrf_of(answer), "reason": "Again."}
    )
    assert again.status_code == 409
    run_workers(client, stack)
    assert mail_to("paula@icmpd.example.org", "withdrawn")  # the region's Project Officer


def test_reminding_a_decided_request_is_refused(client: Any, reviewed: str) -> None:
    browser = signed_in(client, "demo-admin")
    page = browser.get(f"/staff/requests/{reviewed}")
    browser.post(
        f"/staff/requests/{reviewed}/withdraw", {"_csrf": csrf_of(page), "reason": "Asked."}
    )
    answer = browser.post(f"/staff/requests/{reviewed}/remind", {"_csrf": csrf_of(page)})
    assert answer.status_code == 409
    assert "Only a request under review" in answer.body.decode()


def test_the_status_page_shows_a_withdrawal_made_for_the_partner(
    client: Any, reviewed: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{reviewed}")
    browser.post(
        f"/staff/requests/{reviewed}/withdraw", {"_csrf": csrf_of(page), "reason": "Asked."}
    )
    [receipt] = mail_to(PARTNER, "receipt")
    status_path = path_of(receipt.link(f"/requests/{reviewed}"))
    status = Browser(client).get(status_path + "&lang=en").body.decode()
    assert "Withdrawn" in status
    assert "Asked." not in status  # the reason is the staff's record, not the public timeline


@pytest.fixture
def with_action(client: Any, stack: Stack, reviewed: str) -> str:
    """The request approved by every voter, and its Action (the schema's example) published."""
    from functions.domain import schemas
    from functions.services import actions
    from tests.integration.helpers import VOTERS

    for voter in VOTERS:
        [mail] = mail_to(MEMBER_EMAIL[voter], "review_request")[-1:]
        assert Browser(client).vote(path_of(mail.link("/review/")), "approve").status_code == 200
    run_workers(client, stack)
    actions.record_action(reviewed, schemas.example("action.schema.json"))
    run_workers(client, stack)
    return reviewed


def test_an_officer_moves_an_activity_and_the_partner_is_told(
    client: Any, stack: Stack, with_action: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{with_action}")
    assert 'id="activity-1-status"' in page.body.decode()
    for status in ("confirmed", "done"):
        answer = browser.post(
            f"/staff/requests/{with_action}/activities/1",
            {"_csrf": csrf_of(page), "status": status},
        )
        assert answer.status_code == 200
        assert "The partner is told by email." in answer.body.decode()
    same = browser.post(
        f"/staff/requests/{with_action}/activities/1", {"_csrf": csrf_of(page), "status": "done"}
    )
    assert "nothing changed" in same.body.decode()
    run_workers(client, stack)
    mails = mail_to(PARTNER, "activity_changed")
    assert len(mails) == 2
    # In the partner's language (French, the example's): confirmed, then taken place.
    assert "est confirmée" in mails[0].text and "a eu lieu" in mails[1].text
    moves = events(with_action, "activity_changed")
    assert [e.detail["status"] for e in moves] == ["confirmed", "done"]
    assert all(e.actor.startswith("staff:") for e in moves)
    [receipt] = mail_to(PARTNER, "receipt")
    status = Browser(client).get(path_of(receipt.link(f"/requests/{with_action}")) + "&lang=en")
    assert "tag-activity-done" in status.body.decode()


@pytest.mark.parametrize(
    "number, status", [("9", "done"), ("0", "done"), ("1", "finished"), ("x" * 40, "done")]
)
def test_a_move_to_nowhere_changes_nothing(
    client: Any, with_action: str, number: str, status: str
) -> None:
    browser = signed_in(client, "demo-coordinator")
    page = browser.get(f"/staff/requests/{with_action}")
    answer = browser.post(
        f"/staff/requests/{with_action}/activities/{number}",
        {"_csrf": csrf_of(page), "status": status},
    )
    assert answer.status_code == 422
    assert events(with_action, "activity_changed") == []


def test_the_dossier_lists_the_files_with_a_5_minute_download(client: Any, reviewed: str) -> None:
    from functions.services import attachments
    from tests.integration.test_attachments import PDF, attach

    holder = attachments.new_holder()
    attach(holder, "letter", PDF)
    repository().move_attachments(attachments.holder_of(holder), reviewed, None)
    body = signed_in(client, "demo-viewer").get(f"/staff/requests/{reviewed}").body.decode()
    assert "Attached files" in body and "letter.pdf" in body and "X-Amz-Expires=300" in body


# --- a question's deadline ---------------------------------------------------------------------


@pytest.fixture
def questioned(reviewed: str) -> str:
    """The request waiting for the partner's answer to the committee's question."""
    from functions.domain import clock
    from functions.domain.records import Event

    store = repository()
    asked = Event(reviewed, clock.iso(clock.now()), "information_requested", "committee", 1)
    assert store.change_status(
        reviewed, "information_requested", asked, round_number=1, open_question="Which dates?"
    )
    return reviewed


def _extend(browser: Browser, request_id: str, day: str) -> Any:
    page = browser.get(f"/staff/requests/{request_id}")
    return browser.post(
        f"/staff/requests/{request_id}/deadline", {"_csrf": csrf_of(page), "answer_by": day}
    )


def test_an_officer_extends_the_questions_deadline_and_the_sweeper_waits(
    client: Any, questioned: str
) -> None:
    from datetime import timedelta

    from functions.domain import clock
    from functions.runtime.settings import get_settings
    from functions.services import sweep

    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{questioned}").body.decode()
    assert 'name="answer_by"' in page and "The question's deadline" in page
    usual = get_settings().information_expiry_days
    day = (clock.now() + timedelta(days=usual + 10)).date()
    answer = _extend(browser, questioned, day.isoformat())
    assert answer.status_code == 200, answer.body
    assert "The deadline is extended." in answer.body.decode()
    assert day.isoformat() in answer.body.decode()
    [event] = events(questioned, "deadline_extended")
    assert event.public is False and event.actor.startswith("staff:")
    assert event.detail["username"] == "po-africa"
    assert event.detail["answer_by"] == clock.iso(
        clock.parse_iso(f"{day.isoformat()}T00:00:00.000000Z") + timedelta(days=1)
    )
    # Past the usual deadline the request stays open; past the new one it is closed.
    assert sweep.sweep(clock.now() + timedelta(days=usual + 1))["expired"] == 0
    assert repository().get_request(questioned).status == "information_requested"  # type: ignore[union-attr]
    assert sweep.sweep(clock.now() + timedelta(days=usual + 12))["expired"] == 1
    assert repository().get_request(questioned).status == "closed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "year-month-day"),
        ("31/12/2026", "year-month-day"),
        ("2026-02-30", "year-month-day"),
        ("2026-13-01", "year-month-day"),
        ("\uff12\uff10\uff12\uff16-\uff11\uff12-\uff13\uff11", "year-month-day"),  # full-width
        ("x" * 5000, "year-month-day"),
        ("1999-01-01", "after today"),
        ("TODAY", "after today"),
        ("FAR", "at most 90 days"),
        ("SOON", "later than the current deadline"),
    ],
)
def test_a_bad_deadline_is_refused_at_its_field_and_nothing_changes(
    client: Any, questioned: str, day: str, message: str
) -> None:
    from datetime import timedelta

    from functions.domain import clock

    today = clock.now().date()
    day = {
        "TODAY": today.isoformat(),
        "FAR": (today + timedelta(days=91)).isoformat(),
        "SOON": (today + timedelta(days=1)).isoformat(),
    }.get(day, day)
    browser = signed_in(client, "po-africa")
    answer = _extend(browser, questioned, day)
    assert answer.status_code == 422
    body = answer.body.decode()
    assert 'href="#answer_by"' in body and message in body
    assert events(questioned, "deadline_extended") == []
    assert repository().get_request(questioned).answer_by is None  # type: ignore[union-attr]


def test_a_request_waiting_for_no_answer_has_no_deadline_to_extend(
    client: Any, reviewed: str
) -> None:
    browser = signed_in(client, "po-africa")
    assert 'name="answer_by"' not in browser.get(f"/staff/requests/{reviewed}").body.decode()
    answer = _extend(browser, reviewed, "2099-01-01")
    assert answer.status_code == 409
    assert "no deadline to extend" in answer.body.decode()
    assert events(reviewed, "deadline_extended") == []
