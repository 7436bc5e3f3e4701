"""Deploy one stage as built: ``make package``'s template and zip, through a change set.

    python -m infra.deploy --stage dev [--sender-email ...] [--public-base-url ...]
        [--operators-email ...] [--package build/package] [--dry-run] [--yes]

1. Checks the region and credentials (none: one line saying what to set, exit 2) and, for prod,
   that alarms go to someone (``OPERATORS_EMAIL`` given or already on the stack; else exit 2).
2. Makes sure of the artefacts bucket (stack ``mieux-artifacts``, infra/artifacts.yaml) and
   uploads the zip and the template there under their content hash.
3. Creates a change set of stack ``mieux-<stage>`` (parameters not given keep their values) and
   shows it as a table: add / modify / remove, replacements flagged. No changes: exit 0.
4. prod asks for confirmation (``--yes``, ``YES=1`` in make, for CI); then executes it and
   streams the stack's events until it settles. On failure prints the failed events and the
   state the stack rolled back to, exit 1. A failed first create (``ROLLBACK_COMPLETE``) is
   deleted by the next run before it creates the stack again; the table and the secret are
   ``RetainExceptOnCreate``, so nothing of it is left in the way.

``--dry-run`` changes nothing and needs no credentials: it prints what would be deployed.
Nothing is read from or written to ``.chalice/deployed``: the stack is the deployment's state.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra import preflight

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "build" / "package"
ARTIFACTS_TEMPLATE = ROOT / "infra" / "artifacts.yaml"
ARTIFACTS_STACK = "mieux-artifacts"
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")
CAPABILITIES = ["CAPABILITY_IAM"]  # the functions' roles (unnamed)
SETTLED_OK = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"}
Echo = Callable[[str], None]


class DeployError(Exception):
    """The deploy stopped; the message says why and what state the stack is in."""


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
    """The settings of a stage read from its stack's outputs (the operator command uses them;
    the functions get the same values by Ref/GetAtt, infra/template.py)."""
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
        # The attachments' bucket (issue 20).
        "ATTACHMENTS_BUCKET": outputs.get("AttachmentsBucketName", ""),
    }


def outputs_of(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """A stack's outputs by key, or an empty dict if the stack does not exist."""
    stack = describe(cloudformation, stack_name)
    if stack is None:
        return {}
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}


def describe(cloudformation: Any, stack_name: str) -> dict[str, Any] | None:
    """The stack's description, or None if there is no such stack."""
    try:
        return dict(cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0])
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise


def stage_outputs(
    stage: str, profile: str | None = None, region: str | None = None
) -> tuple[dict[str, str], str]:
    """The outputs of stack ``mieux-<stage>`` read with a profile's credentials, and the region.

    For the operator command (``python -m functions.ops --stage``): it keeps the CloudFormation
    client out of ``functions/``, whose services the slim Lambda build keeps.
    """
    import boto3

    session = boto3.session.Session(profile_name=profile, region_name=region)
    problem = preflight.access_problem(session)
    if problem:
        raise LookupError(problem)
    outputs = outputs_of(session.client("cloudformation"), f"mieux-{stage}")
    return outputs, str(session.region_name)


def content_key(stage: str, data: bytes, suffix: str) -> str:
    """``<stage>/<sha256>.<suffix>``: the same bytes, the same key (and no upload race)."""
    return f"{stage}/{hashlib.sha256(data).hexdigest()}.{suffix}"


def _parameters(
    given: Mapping[str, str], existing: dict[str, Any] | None, declared: set[str]
) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = [
        {"ParameterKey": key, "ParameterValue": value}
        for key, value in given.items()
        if key in declared
    ]
    if existing is not None and existing["StackStatus"] != "REVIEW_IN_PROGRESS":
        kept = {item["ParameterKey"] for item in existing.get("Parameters", [])}
        for key in sorted((kept & declared) - set(given)):
            parameters.append({"ParameterKey": key, "UsePreviousValue": True})
    return parameters


def _prepare_stack(cloudformation: Any, name: str, echo: Echo, delay: float) -> dict[str, Any]:
    """The stack as it stands, after deleting a failed first create; refuse a busy stack."""
    stack = describe(cloudformation, name)
    status = stack["StackStatus"] if stack else None
    if status == "ROLLBACK_COMPLETE":
        echo(f"{name}: its first create failed (ROLLBACK_COMPLETE); deleting it to create anew")
        cloudformation.delete_stack(StackName=name)
        cloudformation.get_waiter("stack_delete_complete").wait(
            StackName=name, WaiterConfig={"Delay": max(delay, 1), "MaxAttempts": 360}
        )
        return {}
    if status and status.endswith("_IN_PROGRESS") and status != "REVIEW_IN_PROGRESS":
        raise DeployError(f"{name} is {status}: another deploy is running; wait for it")
    if status and status.endswith("_FAILED"):
        raise DeployError(
            f"{name} is {status}: fix the named resource, then `aws cloudformation "
            f"continue-update-rollback --stack-name {name}` (docs/operations.md, Deploy)"
        )
    return stack or {}


