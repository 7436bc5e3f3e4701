"""Budgets that are not timings: AWS calls per operation, no Scan, the services the build keeps.

Timings live in ``make bench`` (docs/performance.md); the package size budget in test_packaging.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from infra import build
from infra.bench.calls import MINIMUM, recording

ROOT = Path(__file__).resolve().parents[2]


def _warm_signing_keys() -> None:
    """A container reads the signing keys once per five minutes, not once per request."""
    from functions.adapters.secrets import signing_keys

    signing_keys()


def test_a_submission_makes_the_minimum_aws_calls(
    client: Any, valid_request: dict[str, Any]
) -> None:
    _warm_signing_keys()
    with recording() as recorder:
        answer = client.http.post(
            "/requests",
            headers={"Content-Type": "application/json"},
            body=json.dumps(valid_request),
        )
    assert answer.status_code == 201, answer.body
    # UpdateItem twice: the address's rate window, then the reference counter.
    assert dict(recorder.calls) == {**dict.fromkeys(MINIMUM["submit"], 1), "dynamodb.UpdateItem": 2}


def test_a_refused_submission_calls_no_aws_service(
    client: Any, valid_request: dict[str, Any]
) -> None:
    del valid_request["consent"]
    _warm_signing_keys()
    with recording() as recorder:
        answer = client.http.post(
            "/requests",
            headers={"Content-Type": "application/json"},
            body=json.dumps(valid_request),
        )
    assert answer.status_code == 422
    # Only the rate window is counted (every POST counts, so that floods are bounded too).
    assert dict(recorder.calls) == {"dynamodb.UpdateItem": 1}


def test_the_recorder_counts_every_client(stack: Any) -> None:
    """The guard above cannot pass by counting nothing: pynamodb's and our clients are seen."""
    from functions.adapters import aws, store

    with recording() as recorder:
        store.get(store.RequestItem, "REQ#none", "META")
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
