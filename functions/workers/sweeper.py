"""Scheduled worker: the sweep (reminders, escalation, silence, expiry, recovery, retention)."""

from __future__ import annotations

import logging

from chalice.app import Blueprint, CloudWatchEvent, Rate

from functions.runtime import metrics
from functions.runtime.invocation import each_invocation
from functions.services.sweep import sweep

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(15, unit=Rate.MINUTES), name="sweeper")
@each_invocation  # Lambda imports this module, not app.py: see functions/runtime/invocation.py
def sweeper(event: CloudWatchEvent) -> None:
    """Run every duty of the sweep once. The log line has counts only: no ids, no addresses.

    The heartbeat goes out after the sweep: a sweep that fails every time is as silent as one
    that does not run, and the alarm on two missing periods hears both."""
    counts = sweep()
    log.info(
        "sweep: %s",
        " ".join(f"{name}={count}" for name, count in counts.items()),
        extra={"counts": dict(counts)},
    )
    metrics.emit("SweeperHeartbeat")
