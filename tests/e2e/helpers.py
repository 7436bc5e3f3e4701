"""Real HTTP stacks on free loopback ports of this machine, and talking to them.

- :func:`live_stack`: moto's server (its own process), the stage provisioned in it from
  infra/stack.yaml, and the app under `chalice local` (the form's tests: no queue workers);
- ``infra.local.run.LocalSystem``: exactly what ``make run`` starts, for the end-to-end flows.

Every process runs on ports chosen free at start, and moto runs in a process of its own (never
in the test process, whose in-process moto state the ``stack`` fixture restores before each
test): xdist workers can each run their own stacks at once.
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
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import boto3

from infra.local.run import LocalSystem

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
MAIL_WAIT = 30.0  # seconds for the workers to turn a step into mail (the pollers wait 1 s)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Poll ``url`` until it answers (any HTTP status), the process dies, or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode} while starting")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)


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


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def live_stack() -> Iterator[LiveStack]:
    """moto server + provisioned stage + `chalice local --stage test`, stopped on exit."""
    from infra.local.provision import provision

    moto_port, app_port = free_port(), free_port()
    endpoint = f"http://127.0.0.1:{moto_port}"
    app_url = f"http://127.0.0.1:{app_port}"
    moto = subprocess.Popen(
        [sys.executable, "-m", "infra.local.moto_server", "-H", "127.0.0.1", "-p", str(moto_port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"{endpoint}/moto-api/data.json", moto)
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
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(f"{app_url}/health", server)
            yield LiveStack(app_url, env, endpoint)
        finally:
            _stop(server)
    finally:
        _stop(moto)


def aws(stack: LocalSystem, service: str) -> Any:
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


@cache
def _axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def no_violations(page: Any, where: str) -> None:
    """Fail, naming each rule and its first elements, if axe-core finds a violation."""
    results = _axe().run(page)
    details = [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]
    assert results.violations_count == 0, f"{where}: {details}"


def all_mail(base_url: str) -> list[dict[str, Any]]:
    """Every email of the stack's mailbox, newest first, following its ``older`` links."""
    mail: dict[str, dict[str, Any]] = {}
    path: str | None = "/_dev/mail.json?per_page=100"
    while path:
        with urllib.request.urlopen(f"{base_url}{path}", timeout=30) as got:
            page = json.loads(got.read())
        for message in page["mail"]:  # mail sent meanwhile moves older ones to the next page
            mail.setdefault(message["id"], message)
        path = page["older"]
    return list(mail.values())


class Mailbox:
    """The stack's mailbox, seen through ``/_dev/mail.json``, filtered to one scenario."""

    def __init__(self, stack: LocalSystem, reference: str = "") -> None:
        self.stack = stack
        self.reference = reference  # only mail about this request (the stack is shared)

    def all(self) -> list[dict[str, Any]]:
        """Every email, newest first, page after page of ``/_dev/mail.json``."""
        return all_mail(self.stack.base_url)

    def to(self, address: str) -> list[dict[str, Any]]:
        """Mail whose recipients include ``address``, oldest first."""
        found = [
            m
            for m in self.all()
            if any(address in r for r in m["to"]) and self.reference in m["subject"] + m["text"]
        ]
        return sorted(found, key=lambda m: m["sequence"])

    def settled(self) -> bool:
        """True when no message waits, is in flight or delayed on the stack's work queues.

        The workers send a mail before they delete its message, and queue the next step's
        messages before deleting the one that caused them: once both queues are empty, every
        mail (and every duplicate) that is coming has come.
        """
        sqs = aws(self.stack, "sqs")
        counts = [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ]
        for queue in ("REVIEW_QUEUE_URL", "NOTIFY_QUEUE_URL"):
            got = sqs.get_queue_attributes(QueueUrl=self.stack.env[queue], AttributeNames=counts)
            if any(int(value) for value in got["Attributes"].values()):
                return False
        return True

    def wait_for(self, address: str, count: int) -> list[dict[str, Any]]:
        """Wait until ``address`` has ``count`` emails and the queues are empty (no duplicate
        can still come), polling with a deadline."""
        deadline = time.monotonic() + MAIL_WAIT
        while time.monotonic() < deadline:
            if len(self.to(address)) >= count and self.settled():
                break
            time.sleep(0.2)
        mail = self.to(address)
        assert len(mail) == count, [m["subject"] for m in mail]
        return mail


def link_in(mail: dict[str, Any], base_url: str, path: str) -> str:
    links: list[str] = mail["links"]
    [link, *_] = [link for link in links if link.startswith(f"{base_url}{path}")]
    return link
