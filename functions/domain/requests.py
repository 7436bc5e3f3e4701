"""The life of a request: its statuses, the moves between them, and its reference number."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Where a request stands. Every change is a conditional write on the previous status."""

    SUBMITTED = "submitted"  # stored (or answered); the round's review task is being published
    UNDER_REVIEW = "under_review"  # the committee has been asked
    INFORMATION_REQUESTED = "information_requested"  # waiting for the partner's answer
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by the partner
    CLOSED = "closed"  # an information request expired unanswered


FINAL = frozenset({Status.APPROVED, Status.REJECTED, Status.WITHDRAWN, Status.CLOSED})

ALLOWED: dict[Status, frozenset[Status]] = {
    Status.SUBMITTED: frozenset({Status.UNDER_REVIEW, Status.WITHDRAWN}),
    Status.UNDER_REVIEW: frozenset(
        {Status.APPROVED, Status.REJECTED, Status.INFORMATION_REQUESTED, Status.WITHDRAWN}
    ),
    # The partner's answer sends the request back to "submitted" in a new round, so the same
    # publish-and-recover path that serves new requests serves answered ones.
    Status.INFORMATION_REQUESTED: frozenset({Status.SUBMITTED, Status.WITHDRAWN, Status.CLOSED}),
    Status.APPROVED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.CLOSED: frozenset(),
}


def can_move(current: Status, target: Status) -> bool:
    """True when the lifecycle allows going from ``current`` to ``target``."""
    return target in ALLOWED[current]


def format_reference(year: int, number: int) -> str:
    """The human reference of a request: ``MX-2026-0042`` (more digits past 9999)."""
    return f"MX-{year}-{number:04d}"


def document_fingerprint(document: dict[str, Any]) -> str:
    """A stable hash of a request's content, to tell a resubmission from a different request."""
    content = {key: value for key, value in document.items() if key != "submission_id"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
