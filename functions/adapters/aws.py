"""botocore clients, created once per container from one session shared by every adapter.

One session (and not boto3) because each botocore session loads and parses its own copy of the
endpoint data and service models on a cold start, and ``import boto3`` also imports s3transfer:
together they made the cold start of the API Lambda twice the floor. pynamodb uses this session
too (see ``adapters/dynamodb/models.py``).
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

# Standard retry mode backs off on throttling with jitter; the Lambda timeout bounds the total.
# No client-side parameter validation (botocore's documented switch "for performance"): the
# service validates every request anyway, and pynamodb's DynamoDB client already runs without it.
_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 4},
    connect_timeout=3,
    read_timeout=10,
    parameter_validation=False,
)

# Presigned S3 links and POSTs signed with SigV4 (botocore would otherwise presign the legacy
# way, which newer regions refuse), on the bucket's own host; on a local endpoint (moto) by
# path, as a browser cannot resolve <bucket>.127.0.0.1.
_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))
_LOCAL_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "path"}))


@cache
def session() -> botocore.session.Session:
    """The container's botocore session: its loader caches models across every client."""
    return botocore.session.get_session()


def client(service: str, region: str) -> Any:
    """A client for ``service``; the endpoint follows ``AWS_ENDPOINT_URL`` (the local stack)."""
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL", ""))


@cache
def _client(service: str, region: str, endpoint: str) -> Any:
    return session().create_client(
        service,
        region_name=region,
        endpoint_url=endpoint or None,
        config=_config_of(service, endpoint),
    )


def _config_of(service: str, endpoint: str) -> Config:
    if service != "s3":
        return _CONFIG
    return _LOCAL_S3_CONFIG if endpoint else _S3_CONFIG


def reset_clients() -> None:
    """Forget every client (tests start a fresh moto backend for each case)."""
    _client.cache_clear()
    session.cache_clear()
