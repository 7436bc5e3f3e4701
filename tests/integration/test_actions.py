"""Actions under moto: recorded by the operator command, shown to the partner, emailed once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from functions.domain import schemas
from functions.ops.__main__ import cli
from tests.integration.helpers import VOTERS, Browser, mail_to, path_of, run_workers
from tests.support import Stack

PARTNER = "a.diallo@interieur.example.sn"
MEMBER_EMAIL = {
    "intpa": "ana@intpa.example.org",
    "home": "hugo@home.example.org",
    "eeas": "eva@eeas.example.org",
}


def example_plan() -> dict[str, Any]:
    return schemas.example("action.schema.json")


def ops(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def write_plan(tmp_path: Path, plan: Any, name: str = "action.yaml") -> str:
    path = tmp_path / name
    text = json.dumps(plan) if name.endswith(".json") else yaml.safe_dump(plan)
    path.write_text(text, encoding="utf-8")
    return str(path)


def approve(client: Any, stack: Stack, request_id: str) -> None:
    for member in VOTERS:
        [mail] = mail_to(MEMBER_EMAIL[member], "review_request")[-1:]
        assert Browser(client).vote(path_of(mail.link("/review/")), "approve").status_code == 200
    run_workers(client, stack)


@pytest.fixture
def approved(client: Any, stack: Stack, submitted: str) -> str:
    approve(client, stack, submitted)
    return submitted


def status_path(request_id: str) -> str:
    [receipt] = mail_to(PARTNER, "receipt")
    return path_of(receipt.link(f"/requests/{request_id}"))


def action_items(stack: Stack) -> list[dict[str, Any]]:
    return stack.items_of_kind("action")


def event_actions(stack: Stack) -> list[str]:
    return [e["action"]["S"] for e in stack.items_of_kind("event")]


def test_the_schema_example_is_a_valid_plan() -> None:
    from functions.services.actions import plan_errors

    assert plan_errors(example_plan()) == []


def broken(change: Any) -> dict[str, Any]:
    plan = example_plan()
    change(plan)
    return plan


INVALID = [
    (lambda p: p["activities"].pop(), "/activities: "),
    (lambda p: p["activities"].extend(p["activities"][:2]), "/activities: "),
    (lambda p: p["activities"][1].update(type="party"), "/activities/1/type"),
    (lambda p: p["activities"][2].update(starts_on="2027-02-30"), "/activities/2/starts_on"),
    (lambda p: p["activities"][0].update(ends_on="2027-03-01"), "activity 1 ends before"),
    (lambda p: p["activities"][3]["place"].pop("city"), "/activities/3/place"),
    (lambda p: p["activities"][4]["experts"].update(number=-1), "/activities/4/experts"),
    (lambda p: p.update(ends_on="2027-11-30"), "/ends_on: an activity ends later"),
    (lambda p: p.update(starts_on="2027-04-01"), "/starts_on: an activity starts earlier"),
    (lambda p: p.update(budget=10), "budget"),
]


def test_an_invalid_plan_is_refused_with_its_errors_and_nothing_is_written(
    stack: Stack, approved: str, tmp_path: Path
) -> None:
    for change, expected in INVALID:  # one approved request for every case: each takes seconds
        path = write_plan(tmp_path, broken(change))
        result = ops("action", "record", "--request", approved, "--file", path)
        assert result.exit_code == 1, result.output
        assert "error(s)" in result.output and expected in result.output, result.output
    assert action_items(stack) == []
    assert "action_published" not in event_actions(stack)


def test_every_error_of_a_plan_is_listed_at_once(
    stack: Stack, approved: str, tmp_path: Path
) -> None:
    plan = example_plan()
    plan["activities"][0]["type"] = "party"
    plan["activities"][5]["title"] = ""
    result = ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, plan))
    assert "2 error(s)" in result.output
    assert "/activities/0/type" in result.output and "/activities/5/title" in result.output


def test_an_unreadable_file_is_refused(stack: Stack, approved: str, tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json", encoding="utf-8")
    result = ops("action", "record", "--request", approved, "--file", str(path))
    assert result.exit_code == 1 and "not readable json" in result.output
    assert action_items(stack) == []


def test_a_request_that_is_not_approved_gets_no_action(
    client: Any, stack: Stack, submitted: str, tmp_path: Path
) -> None:
    path = write_plan(tmp_path, example_plan())
    result = ops("action", "record", "--request", submitted, "--file", path)
    assert result.exit_code == 1
    assert "is under_review: only approved ones get an Action" in result.output
    result = ops("action", "record", "--request", "0" * 32, "--file", path)
    assert result.exit_code == 1 and "no request" in result.output
    assert action_items(stack) == []


def test_publishing_emails_the_partner_once_and_the_status_page_shows_the_action(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    path = write_plan(tmp_path, example_plan(), "action.json")
    result = ops("action", "record", "--request", approved, "--file", path)
    assert result.exit_code == 0, result.output
    assert "published" in result.output and "2027-03-08 to 2027-12-07" in result.output
    run_workers(client, stack)
    [mail] = mail_to(PARTNER, "action_published")
    assert "Strengthening the national referral mechanism" in mail.text
    assert "Study visit to a national rapporteur" in mail.html
    [item] = action_items(stack)
    assert item["ends_on"]["S"] == "2027-12-07" and item["starts_on"]["S"] == "2027-03-08"
    [event] = [e for e in stack.items_of_kind("event") if e["action"]["S"] == "action_published"]
    # The operator's AWS principal, as STS names the command's credentials (moto's test user).
    assert event["public"]["N"] == "1"
    assert event["actor"]["S"] == "operator:arn:aws:sts::123456789012:user/moto"

    page = Browser(client).get(status_path(approved) + "&lang=en")
    body = page.body.decode("utf-8")
    assert page.status_code == 200
    assert "The Action" in body and "Assessment of the current referral practice" in body
    assert "Lisbon, Portugal" in body and "Accra, Ghana" in body  # Portugal: not eligible
    assert body.count('class="activity activity-planned"') == 6
    assert "Action published" in body  # the timeline
    answer = client.http.get(status_path(approved), headers={"Accept": "application/json"})
    action = json.loads(answer.body)["action"]
    assert action["title"] == "Strengthening the national referral mechanism"
    assert [a["status"] for a in action["activities"]] == ["planned"] * 6


def test_the_status_page_shows_the_action_in_the_partners_language(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, example_plan()))
    body = Browser(client).get(status_path(approved) + "&lang=fr").body.decode("utf-8")
    assert "Activités" in body and "Prévue" in body and "Mission d" in body


def test_the_action_commands_take_the_reference_of_the_officers_email(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    [item] = [i for i in stack.items_of_kind("request")]
    reference = item["reference"]["S"]
    path = write_plan(tmp_path, example_plan())
    result = ops("action", "record", "--request", reference, "--file", path)
    assert result.exit_code == 0, result.output
    assert [i["pk"]["S"] for i in action_items(stack)] == [item["pk"]["S"]]
    changed = ops("action", "activity", "--request", reference, "--number", "1", "--status", "done")
    assert changed.exit_code == 0, changed.output


def test_recording_again_replaces_the_plan_without_a_second_email(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    plan = example_plan()
    ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, plan))
    plan["title"] = "Referral mechanism, revised plan"
    plan["activities"].append({**plan["activities"][-1], "title": "Follow-up seminar"})
    plan["activities"][-1].update(starts_on="2028-02-01", ends_on="2028-02-02")
    result = ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, plan))
    assert result.exit_code == 0 and "plan replaced (version 2" in result.output
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "action_published")) == 1
    [item] = action_items(stack)
    assert item["title"]["S"] == "Referral mechanism, revised plan"
    assert item["ends_on"]["S"] == "2028-02-02"
    assert event_actions(stack).count("action_updated") == 1


def test_an_activity_status_change_emails_the_partner_once_per_change(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, example_plan()))
    run_workers(client, stack)
    result = ops("action", "activity", "--request", approved, "--number", "1", "--status", "done")
    assert result.exit_code == 0 and "now done" in result.output
    again = ops("action", "activity", "--request", approved, "--number", "1", "--status", "done")
    assert "already done" in again.output
    ops("action", "activity", "--request", approved, "--number", "4", "--status", "cancelled")
    run_workers(client, stack)
    changes = mail_to(PARTNER, "activity_changed")
    assert len(changes) == 2
    assert "Assessment of the current referral practice" in changes[0].text
    assert "Study visit to a national rapporteur" in changes[1].text
    assert event_actions(stack).count("activity_changed") == 2
    [item] = action_items(stack)
    statuses = [a["status"] for a in json.loads(item["plan"]["S"])["activities"]]
    assert statuses == ["done", "planned", "planned", "cancelled", "planned", "planned"]
    body = Browser(client).get(status_path(approved) + "&lang=en").body.decode("utf-8")
    assert 'class="activity activity-done"' in body and 'activity-cancelled"' in body


def test_a_redelivered_activity_email_is_sent_once(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    from tests.integration.helpers import sqs_event

    ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, example_plan()))
    run_workers(client, stack)
    ops("action", "activity", "--request", approved, "--number", "2", "--status", "done")
    [note] = [n for n in stack.notifications() if n["mail_kind"] == "activity_changed"]
    assert note["key"] == "activity-2-done"
    for _ in range(2):
        client.lambda_.invoke("notifications", sqs_event(stack.env["NOTIFY_QUEUE_URL"], [note]))
    assert len(mail_to(PARTNER, "activity_changed")) == 1


def test_activity_changes_need_an_action_and_a_real_activity(
    stack: Stack, approved: str, tmp_path: Path
) -> None:
    result = ops("action", "activity", "--request", approved, "--number", "1", "--status", "done")
    assert result.exit_code == 1 and "has no Action yet" in result.output
    ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, example_plan()))
    result = ops("action", "activity", "--request", approved, "--number", "7", "--status", "done")
    assert result.exit_code == 1 and "activities 1 to 6, not 7" in result.output
    result = ops("action", "activity", "--request", approved, "--number", "1", "--status", "gone")
    assert result.exit_code == 2
    assert event_actions(stack).count("activity_changed") == 0


def test_the_outcome_command_records_participants_and_deliverables_the_partner_sees(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    ops("action", "record", "--request", approved, "--file", write_plan(tmp_path, example_plan()))
    ops("action", "activity", "--request", approved, "--number", "1", "--status", "done")
    outcome = {
        "participants": {"women": 4, "men": 3, "by_institution": {"parliament": 7}},
        "deliverables": [
            {"title": "Referral manual", "kind": "manual", "link": "https://example.org/m.pdf"}
        ],
        "narrative": "Seven members of the committee took part.",
    }
    path = write_plan(tmp_path, outcome, "outcome.yaml")
    result = ops("action", "outcome", "--request", approved, "--number", "1", "--file", path)
    assert result.exit_code == 0 and "outcome of activity 1 recorded" in result.output
    [item] = action_items(stack)
    assert json.loads(item["plan"]["S"])["activities"][0]["outcome"] == outcome
    body = Browser(client).get(status_path(approved) + "&lang=ar").body.decode("utf-8")
    assert 'href="https://example.org/m.pdf"' in body and "Referral manual" in body
    bad = write_plan(tmp_path, {**outcome, "participants": {"women": 1, "men": 1}}, "bad.json")
    refused = ops("action", "outcome", "--request", approved, "--number", "2", "--file", bad)
    assert refused.exit_code == 1 and "only a done activity has an outcome" in refused.output
    assert event_actions(stack).count("outcome_recorded") == 1


def test_the_documented_yaml_with_unquoted_dates_records(
    client: Any, stack: Stack, approved: str, tmp_path: Path
) -> None:
    """docs/operations.md writes dates unquoted, as people do: they stay text, not 12 errors."""
    activities = "".join(
        f"""
  - type: workshop
    title: Workshop number {number}
    starts_on: 2027-0{number}-08
    ends_on: 2027-0{number}-09
    place: {{city: Accra, country: GH}}
    experts: {{number: 2, profile: Anti-trafficking policy; victim protection}}"""
        for number in range(1, 7)
    )
    path = tmp_path / "action.yaml"
    path.write_text(
        "title: Strengthening the national referral mechanism\n"
        "objectives: Give the Ministry's staff the procedures and skills to refer victims.\n"
        f"activities:{activities}\n",
        encoding="utf-8",
    )
    result = ops("action", "record", "--request", approved, "--file", str(path))
    assert result.exit_code == 0, result.output
    assert "2027-01-08 to 2027-06-09" in result.output
