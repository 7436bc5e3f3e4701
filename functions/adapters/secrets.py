"""The link-signing keys: Secrets Manager in AWS (cached), the environment on a laptop.

A missing or empty key list fails closed: no link is minted or accepted without a key.
"""

from __future__ import annotations

import json
import os
import time
from functools import lru_cache

from functions.adapters import aws
from functions.domain.errors import Unavailable
from functions.runtime.settings import get_settings

_CACHE_SECONDS = 300  # a rotated key is picked up within five minutes, at one call per container
_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


class MissingSigningKey(Unavailable):
    """No usable signing key (none configured, or the secret store failed): refuse to mint or
    read links. A dependency failure like any other: the caller answers 503 and may retry."""


def signing_keys() -> tuple[str, ...]:
    """The keys, oldest first: sign with the last, accept any (itsdangerous key rotation)."""
    settings = get_settings()
    if settings.signing_keys_secret_id:
        return _from_secrets_manager(settings.signing_keys_secret_id, settings.region)
    if not settings.is_local:
        raise MissingSigningKey("SIGNING_KEYS_SECRET_ID is required outside the local stage")
    return _parse(os.environ.get("SIGNING_KEYS", ""))


def _from_secrets_manager(secret_id: str, region: str) -> tuple[str, ...]:
    cached = _cache.get(secret_id)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    try:
        answer = aws.client("secretsmanager", region).get_secret_value(SecretId=secret_id)
    except Exception as error:  # any failure of the store: fail closed, never fall back
        raise MissingSigningKey("the signing-key secret could not be read") from error
    keys = _parse(answer.get("SecretString", ""))
    _cache[secret_id] = (time.monotonic(), keys)
    return keys


@lru_cache(maxsize=8)
def _parse(raw: str) -> tuple[str, ...]:
    """Accept ``{"keys": [...]}`` (oldest first), a JSON list, or comma-separated text."""
    raw = raw.strip()
    keys: list[str]
    if raw.startswith("{"):
        keys = list(json.loads(raw).get("keys", []))
    elif raw.startswith("["):
        keys = list(json.loads(raw))
    else:
        keys = [part for part in raw.split(",")]
    keys = [key.strip() for key in keys if key and key.strip()]
    if not keys or any(len(key) < 32 for key in keys):
        raise MissingSigningKey("no signing key of at least 32 characters is configured")
    return tuple(keys)


def forget() -> None:
    """Drop cached keys (tests, and after a rotation when waiting is not wanted)."""
    _cache.clear()