def create_change_set(
    cloudformation: Any,
    name: str,
    template: Mapping[str, str],
    given: Mapping[str, str],
    declared: set[str],
    echo: Echo,
    delay: float = 2,
) -> tuple[str, list[dict[str, Any]]] | None:
    """A change set of stack ``name`` (``template``: TemplateURL or TemplateBody) and its
    changes; None, the change set deleted, when it would change nothing."""
    stack = _prepare_stack(cloudformation, name, echo, delay) or None
    kind = "CREATE" if stack is None or stack["StackStatus"] == "REVIEW_IN_PROGRESS" else "UPDATE"
    try:
        change_set = cloudformation.create_change_set(
            StackName=name,
            ChangeSetName=f"{name}-{time.strftime('%Y%m%d%H%M%S')}-{os.getpid()}",
            ChangeSetType=kind,
            Parameters=_parameters(given, stack, declared),
            Capabilities=CAPABILITIES,
            **template,
        )["Id"]
    except cloudformation.exceptions.ClientError as error:
        if any(text in str(error) for text in NO_CHANGES):  # said at once rather than FAILED
            return None
        raise
    while True:
        described = cloudformation.describe_change_set(ChangeSetName=change_set, StackName=name)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            break
        time.sleep(delay)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        cloudformation.delete_change_set(ChangeSetName=change_set, StackName=name)
        if any(text in reason for text in NO_CHANGES):
            return None
        raise DeployError(f"{name}: the change set failed: {reason}")
    changes = list(described.get("Changes", []))
    while described.get("NextToken"):
        described = cloudformation.describe_change_set(
            ChangeSetName=change_set, StackName=name, NextToken=described["NextToken"]
        )
        changes += described.get("Changes", [])
    if not changes and kind == "UPDATE":  # what CloudFormation reports as FAILED, above
        cloudformation.delete_change_set(ChangeSetName=change_set, StackName=name)
        return None
    return change_set, changes


