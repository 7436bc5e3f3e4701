"""Erasure: after ``ops erase --email``, no item holds anything of the person."""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

from click.testing import CliRunner

from functions.ops.__main__ import cli
from functions.services import suppression
from functions.services.erasure import erase_person
from functions.services.mail import deliver
from functions.services.partner import answer_question
from tests.integration.helpers import (
    MEMBER_EMAIL,
    Browser,
    mail_to,
    path_of,
    request_item,
    run_workers,
    submit,
)
from tests.support import Stack

PARTNER = {
    "name": "Aminata Diallo",
    "position": "Head of the Migration Policy Unit",
    "email": "a.diallo@interieur.example.sn",
    "phone": "+221 33 123 45 67",
}
OTHER = {
    "name": "Rosa Quispe",
    "position": "Director of Consular Affairs",
    "email": "r.quispe@cancilleria.example.pe",
    "phone": "+51 1 204 2400",
}


def vote(client: Any, member: str, choice: str, comment: str = "", kind: str = "") -> None:
    [mail] = mail_to(MEMBER_EMAIL[member], kind or "review_request")[-1:]
    answer = Browser(client).vote(path_of(mail.link("/review/")), choice, comment)
    assert answer.status_code == 200, answer.body


def everything(stack: Stack) -> str:
    """Every item of the table as one lower-cased text (a test may scan)."""
    return json.dumps(stack.items(), ensure_ascii=False).lower()


def markers_of(person: dict[str, str]) -> list[str]:
    values = list(person.values())
    values.append(hashlib.sha256(person["email"].lower().encode()).hexdigest())
    return [value.lower() for value in values]


def a_reviewed_request(client: Any, stack: Stack, submitted: str) -> None:
    """Round one asks a question naming the partner; she answers; round two rejects."""
    vote(client, "home", "more_information", f"Mme {PARTNER['name']}: which regions?")
    run_workers(client, stack)
    answer_question(submitted, f"All regions. {PARTNER['name']}, {PARTNER['phone']}", {})
    run_workers(client, stack)
    vote(client, "eeas", "reject", "Out of scope, as Eva Eeas noted.")
    run_workers(client, stack)
    suppression.suppress(PARTNER["email"], "bounce")


def test_erasing_a_partner_leaves_nothing_of_her_in_any_item(
    client: Any, stack: Stack, submitted: str, valid_request: dict[str, Any]
) -> None:
    a_reviewed_request(client, stack, submitted)
    other = copy.deepcopy(valid_request)
    other["submission_id"] = "0e5c9b8a-1d2f-4a3b-8c7d-6e5f4a3b2c1d"
    other["contact"].update(OTHER)
    submit(client, other)
    run_workers(client, stack)
    text = everything(stack)
    assert all(marker in text for marker in markers_of(PARTNER))  # the test can fail

    result = CliRunner().invoke(
        cli,
        ["erase", "--email", PARTNER["email"].upper(), "--yes"],
    )
    assert result.exit_code == 0, result.output
    assert "request      1 item(s) changed" in result.output
    assert "suppression  1 item(s) changed" in result.output
    assert f"{submitted} anonymised" in result.output
    assert PARTNER["name"] not in result.output

    text = everything(stack)
    for marker in markers_of(PARTNER):
        assert marker not in text, marker
    # The other partner's request is untouched; the erased one keeps its substance.
    assert OTHER["name"].lower() in text and OTHER["email"] in text
    [item] = [i for i in stack.items_of_kind("request") if i["pk"]["S"] == f"REQ#{submitted}"]
    document = json.loads(item["document"]["S"])
    assert document["contact"]["name"] == "[erased]" and document["contact"]["email"] == "[erased]"
    assert document["request"]["title"] == valid_request["request"]["title"]
    assert item["status"]["S"] == "rejected" and "email_hash" not in item
    actions = [e["action"]["S"] for e in stack.items_of_kind("event")]
    assert actions.count("personal_data_erased") == 1
    # Nothing can be mailed to her any more, and a second run finds nothing.
    message = {
        "type": "notification",
        "request_id": submitted,
        "mail_kind": "decision_partner",
        "round": 9,
        "recipient": "partner",
    }
    assert deliver(message) == "dropped: recipient gone"
    assert not erase_person(PARTNER["email"]).anything


def test_erasing_a_committee_member_removes_her_and_her_comments(
    client: Any, stack: Stack, submitted: str
) -> None:
    a_reviewed_request(client, stack, submitted)
    eva = ["Eva Eeas", MEMBER_EMAIL["eeas"], "Out of scope, as Eva Eeas noted."]
    assert all(value.lower() in everything(stack) for value in eva)
    report = erase_person(MEMBER_EMAIL["eeas"])
    assert report.changed["member"] == 1 and report.changed["vote"] == 1
    text = everything(stack)
    for value in eva:
        assert value.lower() not in text, value
    assert "eeas" not in {m["member_id"]["S"] for m in stack.items_of_kind("member")}
    # Her vote still counts in the trail; only her words are gone.
    [her_vote] = [v for v in stack.items_of_kind("vote") if v["member_id"]["S"] == "eeas"]
    assert her_vote["choice"]["S"] == "reject" and her_vote["comment"]["S"] == "[erased]"
    assert request_item_of(stack, submitted)["decision_reason"]["S"] == "[erased]"


def request_item_of(stack: Stack, request_id: str) -> dict[str, Any]:
    [item] = [i for i in stack.items_of_kind("request") if i["pk"]["S"] == f"REQ#{request_id}"]
    return item


def test_an_unknown_address_changes_nothing(client: Any, stack: Stack, submitted: str) -> None:
    before = stack.items()
    result = CliRunner().invoke(
        cli,
        ["erase", "--email", "nobody@example.org", "--yes"],
    )
    assert result.exit_code == 0 and "nothing found" in result.output
    assert stack.items() == before
    assert request_item(stack)["status"]["S"] == "under_review"


def test_erase_asks_before_acting(client: Any, stack: Stack, submitted: str) -> None:
    before = stack.items()
    result = CliRunner().invoke(
        cli,
        ["erase", "--email", PARTNER["email"]],
        input="n\n",
    )
    assert result.exit_code != 0 and "Aborted" in result.output
    assert stack.items() == before
