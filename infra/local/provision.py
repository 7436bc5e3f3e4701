"""Create a stage's resources from ``infra/stack.yaml`` in an AWS API (moto, locally).

The local stack and the tests build their table and queues through CloudFormation from the same
template production uses, so the two cannot drift apart. What moto's CloudFormation skips
(Secrets Manager secrets, SES identities and configuration sets, CloudWatch alarms) is listed in
``CREATED_BY_HAND`` and made here by calling the services directly.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import boto3

TEMPLATE = Path(__file__).resolve().parent.parent / "stack.yaml"
CREATED_BY_HAND = (
    "SES email identity (the sender, verified)",
    "SES configuration set",
)


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """The outputs of a created stack, by key."""
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


def provision(
    stage: str = "local",
    region: str = "eu-west-1",
    public_base_url: str = "http://localhost:8000",
    sender: str = "mieux@example.org",
    endpoint_url: str | None = None,
) -> dict[str, str]:
    """Create the stack and the rest; return the environment the app's settings read."""
    session = boto3.session.Session(region_name=region)

    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint_url)

    cloudformation = client("cloudformation")
    stack_name = f"mieux-{stage}"
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
    )
    cloudformation.get_waiter("stack_create_complete").wait(
        StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
    )
    outputs = stack_outputs(cloudformation, stack_name)
    ses = client("ses")
    ses.verify_email_identity(EmailAddress=sender)
    configuration_set = f"mieux-{stage}"
    ses.create_configuration_set(ConfigurationSet={"Name": configuration_set})
    return {
        "MIEUX_STAGE": stage,
        "AWS_REGION": region,
        "TABLE_NAME": outputs["TableName"],
        "REVIEW_QUEUE_URL": outputs["ReviewQueueUrl"],
        "NOTIFY_QUEUE_URL": outputs["NotifyQueueUrl"],
        "REVIEW_DLQ_URL": outputs["ReviewDeadLetterQueueUrl"],
        "NOTIFY_DLQ_URL": outputs["NotifyDeadLetterQueueUrl"],
        "PUBLIC_BASE_URL": public_base_url,
        "SENDER_EMAIL": sender,
        "SES_CONFIGURATION_SET": configuration_set,
        # Locally the keys live in the environment; in AWS they come from Secrets Manager.
        "SIGNING_KEYS": secrets.token_urlsafe(48),
    }
