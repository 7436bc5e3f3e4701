"""Real HTTP stacks for the browser tests, each on free loopback ports of this machine:

- ``live``: moto's server, the stage provisioned in it from infra/stack.yaml, and the app under
  `chalice local` (the form's tests: no queue workers needed);
- ``local_stack``: exactly what ``make run`` starts (moto, chalice local, the queue workers and
  the sweeper), for the end-to-end flows.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.run import LocalStack

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


@dataclass
class LiveStack:
    """The app's base URL and the table behind it."""

    url: str
    env: dict[str, str]
    endpoint: str

    def dynamodb(self) -> Any:
        return boto3.client("dynamodb", region_name="eu-west-1", endpoint_url=self.endpoint)

    def items_of_kind(self, kind: str) -> list[dict[str, Any]]:
        pages = self.dynamodb().get_paginator("scan").paginate(TableName=self.env["TABLE_NAME"])
        return [i for p in pages for i in p["Items"] if i.get("kind", {}).get("S") == kind]

    def forget_rate_limits(self) -> None:
        """Let the next test post again (every browser here has the same address)."""
        for item in self.items_of_kind("rate"):
            self.dynamodb().delete_item(
                TableName=self.env["TABLE_NAME"], Key={"pk": item["pk"], "sk": item["sk"]}
            )


@pytest.fixture(scope="session")
def live() -> Iterator[LiveStack]:
    """moto server + provisioned stage + `chalice local --stage test`, for the whole session."""
    from moto.server import ThreadedMotoServer

    from infra.local.provision import provision

    moto_port, app_port = free_port(), free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{moto_port}"
    app_url = f"http://127.0.0.1:{app_port}"
    env = provision(stage="local", public_base_url=app_url, endpoint_url=endpoint)
    env.update({"MIEUX_STAGE": "test", "AWS_ENDPOINT_URL": endpoint})
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "chalice"),
            "local",
            "--stage",
            "test",
            "--no-autoreload",
            "--host",
            "127.0.0.1",
            "--port",
            str(app_port),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(f"{app_url}/health")
        yield LiveStack(app_url, env, endpoint)
    finally:
        server.terminate()
        server.wait(timeout=10)
        moto.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `apt-get install chromium` (.ci/run does it)")
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


ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def local_stack() -> Iterator[LocalStack]:
    """``make run``'s stack on random free ports; its processes' output in test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "local-stack.log").open("wb") as log, LocalStack(output=log) as stack:
        yield stack


def aws(stack: LocalStack, service: str) -> Any:
    """A boto3 client on the stack's moto server."""
    return boto3.client(
        service,
        region_name="eu-west-1",
        endpoint_url=stack.moto_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def http(method: str, url: str, body: Any = None) -> tuple[int, dict[str, str], bytes]:
    """One real HTTP request; JSON in, (status, headers, body) out; no redirect is followed."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
