"""The Lambda role's policy against the AWS calls this run recorded (tests/aws_calls.py).

``tests/conftest.py`` runs :func:`problems` when the session ends, over the calls of every test
of the run (each xdist worker hands its recording to the controller): every call must be
granted, whatever part of the suite ran; and when the whole suite ran and passed, every grant
must have been used by some call. No second run of the suite, no subprocess.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from tests.aws_calls import Grant

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("dev", "prod")
LOCAL_PREFIX = "mieux-local"  # the stage tests/conftest.py provisions

# Granted although no code of ours calls it: what AWS itself does with the function's role.
PLATFORM: dict[Grant, str] = {
    **{
        (action, f"arn:aws:logs:*:*:log-group:/aws/lambda/mieux-{{stage}}{suffix}"): (
            "Lambda writes each function's logs with its role"
        )
        for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
        for suffix in (":*", "-*:*")
    },
    **{
        (action, f"arn:aws:sqs:*:*:mieux-{{stage}}-{queue}"): (
            "the SQS event source mapping polls the queue with the consumer's role"
        )
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
        for queue in ("review-tasks", "notifications")
    },
}

# The one grant not named after the stage: SES checks the sending identity, which is the
# operator's domain. `make deploy` narrows it to the domain of SENDER_EMAIL (infra/deploy.py
# rendered_policy); the configuration-set resource of the same grant pins the stage.
SENDING_IDENTITY = ("ses:SendEmail", "arn:aws:ses:*:*:identity/*")


def policy(stage: str) -> dict[str, Any]:
    path = ROOT / ".chalice" / f"policy-{stage}.json"
    return dict(json.loads(path.read_text(encoding="utf-8")))


def granted(stage: str) -> set[Grant]:
    """Every (action, resource pattern) pair the stage's policy allows."""
    pairs: set[Grant] = set()
    for statement in policy(stage)["Statement"]:
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


def allows(pairs: set[Grant], action: str, arn: str) -> bool:
    """True if one of ``pairs`` grants ``action`` on ``arn``."""
    return any(action == a and fnmatchcase(arn, pattern) for a, pattern in pairs)


def not_granted(recorded: set[Grant], stage: str) -> list[str]:
    """The calls the stage's policy would refuse."""
    pairs = granted(stage)
    return sorted(
        f"{action} on {arn}"
        for action, arn in for_stage(recorded, stage)
        if not allows(pairs, action, arn)
    )


def never_used(recorded: set[Grant], stage: str) -> list[str]:
    """The grants (Lambda's own needs aside) that no recorded call used."""
    calls = for_stage(recorded, stage)
    platform = {(a, r.format(stage=stage)) for a, r in PLATFORM}
    return sorted(
        f"{action} on {pattern}"
        for action, pattern in granted(stage) - platform
        if not any(action == a and fnmatchcase(arn, pattern) for a, arn in calls)
    )


def problems(recorded: set[Grant], whole_suite: bool) -> list[str]:
    """What is wrong with each stage's policy, given the calls of this run."""
    found = []
    if whole_suite and not recorded:
        found.append("the suite made no AWS call from functions/: is the recorder installed?")
    for stage in STAGES:
        missing = not_granted(recorded, stage)
        if missing:
            found.append(f"policy-{stage}.json lacks:\n  " + "\n  ".join(missing))
        unused = never_used(recorded, stage) if whole_suite else []
        if unused:
            found.append(
                f"policy-{stage}.json grants what no test saw the app call (remove it, or add "
                "the test that makes the call):\n  " + "\n  ".join(unused)
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
