"""How long a request's items are kept: the TTL (``expires_at``) of every item of its partition.

A request is stored with a TTL of ``RETENTION_DAYS`` after submission. Once it reaches a final
status, every item of its partition (the request, its events, votes and mail records) gets one
expiry, and DynamoDB deletes them all:
- rejected, withdrawn, closed: ``RETENTION_DAYS`` after the final status;
- approved: ``RETENTION_DAYS`` after the Action ends, if an Action (sk ``ACTION``, attribute
  ``ends_on``) is recorded; otherwise the request keeps its expiry from submission.

The sweeper applies it to requests that became final a little while ago (after the outcome emails
have been recorded, so that their records get the expiry too); whoever records or changes an
Action calls :func:`apply_retention` again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from functions.adapters import store
from functions.domain import clock
from functions.domain.requests import FINAL, Status
from functions.runtime.settings import get_settings

DAY = 86400


def target_expiry(
    status: str,
    status_since: str,
    current_expiry: int | None,
    action_ends_on: date | None,
    retention_days: int,
) -> int | None:
    """The expiry (epoch seconds) every item of a request should carry; None while it is open."""
    if Status(status) not in FINAL:
        return None
    keep = timedelta(days=retention_days)
    if status == Status.APPROVED:
        if action_ends_on is not None:
            day_after = action_ends_on + timedelta(days=1)
            end = datetime(day_after.year, day_after.month, day_after.day, tzinfo=UTC)
            return int((end + keep).timestamp())
        return current_expiry
    return int((clock.parse_iso(status_since) + keep).timestamp())


def _ends_on(item: dict[str, Any] | None) -> date | None:
    text = (item or {}).get("ends_on", {}).get("S")
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def apply_retention(request_id: str) -> int:
    """Give every item of a final request its expiry; returns how many items changed (one Query).

    Idempotent: items that already carry the expiry are not written again.
    """
    items = store.raw_partition(request_id, "pk, sk, kind, expires_at, ends_on")
    by_sk = {item["sk"]["S"]: item for item in items}
    meta = by_sk.get("META")
    if meta is None:
        return 0
    request = store.get(store.RequestItem, store.request_key(request_id), "META")
    if request is None:
        return 0
    current = int(request.expires_at) if request.expires_at is not None else None
    target = target_expiry(
        request.status,
        request.status_since,
        current,
        _ends_on(by_sk.get("ACTION")),
        get_settings().retention_days,
    )
    if target is None:
        return 0
    changed = 0
    # The request last: once it carries the mark, everything else already has the expiry.
    for sk, item in sorted(by_sk.items(), key=lambda pair: pair[0] == "META"):
        if sk == "META" or item.get("expires_at", {}).get("N") == str(target):
            continue
        changed += store.set_raw_attributes(item, {"expires_at": {"N": str(target)}})
    if current != target:
        changed += store.set_raw_attributes(meta, {"expires_at": {"N": str(target)}})
    store.mark_once(request, f"retention#{target}")
    return changed
