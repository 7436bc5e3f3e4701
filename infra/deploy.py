"""Deploy one stage: the stack, then the Chalice app configured from the stack's outputs.

    python -m infra.deploy --stage dev [--sender-email ...] [--public-base-url ...] [--dry-run]

1. Deploys ``infra/stack.yaml`` as stack ``mieux-<stage>`` through a change set (what
   ``aws cloudformation deploy`` does); parameters not given keep their previous values.
2. Reads the stack's outputs into the stage's environment variables and the deploy-time names
   Chalice's event sources need (``REVIEW_QUEUE_NAME``, ``NOTIFY_QUEUE_NAME``,
   ``SES_EVENTS_TOPIC``).
3. Builds the slim copy of the project (``infra/build.py``: dependencies pruned and
   precompiled, without the runtime's SDK; ``build/slim/<stage>``), writes the outputs into its
   ``.chalice/config.json`` and the account, the region and the sender into its functions'
   ``.chalice/policy-<stage>-<function>.json`` (copies: the repository's files never hold an
   account's ids), and runs
   ``chalice --project-dir build/slim/<stage> deploy --stage <stage>``. The copy's
   ``.chalice/deployed`` is the repository's, so Chalice keeps its deployment state.
4. On the very first deploy, with no public base URL given, uses the API's URL and deploys the
   app once more so that links in mail point at it. Prints the form's URL.

``--dry-run`` changes nothing: it prints the plan and the commands (docs/operations.md).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from infra import build

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "stack.yaml"
CHALICE_DIR = ROOT / ".chalice"
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class Plan:
    """What one deploy does: the stage, where, and the stack parameters given."""

    stage: str
    region: str
    parameters: dict[str, str] = field(default_factory=dict)

    @property
    def stack_name(self) -> str:
        return f"mieux-{self.stage}"


def stage_environment(outputs: Mapping[str, str]) -> dict[str, str]:
    """The Lambda environment variables of a stage, from its stack's outputs."""
    return {
        "MIEUX_STAGE": outputs["Stage"],
        "TABLE_NAME": outputs["TableName"],
        "REVIEW_QUEUE_URL": outputs["ReviewQueueUrl"],
        "NOTIFY_QUEUE_URL": outputs["NotifyQueueUrl"],
        "PUBLIC_BASE_URL": outputs["PublicBaseUrl"],
        "SENDER_EMAIL": outputs["SenderEmail"],
        "SES_CONFIGURATION_SET": outputs["SesConfigurationSetName"],
        # The secret's name, not its value: the functions read the keys at run time.
        "SIGNING_KEYS_SECRET_ID": outputs["SigningKeysSecretArn"],
        # The staff workspace's user pool (the stack's last section).
        "COGNITO_USER_POOL_ID": outputs.get("StaffUserPoolId", ""),
        "COGNITO_CLIENT_ID": outputs.get("StaffUserPoolClientId", ""),
    }


def deploy_time_names(outputs: Mapping[str, str]) -> dict[str, str]:
    """The names ``app.py``'s event-source decorators read while Chalice packages it."""
    return {
        "REVIEW_QUEUE_NAME": outputs["ReviewQueueName"],
        "NOTIFY_QUEUE_NAME": outputs["NotifyQueueName"],
        "SES_EVENTS_TOPIC": outputs["SesEventsTopicName"],
    }


def stack_command(plan: Plan) -> list[str]:
    """The AWS CLI command equivalent to :func:`deploy_stack` (printed by ``--dry-run``)."""
    overrides = [f"{key}={value}" for key, value in sorted(plan.parameters.items())]
    return [
        "aws", "cloudformation", "deploy", "--region", plan.region,
        "--stack-name", plan.stack_name, "--template-file", "infra/stack.yaml",
        "--no-fail-on-empty-changeset", "--parameter-overrides", *overrides,
    ]  # fmt: skip


def chalice_command(stage: str, project: Path | None = None) -> list[str]:
    """The Chalice command that deploys the functions and the API of a stage; of the slim copy
    ``project`` (``infra/build.py``) when given."""
    chalice = Path(sys.executable).with_name("chalice")
    where = ["--project-dir", str(project)] if project is not None else []
    return [str(chalice), *where, "deploy", "--stage", stage]


def outputs_of(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """A stack's outputs by key, or an empty dict if the stack does not exist."""
    try:
        stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return {}
        raise
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}


