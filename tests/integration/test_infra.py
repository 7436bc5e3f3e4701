"""infra/stack.yaml: it lints, moto creates it, and what it creates has the settings it must.

moto's CloudFormation skips some resource types (infra/local/provision.py creates those from the
same template), so resources are checked through their services' APIs, not through the stack.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import build, deploy
from infra.local.provision import CREATED_BY_HAND, load_template, stack_outputs
from tests.support import Stack

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore:.*not supported by moto's CloudFormation")
LAMBDAS = ("mieux-local", *(f"mieux-local-{name}" for name in (
    "review_tasks", "notifications", "sweeper", "bounces",
)))  # fmt: skip


def resources_of(kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in load_template()["Resources"].items() if v["Type"] == kind}


def test_cfn_lint_passes_on_the_stack() -> None:
    lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(lint), str(ROOT / "infra" / "stack.yaml")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_table_has_its_indexes_ttl_and_recovery(stack: Stack) -> None:
    table = stack.dynamodb.describe_table(TableName="mieux-local")["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
    assert set(indexes) == {"status-index", "region-index", "email-index", "roster-index"}
    keys = {name: [k["AttributeName"] for k in i["KeySchema"]] for name, i in indexes.items()}
    assert keys == {
        "status-index": ["status", "status_since"],
        "region-index": ["region_year", "submitted_at"],
        "email-index": ["email_hash"],
        "roster-index": ["roster_key", "roster_sort"],
    }
    assert indexes["email-index"]["Projection"]["ProjectionType"] == "KEYS_ONLY"
    assert indexes["roster-index"]["Projection"]["ProjectionType"] == "KEYS_ONLY"
    ttl = stack.dynamodb.describe_time_to_live(TableName="mieux-local")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    backups = stack.dynamodb.describe_continuous_backups(TableName="mieux-local")
    recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"


def test_the_template_encrypts_the_table_and_protects_it_in_prod() -> None:
    table = load_template()["Resources"]["Table"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["Properties"]["SSESpecification"] == {"SSEEnabled": True}
    assert table["Properties"]["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}


@pytest.mark.parametrize("queue", ["review-tasks", "notifications"])
def test_each_queue_is_encrypted_and_redrives_to_its_dlq(stack: Stack, queue: str) -> None:
    def attributes(name: str) -> dict[str, str]:
        url = stack.sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return dict(
            stack.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        )

    source = attributes(f"mieux-local-{queue}")
    dead = attributes(f"mieux-local-{queue}-dlq")
    redrive = json.loads(source["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == dead["QueueArn"]
    assert int(redrive["maxReceiveCount"]) >= 5
    assert int(dead["MessageRetentionPeriod"]) > int(source["MessageRetentionPeriod"])
    assert int(source["VisibilityTimeout"]) >= 6 * 30
    assert source["SqsManagedSseEnabled"] == dead["SqsManagedSseEnabled"] == "true"


def test_the_signing_key_secret_holds_a_usable_key(stack: Stack) -> None:
    from functions.adapters.secrets import signing_keys

    secret = boto3.client("secretsmanager", region_name="eu-west-1").describe_secret(
        SecretId=stack.env["SIGNING_KEYS_SECRET_ID"]
    )
    assert secret["Name"] == "mieux-local-signing-keys"
    keys = signing_keys()
    assert len(keys) == 1 and len(keys[0]) == 64 and keys[0].isalnum()


def test_bounces_and_complaints_go_to_the_ses_events_topic(stack: Stack) -> None:
    ses = boto3.client("ses", region_name="eu-west-1")
    described = ses.describe_configuration_set(
        ConfigurationSetName=stack.env["SES_CONFIGURATION_SET"],
        ConfigurationSetAttributeNames=["eventDestinations"],
    )
    (destination,) = described["EventDestinations"]
    assert sorted(destination["MatchingEventTypes"]) == ["bounce", "complaint"]
    assert destination["SNSDestination"]["TopicARN"] == stack.env["SES_EVENTS_TOPIC_ARN"]
    assert stack.env["SES_EVENTS_TOPIC_ARN"].endswith(":mieux-local-ses-events")
    options = boto3.client("sesv2", region_name="eu-west-1").get_configuration_set(
        ConfigurationSetName=stack.env["SES_CONFIGURATION_SET"]
    )
    assert sorted(options["SuppressionOptions"]["SuppressedReasons"]) == ["BOUNCE", "COMPLAINT"]
    policy = boto3.client("sns", region_name="eu-west-1").get_topic_attributes(
        TopicArn=stack.env["SES_EVENTS_TOPIC_ARN"]
    )["Attributes"]["Policy"]
    assert "ses.amazonaws.com" in policy


def test_every_dlq_and_every_lambda_has_an_alarm_for_the_operators(stack: Stack) -> None:
    alarms = boto3.client("cloudwatch", region_name="eu-west-1").describe_alarms()["MetricAlarms"]
    watched = {
        (alarm["MetricName"], dimension["Value"])
        for alarm in alarms
        for dimension in alarm["Dimensions"]
    }
    for queue in ("review-tasks", "notifications"):
        assert ("ApproximateNumberOfMessagesVisible", f"mieux-local-{queue}-dlq") in watched
    for function in LAMBDAS:
        assert ("Errors", function) in watched, function
    for alarm in alarms:
        assert alarm["AlarmActions"] == [stack.env["OPERATORS_TOPIC_ARN"]], alarm["AlarmName"]


def test_created_by_hand_names_every_type_moto_skips(stack: Stack) -> None:
    made_by_moto = {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::KMS::Key"}
    skipped = {r["Type"] for r in load_template()["Resources"].values()} - made_by_moto
    skipped -= {"AWS::SNS::Subscription"}  # only with an operator's address: not made locally
    listed = " ".join(CREATED_BY_HAND)
    assert all(kind in listed for kind in skipped), skipped


def test_the_outputs_give_every_setting_the_deploy_needs() -> None:
    outputs = set(load_template()["Outputs"])
    fake = {key: f"<{key}>" for key in outputs}
    assert deploy.stage_environment(fake)  # KeyError here names a missing output
    assert deploy.deploy_time_names(fake)


def test_the_stack_outputs_configure_the_app(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    from functions.runtime.settings import get_settings

    outputs = stack_outputs(boto3.client("cloudformation", region_name="eu-west-1"), "mieux-local")
    # moto drops outputs of the resources it skipped; provisioning made those by hand.
    outputs["SigningKeysSecretArn"] = stack.env["SIGNING_KEYS_SECRET_ID"]
    outputs["SesConfigurationSetName"] = stack.env["SES_CONFIGURATION_SET"]
    environment = deploy.stage_environment(outputs)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = get_settings()
    assert settings.table_name == "mieux-local"
    assert settings.review_queue_url == stack.env["REVIEW_QUEUE_URL"]
    assert settings.notify_queue_url == stack.env["NOTIFY_QUEUE_URL"]
    assert settings.public_base_url == "https://mieux.example.org"
    assert settings.signing_keys_secret_id.startswith("arn:aws:secretsmanager:")
    assert "SIGNING_KEYS" not in environment  # never the keys themselves
    # make package derives the same names from the stage alone (Makefile).
    assert deploy.deploy_time_names(outputs) == {
        "REVIEW_QUEUE_NAME": "mieux-local-review-tasks",
        "NOTIFY_QUEUE_NAME": "mieux-local-notifications",
        "SES_EVENTS_TOPIC": "mieux-local-ses-events",
    }


def test_deploy_creates_then_updates_the_stack_keeping_parameters() -> None:
    with mock_aws():
        cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
        deploy.deploy_stack(
            cloudformation, deploy.Plan("dev", "eu-west-1", {"SenderEmail": "a@b.eu"})
        )
        sqs = boto3.client("sqs", region_name="eu-west-1")
        assert sqs.get_queue_url(QueueName="mieux-dev-review-tasks-dlq")["QueueUrl"]
        update = deploy.Plan("dev", "eu-west-1", {"PublicBaseUrl": "https://mieux.example.eu"})
        deploy.deploy_stack(cloudformation, update)
        stack = cloudformation.describe_stacks(StackName="mieux-dev")["Stacks"][0]
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["SenderEmail"] == "a@b.eu"  # kept from the first deploy
    assert parameters["PublicBaseUrl"] == "https://mieux.example.eu"
    assert parameters["Stage"] == "dev"


def test_deploy_configures_the_slim_copy_and_never_the_repository(tmp_path: Path) -> None:
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    text = deploy.configured(config, "dev", {"TABLE_NAME": "mieux-dev", "X": "1"})
    updated = json.loads(text)
    assert updated["stages"]["dev"]["environment_variables"]["X"] == "1"
    assert updated["stages"]["prod"] == config["stages"]["prod"]
    assert updated.get("environment_variables") == config.get("environment_variables")

    repository = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / ".chalice").glob("*.json")}
    (tmp_path / ".chalice").mkdir()
    for name, content in repository.items():
        (tmp_path / ".chalice" / name).write_text(content, encoding="utf-8")
    outputs = dict.fromkeys(deploy._OUTPUTS_USED, "x") | {
        "TableName": "mieux-dev",
        "SenderEmail": "mieux@mieux.example.eu",
    }
    plan = deploy.Plan("dev", "eu-west-3")
    deploy.configure_project(tmp_path, plan, outputs, "210987654321")
    copied = json.loads((tmp_path / ".chalice" / "config.json").read_text(encoding="utf-8"))
    assert copied["stages"]["dev"]["environment_variables"]["TABLE_NAME"] == "mieux-dev"
    names = deploy.policy_files(config, "dev")
    assert len(names) == len(config["stages"]["dev"]["lambda_functions"])  # one each
    for name in names:
        rendered = (tmp_path / ".chalice" / name).read_text(encoding="utf-8")
        assert ":eu-west-3:210987654321:" in rendered and ":*:*:" not in rendered, name
        assert deploy.SENDER_PLACEHOLDER not in rendered, name
    assert repository == {
        p.name: p.read_text(encoding="utf-8") for p in (ROOT / ".chalice").glob("*.json")
    }


def test_deploy_runs_chalice_on_the_slim_build() -> None:
    command = deploy.chalice_command("prod", build.project_dir("prod"))
    assert command[1:] == ["--project-dir", str(ROOT / "build" / "slim" / "prod"), "deploy",
                           "--stage", "prod"]  # fmt: skip
    assert Path(command[0]).name == "chalice"


MAIL_POLICY = ROOT / ".chalice" / "policy-prod-notifications.json"


def test_deploy_fills_the_account_into_the_policy() -> None:
    policy = (ROOT / ".chalice" / "policy-prod-sweeper.json").read_text(encoding="utf-8")
    rendered = json.loads(deploy.rendered_policy(policy, "eu-west-3", "210987654321"))
    resources = [r for s in rendered["Statement"] for r in s["Resource"]]
    assert all(":eu-west-3:210987654321:" in r for r in resources), resources


def test_deploy_narrows_sending_to_the_sender_domain_and_address() -> None:
    policy = MAIL_POLICY.read_text(encoding="utf-8")
    rendered = deploy.rendered_policy(policy, "eu-west-3", "210987654321", "mieux@mieux.example.eu")
    statements = json.loads(rendered)["Statement"]
    resources = [r for s in statements for r in s["Resource"]]
    assert "arn:aws:ses:eu-west-3:210987654321:identity/mieux.example.eu" in resources
    assert not [r for r in resources if r.endswith("*") and ":ses:" in r]
    (sending,) = [s for s in statements if "ses:SendEmail" in s["Action"]]
    assert sending["Condition"] == {"StringEquals": {"ses:FromAddress": "mieux@mieux.example.eu"}}


def test_deploy_refuses_a_mail_policy_without_a_sender() -> None:
    with pytest.raises(ValueError, match="SenderEmail"):
        deploy.rendered_policy(MAIL_POLICY.read_text(encoding="utf-8"), "eu-west-3", "2109", "")


def test_the_dry_run_prints_the_commands_and_the_environment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from infra.local.provision import provision

    with mock_aws():
        provision(stage="dev", public_base_url="https://mieux.example.eu")
        assert deploy.main(["--stage", "dev", "--dry-run", "--region", "eu-west-1"]) == 0
    printed = capsys.readouterr().out
    assert "aws cloudformation deploy --region eu-west-1 --stack-name mieux-dev" in printed
    assert "REVIEW_QUEUE_NAME=mieux-dev-review-tasks" in printed
    assert "SES_EVENTS_TOPIC=mieux-dev-ses-events" in printed
    assert "python -m infra.build --project-only --stage dev" in printed
    assert f"chalice --project-dir {ROOT / 'build' / 'slim' / 'dev'} deploy --stage dev" in printed
    assert "TABLE_NAME=mieux-dev" in printed
    assert "PUBLIC_BASE_URL=https://mieux.example.eu" in printed


@pytest.mark.slow
def test_make_package_builds_a_template_that_lints() -> None:
    result = subprocess.run(
        ["make", "package", "STAGE=dev"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((ROOT / "build" / "package" / "sam.json").read_text(encoding="utf-8"))
    functions = {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    roles = {name: properties["Role"]["Fn::GetAtt"][0] for name, properties in functions.items()}
    assert len(set(roles.values())) == len(functions) == 5, roles  # a role per function
    for role in roles.values():
        (policy,) = template["Resources"][role]["Properties"]["Policies"]
        assert policy["PolicyDocument"]["Statement"], role
    bounces = functions["Bounces"]
    (subscription,) = bounces["Events"].values()
    assert subscription["Properties"]["Topic"]["Fn::Sub"].endswith(":mieux-dev-ses-events")
    assert bounces["ReservedConcurrentExecutions"] == 2
    assert (ROOT / "build" / "package" / "deployment.zip").stat().st_size > 0
    lint = Path(sys.executable).with_name("cfn-lint")
    linted = subprocess.run(
        [str(lint), str(ROOT / "build" / "package" / "sam.json")], capture_output=True, text=True
    )
    assert linted.returncode == 0, linted.stdout


def test_two_rotations_keep_old_status_links_and_the_rate_counters(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from functions.adapters import links, secrets
    from functions.domain import clock
    from functions.services.intake import count_attempt
    from infra.keys import rotate

    monkeypatch.setenv("RATE_LIMIT_PER_HOUR", "2")
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    token = links.status_token("a" * 32)
    assert count_attempt("198.51.100.7").allowed
    client = boto3.client("secretsmanager", region_name="eu-west-1")
    assert rotate(client, stack.env["SIGNING_KEYS_SECRET_ID"]) == 2
    secrets.forget()
    assert links.status_token("a" * 32) != token  # signed with the new key
    assert rotate(client, stack.env["SIGNING_KEYS_SECRET_ID"]) == 3  # the first is still needed
    secrets.forget()
    links.read_status_token(token, "a" * 32)  # two rotations later the old link still works
    # The address hash did not move with the keys: this hour's count went on (2 allowed, then no).
    assert count_attempt("198.51.100.7").allowed
    assert not count_attempt("198.51.100.7").allowed
