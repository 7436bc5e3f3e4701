"""The life of a request: its statuses, the moves between them, and its reference number."""

from __future__ import annotations

import hashlib
import json
import re
from enum import StrEnum
from typing import Any

from functions.domain.errors import TransitionNotAllowed


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


def can_move(current: str, target: str) -> bool:
    """True when the lifecycle allows going from ``current`` to ``target``."""
    return Status(target) in ALLOWED[Status(current)]


def check_move(current: str, target: str) -> None:
    """Raise :class:`TransitionNotAllowed` unless the lifecycle allows ``current`` -> ``target``."""
    if not can_move(current, target):
        raise TransitionNotAllowed(current, target)


def sources_of(target: str) -> tuple[Status, ...]:
    """Every status a request may move to ``target`` from: the condition of the status write.

    The write checks the stored status is one of these (not only the one read), so a move the
    table allows is not refused because another allowed move happened in between.
    """
    return tuple(status for status, targets in ALLOWED.items() if Status(target) in targets)


def is_final(status: str) -> bool:
    """True once a request is decided, withdrawn or closed."""
    return Status(status) in FINAL


def format_reference(year: int, number: int) -> str:
    """The human reference of a request: ``MX-2026-0042`` (more digits past 9999)."""
    return f"MX-{year}-{number:04d}"


_REFERENCE = re.compile(r"MX-(\d{4})-(\d{4,})")


def reference_year(text: str) -> int | None:
    """The year of a reference number (``MX-2026-0042`` -> 2026); None if ``text`` is not one.

    The year is the year of submission (UTC), the year of the request's region-index entry.
    """
    found = _REFERENCE.fullmatch(text.strip().upper())
    return int(found.group(1)) if found else None


def document_fingerprint(document: dict[str, Any]) -> str:
    """A stable hash of a request's content, to tell a resubmission from a different request."""
    content = {key: value for key, value in document.items() if key != "submission_id"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
