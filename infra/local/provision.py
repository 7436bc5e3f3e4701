"""Create a stage's resources from ``infra/stack.yaml`` in an AWS API (moto, locally).

The local stack and the tests build their resources through CloudFormation from the same
template production uses, so the two cannot drift apart. moto's CloudFormation skips some
resource types with a warning; for those this module reads the same template, resolves the
intrinsic functions it uses (``Ref``, ``Fn::Sub``, ``Fn::GetAtt``, ``Fn::If``) and creates each
resource by calling its service directly. ``CREATED_BY_HAND`` lists what is made that way.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import boto3
import yaml

TEMPLATE = Path(__file__).resolve().parent.parent / "stack.yaml"
CREATED_BY_HAND = (
    "SES email identity (the sender, verified; production verifies a domain by hand)",
    "AWS::SecretsManager::Secret (the signing keys, a generated key)",
    "AWS::SES::ConfigurationSet (with its sending, reputation and suppression options)",
    "AWS::SES::ConfigurationSetEventDestination (bounces and complaints to the SNS topic)",
    "AWS::SNS::TopicPolicy",
    "AWS::CloudWatch::Alarm (every alarm of the template)",
    "the table's TimeToLiveSpecification and PointInTimeRecoverySpecification (ignored by moto)",
    "AWS::Cognito::UserPool, AWS::Cognito::UserPoolClient, AWS::Cognito::UserPoolGroup (the"
    " staff workspace's sign-in: the pool, its app client, the four role groups)",
)
ACCOUNT_ID = "123456789012"  # moto's default account


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref``, ``!Sub``...) read as long-form dicts."""


