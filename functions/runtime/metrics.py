"""Metrics as CloudWatch embedded-metric-format (EMF) lines on stdout: no API call, no client.

Lambda sends everything a function prints to its log group, and CloudWatch Logs turns each log
event that follows the EMF specification into metric data points
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
A line is one JSON object: ``_aws`` says which of its top-level members are metrics and which
are dimensions; the values themselves sit at the top level::

    {"_aws": {"Timestamp": 1764590000000,
              "CloudWatchMetrics": [{"Namespace": "MIEUX",
                                     "Dimensions": [["Stage"], ["Stage", "Code"]],
                                     "Metrics": [{"Name": "MailRejected", "Unit": "Count"}]}]},
     "Stage": "prod", "Code": "MessageRejected", "MailRejected": 1,
     "request_id": "...", "correlation_id": "..."}

THE CONTRACT with the stack's alarms (infra/stack.yaml): namespace ``MIEUX``; every metric has
the dimension set ``["Stage"]`` (the stage's ``MIEUX_STAGE``), and ``["Stage", "Code"]`` too
when a code applies (the refusal's or the decision's code); the names are :data:`NAMES`.
The line also carries the invocation's correlation ids (functions/runtime/logs.py) as plain
members, so a metric's data point can be traced to its log lines; never anything personal.

Written by hand: a dozen lines of json and time (both already imported by every Lambda here),
where the aws-embedded-metrics library would add an import and an asyncio flush.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from functions.runtime import logs

NAMESPACE = "MIEUX"
STAGE = "Stage"
CODE = "Code"

# Every metric the functions emit (and the alarms of infra/stack.yaml watch). A name outside
# this set is a programming error: the alarm that should watch it would not exist.
NAMES = frozenset(
    {
        "RequestsSubmitted",
        "RequestsRefused",  # Code: the refusal's error code (invalid, rate_limited, ...)
        "MailSent",
        "MailRejected",  # Code: SES's (or our) code for a message-level, permanent refusal
        "MailSuppressed",
        "MailAccountRefused",  # Code: the account-level refusal; the message is redelivered
        "Decisions",  # Code: approved, rejected, information_requested
        "VotesRefused",  # Code: the refusal's error code (already_voted, closed, expired, ...)
        "SweeperHeartbeat",
    }
)


def _stage() -> str:
    # Read through the settings module's own reader of MIEUX_STAGE: a metric must be emitted
    # even when another setting is missing (the refusal being counted may be that one).
    from functions.runtime.settings import stage_name

    return stage_name()


def line(name: str, value: float = 1, *, code: str | None = None, unit: str = "Count") -> str:
    """The EMF line of one data point of metric ``name`` (see the module's docstring)."""
    if name not in NAMES:
        raise ValueError(f"unknown metric {name!r}: add it to NAMES and to the stack's alarms")
    dimensions = [[STAGE], [STAGE, CODE]] if code else [[STAGE]]
    document: dict[str, Any] = dict(logs.current_ids())
    document["_aws"] = {
        "Timestamp": int(time.time() * 1000),
        "CloudWatchMetrics": [
            {
                "Namespace": NAMESPACE,
                "Dimensions": dimensions,
                "Metrics": [{"Name": name, "Unit": unit}],
            }
        ],
    }
    document[STAGE] = _stage()
    if code:
        document[CODE] = code
    document[name] = value
    return json.dumps(document, separators=(",", ":"))


def emit(name: str, value: float = 1, *, code: str | None = None) -> None:
    """Print one data point of ``name`` (a count) as an EMF line on stdout."""
    sys.stdout.write(line(name, value, code=code) + "\n")
    sys.stdout.flush()
