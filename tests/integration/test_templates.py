"""The built templates of dev and prod (``make package``): they lint, pass checkov but for the
kept skip list, hold every setting, their alarms watch resources of the same deployment, and
moto's CloudFormation creates them as far as moto goes.

The two stages are built once per session (about 10 s), on one xdist worker (their group).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from moto import mock_aws

from infra import build, deploy, template

ROOT = Path(__file__).resolve().parents[2]
STAGES = ("dev", "prod")
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("built-templates")]
# make checkov-venv's, or CHECKOV=/path/to/checkov (it cannot share the tests' virtualenv).
CHECKOV = Path(os.environ.get("CHECKOV", ROOT / ".venv-checkov" / "bin" / "checkov"))
SKIPS = ROOT / "infra" / "checkov_skips.yaml"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each stage's build directory (deployment.zip, sam.json, template.json), one slim copy."""
    out = tmp_path_factory.mktemp("templates")
    project = build.prepare("dev", project=out / "project")
    return {stage: _package(stage, out / stage, project) for stage in STAGES}


def _package(stage: str, out: Path, project: Path) -> Path:
    build.package(stage, out, project=project, quiet=True)
    return out


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def cfn(built: dict[str, Path], stage: str) -> dict[str, Any]:
    return _load(built[stage] / "template.json")


def sam(built: dict[str, Path], stage: str) -> dict[str, Any]:
    return _load(built[stage] / "sam.json")


def of_type(body: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in body["Resources"].items() if v["Type"] == kind}


def test_cfn_lint_passes_on_every_built_template(built: dict[str, Path]) -> None:
    lint = Path(sys.executable).with_name("cfn-lint")
    files = [built[s] / name for s in STAGES for name in ("sam.json", "template.json")]
    files += [ROOT / "infra" / "stack.yaml", ROOT / "infra" / "artifacts.yaml"]
    result = subprocess.run([str(lint), *map(str, files)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_does_fail_on_a_broken_template(built: dict[str, Path], tmp_path: Path) -> None:
    broken = cfn(built, "dev")
    broken["Resources"]["Table"]["Properties"]["BillingMode"] = "FREE"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken), encoding="utf-8")
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(lint), str(path)], capture_output=True, text=True)
    assert result.returncode != 0 and "'FREE' is not one of" in result.stdout


def _checkov_failures(*files: Path) -> dict[str, set[str]]:
    """checkov's failed checks (id -> resources) on ``files``, no skip applied, offline."""
    if not CHECKOV.exists():
        pytest.fail("checkov is not installed: make checkov-venv (requirements-checkov.txt)")
    arguments = [str(CHECKOV), "--framework", "cloudformation", "--skip-download", "--quiet"]
    for path in files:
        arguments += ["-f", str(path)]
    result = subprocess.run([*arguments, "-o", "json"], capture_output=True, text=True, timeout=300)
    reports = json.loads(result.stdout)
    failed: dict[str, set[str]] = {}
    for report in reports if isinstance(reports, list) else [reports]:
        for check in report["results"]["failed_checks"]:
            failed.setdefault(check["check_id"], set()).add(check["resource"])
    return failed


def test_checkov_fails_nothing_but_the_kept_skips(built: dict[str, Path]) -> None:
    skips = yaml.safe_load(SKIPS.read_text(encoding="utf-8"))
    assert all(isinstance(reason, str) and len(reason) > 40 for reason in skips.values())
    files = [built[s] / "template.json" for s in STAGES] + [ROOT / "infra" / "artifacts.yaml"]
    failed = _checkov_failures(*files)
    unexplained = {check: sorted(where) for check, where in failed.items() if check not in skips}
    assert not unexplained, f"fix these or add them to {SKIPS.name} with a reason: {unexplained}"
    stale = set(skips) - set(failed)
    assert not stale, f"{SKIPS.name} skips checks that pass now: remove {sorted(stale)}"


# --- every setting, by Ref/GetAtt/parameter --------------------------------------------------


