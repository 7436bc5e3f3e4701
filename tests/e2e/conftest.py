"""Fixtures of the browser and end-to-end tests (the stacks themselves: tests/e2e/helpers.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.local.run import LocalSystem
from tests.e2e.helpers import ARTIFACTS, CHROMIUM, SCREENSHOTS


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `sudo apt-get install -y chromium binutils`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot() -> Any:
    """Save a full-page screenshot under test-artifacts/screenshots/ (kept by the test report)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = True) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalSystem]:
    """``make run``'s stack on random free ports; its processes' output in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # one log per xdist worker
    log_name = f"local-stack-{worker}.log" if worker else "local-stack.log"
    # Every test's submissions and votes come from one loopback address: the hourly windows
    # (20 a window by default) would refuse the later tests' posts. The limit and its 429 page
    # are tested by test_form_browser.py (its own stack) and tests/integration.
    unlimited = {"RATE_LIMIT_PER_HOUR": "100000"}
    with (
        (ARTIFACTS / log_name).open("wb") as log,
        LocalSystem(output=log, extra_env=unlimited) as stack,
    ):
        yield stack
