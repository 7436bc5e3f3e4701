"""The Lambda role's policy grants exactly what the app calls, on exactly the stage's resources.

The calls come from the test suite itself: ``tests/aws_calls.py`` records every AWS operation
made by code under ``functions/`` as the IAM actions AWS checks for it. When this file runs with
the whole suite (``make test``), the recording of that run is used; when it runs alone (or with
``-k``, ``-m``, ``--lf``...), it runs the rest of the suite in a subprocess to record it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests import aws_calls
from tests.aws_calls import Grant

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
LOCAL_PREFIX = "mieux-local"  # the stage tests/conftest.py provisions

# Granted although no code of ours calls it: what AWS itself does with the function's role.
PLATFORM: dict[Grant, str] = {
    **{
        (action, f"arn:aws:logs:*:*:log-group:/aws/lambda/mieux-{{stage}}{suffix}"): (
            "Lambda writes each function's logs with its role"
        )
        for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
        for suffix in (":*", "-*:*")
    },
    **{
        (action, f"arn:aws:sqs:*:*:mieux-{{stage}}-{queue}"): (
            "the SQS event source mapping polls the queue with the consumer's role"
        )
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
        for queue in ("review-tasks", "notifications")
    },
}


def policy(stage: str) -> dict[str, Any]:
    path = ROOT / ".chalice" / f"policy-{stage}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def granted(stage: str) -> set[Grant]:
    """Every (action, resource pattern) pair the stage's policy allows."""
    pairs: set[Grant] = set()
    for statement in policy(stage)["Statement"]:
        assert statement["Effect"] == "Allow", statement
        actions = statement["Action"]
        resources = statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            for resource in [resources] if isinstance(resources, str) else resources:
                pairs.add((action, resource))
    return pairs


def _partial_run(config: pytest.Config) -> bool:
    """True unless this session is running the whole suite in one process."""
    targets = {Path(arg.split("::")[0]).resolve() for arg in config.args}
    return (
        not targets <= {ROOT, ROOT / "tests"}
        or any("::" in arg for arg in config.args)
        or bool(config.option.keyword or config.option.markexpr)
        or bool(config.getoption("deselect", None) or config.getoption("lf", False))
        or hasattr(config, "workerinput")  # an xdist worker sees only its share
        or bool(config.getoption("numprocesses", None))
    )


@pytest.fixture(scope="module")
def recorded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> set[Grant]:
    """What the suite's calls need, with the local stage's names made generic."""
    if _partial_run(request.config):
        calls = _record_in_subprocess(tmp_path_factory.mktemp("calls") / "calls.json")
    else:
        calls = set(aws_calls.RECORDED)
    assert calls, "the suite made no AWS call from functions/: is the recorder installed?"
    return calls


def _record_in_subprocess(out: Path) -> set[Grant]:
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
        "-m", "not slow and not browser", "--ignore", str(Path(__file__)), "tests",
    ]  # fmt: skip
    env = {**os.environ, aws_calls.OUT_VARIABLE: str(out)}
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200
    )
    assert result.returncode == 0, "the suite must pass to be recorded:\n" + result.stdout[-3000:]
    return aws_calls.read(out)


def for_stage(grants: set[Grant], stage: str) -> set[Grant]:
    return {(action, arn.replace(LOCAL_PREFIX, f"mieux-{stage}")) for action, arn in grants}


def allows(pairs: set[Grant], action: str, arn: str) -> bool:
    return any(action == a and fnmatchcase(arn, pattern) for a, pattern in pairs)


# The one grant not named after the stage: SES checks the sending identity, which is the
# operator's domain. `make deploy` narrows it to the domain of SENDER_EMAIL (infra/deploy.py
# rendered_policy); the configuration-set resource of the same grant pins the stage.
SENDING_IDENTITY = ("ses:SendEmail", "arn:aws:ses:*:*:identity/*")


@pytest.mark.parametrize("stage", STAGES)
def test_no_wildcard_action_or_resource(stage: str) -> None:
    for action, resource in granted(stage) - {SENDING_IDENTITY}:
        assert "*" not in action, f"policy-{stage}.json grants a wildcard action {action}"
        assert resource != "*", f"policy-{stage}.json grants {action} on every resource"
        assert resource.startswith("arn:aws:"), resource
        assert f"mieux-{stage}" in resource, f"{action} on {resource}: not the stage's resource"


@pytest.mark.parametrize("stage", STAGES)
def test_every_call_the_app_makes_is_allowed(recorded: set[Grant], stage: str) -> None:
    pairs = granted(stage)
    missing = sorted(
        f"{action} on {arn}"
        for action, arn in for_stage(recorded, stage)
        if not allows(pairs, action, arn)
    )
    assert not missing, f"policy-{stage}.json lacks:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("stage", STAGES)
def test_nothing_is_granted_that_nothing_calls(recorded: set[Grant], stage: str) -> None:
    calls = for_stage(recorded, stage)
    platform = {(a, r.format(stage=stage)) for a, r in PLATFORM}
    unused = sorted(
        f"{action} on {pattern}"
        for action, pattern in granted(stage) - platform
        if not any(action == a and fnmatchcase(arn, pattern) for a, arn in calls)
    )
    assert not unused, (
        f"policy-{stage}.json grants what no test saw the app call (remove it, or add the "
        "test that makes the call):\n  " + "\n  ".join(unused)
    )


@pytest.mark.parametrize("stage", STAGES)
def test_what_lambda_itself_needs_is_granted(stage: str) -> None:
    pairs = granted(stage)
    missing = sorted(
        f"{action} on {resource.format(stage=stage)} ({why})"
        for (action, resource), why in PLATFORM.items()
        if (action, resource.format(stage=stage)) not in pairs
    )
    assert not missing, f"policy-{stage}.json lacks:\n  " + "\n  ".join(missing)


def test_the_recorder_ignores_calls_made_by_tests_themselves() -> None:
    import boto3
    from moto import mock_aws

    before = set(aws_calls.RECORDED)
    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        sqs.create_queue(QueueName="mieux-recorder-probe")
    assert set(aws_calls.RECORDED) == before


def test_a_transaction_is_checked_item_by_item() -> None:
    import boto3

    dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
    items = [
        {"Put": {"TableName": "t", "Item": {}}},
        {"ConditionCheck": {"TableName": "t", "Key": {}, "ConditionExpression": "x"}},
        {"Update": {"TableName": "u", "Key": {}, "UpdateExpression": "y"}},
    ]
    grants = aws_calls.grants_of(dynamodb, "TransactWriteItems", {"TransactItems": items})
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/"
    assert grants == {
        ("dynamodb:PutItem", arn + "t"),
        ("dynamodb:ConditionCheckItem", arn + "t"),
        ("dynamodb:UpdateItem", arn + "u"),
    }


def test_a_batch_send_is_checked_as_send_message() -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="eu-west-1")
    url = "https://sqs.eu-west-1.amazonaws.com/123456789012/mieux-dev-notifications"
    grants = aws_calls.grants_of(sqs, "SendMessageBatch", {"QueueUrl": url, "Entries": []})
    assert grants == {
        ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:mieux-dev-notifications")
    }


def test_a_policy_without_the_table_write_fails_the_check() -> None:
    calls = {("dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/mieux-local")}
    narrowed = {(a, r) for a, r in granted("dev") if a != "dynamodb:PutItem"}
    (action, arn) = next(iter(for_stage(calls, "dev")))
    assert allows(granted("dev"), action, arn)
    assert not allows(narrowed, action, arn)
    assert not allows(granted("prod"), action, arn)  # another stage's table is not granted
