"""EMF lines (functions/runtime/metrics.py): the specification's shape and the stack's contract."""

from __future__ import annotations

import json

import pytest

from functions.runtime import logs, metrics
from tests.integration.observed import check_emf, metric_lines


def test_a_count_without_a_code_has_the_stage_dimension_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MIEUX_STAGE", "prod")
    document = json.loads(metrics.line("MailSent"))
    check_emf(document)
    assert document["_aws"]["CloudWatchMetrics"] == [
        {
            "Namespace": "MIEUX",
            "Dimensions": [["Stage"]],
            "Metrics": [{"Name": "MailSent", "Unit": "Count"}],
        }
    ]
    assert (document["Stage"], document["MailSent"]) == ("prod", 1)
    assert "Code" not in document


def test_a_code_adds_the_stage_and_code_dimension_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIEUX_STAGE", "dev")
    document = json.loads(metrics.line("MailRejected", code="MessageRejected"))
    check_emf(document)
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Dimensions"] == [["Stage"], ["Stage", "Code"]]
    assert (document["Stage"], document["Code"]) == ("dev", "MessageRejected")


def test_the_line_carries_the_ids_of_its_invocation() -> None:
    with logs.scope(aws_request_id="lambda-1", correlation_id="corr-1", request_id="r1"):
        document = json.loads(metrics.line("Decisions", code="approved"))
    assert (document["requestId"], document["correlation_id"], document["request_id"]) == (
        "lambda-1",
        "corr-1",
        "r1",
    )


def test_the_stage_is_read_even_without_the_other_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MIEUX_STAGE", raising=False)
    monkeypatch.delenv("TABLE_NAME", raising=False)
    assert json.loads(metrics.line("SweeperHeartbeat"))["Stage"] == "local"


def test_only_the_contracts_names_exist() -> None:
    assert {
        "RequestsSubmitted",
        "RequestsRefused",
        "MailSent",
        "MailRejected",
        "MailSuppressed",
        "MailAccountRefused",
        "Decisions",
        "VotesRefused",
        "SweeperHeartbeat",
    } == metrics.NAMES
    with pytest.raises(ValueError, match="unknown metric"):
        metrics.line("MailsSent")


def test_emit_prints_one_line_per_data_point(capsys: pytest.CaptureFixture[str]) -> None:
    metrics.emit("RequestsRefused", code="invalid")
    metrics.emit("RequestsSubmitted")
    out = capsys.readouterr().out
    assert out.count("\n") == 2
    documents = metric_lines(out)
    assert [d.get("Code") for d in documents] == ["invalid", None]


def test_the_checker_refuses_what_cloudwatch_would_not_extract() -> None:
    """The tests' EMF checker (tests/integration/observed.py) is no rubber stamp."""
    good = json.loads(metrics.line("MailRejected", code="x"))
    broken = [
        {**good, "_aws": {**good["_aws"], "Timestamp": "now"}},
        {k: v for k, v in good.items() if k != "Code"},  # a dimension without its member
        {**good, "MailRejected": "1"},  # a value that is not a number
        {**good, "_aws": {**good["_aws"], "CloudWatchMetrics": []}},
    ]
    for document in broken:
        with pytest.raises((AssertionError, KeyError)):
            check_emf(document)
