"""Invariants between .chalice/config.json, the policies and infra/stack.yaml (no AWS needed)."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from infra.local.provision import load_template

ROOT = Path(__file__).resolve().parents[2]
DEPLOYED = ("dev", "prod")
# Each queue and the Lambda that consumes it (Chalice's function names).
CONSUMERS = {"ReviewTasksQueue": "review_tasks", "NotificationsQueue": "notifications"}
WORKERS = ("review_tasks", "notifications", "sweeper", "bounces")
SECRET_NAME = re.compile(r"KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL|PRIVATE", re.IGNORECASE)


def config() -> dict[str, Any]:
    return dict(json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8")))


def setting(stage: str, function: str, name: str) -> Any:
    """A Chalice setting as Chalice resolves it: function, then stage, then top level."""
    top = config()
    scopes = [
        top["stages"][stage].get("lambda_functions", {}).get(function, {}),
        top["stages"][stage],
        top,
    ]
    for scope in scopes:
        if name in scope:
            return scope[name]
    return None


def queues() -> dict[str, dict[str, Any]]:
    resources = load_template()["Resources"]
    return {k: v["Properties"] for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"}


@pytest.mark.parametrize("stage", DEPLOYED)
@pytest.mark.parametrize(("queue", "function"), CONSUMERS.items())
def test_visibility_is_six_times_the_consumers_timeout(
    stage: str, queue: str, function: str
) -> None:
    timeout = setting(stage, function, "lambda_timeout")
    assert timeout, f"{stage}/{function} has no lambda_timeout"
    assert int(queues()[queue]["VisibilityTimeout"]) >= 6 * int(timeout)


def test_every_queue_has_a_dlq_that_keeps_messages_longer() -> None:
    all_queues = queues()
    sources = {
        k: v for k, v in all_queues.items() if not v["QueueName"]["Fn::Sub"].endswith("-dlq")
    }
    assert set(CONSUMERS) <= set(sources)
    for name, properties in sources.items():
        redrive = properties.get("RedrivePolicy")
        assert redrive, f"{name} has no dead-letter queue"
        assert int(redrive["maxReceiveCount"]) >= 5, name
        (dlq, attribute) = redrive["deadLetterTargetArn"]["Fn::GetAtt"]
        assert attribute == "Arn"
        dead = all_queues[dlq]
        assert dead["QueueName"]["Fn::Sub"] == properties["QueueName"]["Fn::Sub"] + "-dlq"
        assert int(dead["MessageRetentionPeriod"]) > int(properties["MessageRetentionPeriod"])
        assert properties["SqsManagedSseEnabled"] and dead["SqsManagedSseEnabled"]


def _looks_random(value: str) -> bool:
    """Long, unbroken and high-entropy: how keys and tokens look (names and URLs do not)."""
    if len(value) < 24 or re.search(r"[\s/:.@-]", value):
        return False
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy > 3.5


def _all_environments() -> list[tuple[str, str, str]]:
    top = config()
    found = [("(all)", k, v) for k, v in top.get("environment_variables", {}).items()]
    for stage, body in top["stages"].items():
        found += [(stage, k, v) for k, v in body.get("environment_variables", {}).items()]
        for function, settings in body.get("lambda_functions", {}).items():
            variables = settings.get("environment_variables", {})
            found += [(f"{stage}/{function}", k, v) for k, v in variables.items()]
    return found


def test_no_secret_looking_value_in_environment_variables() -> None:
    for where, name, value in _all_environments():
        if SECRET_NAME.search(name):
            # Only a pointer to the secret store, never a value.
            assert name.endswith("_SECRET_ID"), f"{where}: {name} looks like a secret"
            assert re.fullmatch(r"mieux-[a-z]+-[a-z-]+", value), f"{where}: {name}={value!r}"
        assert not _looks_random(str(value)), f"{where}: {name} has a key-like value"


def test_the_random_value_check_can_fail() -> None:
    assert _looks_random("3f9a1c0b7e2d4a6b8c0e1f2a3b4c5d6e7f8091a2")
    assert not _looks_random("mieux-prod-signing-keys")
    assert not _looks_random("https://sqs.eu-west-1.amazonaws.com/123456789012/mieux-dev")


@pytest.mark.parametrize("stage", DEPLOYED)
def test_workers_have_reserved_concurrency(stage: str) -> None:
    for function in WORKERS:
        reserved = setting(stage, function, "reserved_concurrency")
        assert isinstance(reserved, int) and reserved >= 1, f"{stage}/{function}"
    for function in CONSUMERS.values():
        # Below 5 the SQS poller is throttled and messages reach the DLQ unprocessed (AWS's advice).
        assert setting(stage, function, "reserved_concurrency") >= 5, f"{stage}/{function}"


@pytest.mark.parametrize("stage", DEPLOYED)
@pytest.mark.parametrize("function", ("api_handler", *WORKERS))
def test_deployed_functions_use_their_own_hand_written_policy(stage: str, function: str) -> None:
    assert setting(stage, function, "autogen_policy") is False
    policy_file = setting(stage, function, "iam_policy_file")
    assert policy_file == f"policy-{stage}-{function}.json"
    assert (ROOT / ".chalice" / policy_file).exists()


@pytest.mark.parametrize("stage", DEPLOYED)
def test_deployed_stages_name_no_shared_policy(stage: str) -> None:
    # A function left out of lambda_functions must fail the package, not inherit another's role.
    assert "iam_policy_file" not in config()["stages"][stage]
    assert "iam_policy_file" not in config()


@pytest.mark.parametrize("stage", DEPLOYED)
def test_deployed_stages_set_their_stage(stage: str) -> None:
    variables = config()["stages"][stage]["environment_variables"]
    assert variables["MIEUX_STAGE"] == stage
    assert "SIGNING_KEYS" not in variables  # local only: settings refuse it in AWS
