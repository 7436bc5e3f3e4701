"""A delegate's review link through the real routes under moto: the page says for whom and until
when, the vote is refused once `committee set-delegate` ended the delegation, and the trail says
"delegate for member eeas" with the delegation's dates, never the delegate's name or address."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from click.testing import CliRunner

from functions.ops.__main__ import cli
from tests.integration.helpers import (
    COMMITTEE,
    Browser,
    mail_to,
    path_of,
    run_workers,
    seed_committee,
    submit,
)
from tests.support import Stack

DELEGATE = "dora@eeas.example.org"
TODAY = date.today()
UNTIL = TODAY + timedelta(days=30)


def delegated(client: Any, stack: Stack, valid_request: dict[str, Any]) -> str:
    """A round open, the EEAS member's review link mailed to her active delegate; its path."""
    data = json.loads(json.dumps(COMMITTEE))
    data["members"][2]["delegate"] = {
        "name": "Dora Delegate",
        "email": DELEGATE,
        "valid_from": (TODAY - timedelta(days=1)).isoformat(),
        "valid_until": UNTIL.isoformat(),
    }
    seed_committee(data)
    submit(client, valid_request)
    run_workers(client, stack)
    [mail] = mail_to(DELEGATE, "review_request")
    return path_of(mail.link("/review/"))


def test_the_delegates_link_is_refused_once_the_delegation_ended(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    path = delegated(client, stack, valid_request)
    browser = Browser(client)
    shown = browser.get(path)
    assert shown.status_code == 200
    text = shown.body.decode("utf-8")
    until = f'<bdi dir="ltr">{UNTIL.isoformat()}</bdi>'  # the date read left to right
    assert f"You vote as delegate of <bdi>Eva Eeas</bdi> (EEAS), until {until}" in text
    fields = {"_csrf": browser.csrf_from(shown), "choice": "approve", "comment": ""}

    yesterday = TODAY - timedelta(days=1)
    since = yesterday - timedelta(days=20)
    command = ["committee", "set-delegate", "--id", "eeas", "--name", "Dora Delegate"]
    dates = ["--from", since.isoformat(), "--until", yesterday.isoformat()]
    ended = CliRunner().invoke(cli, [*command, "--email", DELEGATE, *dates])
    assert ended.exit_code == 0, ended.output

    answer = browser.post(path, fields)
    assert answer.status_code == 403
    assert "Your delegation has ended" in answer.body.decode("utf-8")
    assert stack.items_of_kind("vote") == []
    assert [e for e in stack.items_of_kind("event") if e["action"]["S"] == "vote_cast"] == []
    again = browser.get(path)  # the page says so too, and offers no form
    assert again.status_code == 403 and 'name="_csrf"' not in again.body.decode("utf-8")


def test_the_trail_says_delegate_for_the_member_with_the_dates_only(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    path = delegated(client, stack, valid_request)
    assert Browser(client).vote(path, "approve").status_code == 200
    [vote] = stack.items_of_kind("vote")
    assert vote["cast_by"]["S"] == "delegate:eeas"
    [cast] = [e for e in stack.items_of_kind("event") if e["action"]["S"] == "vote_cast"]
    assert cast["actor"]["S"] == "delegate:eeas"
    trail = json.dumps(cast)
    assert "eeas" in trail and UNTIL.isoformat() in trail
    assert "Dora" not in trail and DELEGATE not in trail
