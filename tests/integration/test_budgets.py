"""Budgets that are not timings: AWS calls per operation, no Scan, the services the build keeps.

Timings live in ``make bench`` (docs/performance.md); the package size budget in test_packaging.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from infra import build
from infra.bench.calls import BEYOND_MINIMUM, MINIMUM, expected, minimum, recording
from infra.bench.operations import OPERATIONS, seed

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_each_operation_makes_the_minimum_aws_calls(stack: Any, operation: str) -> None:
    """Submit, dispatch, each mail, a vote, a decision and the review page in rounds 1 and 2:
    exactly the calls of MINIMUM, and the review page's known extra reads (BEYOND_MINIMUM)."""
    seed()
    prepare = OPERATIONS[operation]
    prepare()()  # once per container: clients, signing keys, the year's counter
    counted = prepare()
    with recording() as recorder:
        counted()
    assert recorder.calls == expected(operation), (MINIMUM[operation], BEYOND_MINIMUM)
    assert not recorder.scans()


def test_the_review_page_reads_the_same_in_round_two_with_the_conversation(stack: Any) -> None:
    """Round 2 shows the question, the answer and the changes: no call more than round 1 (the
    conversation comes from the request's partition), only more items in the partition's Query;
    each page makes exactly its minimum of 2 reads (the partition and the committee)."""
    seed()
    read: dict[str, list[int]] = {}
    for round_name in ("review page, round 1", "review page, round 2"):
        prepare = OPERATIONS[round_name]
        prepare()()
        counted = prepare()
        with recording() as recorder:
            counted()
        assert recorder.calls == expected(round_name)
        assert minimum(round_name).total() == 2 and recorder.calls.total() == 2
        read[round_name] = [items for _, items in recorder.scanned]
    # The one partition read sees round 2's question, answer and votes.
    one, two = read.values()
    assert len(one) == len(two) == 2
    assert max(two) > max(one)


def test_a_refused_submission_only_counts_against_the_rate_limit(
    client: Any, valid_request: dict[str, Any]
) -> None:
    """Every POST counts in its address's hourly window (abuse is counted whatever it sends);
    an invalid one stores nothing and queues nothing."""
    del valid_request["consent"]

    def post() -> Any:
        return client.http.post(
            "/requests",
            headers={"Content-Type": "application/json"},
            body=json.dumps(valid_request),
        )

    post()  # once per container: the signing keys (the window's hash is keyed)
    with recording() as recorder:
        answer = post()
    assert answer.status_code == 422
    assert dict(recorder.calls) == {"dynamodb.UpdateItem": 1}


def test_the_recorder_counts_every_client(stack: Any) -> None:
    """The guard above cannot pass by counting nothing: pynamodb's and our clients are seen."""
    from functions.adapters import aws
    from functions.adapters.repository import repository

    with recording() as recorder:
        repository().get_request("none")
        aws.client("sqs", "eu-west-1").get_queue_attributes(
            QueueUrl=stack.env["REVIEW_QUEUE_URL"], AttributeNames=["All"]
        )
    assert dict(recorder.calls) == {"dynamodb.GetItem": 1, "sqs.GetQueueAttributes": 1}


def _scans(tree: ast.AST) -> list[int]:
    """Lines that scan: ``.scan(``, ``.parallel_scan(``, ``.count()`` (pynamodb scans), "Scan"."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in ("scan", "parallel_scan") or (name == "count" and not node.args):
                lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and node.value in ("Scan", "ParallelScan"):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_code_scans_the_table() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in (ROOT / "functions").rglob("*.py")
        for line in _scans(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not offenders


def test_the_scan_finder_finds_scans() -> None:
    code = "Model.scan()\nItem.count()\nclient.scan(TableName='t')\nop = 'Scan'\nItem.count('k')\n"
    assert _scans(ast.parse(code)) == [1, 2, 3, 4]


def test_the_slim_build_keeps_every_service_the_code_calls() -> None:
    called = build.services_called() | {"dynamodb"}  # pynamodb
    assert "sqs" in called  # the pattern finds the calls at all
    assert called <= set(build.SERVICES)