def _functions(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in of_type(body, "AWS::Lambda::Function").items()}


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_gets_every_setting_from_the_stack(
    built: dict[str, Path], stage: str
) -> None:
    body = cfn(built, stage)
    functions = _functions(body)
    assert len(functions) == 5
    for logical, properties in functions.items():
        variables = properties["Environment"]["Variables"]
        for name, value in template.WIRING.items():
            assert variables[name] == value, f"{logical}: {name}"
        for name, value in variables.items():
            assert "mieux-local" not in json.dumps(value), f"{logical}: {name}={value}"
        _assert_resolves(body, variables)


def _assert_resolves(body: dict[str, Any], value: Any) -> None:
    """Every Ref and GetAtt in ``value`` names a parameter or a resource of ``body``."""
    if isinstance(value, list):
        for item in value:
            _assert_resolves(body, item)
    elif isinstance(value, dict):
        if "Ref" in value:
            name = value["Ref"]
            assert (
                name.startswith("AWS::")
                or name in body["Parameters"]
                or name in (body["Resources"])
            ), f"Ref {name} resolves to nothing"
        elif "Fn::GetAtt" in value:
            assert value["Fn::GetAtt"][0] in body["Resources"], value
        else:
            for item in value.values():
                _assert_resolves(body, item)


@pytest.mark.parametrize("stage", STAGES)
def test_functions_have_their_names_json_logs_retention_and_tracing(
    built: dict[str, Path], stage: str
) -> None:
    body = cfn(built, stage)
    names = set()
    for logical, properties in _functions(body).items():
        names.add(properties["FunctionName"]["Fn::Sub"].replace("${Stage}", stage))
        logging = properties["LoggingConfig"]
        assert {k: logging[k] for k in ("LogFormat", "ApplicationLogLevel", "SystemLogLevel")} == {
            "LogFormat": "JSON",
            "ApplicationLogLevel": "INFO",
            "SystemLogLevel": "WARN",
        }
        group = body["Resources"][logging["LogGroup"]["Ref"]]["Properties"]
        assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
        assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/" + properties["FunctionName"][
            "Fn::Sub"]}  # fmt: skip
        assert properties["TracingConfig"] == {"Mode": {"Ref": "Tracing"}}, logical
    # The names the policies' log groups and the operators use (Chalice's).
    assert names == {f"mieux-{stage}", *(f"mieux-{stage}-{n}" for n in (
        "review_tasks", "notifications", "sweeper", "bounces"))}  # fmt: skip
    assert body["Parameters"]["LogRetentionDays"]["Default"] == 90
    assert body["Parameters"]["Tracing"]["AllowedValues"] == ["Active", "PassThrough"]
    assert body["Parameters"]["Stage"]["AllowedValues"] == [stage]


@pytest.mark.parametrize("stage", STAGES)
def test_event_sources_are_the_stacks_queues_and_topic(built: dict[str, Path], stage: str) -> None:
    body = cfn(built, stage)
    mappings = of_type(body, "AWS::Lambda::EventSourceMapping").values()
    sources = {
        m["Properties"]["FunctionName"]["Ref"]: m["Properties"]["EventSourceArn"] for m in mappings
    }
    assert sources == {
        "ReviewTasks": {"Fn::GetAtt": ["ReviewTasksQueue", "Arn"]},
        "Notifications": {"Fn::GetAtt": ["NotificationsQueue", "Arn"]},
    }
    subscriptions = of_type(body, "AWS::SNS::Subscription")
    (subscription,) = [s for k, s in subscriptions.items() if k != "OperatorsSubscription"]
    assert subscription["Properties"]["TopicArn"] == {"Ref": "SesEventsTopic"}


def test_a_queue_the_stack_lacks_fails_the_build(built: dict[str, Path]) -> None:
    raw = _load(built["dev"] / "chalice-sam.json")  # what chalice package wrote
    assert template.assemble(raw, "dev")["Resources"]["ReviewTasks"]
    events = raw["Resources"]["ReviewTasks"]["Properties"]["Events"]
    events["ReviewTasksSqsEventSource"]["Properties"]["Queue"] = {
        "Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:mieux-dev-elsewhere"
    }
    with pytest.raises(SystemExit, match="mieux-dev-elsewhere"):
        template.assemble(raw, "dev")


