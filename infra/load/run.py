"""``make load``: submissions against the local stack on loopback, then count what was kept.

Starts ``infra/local/run.py``'s LocalSystem (moto, ``chalice local``, the queue workers) with a
rate limit high enough for one address, runs two profiles (``steady``: a constant rate;
``burst``: bursts of five seconds' worth at once, then ten idle seconds), bounded in time, then
waits for the workers to drain and checks that nothing was lost:

    accepted (201) = stored = under review = emails sent / (1 + voting members)

and reports throughput, p50/p95/p99 latency and the 5xx count. Standard library only: threads
send (``asyncio.to_thread`` around urllib), asyncio paces them. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IN_FLIGHT = 16
BURST_IDLE_SECONDS = 10.0


@dataclass
class Run:
    """What one profile sent and what came back."""

    profile: str
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))

    def summary(self) -> dict[str, Any]:
        """Counts, throughput and latency percentiles (ms)."""
        cuts = statistics.quantiles(self.latencies_ms, n=100) if len(self.latencies_ms) > 1 else []
        pick = (lambda q: round(cuts[q - 1], 1)) if cuts else (lambda q: 0.0)
        return {
            "profile": self.profile,
            "seconds": round(self.seconds, 1),
            "sent": sum(self.statuses.values()),
            "statuses": self.statuses,
            "accepted": self.accepted,
            "server_errors": self.server_errors,
            "throughput_per_s": round(self.accepted / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": pick(50),
            "p95_ms": pick(95),
            "p99_ms": pick(99),
        }


def example_request() -> dict[str, Any]:
    schema = json.loads((ROOT / "schemas" / "request.schema.json").read_text(encoding="utf-8"))
    return copy.deepcopy(schema["examples"][0])


def _post(url: str, body: bytes) -> tuple[int, float]:
    request = urllib.request.Request(  # noqa: S310 (the local stack's loopback URL)
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            answer.read()
            status = answer.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 599  # no answer at all: counted as a server error
    return status, (time.perf_counter() - started) * 1000


async def _send(url: str, run: Run, gate: asyncio.Semaphore) -> None:
    document = example_request()
    document["submission_id"] = uuid.uuid4().hex
    async with gate:
        status, elapsed = await asyncio.to_thread(_post, url, json.dumps(document).encode())
    run.statuses[str(status)] = run.statuses.get(str(status), 0) + 1
    run.latencies_ms.append(elapsed)


async def steady(url: str, seconds: float, rate: float) -> Run:
    """``rate`` submissions a second, evenly spaced, for ``seconds``."""
    run, gate, tasks = Run("steady"), asyncio.Semaphore(IN_FLIGHT), []
    started = time.monotonic()
    for n in range(int(seconds * rate)):
        await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
        tasks.append(asyncio.create_task(_send(url, run, gate)))
    await asyncio.gather(*tasks)
    run.seconds = time.monotonic() - started
    return run


async def bursts(url: str, seconds: float, rate: float) -> Run:
    """Five seconds' worth of submissions at once, then idle, until ``seconds`` have passed."""
    run, gate, tasks = Run("burst"), asyncio.Semaphore(IN_FLIGHT), []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        tasks += [asyncio.create_task(_send(url, run, gate)) for _ in range(int(rate * 5))]
        await asyncio.sleep(
            min(BURST_IDLE_SECONDS, max(0.0, seconds - (time.monotonic() - started)))
        )
    await asyncio.gather(*tasks)
    run.seconds = time.monotonic() - started
    return run


def voting_members() -> int:
    data = json.loads((ROOT / "infra" / "local" / "demo_committee.json").read_text("utf-8"))
    return sum(1 for m in data["members"] if m.get("role", "voting") == "voting")


def kept(stack: Any) -> dict[str, int]:
    """What the stack holds now: requests by status, and emails sent (moto's SES quota counter:
    one per recipient, and every email here has one; reading the mail itself is too slow)."""
    import boto3

    def client(service: str) -> Any:
        return boto3.client(
            service,
            region_name="eu-west-1",
            endpoint_url=stack.moto_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 (moto's dummy credentials)
        )

    counts = {"stored": 0, "under_review": 0}
    pages = (
        client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=stack.env["TABLE_NAME"],
            FilterExpression="kind = :k",
            ExpressionAttributeValues={":k": {"S": "request"}},
        )
    )
    for page in pages:
        for item in page["Items"]:
            counts["stored"] += 1
            counts["under_review"] += item["status"]["S"] == "under_review"
    counts["emails"] = int(client("ses").get_send_quota()["SentLast24Hours"])
    return counts


def drain(stack: Any, accepted: int, per_request: int, timeout: float) -> dict[str, int]:
    """Wait until every accepted request is under review with its emails sent (or time out)."""
    deadline = time.monotonic() + timeout
    while True:
        now = kept(stack)
        done = now["under_review"] >= accepted and now["emails"] >= accepted * per_request
        if done or time.monotonic() > deadline:
            return now
        time.sleep(2)


def main(argv: list[str] | None = None) -> int:
    """Run the profiles, drain, count; print the report; non-zero if anything was lost."""
    parser = argparse.ArgumentParser(description="Load the local stack on loopback.")
    parser.add_argument("--duration", type=float, default=120, help="seconds per profile")
    parser.add_argument("--rate", type=float, default=5, help="submissions per second")
    parser.add_argument("--profiles", default="steady,burst")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    from infra.local.run import LocalSystem

    log_dir = ROOT / "build" / "load"
    log_dir.mkdir(parents=True, exist_ok=True)
    profiles = {"steady": steady, "burst": bursts}
    per_request = 1 + voting_members()
    with (
        (log_dir / "stack.log").open("wb") as log,
        LocalSystem(output=log, extra_env={"RATE_LIMIT_PER_HOUR": "1000000"}) as stack,
    ):
        url = f"http://127.0.0.1:{stack.app_port}/requests"
        runs = [
            asyncio.run(profiles[name](url, args.duration, args.rate))
            for name in args.profiles.split(",")
        ]
        accepted = sum(run.accepted for run in runs)
        began = time.monotonic()
        counts = drain(stack, accepted, per_request, args.drain_timeout)
        drained_in = time.monotonic() - began
    report = {
        "runs": [run.summary() for run in runs],
        "accepted": accepted,
        **counts,
        "emails_expected": accepted * per_request,
        "drained_in_s": round(drained_in, 1),
        "server_errors": sum(run.server_errors for run in runs),
    }
    report["lost"] = (
        max(0, accepted - counts["stored"])
        + max(0, accepted - counts["under_review"])
        + max(0, accepted * per_request - counts["emails"])
    )
    report["extra"] = counts["emails"] - accepted * per_request  # an email sent twice shows here
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 1 if report["lost"] or report["extra"] or report["server_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
