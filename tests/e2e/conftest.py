"""The whole local stack (moto, chalice local, the workers) on free loopback ports."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from infra.local.run import LocalStack

ROOT = Path(__file__).resolve().parents[2]
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
