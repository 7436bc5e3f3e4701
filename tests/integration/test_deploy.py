"""make deploy (infra/deploy.py) against moto's CloudFormation: change sets shown as a table,
"no changes" as a clean exit, a failed first create retried, failures shown with their events,
prod refused without an operators' address or a confirmation; and, without credentials or a
region, one line and exit 2 from make deploy, infra.keys and the operator command.

moto has no rollbacks (a stack never reaches ROLLBACK_COMPLETE or gets a *_FAILED event), so the
failure tests make moto's answers say so with a botocore after-call hook, on otherwise real calls.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import deploy, preflight

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "infra" / "stack.yaml"
pytestmark = pytest.mark.filterwarnings("ignore:.*not supported by moto's CloudFormation")


@pytest.fixture
def cloudformation() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("cloudformation", region_name="eu-west-1")


def _deploy(
    cloudformation: Any, lines: list[str], text: str = "", **given: str
) -> dict[str, str] | None:
    body = {"TemplateBody": text or STACK.read_text(encoding="utf-8")}
    declared = {"Stage", "SenderEmail", "PublicBaseUrl", "OperatorsEmail"}
    return deploy.deploy_stack(
        cloudformation, "mieux-dev", body, {"Stage": "dev", **given}, declared,
        echo=lines.append, delay=0,
    )  # fmt: skip


def test_create_then_update_keeps_parameters_and_no_change_is_a_clean_exit(
    cloudformation: Any,
) -> None:
    lines: list[str] = []
    _deploy(cloudformation, lines, SenderEmail="a@b.eu")
    assert any(line.split()[:2] == ["add", "Table"] for line in lines), lines
    assert any("CREATE_COMPLETE" in line for line in lines)  # the events, streamed
    lines.clear()
    shorter = STACK.read_text(encoding="utf-8").replace("345600 # 4 days", "300000", 1)
    _deploy(cloudformation, lines, shorter, PublicBaseUrl="https://mieux.example.eu")
    assert any(line.split()[:2] == ["modify", "ReviewTasksQueue"] for line in lines), lines
    stack = cloudformation.describe_stacks(StackName="mieux-dev")["Stacks"][0]
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert parameters["SenderEmail"] == "a@b.eu"  # kept from the first deploy
    assert parameters["PublicBaseUrl"] == "https://mieux.example.eu"
    lines.clear()
    _deploy(cloudformation, lines, shorter, PublicBaseUrl="https://mieux.example.eu")
    assert lines == ["mieux-dev: no changes"]
    left = cloudformation.list_change_sets(StackName="mieux-dev")["Summaries"]
    assert not [c for c in left if c.get("ExecutionStatus") == "AVAILABLE"]  # none left to run


def test_the_change_table_flags_replacements() -> None:
    changes = [
        {"ResourceChange": {"Action": "Modify", "LogicalResourceId": "Table",
                            "ResourceType": "AWS::DynamoDB::Table", "Replacement": "True"}},
        {"ResourceChange": {"Action": "Modify", "LogicalResourceId": "Api",
                            "ResourceType": "AWS::ApiGateway::RestApi",
                            "Replacement": "Conditional"}},
        {"ResourceChange": {"Action": "Add", "LogicalResourceId": "Queue",
                            "ResourceType": "AWS::SQS::Queue"}},
    ]  # fmt: skip
    header, table, api, queue = deploy.change_table(changes)
    assert header.split() == ["action", "resource", "type", "replacement"]
    assert table.split() == ["modify", "Table", "AWS::DynamoDB::Table", "REPLACED"]
    assert api.endswith("may be REPLACED") and queue.split() == ["add", "Queue", "AWS::SQS::Queue"]


def _pretend(client: Any, status: str, failed_event: bool = False) -> None:
    """moto's describe answers with ``status`` while the stack exists, and once the change set
    runs, its events include a failed one."""
    executed: list[bool] = []

    def stacks(parsed: dict[str, Any], **_: Any) -> None:
        for stack in parsed.get("Stacks", []):
            stack["StackStatus"] = status

    def events(parsed: dict[str, Any], **_: Any) -> None:
        if failed_event and executed and parsed.get("StackEvents"):
            failure = dict(parsed["StackEvents"][0], EventId="injected-failure")
            failure.update(
                LogicalResourceId="Table",
                ResourceType="AWS::DynamoDB::Table",
                ResourceStatus="CREATE_FAILED",
                ResourceStatusReason="Resource handler returned message: quota",
            )
            parsed["StackEvents"].insert(0, failure)  # fmt: skip

    client.meta.events.register("after-call.cloudformation.DescribeStacks", stacks)
    client.meta.events.register("after-call.cloudformation.DescribeStackEvents", events)
    client.meta.events.register(
        "after-call.cloudformation.ExecuteChangeSet", lambda **_: executed.append(True)
    )


def test_a_failed_create_prints_its_events_and_the_retry_deletes_it_first(
    cloudformation: Any,
) -> None:
    lines: list[str] = []
    failing = boto3.client("cloudformation", region_name="eu-west-1")
    _pretend(failing, "ROLLBACK_COMPLETE", failed_event=True)
    with pytest.raises(deploy.DeployError) as failed:
        _deploy(failing, lines)
    message = str(failed.value)
    assert "it is ROLLBACK_COMPLETE" in message and "the next make deploy deletes it" in message
    assert "CREATE_FAILED  Table  AWS::DynamoDB::Table  Resource handler returned" in message
    lines.clear()
    retrying = boto3.client("cloudformation", region_name="eu-west-1")
    states = iter(["ROLLBACK_COMPLETE"])  # the stack as the retry first finds it

    def first_rolled_back(parsed: dict[str, Any], **_: Any) -> None:
        for stack in parsed.get("Stacks", []):
            stack["StackStatus"] = next(states, stack["StackStatus"])

    retrying.meta.events.register("after-call.cloudformation.DescribeStacks", first_rolled_back)
    _deploy(retrying, lines, SenderEmail="a@b.eu")
    assert lines[0].startswith("mieux-dev: its first create failed (ROLLBACK_COMPLETE); deleting")
    stack = cloudformation.describe_stacks(StackName="mieux-dev")["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"


def test_a_busy_or_stuck_stack_is_refused(cloudformation: Any) -> None:
    _deploy(cloudformation, [])
    for status, says in (
        ("UPDATE_IN_PROGRESS", "another deploy"),
        ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback"),
    ):
        client = boto3.client("cloudformation", region_name="eu-west-1")
        _pretend(client, status)
        with pytest.raises(deploy.DeployError, match=says):
            _deploy(client, [], SenderEmail="c@d.eu")


def test_prod_asks_for_a_confirmation_unless_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert deploy.prod_confirmation("dev", yes=False)
    assert deploy.prod_confirmation("prod", yes=True)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    with pytest.raises(deploy.DeployError, match="YES=1"):
        deploy.prod_confirmation("prod", yes=False)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    assert deploy.prod_confirmation("prod", yes=False, ask=lambda prompt: "mieux-prod")
    assert not deploy.prod_confirmation("prod", yes=False, ask=lambda prompt: "y")


def test_an_unconfirmed_change_changes_nothing(cloudformation: Any) -> None:
    lines: list[str] = []
    body = {"TemplateBody": STACK.read_text(encoding="utf-8")}
    outputs = deploy.deploy_stack(
        cloudformation, "mieux-dev", body, {"Stage": "dev"}, {"Stage"},
        confirm=lambda changes: False, echo=lines.append, delay=0,
    )  # fmt: skip
    assert outputs is None and lines[-1] == "mieux-dev: not confirmed; nothing changed"
    assert cloudformation.describe_stacks(StackName="mieux-dev")["Stacks"][0]["StackStatus"] == (
        "REVIEW_IN_PROGRESS")  # fmt: skip


def _package(tmp_path: Path, stage: str = "dev") -> Path:
    """A build directory shaped as make package's, with the stage's parameters."""
    import json

    out = tmp_path / "package"
    out.mkdir()
    (out / "deployment.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    template = {
        "Parameters": {"Stage": {"Type": "String", "AllowedValues": [stage], "Default": stage},
                       "OperatorsEmail": {"Type": "String", "Default": ""},
                       "CodeBucket": {"Type": "String"}, "CodeKey": {"Type": "String"}},
        "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}},
    }  # fmt: skip
    (out / "template.json").write_text(json.dumps(template), encoding="utf-8")
    return out


def test_prod_without_an_operators_address_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path, "prod")
    with mock_aws():
        code = deploy.main(["--stage", "prod", "--region", "eu-west-1", "--package", str(package),
                            "--yes"])  # fmt: skip
    assert code == preflight.EXIT_NO_ACCESS
    assert "OPERATORS_EMAIL" in capsys.readouterr().err


def test_a_package_of_another_stage_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path, "dev")
    assert deploy.main(["--stage", "prod", "--package", str(package), "--dry-run"]) == 1
    assert "make package STAGE=prod" in capsys.readouterr().out


def test_deploy_uploads_the_build_and_deploys_it_with_its_code_location(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path)
    with mock_aws():
        args = ["--stage", "dev", "--region", "eu-west-1", "--package", str(package)]
        assert deploy.main(args) == 0
        cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
        stack = cloudformation.describe_stacks(StackName="mieux-dev")["Stacks"][0]
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
        s3 = boto3.client("s3", region_name="eu-west-1")
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=parameters["CodeBucket"])["Contents"]]
        assert deploy.main(args) == 0  # the same build again
    assert parameters["CodeKey"] in keys and parameters["CodeKey"].endswith(".zip")
    assert sorted(k.rsplit(".", 2)[-2:][-1] for k in keys) == ["json", "zip"]
    printed = capsys.readouterr().out
    assert "mieux-artifacts: 2 change(s)" in printed and printed.rstrip().endswith("no changes")


NO_AWS = {"HOME": "/nonexistent", "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    """A command in a clean environment: no credentials, no region, no AWS config files."""
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=NO_AWS, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize(
    "command",
    [
        ("-m", "infra.deploy", "--stage", "dev", "--package", "PACKAGE"),
        ("-m", "infra.keys", "rotate", "--stage", "prod"),
        ("-m", "functions.ops", "committee", "list"),
    ],
)
def test_without_credentials_one_line_and_exit_2(command: tuple[str, ...], tmp_path: Path) -> None:
    package = str(_package(tmp_path))
    result = _run(*(package if part == "PACKAGE" else part for part in command))
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "AWS_REGION" in line and "AWS_PROFILE" in line, line


def test_the_dry_run_needs_no_credentials(tmp_path: Path) -> None:
    package = _package(tmp_path)
    result = _run("-m", "infra.deploy", "--stage", "dev", "--package", str(package), "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "would deploy stack mieux-dev in <no region set>" in result.stdout
    assert "1 AWS::SQS::Queue" in result.stdout and "Stage = dev (given)" in result.stdout


def test_an_expired_session_is_one_line_too() -> None:
    from botocore.exceptions import ClientError

    error = ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "DescribeStacks")
    wrapped = RuntimeError("while deploying")
    wrapped.__cause__ = error
    assert "ExpiredToken" in str(preflight.access_error(wrapped))
    assert preflight.access_error(ValueError("other")) is None
