"""A short load run in `make test` (`make load` is the long one): nothing lost, no server error.

Timings are reported by `make load`, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_a_short_steady_and_burst_run_loses_nothing(tmp_path: Path) -> None:
    report_file = tmp_path / "load.json"
    # In its own interpreter: the browser tests' Playwright keeps an event loop in this one.
    command = [sys.executable, "-m", "infra.load.run", "--duration", "10", "--rate", "3"]
    run = subprocess.run(
        [*command, "--json", str(report_file)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["accepted"] > 0 and [r["server_errors"] for r in report["runs"]] == [0, 0]
    assert report["stored"] == report["under_review"] == report["accepted"]
    assert report["emails"] == report["emails_expected"] == 4 * report["accepted"]
    assert report["lost"] == 0
