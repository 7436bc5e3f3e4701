"""Each Lambda's role grants exactly what that function calls, on exactly the stage's resources.

The calls come from the test suite itself: ``tests/aws_calls.py`` records every AWS operation
made by code under ``functions/`` as the IAM actions AWS checks for it, attributed to the Lambda
it runs in, and ``tests/conftest.py`` compares the recording of the whole run with each
function's policy in each stage when the session ends (``tests/policy.py``; under xdist, the
workers' recordings combined): a call its function's policy refuses fails any run, a grant no
call of its function used fails a run of the whole suite. The tests here check the policy files
themselves and the recorder's rules.
"""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests import aws_calls
from tests.policy import (
    FUNCTIONS,
    SENDING_IDENTITY,
    STAFF_POOL_TAG,
    STAFF_USER_POOL,
    STAGES,
    allows,
    for_stage,
    granted,
    platform,
    policy,
    policy_file,
    problems,
)

ROOT = Path(__file__).resolve().parents[2]
SENDER_PLACEHOLDER = "SENDER_EMAIL"  # infra/deploy.py writes the stage's sender in its place


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_wildcard_action_or_resource(stage: str, function: str) -> None:
    name = policy_file(stage, function)
    for action, resource in granted(stage, function) - {SENDING_IDENTITY}:
        if resource == STAFF_USER_POOL:
            continue  # narrowed by the pool's stage tag: the next test
        assert "*" not in action, f"{name} grants a wildcard action {action}"
        assert resource != "*", f"{name} grants {action} on every resource"
        assert resource.startswith("arn:aws:"), resource
        assert f"mieux-{stage}" in resource, f"{action} on {resource}: not the stage's resource"


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_staff_pool_is_granted_only_with_the_stages_tag(stage: str, function: str) -> None:
    for statement in policy(stage, function)["Statement"]:
        resources = statement["Resource"]
        if STAFF_USER_POOL not in (resources if isinstance(resources, list) else [resources]):
            continue
        assert function == "api_handler", f"{function} acts on the staff user pool"
        assert statement["Condition"] == {"StringEquals": {STAFF_POOL_TAG: f"mieux-{stage}"}}
        assert all(action.startswith("cognito-idp:Admin") for action in statement["Action"])


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_what_lambda_itself_needs_is_granted(stage: str, function: str) -> None:
    pairs = granted(stage, function)
    missing = sorted(
        f"{action} on {resource.format(stage=stage)} ({why})"
        for (action, resource), why in platform(function).items()
        if (action, resource.format(stage=stage)) not in pairs
    )
    assert not missing, f"{policy_file(stage, function)} lacks:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_the_stages_grant_a_function_the_same(function: str) -> None:
    dev = (ROOT / ".chalice" / policy_file("dev", function)).read_text(encoding="utf-8")
    prod = (ROOT / ".chalice" / policy_file("prod", function)).read_text(encoding="utf-8")
    assert prod == dev.replace("mieux-dev", "mieux-prod"), "add the grant to both stages' files"


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
    api = granted("dev", "api_handler")
    narrowed = {(a, r) for a, r in api if a != "dynamodb:PutItem"}
    (action, arn) = next(iter(for_stage(calls, "dev")))
    assert allows(api, action, arn)
    assert not allows(narrowed, action, arn)
    assert not allows(granted("prod", "api_handler"), action, arn)  # not another stage's table


TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/mieux-local"


def test_the_session_check_reports_a_call_the_policy_refuses() -> None:
    calls = {
        ("api_handler", "dynamodb:DeleteTable", TABLE),
        ("api_handler", "dynamodb:PutItem", TABLE),
    }
    (dev, prod) = problems(calls, whole_suite=False)
    assert dev.startswith("policy-dev-api_handler.json lacks:")
    assert "dynamodb:DeleteTable on arn:aws:dynamodb:eu-west-1:123456789012:table/mieux-dev" in dev
    assert "PutItem" not in dev and prod.startswith("policy-prod-api_handler.json lacks:")


def test_the_session_check_reports_unused_grants_only_for_the_whole_suite() -> None:
    calls = {("api_handler", "dynamodb:PutItem", TABLE)}
    assert problems(calls, whole_suite=False) == []
    reported = problems(calls, whole_suite=True)
    (api,) = [r for r in reported if r.startswith("policy-dev-api_handler.json grants")]
    assert "no test saw api_handler call" in api and "dynamodb:UpdateItem on" in api
    assert "dynamodb:PutItem on" not in api
    assert [r for r in reported if r.startswith("policy-dev-bounces.json grants")]  # not its call
    assert problems(set(), whole_suite=True)[0].startswith("the suite made no AWS call")


# Issue 14, item 10: a role per function, with exactly what that function calls.
LAMBDAS = ("api_handler", "review_tasks", "notifications", "bounces", "sweeper")
CONSUMED = {"review_tasks": "review-tasks", "notifications": "notifications"}