def stage_outputs(
    stage: str, profile: str | None = None, region: str | None = None
) -> tuple[dict[str, str], str]:
    """The outputs of stack ``mieux-<stage>`` read with a profile's credentials, and the region.

    For the operator command (``python -m functions.ops --stage``): it keeps the CloudFormation
    client out of ``functions/``, whose services the slim Lambda build keeps.
    """
    session = boto3.session.Session(profile_name=profile, region_name=region)
    outputs = outputs_of(session.client("cloudformation"), f"mieux-{stage}")
    return outputs, str(session.region_name)


def deploy_stack(cloudformation: Any, plan: Plan) -> dict[str, str]:
    """Create or update the stack through a change set; return its outputs."""
    existing = _stack_parameters(cloudformation, plan.stack_name)
    parameters: list[dict[str, Any]] = [{"ParameterKey": "Stage", "ParameterValue": plan.stage}]
    for key, value in plan.parameters.items():
        if key != "Stage":
            parameters.append({"ParameterKey": key, "ParameterValue": value})
    for key in (existing or set()) - {p["ParameterKey"] for p in parameters}:
        parameters.append({"ParameterKey": key, "UsePreviousValue": True})
    kind = "CREATE" if existing is None else "UPDATE"
    change_set = cloudformation.create_change_set(
        StackName=plan.stack_name,
        ChangeSetName=f"{plan.stack_name}-{os.getpid()}",
        ChangeSetType=kind,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=parameters,
    )["Id"]
    waiter = {"Delay": 2, "MaxAttempts": 300}
    try:
        cloudformation.get_waiter("change_set_create_complete").wait(
            ChangeSetName=change_set, StackName=plan.stack_name, WaiterConfig=waiter
        )
    except Exception:
        reason = cloudformation.describe_change_set(
            ChangeSetName=change_set, StackName=plan.stack_name
        ).get("StatusReason", "")
        if any(text in reason for text in NO_CHANGES):
            cloudformation.delete_change_set(ChangeSetName=change_set, StackName=plan.stack_name)
            return outputs_of(cloudformation, plan.stack_name)
        raise
    cloudformation.execute_change_set(ChangeSetName=change_set, StackName=plan.stack_name)
    done = "stack_create_complete" if kind == "CREATE" else "stack_update_complete"
    cloudformation.get_waiter(done).wait(StackName=plan.stack_name, WaiterConfig=waiter)
    return outputs_of(cloudformation, plan.stack_name)


def _stack_parameters(cloudformation: Any, stack_name: str) -> set[str] | None:
    try:
        stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    if stack["StackStatus"] == "REVIEW_IN_PROGRESS":  # a change set was made, never run
        return None
    return {item["ParameterKey"] for item in stack.get("Parameters", [])}


def configured(config: dict[str, Any], stage: str, environment: Mapping[str, str]) -> str:
    """``config.json``'s text with the stage's environment variables set from the stack."""
    updated = json.loads(json.dumps(config))
    variables = updated["stages"][stage].setdefault("environment_variables", {})
    variables.update(environment)
    return json.dumps(updated, indent=2) + "\n"


# Where a policy's ses:FromAddress condition names the sender: the stage's SENDER_EMAIL is only
# known from the stack, so the repository's files hold this and the deploy's copies the address.
SENDER_PLACEHOLDER = "SENDER_EMAIL"


def rendered_policy(policy_text: str, region: str, account: str, sender: str = "") -> str:
    """A function's policy with the region and account filled in for ``*:*`` in its ARNs, SES
    sending narrowed from any identity of the account to the sender's domain, and the
    ``ses:FromAddress`` condition set to the sender (without one, a policy that sends mail is
    refused: it would deny every send)."""
    text = policy_text.replace(":*:*:", f":{region}:{account}:")
    if f'"{SENDER_PLACEHOLDER}"' in text:
        if "@" not in sender:
            raise ValueError("the stage has no SenderEmail: its mail policy cannot name it")
        text = text.replace(f'"{SENDER_PLACEHOLDER}"', json.dumps(sender))
    if "@" in sender:
        text = text.replace(":identity/*", f":identity/{sender.rsplit('@', 1)[1]}")
    return text


def policy_files(config: Mapping[str, Any], stage: str) -> list[str]:
    """The policy files of a stage's functions (each has a role of its own), in the order given."""
    stage_config = config["stages"][stage]
    names = [
        settings["iam_policy_file"]
        for settings in stage_config.get("lambda_functions", {}).values()
        if "iam_policy_file" in settings
    ]
    if "iam_policy_file" in stage_config:
        names.append(stage_config["iam_policy_file"])
    return list(dict.fromkeys(names))


