"""boto3 clients, created once per container and shared by every adapter."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Standard retry mode backs off on throttling with jitter; the Lambda timeout bounds the total.
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4}, connect_timeout=3, read_timeout=10
)


def client(service: str, region: str) -> Any:
    """A client for ``service``; the endpoint follows ``AWS_ENDPOINT_URL`` (the local stack)."""
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL", ""))


@cache
def _client(service: str, region: str, endpoint: str) -> Any:
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint or None, config=_CONFIG
    )


def reset_clients() -> None:
    """Forget every client (tests start a fresh moto backend for each case)."""
    _client.cache_clear()
