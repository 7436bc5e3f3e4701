"""The Lambda role's policy grants exactly what the app calls, on exactly the stage's resources.

The calls come from the test suite itself: ``tests/aws_calls.py`` records every AWS operation
made by code under ``functions/`` as the IAM actions AWS checks for it, and ``tests/conftest.py``
compares the recording of the whole run with each stage's policy when the session ends
(``tests/policy.py``; under xdist, the workers' recordings combined): a call the policy refuses
fails any run, a grant no call used fails a run of the whole suite. The tests here check the
policy files themselves and the recorder's rules.
"""

from __future__ import annotations

import pytest

from tests import aws_calls
from tests.policy import (
    PLATFORM,
    SENDING_IDENTITY,
    STAGES,
    allows,
    for_stage,
    granted,
    problems,
)


@pytest.mark.parametrize("stage", STAGES)
def test_no_wildcard_action_or_resource(stage: str) -> None:
    for action, resource in granted(stage) - {SENDING_IDENTITY}:
        assert "*" not in action, f"policy-{stage}.json grants a wildcard action {action}"
        assert resource != "*", f"policy-{stage}.json grants {action} on every resource"
        assert resource.startswith("arn:aws:"), resource
        assert f"mieux-{stage}" in resource, f"{action} on {resource}: not the stage's resource"


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


TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/mieux-local"


def test_the_session_check_reports_a_call_the_policy_refuses() -> None:
    calls = {("dynamodb:DeleteTable", TABLE), ("dynamodb:PutItem", TABLE)}
    (dev, prod) = problems(calls, whole_suite=False)
    assert dev.startswith("policy-dev.json lacks:")
    assert "dynamodb:DeleteTable on arn:aws:dynamodb:eu-west-1:123456789012:table/mieux-dev" in dev
    assert "PutItem" not in dev and prod.startswith("policy-prod.json lacks:")


def test_the_session_check_reports_unused_grants_only_for_the_whole_suite() -> None:
    calls = {("dynamodb:PutItem", TABLE)}
    assert problems(calls, whole_suite=False) == []
    reported = "\n".join(problems(calls, whole_suite=True))
    assert "policy-dev.json grants what no test saw the app call" in reported
    assert "dynamodb:UpdateItem on" in reported and "dynamodb:PutItem on" not in reported
    assert problems(set(), whole_suite=True)[0].startswith("the suite made no AWS call")