def change_table(changes: list[dict[str, Any]]) -> list[str]:
    """The change set as lines: action, logical id, type, and REPLACED for a replacement."""
    rows = [("action", "resource", "type", "replacement")]
    for change in changes:
        resource = change.get("ResourceChange", {})
        replacement = resource.get("Replacement", "")
        flag = {"True": "REPLACED", "Conditional": "may be REPLACED"}.get(replacement, "")
        rows.append(
            (
                str(resource.get("Action", "")).lower(),
                str(resource.get("LogicalResourceId", "")),
                str(resource.get("ResourceType", "")),
                flag,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows]  # fmt: skip


def execute(
    cloudformation: Any, name: str, change_set: str, echo: Echo, delay: float = 5
) -> dict[str, str]:
    """Run the change set, streaming the stack's events; the outputs, or DeployError with the
    failed events and the state the stack settled in."""
    seen = {event["EventId"] for event in _events(cloudformation, name)}
    cloudformation.execute_change_set(ChangeSetName=change_set, StackName=name)
    failed: list[str] = []
    while True:
        time.sleep(delay)
        fresh = [event for event in _events(cloudformation, name) if event["EventId"] not in seen]
        for event in reversed(fresh):  # CloudFormation lists the newest first
            seen.add(event["EventId"])
            line = _event_line(event)
            echo(line)
            if str(event.get("ResourceStatus", "")).endswith("_FAILED"):
                failed.append(line)
        status = (describe(cloudformation, name) or {}).get("StackStatus", "DELETE_COMPLETE")
        if not status.endswith("_IN_PROGRESS"):
            break
    if status in SETTLED_OK:
        return outputs_of(cloudformation, name)
    hint = {
        "ROLLBACK_COMPLETE": "the first create failed; the next make deploy deletes it and retries",
        "UPDATE_ROLLBACK_COMPLETE": "the stack is back as it was before this deploy",
    }.get(status, "see docs/operations.md, Deploy")
    lines = [f"{name} did not deploy: it is {status} ({hint})", "failed:", *failed]
    raise DeployError("\n".join(lines))


def _events(cloudformation: Any, name: str) -> list[dict[str, Any]]:
    try:
        return list(cloudformation.describe_stack_events(StackName=name)["StackEvents"])
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return []
        raise


def _event_line(event: Mapping[str, Any]) -> str:
    stamp: Any = event.get("Timestamp")
    when = stamp.strftime("%H:%M:%S") if hasattr(stamp, "strftime") else str(stamp or "")
    reason = event.get("ResourceStatusReason") or ""
    parts = [when, str(event.get("ResourceStatus", "")), str(event.get("LogicalResourceId", ""))]
    parts.append(str(event.get("ResourceType", "")))
    return "  ".join(parts) + (f"  {reason}" if reason else "")


def deploy_stack(
    cloudformation: Any,
    name: str,
    template: Mapping[str, str],
    given: Mapping[str, str],
    declared: set[str],
    *,
    confirm: Callable[[list[dict[str, Any]]], bool] = lambda changes: True,
    echo: Echo = print,
    delay: float = 5,
) -> dict[str, str] | None:
    """Change set, table, confirmation, execution: the stack's outputs, or None if there was
    nothing to change or the change was not confirmed (the change set is deleted then)."""
    made = create_change_set(cloudformation, name, template, given, declared, echo, delay)
    if made is None:
        echo(f"{name}: no changes")
        return outputs_of(cloudformation, name)
    change_set, changes = made
    echo(f"{name}: {len(changes)} change(s)")
    for line in change_table(changes):
        echo("  " + line)
    if not confirm(changes):
        cloudformation.delete_change_set(ChangeSetName=change_set, StackName=name)
        echo(f"{name}: not confirmed; nothing changed")
        return None
    return execute(cloudformation, name, change_set, echo, delay)


def declared_parameters(template: Mapping[str, Any]) -> set[str]:
    """The parameters a template declares (a given parameter it lacks is not passed)."""
    return set(template.get("Parameters", {}))


def artifacts_bucket(cloudformation: Any, echo: Echo, delay: float = 5) -> str:
    """The artefacts bucket's name, deploying its stack first when needed."""
    body = ARTIFACTS_TEMPLATE.read_text(encoding="utf-8")
    deploy_stack(
        cloudformation, ARTIFACTS_STACK, {"TemplateBody": body}, {}, set(), echo=echo, delay=delay
    )
    # The bucket's physical id is its name (read so rather than from the outputs, which moto
    # leaves empty for a stack made by a change set).
    described = cloudformation.describe_stack_resource(
        StackName=ARTIFACTS_STACK, LogicalResourceId="ArtifactsBucket"
    )
    return str(described["StackResourceDetail"]["PhysicalResourceId"])


def upload(s3: Any, bucket: str, key: str, data: bytes) -> None:
    """Put ``data`` at ``key`` unless it is there already (keys are content hashes)."""
    try:
        s3.head_object(Bucket=bucket, Key=key)
        return
    except s3.exceptions.ClientError:
        pass
    s3.put_object(Bucket=bucket, Key=key, Body=data)


def prod_confirmation(stage: str, yes: bool, ask: Callable[[str], str] = input) -> bool:
    """prod only: ``--yes``, or the stack's name typed at the prompt."""
    if stage != "prod" or yes:
        return True
    if not sys.stdin.isatty():
        raise DeployError("prod needs a confirmation: run it in a terminal, or give YES=1 (CI)")
    return ask(f"Type mieux-{stage} to deploy these changes: ").strip() == f"mieux-{stage}"


def main(argv: list[str] | None = None) -> int:
    """Deploy (or with ``--dry-run`` describe) one stage; the exit status."""
    import boto3

    args = _arguments(argv)
    session = boto3.session.Session(region_name=args.region or None)
    template_path = args.package / "template.json"
    if not template_path.exists():
        print(f"no {template_path}: run make package STAGE={args.stage} first", file=sys.stderr)
        return 1
    template = json.loads(template_path.read_text(encoding="utf-8"))
    built_for = template["Parameters"]["Stage"]["AllowedValues"]
    if built_for != [args.stage]:
        print(f"{template_path} is the {built_for[0]} build: make package STAGE={args.stage}")
        return 1
    plan = Plan(args.stage, str(session.region_name or ""), _given_parameters(args))
    problem = preflight.access_problem(session)
    if args.dry_run:
        return _dry_run(plan, template, args.package, problem, session)
    if problem:
        print(f"make deploy: {problem}", file=sys.stderr)
        return preflight.EXIT_NO_ACCESS
    try:
        return _deploy(session, plan, template, args)
    except DeployError as error:
        print(str(error), file=sys.stderr)
        return 1
    except Exception as error:
        line = preflight.access_error(error)
        if line is None:
            raise
        print(f"make deploy: {line}", file=sys.stderr)
        return preflight.EXIT_NO_ACCESS


def _operators_problem(plan: Plan, existing: dict[str, Any] | None) -> str | None:
    if plan.stage != "prod" or plan.parameters.get("OperatorsEmail"):
        return None
    kept = {p["ParameterKey"]: p.get("ParameterValue", "") for p in (existing or {}).get(
        "Parameters", [])}  # fmt: skip
    if kept.get("OperatorsEmail"):
        return None
    return "prod's alarms would go to nobody: set OPERATORS_EMAIL (the operators' address)"


def _deploy(session: Any, plan: Plan, template: dict[str, Any], args: argparse.Namespace) -> int:
    cloudformation = session.client("cloudformation")
    refused = _operators_problem(plan, describe(cloudformation, plan.stack_name))
    if refused:
        print(f"make deploy: {refused}", file=sys.stderr)
        return preflight.EXIT_NO_ACCESS
    bucket = artifacts_bucket(cloudformation, print)
    s3 = session.client("s3")
    code = (args.package / "deployment.zip").read_bytes()
    code_key = content_key(plan.stage, code, "zip")
    upload(s3, bucket, code_key, code)
    # As built: the template's bytes are make package's (over 51,200 bytes: read from S3).
    body = (args.package / "template.json").read_bytes()
    template_key = content_key(plan.stage, body, "template.json")
    upload(s3, bucket, template_key, body)
    url = f"https://{bucket}.s3.{plan.region}.amazonaws.com/{template_key}"
    outputs = deploy_stack(
        cloudformation,
        plan.stack_name,
        {"TemplateURL": url},
        {**plan.parameters, "CodeBucket": bucket, "CodeKey": code_key},
        declared_parameters(template),
        confirm=lambda changes: prod_confirmation(plan.stage, args.yes),
    )
    if outputs is None:
        return 1
    if outputs.get("PublicBaseUrl"):
        print(f"The form of {plan.stack_name}: {outputs['PublicBaseUrl'].rstrip('/')}/")
    return 0


def _dry_run(
    plan: Plan, template: dict[str, Any], package: Path, problem: str | None, session: Any
) -> int:
    """What a deploy would do, from the built template (and the stack, given credentials)."""
    where = plan.region or "<no region set>"
    print(f"would deploy stack {plan.stack_name} in {where} from {package / 'template.json'}")
    code = (package / "deployment.zip").read_bytes()
    print(
        f"  code: {package / 'deployment.zip'} ({len(code):,} bytes) to the bucket of stack "
        f"{ARTIFACTS_STACK} as {content_key(plan.stage, code, 'zip')}"
    )
    kinds = Counter(resource["Type"] for resource in template["Resources"].values())
    print(f"  {sum(kinds.values())} resources:")
    for kind, count in sorted(kinds.items()):
        print(f"    {count:3d} {kind}")
    existing: dict[str, Any] | None = None
    if problem:
        print(f"  the stack's current state is not read ({problem})")
    else:
        existing = describe(session.client("cloudformation"), plan.stack_name)
        state = existing["StackStatus"] if existing else "does not exist yet (created)"
        print(f"  stack {plan.stack_name}: {state}")
    kept = {p["ParameterKey"]: p.get("ParameterValue", "") for p in (existing or {}).get(
        "Parameters", [])}  # fmt: skip
    print("  parameters:")
    for key, spec in template["Parameters"].items():
        if key in ("CodeBucket", "CodeKey"):
            value = "(where the code is uploaded)"
        elif key in plan.parameters:
            value = f"{plan.parameters[key]} (given)"
        elif key in kept:
            value = f"{kept[key]} (kept)"
        else:
            value = f"{spec.get('Default', '')} (default)"
        print(f"    {key} = {value}")
    refused = _operators_problem(plan, existing)
    if refused:
        print(f"  refused at deploy: {refused}")
    print("  then: a change set shown as a table, a confirmation in prod, the events streamed")
    return 0


def _given_parameters(args: argparse.Namespace) -> dict[str, str]:
    given = {
        "Stage": args.stage,
        "SenderEmail": args.sender_email,
        "PublicBaseUrl": args.public_base_url,
        "OperatorsEmail": args.operators_email,
    }
    return {key: value for key, value in given.items() if value}


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.deploy", description=__doc__)
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--region", default=None, help="default: AWS_REGION or the profile's")
    parser.add_argument("--package", type=Path, default=PACKAGE, help="make package's output")
    parser.add_argument("--sender-email", default=os.environ.get("SENDER_EMAIL", ""))
    parser.add_argument("--public-base-url", default=os.environ.get("PUBLIC_BASE_URL", ""))
    parser.add_argument("--operators-email", default=os.environ.get("OPERATORS_EMAIL", ""))
    parser.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    parser.add_argument(
        "--yes", action="store_true", default=os.environ.get("YES") == "1", help="no prompt (CI)"
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
