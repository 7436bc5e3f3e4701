"""Scheduled worker: the sweep (reminders, escalation, silence, expiry, recovery, retention)."""

from __future__ import annotations

import logging

from chalice.app import Blueprint, CloudWatchEvent, Rate

from functions.runtime.invocation import each_invocation
from functions.services.sweep import sweep

log = logging.getLogger(__name__)
blueprint = Blueprint(__name__)


@blueprint.schedule(Rate(15, unit=Rate.MINUTES), name="sweeper")
@each_invocation  # Lambda imports this module, not app.py: see functions/runtime/invocation.py
def sweeper(event: CloudWatchEvent) -> None:
    """Run every duty of the sweep once. The log line has counts only: no ids, no addresses."""
    counts = sweep()
    log.info("sweep: %s", " ".join(f"{name}={count}" for name, count in counts.items()))
