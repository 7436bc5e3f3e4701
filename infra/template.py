"""The deployable template of a stage: Chalice's functions and API, the stateful resources of
``infra/stack.yaml`` and the wiring between them, as one CloudFormation (SAM) template.

``chalice package`` writes the functions, their roles, the API and the event sources, but names
the queues and the topic by strings, fixes the settings it was given at packaging time and knows
nothing of log groups, alarms or limits. :func:`assemble` takes its ``sam.json`` and:

- adds every parameter, condition, rule, resource and output of ``infra/stack.yaml`` (a new
  stateful resource goes there, with an output; its setting reaches the functions through
  :data:`WIRING`);
- gives each function the name Chalice would (``mieux-<stage>`` for the API,
  ``mieux-<stage>-<name>`` for a worker: the names the policies' log groups and the operators
  know), its settings as ``Ref``/``GetAtt`` (:data:`WIRING`), its event sources as ``GetAtt`` of the
  queue or ``Ref`` of the topic the stack makes (a source the stack lacks fails the build), JSON
  logs at INFO into a log group with a retention, X-Ray tracing and a reserved concurrency as
  parameters, a dead-letter queue when it is invoked asynchronously (schedule, SNS), and alarms on
  its errors and throttles;
- renders each role's policy from ``.chalice/policy-<stage>-<function>.json`` for the account,
  the region and the sender (``Fn::Sub``), and adds the X-Ray write policy when tracing is on;
- gives the API stage throttling (parameters), tracing, a 5XX alarm and, optionally, a WAF web
  ACL with a rate-based rule (on by default in prod);
- adds the sweeper's heartbeat alarm on the period of its schedule.

Nothing here reads ``.chalice/deployed``: the stack is the deployment's state.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from infra.local.provision import load_template

ROOT = Path(__file__).resolve().parent.parent
STACK = ROOT / "infra" / "stack.yaml"
APP_NAME = "mieux"
API_FUNCTION = "APIHandler"  # Chalice's logical id of the API's Lambda
API = "RestAPI"
METRICS_NAMESPACE = "MIEUX"  # the embedded-metric-format namespace of functions/ (contract)

# Each function's settings that only the stack knows: environment variable -> its value.
WIRING: dict[str, Any] = {
    "MIEUX_STAGE": {"Ref": "Stage"},
    "TABLE_NAME": {"Ref": "Table"},
    "REVIEW_QUEUE_URL": {"Ref": "ReviewTasksQueue"},
    "NOTIFY_QUEUE_URL": {"Ref": "NotificationsQueue"},
    "SENDER_EMAIL": {"Ref": "SenderEmail"},
    "PUBLIC_BASE_URL": {
        "Fn::If": [
            "HasPublicBaseUrl",
            {"Ref": "PublicBaseUrl"},
            {"Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api"},
        ]
    },
    "SES_CONFIGURATION_SET": {"Ref": "ConfigurationSet"},
    # The secret's ARN, never its value: the functions read the keys at run time.
    "SIGNING_KEYS_SECRET_ID": {"Ref": "SigningKeysSecret"},
    # The staff workspace's user pool and app client (their ids are generated).
    "COGNITO_USER_POOL_ID": {"Ref": "StaffUserPool"},
    "COGNITO_CLIENT_ID": {"Ref": "StaffUserPoolClient"},
    # The attachments' private bucket (issue 20).
    "ATTACHMENTS_BUCKET": {"Ref": "AttachmentsBucket"},
}

# The function types of event sources that invoke a function asynchronously: Lambda retries
# twice, then drops the event unless the function has a dead-letter queue.
ASYNC_EVENTS = {"Schedule", "SNS", "EventBridgeRule", "CloudWatchEvent", "S3"}
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827)
SECONDS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}


def _alarm(name: str, description: str, **properties: Any) -> dict[str, Any]:
    """A CloudWatch alarm to the operators' topic (Sum >= 1 in 5 minutes unless told)."""
    body = {
        "AlarmName": {"Fn::Sub": f"mieux-${{Stage}}-{name}"},
        "AlarmDescription": f"{description} (docs/operations.md, {name}).",
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 1,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "OperatorsTopic"}],
        "OKActions": [{"Ref": "OperatorsTopic"}],
    }
    body.update(properties)
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": body}


