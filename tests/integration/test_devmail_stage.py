"""The mailbox route exists in the local stage only, decided when app.py is imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = "import json, app; print(json.dumps(sorted(app.app.routes)))"


def routes_when_imported(stage: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "MIEUX_STAGE"}
    if stage is not None:
        env["MIEUX_STAGE"] = stage
    answer = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return list(json.loads(answer.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("stage", [None, "", "dev", "prod", "test"])
def test_no_mailbox_outside_the_local_stage(stage: str | None) -> None:
    routes = routes_when_imported(stage)
    assert "/health" in routes
    assert not [route for route in routes if route.startswith("/_dev")]


def test_the_mailbox_exists_in_the_local_stage() -> None:
    routes = routes_when_imported("local")
    assert {"/_dev/mail", "/_dev/mail.json"} <= set(routes)