def _policy_of(stage: str, function: str) -> dict[str, Any]:
    """The policy document Chalice gives ``function``'s role in ``stage`` (as it resolves it)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    scopes = [config["stages"][stage].get("lambda_functions", {}).get(function, {}), config]
    scopes.insert(1, config["stages"][stage])
    name = next(scope["iam_policy_file"] for scope in scopes if "iam_policy_file" in scope)
    return dict(json.loads((ROOT / ".chalice" / name).read_text(encoding="utf-8")))


def _actions_on(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (action, resource)
        for statement in document["Statement"]
        for action in statement["Action"]
        for resource in statement["Resource"]
    }


@pytest.mark.parametrize("stage", STAGES)
def test_each_function_has_a_policy_of_its_own(stage: str) -> None:
    documents = [json.dumps(_policy_of(stage, function)) for function in LAMBDAS]
    assert len(set(documents)) == len(LAMBDAS), f"{stage}: functions share a policy"


# The only items the API deletes: the administration's (a committee member, a Project Officer,
# a focal point removed in the workspace), by their partitions; never a request's record.
ADMINISTRATION_PARTITIONS = ["COMMITTEE", "OFFICERS", "FOCAL"]


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_neither_consumes_queues_nor_mails_nor_deletes(stage: str) -> None:
    document = _policy_of(stage, "api_handler")
    unconditioned = {"Statement": [s for s in document["Statement"] if "Condition" not in s]}
    api = {action for action, _ in _actions_on(unconditioned)}
    for refused in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "ses:SendEmail",
                    "dynamodb:DeleteItem"):  # fmt: skip
        assert refused not in api, f"{stage}: the API is granted {refused}"
    deleting = [s for s in document["Statement"] if "dynamodb:DeleteItem" in s["Action"]]
    for statement in deleting:
        assert statement["Action"] == ["dynamodb:DeleteItem"]
        leading = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
        assert leading == ADMINISTRATION_PARTITIONS, f"{stage}: the API deletes elsewhere"
    resources = {resource for _, resource in _actions_on(_policy_of(stage, "api_handler"))}
    assert not [r for r in resources if r.endswith("/index/email-index")]  # erasure: operators


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("function", LAMBDAS)
def test_a_function_receives_only_from_the_queue_it_consumes(stage: str, function: str) -> None:
    received = {
        resource.rsplit(":", 1)[-1]
        for action, resource in _actions_on(_policy_of(stage, function))
        if action == "sqs:ReceiveMessage"
    }
    expected = {f"mieux-{stage}-{CONSUMED[function]}"} if function in CONSUMED else set()
    assert received == expected, f"{stage}/{function}"


@pytest.mark.parametrize("stage", STAGES)
def test_only_the_mail_worker_sends_mail_and_only_from_the_sender(stage: str) -> None:
    senders = [f for f in LAMBDAS if ("ses", "SendEmail") in _prefixed(_policy_of(stage, f))]
    assert senders == ["notifications"], f"{stage}: {senders} may send mail"
    (statement,) = [
        s for s in _policy_of(stage, "notifications")["Statement"] if "ses:SendEmail" in s["Action"]
    ]
    assert statement["Condition"] == {"StringEquals": {"ses:FromAddress": SENDER_PLACEHOLDER}}


def _prefixed(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {tuple(action.split(":", 1)) for action, _ in _actions_on(document)}  # type: ignore[misc]


def test_the_recorder_attributes_each_call_to_the_lambda_it_runs_in() -> None:
    assert _attributed("functions/workers/sweeper.py") == "sweeper"
    assert _attributed("functions/workers/notifications.py") == "notifications"
    assert _attributed("functions/web/intake.py") == "api_handler"
    assert _attributed("app.py") == "api_handler"
    # A test calling a use case directly: the Lambda that owns it, or nobody (not counted).
    assert _attributed("functions/services/sweep.py", "remind") == "sweeper"
    assert _attributed("functions/services/review.py", "dispatch_review") == "review_tasks"
    assert _attributed("functions/services/review.py", "settle_round") is None  # API and sweeper
    assert _attributed("functions/services/retention.py", "apply_retention") is None
    assert _attributed("tests/integration/test_policy.py") is None


def _attributed(path: str, name: str = "handler") -> str | None:
    """What the recorder says of a call made from a function defined in ``path``."""
    namespace: dict[str, Any] = {}
    code = f"def {name}(probe):\n    return probe()\n"
    exec(compile(code, str(ROOT / path), "exec"), namespace)  # a fixed probe
    found: str | None = namespace[name](lambda: aws_calls.lambda_of(sys._getframe(1)))
    return found


def test_a_call_granted_to_another_function_only_is_refused() -> None:
    send = ("ses:SendEmail", "arn:aws:ses:eu-west-1:123456789012:configuration-set/mieux-local")
    assert problems({("notifications", *send)}, whole_suite=False) == []
    (dev, prod) = problems({("api_handler", *send)}, whole_suite=False)
    assert dev.startswith("policy-dev-api_handler.json lacks:"), dev
    assert prod.startswith("policy-prod-api_handler.json lacks:"), prod


@pytest.mark.parametrize(("use_case", "owner"), aws_calls.OWNERS.items())
def test_a_use_case_credited_to_one_lambda_is_called_by_that_lambda_only(
    use_case: str, owner: str
) -> None:
    module, _, name = use_case.partition(":")
    callers = _callers(module, name or None)
    assert callers, f"nothing calls {use_case}: drop it from tests/aws_calls.OWNERS"
    for caller in callers:
        if owner == aws_calls.API and caller.startswith("functions/web/"):
            continue
        assert caller == f"functions/workers/{owner}.py" or aws_calls.OWNERS.get(caller) == owner, (
            f"{caller} calls {use_case} too: it is not {owner}'s alone (tests/aws_calls.OWNERS)"
        )


def _callers(module: str, name: str | None) -> set[str]:
    """Our modules (the operator command's aside) that import ``module`` and use ``name``."""
    dotted = module.removesuffix(".py").replace("/", ".")
    package, _, last = dotted.rpartition(".")
    found = set()
    for path in (ROOT / "functions").rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("functions/ops/") or relative == module:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported: set[str] = set()  # what the module imports from the target, by name
        imports_it = False
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == dotted:
                imports_it = True
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module == package:
                imports_it = imports_it or last in {alias.name for alias in node.names}
            elif isinstance(node, ast.Import):
                imports_it = imports_it or dotted in {alias.name for alias in node.names}
        used = imported | {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        if imports_it and (name is None or name in used):
            found.add(relative)
    return found
