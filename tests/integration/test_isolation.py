"""Each ``stack`` test starts from the provisioned account, whatever the tests before it did.

The stage is provisioned once per process and restored before every test (tests/conftest.py):
these tests run in order on one worker (one xdist group) and the later ones would see what
the earlier ones left if the restore missed anything.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tests.integration.helpers import sent_mail
from tests.support import Stack

pytestmark = pytest.mark.xdist_group("isolation")

SENDER = "mieux@example.org"


def leave_traces(stack: Stack) -> None:
    """Change every kind of state a test can change: items, messages, mail, keys, settings."""
    env = stack.env
    stack.dynamodb.put_item(
        TableName=env["TABLE_NAME"], Item={"pk": {"S": "left"}, "sk": {"S": "behind"}}
    )
    stack.sqs.send_message(QueueUrl=env["REVIEW_QUEUE_URL"], MessageBody="{}")
    stack.sqs.set_queue_attributes(
        QueueUrl=env["NOTIFY_QUEUE_URL"], Attributes={"VisibilityTimeout": "1"}
    )
    stack.sqs.create_queue(QueueName="left-behind")
    ses = boto3.client("ses", region_name="eu-west-1")
    ses.send_email(
        Source=SENDER,
        Destination={"ToAddresses": ["someone@example.org"]},
        Message={"Subject": {"Data": "left"}, "Body": {"Text": {"Data": "behind"}}},
    )
    ses.delete_identity(Identity=SENDER)
    boto3.client("secretsmanager", region_name="eu-west-1").put_secret_value(
        SecretId=env["SIGNING_KEYS_SECRET_ID"], SecretString="left-behind"
    )
    boto3.client("dynamodb", region_name="us-east-1").create_table(
        TableName="left-behind",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def assert_as_provisioned(stack: Stack) -> None:
    env = stack.env
    assert stack.items() == []
    assert stack.review_tasks() == [] and stack.notifications() == []
    attributes = stack.sqs.get_queue_attributes(
        QueueUrl=env["NOTIFY_QUEUE_URL"], AttributeNames=["VisibilityTimeout", "RedrivePolicy"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] != "1"
    assert json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"].endswith("-dlq")
    urls = stack.sqs.list_queues()["QueueUrls"]
    assert sorted(url.rsplit("/", 1)[-1] for url in urls) == [
        "mieux-local-notifications",
        "mieux-local-notifications-dlq",
        "mieux-local-review-tasks",
        "mieux-local-review-tasks-dlq",
    ]
    assert sent_mail() == []
    ses = boto3.client("ses", region_name="eu-west-1")
    assert ses.list_identities()["Identities"] == [SENDER]
    assert int(ses.get_send_quota()["SentLast24Hours"]) == 0
    secret = boto3.client("secretsmanager", region_name="eu-west-1").get_secret_value(
        SecretId=env["SIGNING_KEYS_SECRET_ID"]
    )
    assert secret["SecretString"] != "left-behind"
    assert boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"] == []


@pytest.mark.parametrize("turn", ["first", "second"])
def test_a_test_sees_only_the_provisioned_stage(stack: Stack, turn: str) -> None:
    assert_as_provisioned(stack)  # the other turn's traces are gone
    leave_traces(stack)


def test_a_test_with_an_account_of_its_own_starts_empty(fresh_account: None) -> None:
    sqs = boto3.client("sqs", region_name="eu-west-1")
    assert sqs.list_queues().get("QueueUrls", []) == []
    sqs.create_queue(QueueName="mieux-local-review-tasks")  # as the deploy tests make their own


def test_the_stage_comes_back_after_an_account_of_its_own(stack: Stack) -> None:
    assert_as_provisioned(stack)
    with mock_aws():  # nested in the stack's mock: no reset, the same account
        assert stack.sqs.get_queue_url(QueueName="mieux-local-review-tasks")["QueueUrl"]
    leave_traces(stack)


def test_after_every_kind_of_trace_the_stage_is_as_provisioned(stack: Stack) -> None:
    assert_as_provisioned(stack)
