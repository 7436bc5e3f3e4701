"""The link-signing keys: Secrets Manager in AWS (cached), the environment on a laptop.

A missing or empty key list fails closed: no link is minted or accepted without a key.

The secret's value (written by ``python -m infra.keys`` and by local provisioning)::

    {"keys": [{"key": "...", "created": "YYYY-MM-DD"}, ...], "address_key": "..."}

keys oldest first, each with the day it began signing (infra/keys.py retires a key only after
the longest-lived link it signed has expired); ``address_key`` keys the hash of a submitter's
address (the rate limiter) and never changes with a rotation. The old formats are still read:
comma-separated text (what the stack generates), a JSON list, ``{"keys": ["..."]}``. Without an
``address_key`` one is derived from the oldest key, and the first rotation writes it down
before that key can ever be dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from functools import lru_cache
from typing import Any, NamedTuple

from functions.adapters import aws
from functions.domain.errors import Unavailable
from functions.runtime.settings import get_settings

_CACHE_SECONDS = 300  # a rotated key is picked up within five minutes, at one call per container
_cache: dict[str, tuple[float, KeySet]] = {}


class KeySet(NamedTuple):
    """What the secret holds: the signing keys (oldest first), the day each began signing
    ("" when the old format did not say), and the key of the address hash."""

    keys: tuple[str, ...]
    created: tuple[str, ...]
    address_key: str

    def to_secret(self) -> str:
        """The secret's value in the current format."""
        entries = [
            {"key": key, "created": created}
            for key, created in zip(self.keys, self.created, strict=True)
        ]
        return json.dumps({"keys": entries, "address_key": self.address_key})


class MissingSigningKey(Unavailable):
    """No usable signing key (none configured, or the secret store failed): refuse to mint or
    read links. A dependency failure like any other: the caller answers 503 and may retry."""


def signing_keys() -> tuple[str, ...]:
    """The keys, oldest first: sign with the last, accept any (itsdangerous key rotation)."""
    return _key_set().keys


def address_key() -> str:
    """The key of the address hash (the rate limiter): its own, unchanged by rotations."""
    return _key_set().address_key


def _key_set() -> KeySet:
    settings = get_settings()
    if settings.signing_keys_secret_id:
        return _from_secrets_manager(settings.signing_keys_secret_id, settings.region)
    if not settings.is_local:
        raise MissingSigningKey("SIGNING_KEYS_SECRET_ID is required outside the local stage")
    return parse_secret(os.environ.get("SIGNING_KEYS", ""))


def _from_secrets_manager(secret_id: str, region: str) -> KeySet:
    cached = _cache.get(secret_id)
    if cached and time.monotonic() - cached[0] < _CACHE_SECONDS:
        return cached[1]
    try:
        answer = aws.client("secretsmanager", region).get_secret_value(SecretId=secret_id)
    except Exception as error:  # any failure of the store: fail closed, never fall back
        raise MissingSigningKey("the signing-key secret could not be read") from error
    keys = parse_secret(answer.get("SecretString", ""))
    _cache[secret_id] = (time.monotonic(), keys)
    return keys


@lru_cache(maxsize=8)
def parse_secret(raw: str) -> KeySet:
    """The secret's value in any of its formats (see the module's docstring), checked."""
    raw = raw.strip()
    entries: list[Any]
    address = ""
    try:
        if raw.startswith("{"):
            data = json.loads(raw)
            entries, address = list(data.get("keys", [])), str(data.get("address_key") or "")
        elif raw.startswith("["):
            entries = list(json.loads(raw))
        else:
            entries = raw.split(",")
        pairs = [_entry(entry) for entry in entries]
    except (ValueError, TypeError, AttributeError) as error:
        raise MissingSigningKey("the signing-key secret cannot be read") from error
    pairs = [(key, created) for key, created in pairs if key]
    if not pairs or any(len(key) < 32 for key, _ in pairs):
        raise MissingSigningKey("no signing key of at least 32 characters is configured")
    address = address.strip() or derived_address_key(pairs[0][0])
    if len(address) < 32:
        raise MissingSigningKey("the address key is shorter than 32 characters")
    keys, created = zip(*pairs, strict=True)
    return KeySet(tuple(keys), tuple(created), address)


def _entry(entry: Any) -> tuple[str, str]:
    if isinstance(entry, dict):
        return str(entry.get("key") or "").strip(), str(entry.get("created") or "")
    return str(entry or "").strip(), ""


def derived_address_key(oldest_key: str) -> str:
    """The address key of a secret that has none yet: derived from its oldest signing key
    (a separate key, not the signing key itself); the first rotation stores it for good."""
    digest = hmac.new(oldest_key.encode("utf-8"), b"mieux.address-key", hashlib.sha256)
    return digest.hexdigest()


def forget() -> None:
    """Drop cached keys (tests, and after a rotation when waiting is not wanted)."""
    _cache.clear()
