"""Each function's role policy against the AWS calls this run recorded (tests/aws_calls.py).

Every Lambda has a role of its own (``lambda_functions.<name>.iam_policy_file`` in each deployed
stage of ``.chalice/config.json``: ``policy-<stage>-<name>.json``). ``tests/conftest.py`` runs
:func:`problems` when the session ends, over the calls of every test of the run (each xdist
worker hands its recording to the controller), each call attributed to the function it runs in:
every call of a function must be granted by that function's policy, whatever part of the suite
ran; and when the whole suite ran and passed, every grant of a function must have been used by
some call of that function. No second run of the suite, no subprocess.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests.aws_calls import Call, Grant

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("dev", "prod")
LOCAL_PREFIX = "mieux-local"  # the stage tests/conftest.py provisions
# Chalice's names of the functions, each with its own role and policy (.chalice/config.json).
FUNCTIONS = ("api_handler", "review_tasks", "notifications", "bounces", "sweeper")
# The queue each SQS consumer's event source mapping polls.
CONSUMED = {"review_tasks": "review-tasks", "notifications": "notifications"}


def log_group(function: str) -> str:
    """The log group pattern of a function (Chalice names the API's Lambda after the stage)."""
    name = "mieux-{stage}" if function == "api_handler" else f"mieux-{{stage}}-{function}"
    return f"arn:aws:logs:*:*:log-group:/aws/lambda/{name}:*"


def platform(function: str) -> dict[Grant, str]:
    """Granted although no code of ours calls it: what AWS itself does with the function's role."""
    needs: dict[Grant, str] = {
        (action, log_group(function)): "Lambda writes the function's logs with its role"
        for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
    }
    if function in CONSUMED:
        queue = f"arn:aws:sqs:*:*:mieux-{{stage}}-{CONSUMED[function]}"
        needs |= {
            (action, queue): "the SQS event source mapping polls the queue with the consumer's role"
            for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
        }
    return needs


# The one grant not named after the stage: SES checks the sending identity, which is the
# operator's domain. `make deploy` narrows it to the domain of SENDER_EMAIL (infra/deploy.py
# rendered_policy); the configuration-set resource of the same grant pins the stage, and the
# statement's ses:FromAddress condition the sender.
SENDING_IDENTITY = ("ses:SendEmail", "arn:aws:ses:*:*:identity/*")
# The staff user pool's id is generated, so the policy cannot name it: its grants are on any
# pool, with the condition that the pool carries the stage's tag (infra/stack.yaml
# ``UserPoolTags``; tests/integration/test_policy.py checks the condition).
STAFF_USER_POOL = "arn:aws:cognito-idp:*:*:userpool/*"
STAFF_POOL_TAG = "aws:ResourceTag/mieux-stage"


def _config() -> dict[str, Any]:
    return dict(json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8")))


def policy_file(stage: str, function: str) -> str:
    """The policy file Chalice gives ``function``'s role in ``stage`` (function, stage, top)."""
    config = _config()
    stage_config = config["stages"][stage]
    for scope in (stage_config.get("lambda_functions", {}).get(function, {}), stage_config, config):
        if "iam_policy_file" in scope:
            return str(scope["iam_policy_file"])
    return f"policy-{stage}.json"  # Chalice's default


def policy(stage: str, function: str) -> dict[str, Any]:
    """The policy document of ``function``'s role in ``stage``."""
    path = ROOT / ".chalice" / policy_file(stage, function)
    return dict(json.loads(path.read_text(encoding="utf-8")))


def granted(stage: str, function: str) -> set[Grant]:
    """Every (action, resource pattern) pair the function's policy allows in the stage."""
    pairs: set[Grant] = set()
    for statement in policy(stage, function)["Statement"]:
        assert statement["Effect"] == "Allow", statement
        actions = statement["Action"]
        resources = statement["Resource"]
        for action in [actions] if isinstance(actions, str) else actions:
            for resource in [resources] if isinstance(resources, str) else resources:
                pairs.add((action, resource))
    return pairs


def for_stage(grants: set[Grant], stage: str) -> set[Grant]:
    """The recorded grants with the local stage's names replaced by ``stage``'s."""
    return {(action, arn.replace(LOCAL_PREFIX, f"mieux-{stage}")) for action, arn in grants}


def of_function(recorded: set[Call], function: str) -> set[Grant]:
    """The recorded calls made in ``function``."""
    return {(action, arn) for name, action, arn in recorded if name == function}


def allows(pairs: set[Grant], action: str, arn: str) -> bool:
    """True if one of ``pairs`` grants ``action`` on ``arn``."""
    return any(action == a and fnmatchcase(arn, pattern) for a, pattern in pairs)


def not_granted(recorded: set[Call], stage: str, function: str) -> list[str]:
    """The calls of ``function`` its policy would refuse."""
    pairs = granted(stage, function)
    return sorted(
        f"{action} on {arn}"
        for action, arn in for_stage(of_function(recorded, function), stage)
        if not allows(pairs, action, arn)
    )


def never_used(recorded: set[Call], stage: str, function: str) -> list[str]:
    """The grants of ``function`` (Lambda's own needs aside) that none of its calls used."""
    calls = for_stage(of_function(recorded, function), stage)
    own = {(a, r.format(stage=stage)) for a, r in platform(function)}
    return sorted(
        f"{action} on {pattern}"
        for action, pattern in granted(stage, function) - own
        if not any(action == a and fnmatchcase(arn, pattern) for a, arn in calls)
    )


def problems(recorded: set[Call], whole_suite: bool) -> list[str]:
    """What is wrong with each function's policy in each stage, given the calls of this run."""
    found = []
    if whole_suite and not recorded:
        found.append("the suite made no AWS call from functions/: is the recorder installed?")
    unknown = sorted({name for name, _, _ in recorded} - set(FUNCTIONS))
    if unknown:
        found.append(f"calls attributed to no function of .chalice/config.json: {unknown}")
    for stage in STAGES:
        for function in FUNCTIONS:
            name = policy_file(stage, function)
            missing = not_granted(recorded, stage, function)
            if missing:
                found.append(f"{name} lacks:\n  " + "\n  ".join(missing))
            unused = never_used(recorded, stage, function) if whole_suite else []
            if unused:
                found.append(
                    f"{name} grants what no test saw {function} call (remove it, or add the "
                    "test that makes the call through the function):\n  " + "\n  ".join(unused)
                )
    return found


def whole_suite(config: pytest.Config) -> bool:
    """True if this session selected every test (so every call the app makes was made)."""
    targets = {Path(arg.split("::")[0]).resolve() for arg in config.args}
    return (
        targets <= {ROOT, ROOT / "tests"}
        and not any("::" in arg for arg in config.args)
        and not (config.option.keyword or config.option.markexpr)
        and not (config.getoption("deselect", None) or config.getoption("lf", False))
        and not config.getoption("ignore", None)
    )
