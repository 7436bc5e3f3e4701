"""Addresses that must not be mailed again: they bounced for good, or their owner complained.

Only a SHA-256 of the lower-cased address is stored, never the address itself: the list answers
"may we mail this address?" without becoming a second copy of anyone's personal data.
"""

from __future__ import annotations

import hashlib

from pynamodb.attributes import UnicodeAttribute

from functions.adapters import store
from functions.domain import clock


class SuppressionItem(store.TableItem, discriminator="suppression"):
    """One suppressed address, by hash: why (``bounce`` or ``complaint``) and since when."""

    reason = UnicodeAttribute()
    at = UnicodeAttribute()


def address_key(address: str) -> str:
    """The partition of an address's suppression: a hash, so the address is not stored."""
    digest = hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()
    return f"SUPPRESS#{digest}"


def is_suppressed(address: str) -> bool:
    """True if mail to ``address`` bounced permanently or drew a complaint (one GetItem)."""
    return store.get(SuppressionItem, address_key(address), "SUPPRESS") is not None


def suppress(address: str, reason: str) -> bool:
    """Record that ``address`` must not be mailed again; False if it already was (one PutItem).

    The first reason is kept: a redelivered or later notice changes nothing.
    """
    item = SuppressionItem(
        address_key(address), "SUPPRESS", reason=reason, at=clock.iso(clock.now())
    )
    return store.save_new(item)