def api_url(stage: str) -> str:
    """The API's URL from Chalice's record of the last deploy, or "" if there is none."""
    record = CHALICE_DIR / "deployed" / f"{stage}.json"
    if not record.exists():
        return ""
    for resource in json.loads(record.read_text(encoding="utf-8")).get("resources", []):
        if resource.get("resource_type") == "rest_api":
            return str(resource["rest_api_url"]).rstrip("/")
    return ""


def configure_project(project: Path, plan: Plan, outputs: Mapping[str, str], account: str) -> None:
    """Write the stage's settings and the account into the slim copy's ``.chalice`` (copies of
    the repository's files, which stay as they are)."""
    chalice_dir = project / ".chalice"
    config_path = chalice_dir / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    sender = stage_environment(outputs).get("SENDER_EMAIL", "")
    for name in policy_files(config, plan.stage):
        policy_path = chalice_dir / name
        policy = rendered_policy(
            policy_path.read_text(encoding="utf-8"), plan.region, account, sender
        )
        policy_path.write_text(policy, encoding="utf-8")
    config_path.write_text(
        configured(config, plan.stage, stage_environment(outputs)), encoding="utf-8"
    )


def deploy_app(plan: Plan, outputs: Mapping[str, str], account: str) -> None:
    """``chalice deploy`` of the slim build, with the stage configured from the stack's outputs."""
    project = build.prepare(plan.stage)
    configure_project(project, plan, outputs, account)
    env = {**os.environ, "AWS_DEFAULT_REGION": plan.region, **deploy_time_names(outputs)}
    command = chalice_command(plan.stage, project)
    subprocess.run(command, cwd=project, env=env, check=True)  # noqa: S603  (our chalice)


def main(argv: list[str] | None = None) -> int:
    """Deploy (or with ``--dry-run`` describe) one stage from zero or as an update."""
    args = _arguments(argv)
    plan = Plan(args.stage, args.region, _given_parameters(args))
    session = boto3.session.Session(region_name=plan.region)
    cloudformation = session.client("cloudformation")
    if args.dry_run:
        return _dry_run(plan, outputs_of(cloudformation, plan.stack_name))
    account = session.client("sts").get_caller_identity()["Account"]
    outputs = deploy_stack(cloudformation, plan)
    deploy_app(plan, outputs, account)
    if not outputs["PublicBaseUrl"]:
        # First deploy without a custom domain: the API now exists, so links can point at it.
        first = Plan(
            plan.stage, plan.region, {**plan.parameters, "PublicBaseUrl": api_url(plan.stage)}
        )
        outputs = deploy_stack(cloudformation, first)
        deploy_app(first, outputs, account)
    print(f"The form of {plan.stack_name}: {outputs['PublicBaseUrl'].rstrip('/')}/")
    return 0


def _dry_run(plan: Plan, outputs: Mapping[str, str]) -> int:
    print("would run:", " ".join(stack_command(plan)))
    if not outputs:
        print(f"stack {plan.stack_name} does not exist yet: its outputs come from the deploy")
        return 0
    # moto (and a stack mid-update) may lack some outputs: show the gap, do not fail.
    outputs = {key: outputs.get(key, f"<no output {key}>") for key in _OUTPUTS_USED}
    names = deploy_time_names(outputs)
    print("with", " ".join(f"{k}={v}" for k, v in names.items()), ":")
    print("would build the slim copy: python -m infra.build --project-only --stage", plan.stage)
    print("would run:", " ".join(chalice_command(plan.stage, build.project_dir(plan.stage))))
    print("with the environment variables of stage", plan.stage + ":")
    for key, value in stage_environment(outputs).items():
        print(f"  {key}={value}")
    return 0


_OUTPUTS_USED = (
    "Stage", "TableName", "ReviewQueueUrl", "NotifyQueueUrl", "PublicBaseUrl", "SenderEmail",
    "SesConfigurationSetName", "SigningKeysSecretArn", "ReviewQueueName", "NotifyQueueName",
    "SesEventsTopicName",
)  # fmt: skip


def _given_parameters(args: argparse.Namespace) -> dict[str, str]:
    given = {
        "SenderEmail": args.sender_email,
        "PublicBaseUrl": args.public_base_url,
        "OperatorsEmail": args.operators_email,
    }
    return {key: value for key, value in given.items() if value}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__)
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    parser.add_argument("--region", default=region)
    parser.add_argument("--sender-email", default=os.environ.get("SENDER_EMAIL", ""))
    parser.add_argument("--public-base-url", default=os.environ.get("PUBLIC_BASE_URL", ""))
    parser.add_argument("--operators-email", default=os.environ.get("OPERATORS_EMAIL", ""))
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
