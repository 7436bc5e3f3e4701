"""A short load run in `make test` (`make load` is the long one): nothing lost, no server error.

Timings are reported by `make load`, never asserted here.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from infra.load.run import main


@pytest.mark.slow
def test_a_short_steady_and_burst_run_loses_nothing(tmp_path: Path) -> None:
    report_file = tmp_path / "load.json"
    # In a thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        args = ["--duration", "10", "--rate", "3", "--json", str(report_file)]
        assert pool.submit(main, args).result() == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    assert report["accepted"] > 0 and [r["server_errors"] for r in report["runs"]] == [0, 0]
    assert report["stored"] == report["under_review"] == report["accepted"]
    assert report["emails"] == report["emails_expected"] == 4 * report["accepted"]
    assert report["lost"] == 0


@pytest.mark.slow
def test_a_short_run_with_killed_workers_and_throttling_loses_nothing(tmp_path: Path) -> None:
    report_file = tmp_path / "faults.json"
    args = ["--faults", "--profiles", "steady", "--duration", "6", "--rate", "2"]
    args += ["--kill-every", "2", "--json", str(report_file)]
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(main, args).result() == 0
    report = json.loads(report_file.read_text(encoding="utf-8"))
    faults = report["faults"]
    assert faults["worker_kills"] >= 1 and not faults["killer_error"]
    assert sum(faults["aws_requests_throttled"].values()) > 0
    assert report["accepted"] > 0 and report["server_errors"] == 0
    assert report["stored"] == report["under_review"] == report["accepted"]
    assert report["emails_missing"] == 0 and report["emails_twice_unexplained"] == 0
    assert report["emails_distinct"] == 4 * report["accepted"]
    assert report["dead_letters"] == 0 and report["lost"] == 0
