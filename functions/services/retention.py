"""How long a request's items are kept: the TTL (``expires_at``) of every item of its partition.

A request is stored with a TTL of ``RETENTION_DAYS`` after submission. Once it reaches a final
status, every item of its partition (the request, its events, votes and mail records) gets one
expiry, and the table deletes them all (its attached files' objects are deleted by the sweeper
a day before: functions/services/attachments.py):
- rejected, withdrawn, closed: ``RETENTION_DAYS`` after the final status;
- approved: ``RETENTION_DAYS`` after the Action ends, if an Action is recorded;
  otherwise the request keeps its expiry from submission.

The sweeper applies it to requests that became final a little while ago (after the outcome emails
have been recorded, so that their records get the expiry too); whoever records or changes an
Action calls :func:`apply_retention` again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.attachments import deletion_due
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


def apply_retention(request_id: str) -> int:
    """Give every item of a final request its expiry; returns how many items changed.

    Idempotent: items that already carry the expiry are not written again, and the request
    keeps a mark of the expiry it got (an Action recorded later moves it again).
    """
    store = repository()
    found = store.partition(request_id)
    request, action = found.request, found.action
    if request is None:
        return 0
    target = target_expiry(
        request.status,
        request.status_since,
        request.expires_at,
        _day(action.ends_on) if action else None,
        get_settings().retention_days,
    )
    if target is None:
        return 0
    changed = store.expire_partition(request_id, target)
    # Its files' objects go a day before the items (the sweeper: services/attachments.py).
    store.schedule_attachment_deletion(request_id, deletion_due(target))
    store.mark_once(request_id, f"retention#{target}")
    return changed


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
