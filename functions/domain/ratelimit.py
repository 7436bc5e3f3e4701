"""Rate windows: what each one counts, and which client addresses count as one.

Every state-changing POST is counted in an hourly window of its own purpose (:class:`Window`)
per client address, so one route's traffic does not use up another's.

An IPv4 address is one client. An IPv6 host is usually given a whole /64 (SLAAC, privacy
addresses that change every day), so an address inside it is as cheap as a new port: the /64 is
the client, as in the rate limiters of Cloudflare and nginx deployments and RFC 6177's advice.
An IPv4 address mapped into IPv6 (``::ffff:192.0.2.7``) is the IPv4 address.
"""

from __future__ import annotations

import ipaddress
from enum import StrEnum

IPV6_PREFIX = 64


class Window(StrEnum):
    """What a rate window counts: one per state-changing route."""

    SUBMISSION = "submission"  # POST /requests (its stored key has no purpose: see keys.rate)
    VOTE = "vote"  # POST /review/{token}
    ANSWER = "answer"  # POST /requests/{id}/answer
    WITHDRAWAL = "withdrawal"  # POST /requests/{id}/withdraw
    UPLOAD = "upload"  # POST /attachments/confirm, /attachments/confirmations (issue 20)
    EVALUATION = "evaluation"  # POST /evaluate/{token}
    # POST /evaluate/room/{token}: a room's participants often share one address (the venue's
    # network), so this window allows a whole room (services/evaluation.py's ROOM_CAP).
    EVALUATION_ROOM = "evaluation_room"
    SIGN_IN = "sign_in"  # POST /staff/sign-in (and its challenge steps): guessing passwords
    REGISTRATION = "registration"  # POST /experts
    FOCAL_ANSWER = "focal_answer"  # POST /experts/confirm/{token}
    INVITATION_ANSWER = "invitation_answer"  # POST /experts/invitation/{token}
    LEAVING = "leaving"  # POST /experts/me/leave
    PROFILE = "profile"  # POST /experts/me/edit


def rate_address(address: str) -> str:
    """The address as a rate window counts it: IPv4 as it is, IPv6 as its /64 (anything that
    is not an address, such as ``unknown``, as it is)."""
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)