@pytest.mark.parametrize("stage", STAGES)
def test_roles_hold_the_stage_policies_rendered_for_the_account(
    built: dict[str, Path], stage: str
) -> None:
    body = cfn(built, stage)
    text = json.dumps(
        [r["Properties"]["Policies"] for r in of_type(body, "AWS::IAM::Role").values()]
    )
    assert ":*:*:" not in text and '"SENDER_EMAIL"' not in text and "arn:aws:" not in text
    assert f"table/mieux-{stage}" in text
    assert (
        "identity/${SenderDomain}" in text and '"ses:FromAddress": {"Ref": "SenderEmail"}' in text
    )
    roles = of_type(body, "AWS::IAM::Role")
    for role in roles.values():
        assert "AWSXRayDaemonWriteAccess" in json.dumps(role["Properties"]["ManagedPolicyArns"])


@pytest.mark.parametrize("stage", STAGES)
def test_the_limits_at_the_edge(built: dict[str, Path], stage: str) -> None:
    body = cfn(built, stage)
    (api_stage,) = of_type(body, "AWS::ApiGateway::Stage").values()
    (settings,) = api_stage["Properties"]["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    assert body["Parameters"]["Waf"]["Default"] == ("Enabled" if stage == "prod" else "Disabled")
    acl = body["Resources"]["WebAcl"]
    assert acl["Condition"] == "UseWaf"
    rate = acl["Properties"]["Rules"][0]["Statement"]["RateBasedStatement"]
    assert rate == {"Limit": {"Ref": "WafRateLimit"}, "AggregateKeyType": "IP"}
    association = body["Resources"]["WebAclAssociation"]["Properties"]["ResourceArn"]["Fn::Sub"]
    assert association[1]["S"] == {"Ref": api_stage_logical(body)}
    for logical, properties in _functions(body).items():
        assert properties["ReservedConcurrentExecutions"]["Fn::If"][1] == {
            "Ref": f"{logical}Concurrency"
        }
    for logical in ("Sweeper", "Bounces"):  # invoked asynchronously: a DLQ each
        target = _functions(body)[logical]["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0]
        assert of_type(body, "AWS::SQS::Queue")[target]
    assert "DeadLetterConfig" not in _functions(body)["APIHandler"]


def api_stage_logical(body: dict[str, Any]) -> str:
    (logical,) = of_type(body, "AWS::ApiGateway::Stage")
    return logical


@pytest.mark.parametrize("stage", STAGES)
def test_prod_refuses_alarms_to_nobody_in_the_template_too(
    built: dict[str, Path], stage: str
) -> None:
    rule = cfn(built, stage)["Rules"]["AlarmsReachSomeoneInProd"]
    assert rule["RuleCondition"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    (assertion,) = rule["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "OperatorsEmail"}, ""]}]}


# --- alarms ------------------------------------------------------------------------------------


def _alarms(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in of_type(body, "AWS::CloudWatch::Alarm").items()}


def _dimension_target(
    body: dict[str, Any], alarm: dict[str, Any], dimension: dict[str, Any]
) -> str:
    """The resource (or, for the app's metrics, the parameter) a dimension's value is."""
    value = dimension["Value"]
    resources = body["Resources"]
    if "Fn::GetAtt" in value:
        return str(value["Fn::GetAtt"][0])
    if "Ref" in value:
        return str(value["Ref"])
    if dimension["Name"] == "ApiName":  # the API's own Name, the same expression
        (api,) = of_type(body, "AWS::ApiGateway::RestApi")
        assert resources[api]["Properties"]["Name"] == value, alarm["AlarmName"]
        return api
    raise AssertionError(f"{alarm['AlarmName']}: {dimension} is no Ref/GetAtt")


KIND_OF_DIMENSION = {
    "FunctionName": "AWS::Lambda::Function",
    "QueueName": "AWS::SQS::Queue",
    "ApiName": "AWS::ApiGateway::RestApi",
}


@pytest.mark.parametrize("stage", STAGES)
def test_every_alarm_dimension_is_a_resource_of_the_deployment(
    built: dict[str, Path], stage: str
) -> None:
    body = cfn(built, stage)
    for logical, alarm in _alarms(body).items():
        assert alarm["AlarmActions"] == [{"Ref": "OperatorsTopic"}], logical
        for dimension in alarm.get("Dimensions", []):
            target = _dimension_target(body, alarm, dimension)
            if dimension["Name"] == "Stage" and alarm["Namespace"] == template.METRICS_NAMESPACE:
                # The app's metrics carry MIEUX_STAGE, which is this same parameter.
                assert target == "Stage"
                for properties in _functions(body).values():
                    assert properties["Environment"]["Variables"]["MIEUX_STAGE"] == {"Ref": "Stage"}
                continue
            if dimension["Name"] == "Stage":  # API Gateway's stage
                assert body["Resources"][target]["Type"] == "AWS::ApiGateway::Stage", logical
                continue
            kind = KIND_OF_DIMENSION[dimension["Name"]]
            assert body["Resources"][target]["Type"] == kind, f"{logical}: {dimension}"


@pytest.mark.parametrize("stage", STAGES)
def test_the_alarms_the_issue_asks_for(built: dict[str, Path], stage: str) -> None:
    body = cfn(built, stage)
    alarms = _alarms(body)
    watched: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for alarm in alarms.values():
        key = (alarm["MetricName"], json.dumps([d["Value"] for d in alarm.get("Dimensions", [])]))
        watched.setdefault(key, []).append(alarm)
    for function in _functions(body):
        for metric in ("Errors", "Throttles"):
            assert (metric, json.dumps([{"Ref": function}])) in watched, (metric, function)
    queues = of_type(body, "AWS::SQS::Queue")
    for queue, resource in queues.items():
        value = json.dumps([{"Fn::GetAtt": [queue, "QueueName"]}])
        if "RedrivePolicy" in resource["Properties"]:
            assert ("ApproximateAgeOfOldestMessage", value) in watched, queue
        else:
            assert ("ApproximateNumberOfMessagesVisible", value) in watched, queue
    by_metric = {a["MetricName"]: a for a in alarms.values() if a["Namespace"] == "MIEUX"}
    for metric in ("MailRejected", "MailAccountRefused"):
        alarm = by_metric[metric]
        assert (alarm["Statistic"], alarm["Period"], alarm["Threshold"]) == ("Sum", 300, 1)
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
        assert alarm["Dimensions"] == [{"Name": "Stage", "Value": {"Ref": "Stage"}}]
    heartbeat = by_metric["SweeperHeartbeat"]
    (schedule,) = of_type(body, "AWS::Events::Rule").values()
    period = template.schedule_seconds(schedule["Properties"]["ScheduleExpression"])
    assert (heartbeat["Statistic"], heartbeat["Period"], heartbeat["EvaluationPeriods"]) == (
        "SampleCount", period, 2)  # fmt: skip
    assert (heartbeat["ComparisonOperator"], heartbeat["Threshold"]) == ("LessThanThreshold", 1)
    assert heartbeat["TreatMissingData"] == "breaching"
    (api_5xx,) = [a for a in alarms.values() if a["MetricName"] == "5XXError"]
    assert api_5xx["Namespace"] == "AWS/ApiGateway"


# --- moto's CloudFormation -------------------------------------------------------------------

# What moto 5.2.5 cannot create from the built template, and why that is moto's limit.
MOTO_CANNOT = {
    "AWS::ApiGateway::Deployment": "moto's RestApi ignores Body (no OpenAPI import), so the API "
    "has no methods and moto refuses its deployment (API Gateway imports the Body)",
    "AWS::ApiGateway::Stage": "needs the Deployment above",
    "AWS::WAFv2::WebACLAssociation": "needs the Stage above",
    "AWS::SecretsManager::Secret": "not in moto's CloudFormation (skipped with a warning)",
    "AWS::SES::ConfigurationSet": "not in moto's CloudFormation",
    "AWS::SES::ConfigurationSetEventDestination": "not in moto's CloudFormation",
    "AWS::CloudWatch::Alarm": "not in moto's CloudFormation (local provisioning makes them)",
    "AWS::SNS::TopicPolicy": "not in moto's CloudFormation",
    "AWS::WAFv2::WebACL": "not in moto's CloudFormation",
    "AWS::Cognito::UserPool": "not in moto's CloudFormation (local provisioning makes it)",
    "AWS::Cognito::UserPoolClient": "not in moto's CloudFormation",
    "AWS::Cognito::UserPoolGroup": "not in moto's CloudFormation",
    "AWS::S3::BucketPolicy": "not in moto's CloudFormation (local provisioning makes it)",
}


def _for_moto(body: dict[str, Any]) -> dict[str, Any]:
    """The template less what moto cannot create (MOTO_CANNOT's first three, which make moto
    fail rather than skip), and the references to them."""
    body = json.loads(json.dumps(body))
    dropped = {
        k
        for k, v in body["Resources"].items()
        if v["Type"] in ("AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage")
        or v["Type"] == "AWS::WAFv2::WebACLAssociation"
    }
    dropped |= {k for k, v in body["Resources"].items() if any(d in json.dumps(v) for d in dropped)}
    for name in dropped:
        del body["Resources"][name]
    body["Outputs"] = {
        k: v for k, v in body["Outputs"].items() if not any(d in json.dumps(v) for d in dropped)
    }
    return body


def test_the_dev_template_deploys_into_motos_cloudformation(built: dict[str, Path]) -> None:
    body = _for_moto(cfn(built, "dev"))
    with mock_aws(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation")
        s3 = boto3.client("s3", region_name="eu-west-1")
        s3.create_bucket(
            Bucket="artifacts", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        code = (built["dev"] / "deployment.zip").read_bytes()
        s3.put_object(Bucket="artifacts", Key="dev/code.zip", Body=code)
        cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
        lines: list[str] = []
        parameters = {"SenderEmail": "mieux@example.eu", "CodeBucket": "artifacts"}
        parameters["CodeKey"] = "dev/code.zip"
        deploy.deploy_stack(
            cloudformation,
            "mieux-dev",
            {"TemplateBody": json.dumps(body)},
            parameters,
            set(body["Parameters"]),
            echo=lines.append,
            delay=0,
        )
        created = cloudformation.list_stack_resources(StackName="mieux-dev")
        made = {r["LogicalResourceId"]: r for r in created["StackResourceSummaries"]}
        lambdas = boto3.client("lambda", region_name="eu-west-1")
        functions = {f["FunctionName"]: f for f in lambdas.list_functions()["Functions"]}
        mappings = lambdas.list_event_source_mappings()["EventSourceMappings"]
        queue_url = boto3.client("sqs", region_name="eu-west-1").get_queue_url(
            QueueName="mieux-dev-review-tasks"
        )["QueueUrl"]
        groups = boto3.client("logs", region_name="eu-west-1").describe_log_groups(
            logGroupNamePrefix="/aws/lambda/mieux-dev"
        )["logGroups"]
        rules = boto3.client("events", region_name="eu-west-1").list_rules()["Rules"]
        tables = boto3.client("dynamodb", region_name="eu-west-1").list_tables()["TableNames"]
    assert any("add" in line and "Table" in line for line in lines)  # the change set's table
    assert set(functions) == {"mieux-dev", *(f"mieux-dev-{n}" for n in (
        "review_tasks", "notifications", "sweeper", "bounces"))}  # fmt: skip
    variables = functions["mieux-dev-review_tasks"]["Environment"]["Variables"]
    assert variables["TABLE_NAME"] == "mieux-dev" and variables["MIEUX_STAGE"] == "dev"
    assert variables["REVIEW_QUEUE_URL"] == queue_url
    assert variables["SENDER_EMAIL"] == "mieux@example.eu"
    assert variables["PUBLIC_BASE_URL"].startswith("https://")
    assert variables["PUBLIC_BASE_URL"].endswith(".execute-api.eu-west-1.amazonaws.com/api")
    assert sorted(m["EventSourceArn"].rsplit(":", 1)[1] for m in mappings) == [
        "mieux-dev-notifications", "mieux-dev-review-tasks"]  # fmt: skip
    assert {g["logGroupName"]: g.get("retentionInDays") for g in groups} == {
        f"/aws/lambda/{name}": 90 for name in functions
    }
    assert [r["ScheduleExpression"] for r in rules] == ["rate(15 minutes)"]
    assert tables == ["mieux-dev"]
    full = cfn(built, "dev")
    missing = {v["Type"] for k, v in full["Resources"].items() if k not in made}
    missing -= {"AWS::SNS::Subscription"}  # the operators' one: dev without an address
    assert missing <= set(MOTO_CANNOT), missing - set(MOTO_CANNOT)