def _parameters(stage: str, concurrency: dict[str, int]) -> dict[str, Any]:
    prod = stage == "prod"
    parameters: dict[str, Any] = {
        "LogRetentionDays": {
            "Type": "Number",
            "Default": 90,
            "AllowedValues": list(LOG_RETENTION_DAYS),
            "Description": "Days CloudWatch keeps each function's logs.",
        },
        "Tracing": {
            "Type": "String",
            "Default": "Active",
            "AllowedValues": ["Active", "PassThrough"],
            "Description": "X-Ray tracing of the functions and the API (Active) or none.",
        },
        "ApiThrottleRate": {
            "Type": "Number",
            "Default": 20,
            "MinValue": 1,
            "Description": "Requests a second the API stage accepts (steady rate), all clients.",
        },
        "ApiThrottleBurst": {
            "Type": "Number",
            "Default": 40,
            "MinValue": 1,
            "Description": "Requests the API stage accepts at once above the rate.",
        },
        "Waf": {
            "Type": "String",
            "Default": "Enabled" if prod else "Disabled",
            "AllowedValues": ["Enabled", "Disabled"],
            "Description": "A WAF web ACL with a rate-based rule in front of the API.",
        },
        "WafRateLimit": {
            "Type": "Number",
            "Default": 300,
            "MinValue": 10,
            "Description": "Requests one address may make in 5 minutes before WAF blocks it.",
        },
    }
    for logical, reserved in concurrency.items():
        parameters[f"{logical}Concurrency"] = {
            "Type": "Number",
            "Default": reserved,
            "MinValue": 0,
            "Description": f"Reserved concurrency of {logical} (0: none reserved).",
        }
    return parameters


