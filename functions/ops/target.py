"""Which stage the operator command works on: the environment, an env file, or a deployed stack."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path


def stage_environment(stage: str, profile: str | None, region: str | None) -> dict[str, str]:
    """The settings of a deployed stage, read from the outputs of its stack ``mieux-<stage>``.

    Uses the same output-to-setting mapping as ``make deploy`` (infra/deploy.py), plus the two
    dead-letter queues, which only operators read.
    """
    from infra.deploy import stage_environment as from_outputs
    from infra.deploy import stage_outputs

    outputs, used_region = stage_outputs(stage, profile, region)
    if not outputs:
        raise LookupError(f"no stack mieux-{stage} in {used_region}")
    # An output the stack lacks (moto skips some resources) is an empty setting, not a crash:
    # the operator command needs the table and the queues, which every stack has.
    env = from_outputs(defaultdict(str, outputs))
    env["REVIEW_DLQ_URL"] = outputs.get("ReviewDeadLetterQueueUrl", "")
    env["NOTIFY_DLQ_URL"] = outputs.get("NotifyDeadLetterQueueUrl", "")
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = used_region
    if profile:
        env["AWS_PROFILE"] = profile
    return env


def env_file(path: Path) -> dict[str, str]:
    """The settings in a JSON file (``make run`` writes the local stack's: build/local/env.json)."""
    values = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(values, dict):
        raise ValueError(f"{path} must hold a JSON object of settings")
    return {str(k): str(v) for k, v in values.items()}


def apply(env: dict[str, str]) -> None:
    """Put the settings into this process's environment, before any client is made."""
    os.environ.update(env)
    if "AWS_ENDPOINT_URL" not in env and "AWS_PROFILE" in env:
        # A real stage: an endpoint left over from the local stack would send calls to moto.
        os.environ.pop("AWS_ENDPOINT_URL", None)
