"""Addresses that must not be mailed again: they bounced for good, or their owner complained.

Only a SHA-256 of the lower-cased address is stored, never the address itself: the list answers
"may we mail this address?" without becoming a second copy of anyone's personal data.
"""

from __future__ import annotations

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.mail import email_hash


def is_suppressed(address: str) -> bool:
    """True if mail to ``address`` bounced permanently or drew a complaint (one GetItem)."""
    return repository().is_suppressed(email_hash(address))


def suppress(address: str, reason: str) -> bool:
    """Record that ``address`` must not be mailed again; False if it already was (one PutItem).

    The first reason is kept: a redelivered or later notice changes nothing.
    """
    return repository().suppress(email_hash(address), reason, clock.iso(clock.now()))