def _construct_tag(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # every YAML node is one of the three
        raise TypeError(f"!{tag_suffix} on an unknown YAML node: {node!r}")
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _construct_tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain data, short tags turned into their long form (a fresh copy)."""
    return copy.deepcopy(_parsed(path.read_text(encoding="utf-8")))


@cache
def _parsed(text: str) -> dict[str, Any]:
    return dict(yaml.load(text, Loader=_TemplateLoader))  # noqa: S506


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """The outputs of a created stack, by key."""
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}


class Resolver:
    """Evaluates the intrinsic functions of the template against a created stack."""

    def __init__(
        self, template: dict[str, Any], parameters: dict[str, str], region: str, account: str
    ) -> None:
        self.template = template
        self.values: dict[str, str] = {
            name: str(spec.get("Default", "")) for name, spec in template["Parameters"].items()
        }
        self.values.update(parameters)
        self.values.update(
            {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws"}
        )
        self.physical: dict[str, str] = {}  # logical id -> what Ref returns
        self.conditions = {
            name: bool(self.resolve(expr)) for name, expr in template["Conditions"].items()
        }

    def ref(self, name: str) -> str:
        if name in self.values:
            return self.values[name]
        if name in self.physical:
            return self.physical[name]
        raise KeyError(f"Ref {name}: not created (yet)")

    def get_att(self, logical: str, attribute: str) -> str:
        physical = self.ref(logical)
        kind = self.template["Resources"][logical]["Type"]
        if kind == "AWS::SQS::Queue":
            name = physical.rsplit("/", 1)[-1]
            region, account = self.values["AWS::Region"], self.values["AWS::AccountId"]
            return {"QueueName": name, "Arn": f"arn:aws:sqs:{region}:{account}:{name}"}[attribute]
        if kind == "AWS::SNS::Topic" and attribute == "TopicName":
            return physical.rsplit(":", 1)[-1]
        raise KeyError(f"GetAtt {logical}.{attribute} is not known to the local resolver")

    def resolve(self, value: Any) -> Any:
        """``value`` with every intrinsic function evaluated."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        (key, argument) = next(iter(value.items()))
        if key == "Ref":
            return self.ref(argument)
        if key == "Fn::GetAtt":
            return self.get_att(argument[0], argument[1])
        if key == "Fn::Sub":
            text = argument
            for name in [*self.values, *self.physical]:
                text = text.replace("${" + name + "}", self.ref(name))
            return text
        if key == "Fn::If":
            chosen = argument[1] if self.conditions[argument[0]] else argument[2]
            return self.resolve(chosen)
        if key == "Fn::Equals":
            left, right = self.resolve(argument)
            return left == right
        if key == "Fn::Not":
            return not self.resolve(argument[0])
        return {key: self.resolve(argument)}


def provision(
    stage: str = "local",
    region: str = "eu-west-1",
    public_base_url: str = "http://localhost:8000",
    sender: str = "mieux@example.org",
    endpoint_url: str | None = None,
) -> dict[str, str]:
    """Create the stack and the rest; return the environment the app's settings read."""
    session = boto3.session.Session(region_name=region)

    @cache
    def client(name: str) -> Any:
        return session.client(name, endpoint_url=endpoint_url)

    cloudformation = client("cloudformation")
    stack_name = f"mieux-{stage}"
    parameters = {"Stage": stage, "SenderEmail": sender, "PublicBaseUrl": public_base_url}
    with warnings.catch_warnings():
        # moto warns for each type it skips; CREATED_BY_HAND says what is made instead.
        warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation")
        cloudformation.create_stack(
            StackName=stack_name,
            TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        )
        cloudformation.get_waiter("stack_create_complete").wait(
            StackName=stack_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
        )
        outputs = stack_outputs(cloudformation, stack_name)
        summaries = cloudformation.list_stack_resources(StackName=stack_name)
    client("ses").verify_email_identity(EmailAddress=sender)
    resolver = Resolver(load_template(), parameters, region, ACCOUNT_ID)
    for summary in summaries["StackResourceSummaries"]:
        resolver.physical[summary["LogicalResourceId"]] = summary["PhysicalResourceId"]
    created = create_skipped_resources(resolver, client)
    return {
        "MIEUX_STAGE": stage,
        "AWS_REGION": region,
        "TABLE_NAME": outputs["TableName"],
        "REVIEW_QUEUE_URL": outputs["ReviewQueueUrl"],
        "NOTIFY_QUEUE_URL": outputs["NotifyQueueUrl"],
        "REVIEW_DLQ_URL": outputs["ReviewDeadLetterQueueUrl"],
        "NOTIFY_DLQ_URL": outputs["NotifyDeadLetterQueueUrl"],
        "OPERATORS_TOPIC_ARN": outputs["OperatorsTopicArn"],
        "SES_EVENTS_TOPIC_ARN": outputs["SesEventsTopicArn"],
        "PUBLIC_BASE_URL": public_base_url,
        "SENDER_EMAIL": sender,
        "SES_CONFIGURATION_SET": created["ConfigurationSet"],
        # The keys live in Secrets Manager, as in AWS: the app reads them the production way.
        "SIGNING_KEYS_SECRET_ID": created["SigningKeysSecret"],
        # The staff workspace's user pool; over a moto server its keys are served by the server.
        "COGNITO_USER_POOL_ID": created["StaffUserPool"],
        "COGNITO_CLIENT_ID": created["StaffUserPoolClient"],
        **(
            {"COGNITO_JWKS_URL": f"{endpoint_url}/{created['StaffUserPool']}/.well-known/jwks.json"}
            if endpoint_url
            else {}
        ),
    }


def create_skipped_resources(resolver: Resolver, client: Callable[[str], Any]) -> dict[str, str]:
    """Create every resource moto's CloudFormation skips, in template order; Ref values back."""
    makers: dict[str, Callable[[dict[str, Any], Callable[[str], Any]], str]] = {
        "AWS::SecretsManager::Secret": _secret,
        "AWS::SES::ConfigurationSet": _configuration_set,
        "AWS::SES::ConfigurationSetEventDestination": _event_destination,
        "AWS::SNS::TopicPolicy": _topic_policy,
        "AWS::CloudWatch::Alarm": _alarm,
        "AWS::Cognito::UserPool": _user_pool,
        "AWS::Cognito::UserPoolClient": _user_pool_client,
        "AWS::Cognito::UserPoolGroup": _user_pool_group,
    }
    created: dict[str, str] = {}
    for logical, resource in resolver.template["Resources"].items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            _table_settings(resolver.resolve(resource["Properties"]), client)
        maker = makers.get(resource["Type"])
        if maker is None or logical in resolver.physical:
            continue
        condition = resource.get("Condition")
        if condition and not resolver.conditions[condition]:
            continue
        properties = resolver.resolve(resource.get("Properties", {}))
        created[logical] = resolver.physical[logical] = maker(properties, client)
    return created


def _table_settings(properties: dict[str, Any], client: Callable[[str], Any]) -> None:
    dynamodb = client("dynamodb")
    ttl = properties.get("TimeToLiveSpecification")
    if ttl:
        dynamodb.update_time_to_live(TableName=properties["TableName"], TimeToLiveSpecification=ttl)
    recovery = properties.get("PointInTimeRecoverySpecification")
    if recovery:
        dynamodb.update_continuous_backups(
            TableName=properties["TableName"], PointInTimeRecoverySpecification=recovery
        )


def _secret(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    # The signing-key secret in its current form: one dated key and an address key of its own
    # (infra/keys.py; the stack's generated first value is read as the old, undated form).
    from infra.keys import initial_secret

    value = initial_secret(date.today())
    answer = client("secretsmanager").create_secret(
        Name=properties["Name"], Description=properties.get("Description", ""), SecretString=value
    )
    return str(answer["ARN"])


def _configuration_set(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    options = {k: v for k, v in properties.items() if k != "Name"}
    client("sesv2").create_configuration_set(ConfigurationSetName=properties["Name"], **options)
    return str(properties["Name"])


def _event_destination(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    destination = properties["EventDestination"]
    client("ses").create_configuration_set_event_destination(
        ConfigurationSetName=properties["ConfigurationSetName"],
        EventDestination={
            "Name": destination["Name"],
            "Enabled": destination.get("Enabled", True),
            "MatchingEventTypes": destination["MatchingEventTypes"],
            "SNSDestination": {"TopicARN": destination["SnsDestination"]["TopicARN"]},
        },
    )
    return str(destination["Name"])


def _topic_policy(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    for topic in properties["Topics"]:
        client("sns").set_topic_attributes(
            TopicArn=topic,
            AttributeName="Policy",
            AttributeValue=json.dumps(properties["PolicyDocument"]),
        )
    return ",".join(properties["Topics"])


def _alarm(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    client("cloudwatch").put_metric_alarm(**properties)
    return str(properties["AlarmName"])


def _user_pool(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    cognito = client("cognito-idp")
    options = {
        k: v
        for k, v in properties.items()
        if k not in ("UserPoolName", "EnabledMfas", "MfaConfiguration")
    }
    pool = cognito.create_user_pool(PoolName=properties["UserPoolName"], **options)["UserPool"]
    # CloudFormation's EnabledMfas and MfaConfiguration are one API call of their own.
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool["Id"],
        SoftwareTokenMfaConfiguration={
            "Enabled": "SOFTWARE_TOKEN_MFA" in properties.get("EnabledMfas", [])
        },
        MfaConfiguration=properties.get("MfaConfiguration", "OFF"),
    )
    return str(pool["Id"])


def _user_pool_client(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    answer = client("cognito-idp").create_user_pool_client(**properties)
    return str(answer["UserPoolClient"]["ClientId"])


def _user_pool_group(properties: dict[str, Any], client: Callable[[str], Any]) -> str:
    client("cognito-idp").create_group(**properties)
    return str(properties["GroupName"])