def function_names(sam: dict[str, Any], stage: str) -> dict[str, str]:
    """Each Chalice function's logical id -> its Chalice name (``api_handler``, ``sweeper``...),
    from the stage's ``lambda_functions`` in .chalice/config.json (each has its own policy)."""
    from chalice.utils import to_cfn_resource_name

    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    configured = config["stages"][stage].get("lambda_functions", {})
    by_logical = {to_cfn_resource_name(name): name for name in configured}
    by_logical[API_FUNCTION] = "api_handler"
    names = {}
    for logical, resource in sam["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        if logical not in by_logical:
            raise SystemExit(f"{logical}: not in lambda_functions of stage {stage} (config.json)")
        names[logical] = by_logical[logical]
    return names


def lambda_name(name: str) -> dict[str, str]:
    """The function's name as Chalice gives it (``Fn::Sub`` on the stage)."""
    suffix = "" if name == "api_handler" else f"-{name}"
    return {"Fn::Sub": f"{APP_NAME}-${{Stage}}{suffix}"}


def rendered_policy(document: Any) -> Any:
    """A policy of ``.chalice`` for the stack: account, region and partition by ``Fn::Sub``,
    the sender for the ``SENDER_EMAIL`` placeholder, sending narrowed to the sender's domain."""
    if isinstance(document, list):
        return [rendered_policy(item) for item in document]
    if isinstance(document, dict):
        return {key: rendered_policy(value) for key, value in document.items()}
    if not isinstance(document, str):
        return document
    if document == "SENDER_EMAIL":
        return {"Ref": "SenderEmail"}
    if not document.startswith("arn:aws:"):
        return document
    text = "arn:${AWS::Partition}:" + document.removeprefix("arn:aws:")
    text = text.replace(":*:*:", ":${AWS::Region}:${AWS::AccountId}:")
    # S3 ARNs name no region or account: the attachments bucket's name ends with the account.
    text = text.replace("-attachments-*/", "-attachments-${AWS::AccountId}/")
    if text.endswith(":identity/*"):
        domain = {"Fn::Select": [1, {"Fn::Split": ["@", {"Ref": "SenderEmail"}]}]}
        return {"Fn::Sub": [text.removesuffix("*") + "${SenderDomain}", {"SenderDomain": domain}]}
    return {"Fn::Sub": text}


def _resolved_names(stack: dict[str, Any], kind: str, stage: str) -> dict[str, str]:
    """Name -> logical id of the stack's resources of ``kind`` (queues, topics)."""
    key = {"AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName"}[kind]
    found = {}
    for logical, resource in stack["Resources"].items():
        if resource["Type"] == kind:
            name = resource["Properties"][key]["Fn::Sub"]
            found[name.replace("${Stage}", stage)] = logical
    return found


def _named_in(arn: Any) -> str:
    """The resource name at the end of Chalice's ``Fn::Sub`` ARN of a queue or topic."""
    text = arn["Fn::Sub"] if isinstance(arn, dict) else str(arn)
    return text.rsplit(":", 1)[-1]


def schedule_seconds(expression: str) -> int:
    """The period of a ``rate(...)`` schedule in seconds (a cron expression is refused)."""
    match = re.fullmatch(r"rate\((\d+) (minutes?|hours?|days?)\)", expression)
    if match is None:
        raise ValueError(f"not a rate expression: {expression}")
    return int(match.group(1)) * SECONDS[match.group(2)]


def _wire_events(
    logical: str, events: dict[str, Any], stack: dict[str, Any], stage: str
) -> Iterator[str]:
    """Point the function's event sources at the stack's resources; yield the source types."""
    queues = _resolved_names(stack, "AWS::SQS::Queue", stage)
    topics = _resolved_names(stack, "AWS::SNS::Topic", stage)
    for event in events.values():
        properties = event["Properties"]
        if event["Type"] == "SQS":
            name = _named_in(properties["Queue"])
            if name not in queues:
                raise SystemExit(f"{logical} consumes {name}: infra/stack.yaml has no such queue")
            properties["Queue"] = {"Fn::GetAtt": [queues[name], "Arn"]}
        elif event["Type"] == "SNS":
            name = _named_in(properties["Topic"])
            if name not in topics:
                raise SystemExit(f"{logical} subscribes to {name}: the stack has no such topic")
            properties["Topic"] = {"Ref": topics[name]}
        yield str(event["Type"])


def _function(
    template: dict[str, Any], logical: str, name: str, stack: dict[str, Any], stage: str
) -> None:
    """Everything one function needs from the stack, and its log group, DLQ and alarms."""
    resources = template["Resources"]
    properties = resources[logical]["Properties"]
    properties["FunctionName"] = lambda_name(name)
    properties.setdefault("Environment", {}).setdefault("Variables", {}).update(WIRING)
    properties["Tracing"] = {"Ref": "Tracing"}
    properties["ReservedConcurrentExecutions"] = {
        "Fn::If": [f"{logical}Reserves", {"Ref": f"{logical}Concurrency"}, {"Ref": "AWS::NoValue"}]
    }
    template["Conditions"][f"{logical}Reserves"] = {
        "Fn::Not": [{"Fn::Equals": [{"Ref": f"{logical}Concurrency"}, "0"]}]
    }
    log_group = f"{logical}LogGroup"
    suffix = "" if name == "api_handler" else f"-{name}"
    resources[log_group] = {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {
            "LogGroupName": {"Fn::Sub": f"/aws/lambda/{APP_NAME}-${{Stage}}{suffix}"},
            "RetentionInDays": {"Ref": "LogRetentionDays"},
        },
    }
    properties["LoggingConfig"] = {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "WARN",
        "LogGroup": {"Ref": log_group},
    }
    kinds = set(_wire_events(logical, properties.get("Events", {}), stack, stage))
    if kinds & ASYNC_EVENTS:
        queue = f"{logical}DeadLetterQueue"
        resources[queue] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": {"Fn::Sub": f"{APP_NAME}-${{Stage}}-{name}-dlq"},
                "MessageRetentionPeriod": 1209600,  # 14 days to look and redrive
                "SqsManagedSseEnabled": True,
            },
        }
        properties["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}
        resources[f"{queue}Alarm"] = _alarm(
            f"{name}-dlq-not-empty",
            f"An event of {name} failed three times and waits in its dead-letter queue",
            Namespace="AWS/SQS",
            MetricName="ApproximateNumberOfMessagesVisible",
            Dimensions=[{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
            Statistic="Maximum",
        )
    role = properties["Role"]["Fn::GetAtt"][0]
    role_properties = resources[role]["Properties"]
    role_properties["Policies"] = rendered_policy(role_properties["Policies"])
    role_properties["ManagedPolicyArns"] = {
        "Fn::If": [
            "TracingActive",
            [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"}],
            {"Ref": "AWS::NoValue"},
        ]
    }
    dimension = [{"Name": "FunctionName", "Value": {"Ref": logical}}]
    resources[f"{logical}ErrorsAlarm"] = _alarm(
        f"{name}-errors",
        f"{name} failed (unhandled error or timeout)",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Dimensions=dimension,
    )
    resources[f"{logical}ThrottlesAlarm"] = _alarm(
        f"{name}-throttles",
        f"{name} was throttled (its reserved concurrency or the account's limit)",
        Namespace="AWS/Lambda",
        MetricName="Throttles",
        Dimensions=dimension,
    )


def _api(template: dict[str, Any]) -> None:
    """Throttling, tracing, a name of the stage's, the 5XX alarm and the optional WAF."""
    resources = template["Resources"]
    api = resources[API]["Properties"]
    api["Name"] = {"Fn::Sub": f"{APP_NAME}-${{Stage}}"}
    api["DefinitionBody"]["info"]["title"] = api["Name"]
    api["TracingEnabled"] = {"Fn::If": ["TracingActive", True, False]}
    api["MethodSettings"] = [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "ApiThrottleRate"},
            "ThrottlingBurstLimit": {"Ref": "ApiThrottleBurst"},
        }
    ]
    # The integrations name the API's function by its name, not by GetAtt: the function's
    # PUBLIC_BASE_URL refers to the API, and a GetAtt back would be a circular dependency.
    target = (
        "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
        f"{APP_NAME}-${{Stage}}/invocations"
    )
    for methods in api["DefinitionBody"]["paths"].values():
        for method in methods.values():
            integration = method.get("x-amazon-apigateway-integration")
            if integration and "APIHandler.Arn" in json.dumps(integration.get("uri")):
                integration["uri"] = {"Fn::Sub": target}
    resources["RestAPI5XXAlarm"] = _alarm(
        "api-5xx",
        "The API answered with a 5XX (the handled 503s included)",
        Namespace="AWS/ApiGateway",
        MetricName="5XXError",
        # ApiName is the API's Name (above); the Stage is SAM's stage resource of RestAPI.
        Dimensions=[
            {"Name": "ApiName", "Value": {"Fn::Sub": f"{APP_NAME}-${{Stage}}"}},
            {"Name": "Stage", "Value": {"Ref": f"{API}.Stage"}},
        ],
    )
    resources["WebAcl"] = {
        "Type": "AWS::WAFv2::WebACL",
        "Condition": "UseWaf",
        "Properties": {
            "Name": {"Fn::Sub": f"{APP_NAME}-${{Stage}}"},
            "Scope": "REGIONAL",  # API Gateway REST APIs, edge-optimised ones included
            "DefaultAction": {"Allow": {}},
            "VisibilityConfig": _visibility("mieux-web-acl"),
            "Rules": [
                {
                    "Name": "rate-per-address",
                    "Priority": 0,
                    "Action": {"Block": {}},
                    "Statement": {
                        "RateBasedStatement": {
                            "Limit": {"Ref": "WafRateLimit"},
                            "AggregateKeyType": "IP",
                        }
                    },
                    "VisibilityConfig": _visibility("rate-per-address"),
                },
                {
                    "Name": "known-bad-inputs",
                    "Priority": 1,
                    "OverrideAction": {"None": {}},
                    "Statement": {
                        "ManagedRuleGroupStatement": {
                            "VendorName": "AWS",
                            "Name": "AWSManagedRulesKnownBadInputsRuleSet",
                        }
                    },
                    "VisibilityConfig": _visibility("known-bad-inputs"),
                },
            ],
        },
    }
    resources["WebAclAssociation"] = {
        "Type": "AWS::WAFv2::WebACLAssociation",
        "Condition": "UseWaf",
        "Properties": {
            "ResourceArn": {
                "Fn::Sub": [
                    "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${S}",
                    {"Api": {"Ref": API}, "S": {"Ref": f"{API}.Stage"}},
                ]
            },
            "WebACLArn": {"Fn::GetAtt": ["WebAcl", "Arn"]},
        },
    }


def _visibility(metric: str) -> dict[str, Any]:
    # No sampled requests: WAF would keep the addresses and headers of people filling the form.
    return {
        "CloudWatchMetricsEnabled": True,
        "MetricName": metric,
        "SampledRequestsEnabled": False,
    }


def _heartbeat(template: dict[str, Any], sam: dict[str, Any], names: dict[str, str]) -> None:
    """The sweeper sends one SweeperHeartbeat a run: none in two periods of its schedule alarms."""
    (sweeper,) = [logical for logical, name in names.items() if name == "sweeper"]
    (schedule,) = [
        event["Properties"]["Schedule"]
        for event in sam["Resources"][sweeper]["Properties"]["Events"].values()
        if event["Type"] == "Schedule"
    ]
    template["Resources"]["SweeperHeartbeatAlarm"] = _alarm(
        "sweeper-not-running",
        "The sweeper has not run for two periods of its schedule",
        Namespace=METRICS_NAMESPACE,
        MetricName="SweeperHeartbeat",
        Dimensions=[{"Name": "Stage", "Value": {"Ref": "Stage"}}],
        Statistic="SampleCount",
        Period=schedule_seconds(schedule),
        EvaluationPeriods=2,
        ComparisonOperator="LessThanThreshold",
        TreatMissingData="breaching",
    )


def folded(value: Any, condition: str, truth: bool) -> Any:
    """``value`` with each ``Fn::If`` on ``condition`` replaced by the branch ``truth`` picks."""
    if isinstance(value, list):
        return [folded(item, condition, truth) for item in value]
    if not isinstance(value, dict):
        return value
    branches = value.get("Fn::If")
    if len(value) == 1 and isinstance(branches, list) and branches[0] == condition:
        return folded(branches[1] if truth else branches[2], condition, truth)
    return {key: folded(item, condition, truth) for key, item in value.items()}


def assemble(sam: dict[str, Any], stage: str, stack_path: Path = STACK) -> dict[str, Any]:
    """The one template of ``stage``: ``sam`` (``chalice package``'s) joined to the stack."""
    stack = load_template(stack_path)
    sam = copy.deepcopy(sam)
    names = function_names(sam, stage)
    stack["Parameters"]["Stage"]["Default"] = stage
    stack["Parameters"]["Stage"]["AllowedValues"] = [stage]  # a dev template is never prod
    # With the stage fixed, IsProd is a constant: its Fn::If become their branch.
    stack = folded(stack, "IsProd", stage == "prod")
    del stack["Conditions"]["IsProd"]
    concurrency = {
        logical: int(sam["Resources"][logical]["Properties"].get("ReservedConcurrentExecutions", 0))
        for logical in names
    }
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": sam["Transform"],
        "Description": (
            f"MIEUX intake-and-approval service, stage {stage}: the functions and the API"
            " (chalice package), the table, queues, secret, SES configuration and alarms"
            " (infra/stack.yaml), wired together by infra/template.py."
        ),
        "Parameters": {**stack["Parameters"], **_parameters(stage, concurrency)},
        "Rules": stack.get("Rules", {}),
        "Conditions": {
            **stack["Conditions"],
            "HasPublicBaseUrl": {"Fn::Not": [{"Fn::Equals": [{"Ref": "PublicBaseUrl"}, ""]}]},
            "TracingActive": {"Fn::Equals": [{"Ref": "Tracing"}, "Active"]},
            "UseWaf": {"Fn::Equals": [{"Ref": "Waf"}, "Enabled"]},
        },
        "Resources": {**stack["Resources"], **sam["Resources"]},
        "Outputs": {**stack["Outputs"], **sam.get("Outputs", {})},
    }
    for logical, name in names.items():
        _function(template, logical, name, stack, stage)
    _api(template)
    _heartbeat(template, sam, names)
    # The URL links in mail use: the custom domain's, else the API's own.
    template["Outputs"]["PublicBaseUrl"] = {"Value": WIRING["PUBLIC_BASE_URL"]}
    for logical in names:
        template["Outputs"][f"{logical}Name"] = {"Value": {"Ref": logical}}
    return template


class _NoManagedPolicies:
    """The translator's loader of AWS managed policies by name: the template names none (each
    function has its own role), so nothing is looked up in IAM."""

    def load(self) -> dict[str, str]:
        return {}


def translated(template: dict[str, Any]) -> dict[str, Any]:
    """The SAM template as plain CloudFormation, by the translator CloudFormation itself runs
    for ``AWS::Serverless-2016-10-31`` (aws-sam-translator, pinned in requirements-dev.txt):
    the template deployed is then the one linted, checked and deployed into moto here."""
    import os

    from samtranslator.translator.transform import transform  # type: ignore[import-untyped]

    # The translator asks boto3 for a region (for nothing it writes: ARNs use AWS::Region).
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    return dict(transform(copy.deepcopy(template), {}, _NoManagedPolicies()))


def with_code_parameters(template: dict[str, Any]) -> dict[str, Any]:
    """Each function's code at ``s3://<CodeBucket>/<CodeKey>``: parameters make deploy sets
    to where it uploaded deployment.zip (the artefacts bucket, by content hash)."""
    template = copy.deepcopy(template)
    template["Parameters"]["CodeBucket"] = {
        "Type": "String",
        "Description": "The bucket holding deployment.zip (stack mieux-artifacts).",
    }
    template["Parameters"]["CodeKey"] = {
        "Type": "String",
        "Description": "deployment.zip's key in CodeBucket (its content hash).",
    }
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            location = {"Bucket": {"Ref": "CodeBucket"}, "Key": {"Ref": "CodeKey"}}
            resource["Properties"]["CodeUri"] = location
    return template


def write(out: Path, stage: str) -> Path:
    """From ``chalice package``'s ``sam.json`` in ``out`` (kept as ``chalice-sam.json``): the
    assembled SAM template (in its place, to read) and ``template.json``, the CloudFormation
    make deploy deploys; its path."""
    sam_path = out / "sam.json"
    chalice_output = sam_path.read_text(encoding="utf-8")
    (out / "chalice-sam.json").write_text(chalice_output, encoding="utf-8")  # as it came
    sam = assemble(json.loads(chalice_output), stage)
    sam_path.write_text(json.dumps(sam, indent=2) + "\n", encoding="utf-8")
    deployed = translated(with_code_parameters(sam))
    path = out / "template.json"
    path.write_text(json.dumps(deployed, indent=1) + "\n", encoding="utf-8")
    return path
