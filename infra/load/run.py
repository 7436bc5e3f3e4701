"""``make load``: submissions against the local stack on loopback, then count what was kept.

Starts ``infra/local/run.py``'s LocalSystem (moto, ``chalice local``, the queue workers) with a
rate limit high enough for one address, runs two profiles (``steady``: a constant rate;
``burst``: bursts of five seconds' worth at once, then ten idle seconds), bounded in time, then
waits for the workers to drain and checks that nothing was lost:

    accepted (201) = stored = under review = emails sent / (1 + voting members)

and reports throughput, p50/p95/p99 latency and the 5xx count. Standard library only: threads
send (``asyncio.to_thread`` around urllib), asyncio paces them. Loopback only.

``--faults`` (``make load-faults``) runs the same profiles while things break, as they do in AWS:

- the workers' process group is SIGKILLed at random moments (seeded) and started again; what a
  killed worker held stays on its queue and comes back after the visibility timeout, shortened
  for the run (``--visibility-timeout``, the mail lease with it: infra/local/run.py);
- moto's fault hook (infra/local/moto_server.py) throttles a share (``--throttle``) of DynamoDB
  writes and SESv2 sends. botocore retries them; what is left becomes a redelivery (workers)
  or a 503 with ``Retry-After`` to the client, which waits (at most ``RETRY_WAIT_CAP`` seconds)
  and sends the same submission again, same ``submission_id``, as a real client would.

At the end every email is counted per (reference, kind, recipient) from moto's record of SES:
none missing, none twice. An email SES accepted whose record was not marked sent (the worker
killed in between, or the marking write throttled past its retries) is sent again when the
redelivery takes the expired claim over (the lease trade-off of functions/services/mail.py):
such duplicates are counted apart, each matched to a mail record that was taken over; any
other duplicate fails the run. Any 5xx that is not a clean 503 (with
``Retry-After`` and an ``{"errors": [...]}`` body), any message in a dead-letter queue, and any
email missing fail it too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
IN_FLIGHT = 16
BURST_IDLE_SECONDS = 10.0
RETRY_WAIT_CAP = 5.0  # the API asks for 30 s; the run waits less to stay short
MAX_ATTEMPTS = 6  # one submission's sends, retries included
REFERENCE = re.compile(r"\bMX-\d{4}-\d{4,}\b")


@dataclass
class Run:
    """What one profile sent and what came back."""

    profile: str
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)  # each submission's last answer
    latencies_ms: list[float] = field(default_factory=list)  # first send to last answer
    clean_503: int = 0  # 503 with Retry-After and an error body: retried
    unclean_5xx: int = 0  # every other 5xx answer (or no answer), retried or not
    replayed: int = 0  # a retry answered from the first answer (Idempotent-Replayed)

    @property
    def accepted(self) -> int:
        return self.statuses.get("201", 0)

    @property
    def gave_up(self) -> int:
        """Submissions still answered 5xx after ``MAX_ATTEMPTS`` sends."""
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))

    @property
    def server_errors(self) -> int:
        """Every 5xx that was not a clean 503, and every submission that never got through."""
        return self.unclean_5xx + self.gave_up

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
            "clean_503": self.clean_503,
            "replayed": self.replayed,
            "throughput_per_s": round(self.accepted / self.seconds, 2) if self.seconds else 0.0,
            "p50_ms": pick(50),
            "p95_ms": pick(95),
            "p99_ms": pick(99),
        }


def example_request() -> dict[str, Any]:
    schema = json.loads((ROOT / "schemas" / "request.schema.json").read_text(encoding="utf-8"))
    return copy.deepcopy(schema["examples"][0])


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, the headers the client looks at, the body."""

    status: int
    retry_after: str = ""
    replayed: bool = False
    body: bytes = b""

    def clean_503(self) -> bool:
        """The API's answer to a dependency that failed: 503, Retry-After, ``{"errors": [...]}``."""
        if self.status != 503 or not self.retry_after.isdigit():
            return False
        try:
            errors = json.loads(self.body).get("errors")
        except (ValueError, AttributeError):
            return False
        return isinstance(errors, list) and bool(errors)


def _post(url: str, body: bytes) -> Answer:
    request = urllib.request.Request(  # noqa: S310 (the local stack's loopback URL)
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            replayed = answer.headers.get("Idempotent-Replayed") == "true"
            return Answer(answer.status, replayed=replayed, body=answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers.get("Retry-After", ""), body=error.read())
    except OSError:
        return Answer(599)  # no answer at all: counted as a server error


async def _send(url: str, run: Run, gate: asyncio.Semaphore) -> None:
    """One submission, sent again after a 503 (same body, same ``submission_id``)."""
    document = example_request()
    document["submission_id"] = uuid.uuid4().hex
    body = json.dumps(document).encode()
    started = time.perf_counter()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with gate:
            answer = await asyncio.to_thread(_post, url, body)
        run.replayed += answer.replayed
        if answer.status < 500:
            break
        if answer.clean_503():
            run.clean_503 += 1
        else:
            run.unclean_5xx += 1
        if attempt < MAX_ATTEMPTS:
            await asyncio.sleep(min(RETRY_WAIT_CAP, float(answer.retry_after or 1)))
    run.statuses[str(answer.status)] = run.statuses.get(str(answer.status), 0) + 1
    run.latencies_ms.append((time.perf_counter() - started) * 1000)


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


def _client(stack: Any, service: str) -> Any:
    import boto3

    return boto3.client(
        service,
        region_name="eu-west-1",
        endpoint_url=stack.moto_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (moto's dummy credentials)
    )


def _items(stack: Any, kind: str) -> list[dict[str, Any]]:
    pages = (
        _client(stack, "dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=stack.env["TABLE_NAME"],
            FilterExpression="kind = :k",
            ExpressionAttributeValues={":k": {"S": kind}},
        )
    )
    return [item for page in pages for item in page["Items"]]


def kept(stack: Any) -> dict[str, int]:
    """What the stack holds now: requests by status, and emails sent (moto's SES quota counter:
    one per recipient, and every email here has one; reading the mail itself is too slow)."""
    counts = {"stored": 0, "under_review": 0}
    for item in _items(stack, "request"):
        counts["stored"] += 1
        counts["under_review"] += item["status"]["S"] == "under_review"
    counts["emails"] = int(_client(stack, "ses").get_send_quota()["SentLast24Hours"])
    return counts


def sent_by_key(stack: Any) -> Counter[tuple[str, str, str]]:
    """Every email moto's SES sent, counted per (reference, kind, recipient address)."""
    url = f"{stack.moto_url}/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 (loopback)
        data = json.loads(answer.read())
    counted: Counter[tuple[str, str, str]] = Counter()
    parser = HeaderParser(policy=policy.default)  # decodes encoded words (a subject in UTF-8)
    for record in data.get("ses", {}).get("RawMessage", []):
        headers = parser.parsestr(str(record.get("raw_data") or ""))
        found = REFERENCE.search(str(headers.get("Subject", "")))
        kind = str(headers.get("X-MIEUX-Kind", ""))
        counted[(found.group(0) if found else "", kind, str(headers.get("To", "")).lower())] += 1
    return counted


def mail_check(stack: Any, per_request: int) -> dict[str, Any]:
    """Emails missing and sent twice, per stored request; each duplicate explained or not.

    A duplicate is explained when a mail record of its request and kind was taken over (attempts
    above 1: sent, not marked, claim expired): the lease trade-off. Anything else sent twice is
    a fault of the code.
    """
    references = {item["pk"]["S"]: item["reference"]["S"] for item in _items(stack, "request")}
    sent = sent_by_key(stack)
    per_reference = Counter(reference for reference, _, _ in sent)
    missing = sum(max(0, per_request - per_reference[r]) for r in references.values())
    strangers = sum(n for (r, _, _), n in sent.items() if r not in references.values())
    taken_over: Counter[tuple[str, str]] = Counter()
    for item in _items(stack, "mail"):
        if int(item.get("attempts", {}).get("N", "1")) > 1:
            reference = references.get(item["pk"]["S"], "")
            taken_over[(reference, item["mail_kind"]["S"])] += 1
    duplicates: Counter[tuple[str, str]] = Counter()
    for (reference, kind, _), n in sent.items():
        duplicates[(reference, kind)] += n - 1
    explained = sum(min(n, taken_over[key]) for key, n in duplicates.items())
    extra = sum(duplicates.values())
    return {
        "emails_distinct": len(sent),
        "emails_missing": missing,
        "emails_twice": extra,
        "emails_twice_lease": explained,  # sent, not marked, taken over after the lease
        "emails_twice_unexplained": extra - explained,
        "emails_unknown_request": strangers,
        "mail_records_taken_over": sum(taken_over.values()),
    }


def dead_letters(stack: Any) -> int:
    """Messages in the dead-letter queues (each one a task or an email given up on)."""
    sqs, total = _client(stack, "sqs"), 0
    for name in ("REVIEW_DLQ_URL", "NOTIFY_DLQ_URL"):
        attributes = sqs.get_queue_attributes(
            QueueUrl=stack.env[name],
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        total += sum(int(value) for value in attributes.values())
    return total


def drain(
    stack: Any, accepted: int, per_request: int, timeout: float, exact: bool = False
) -> dict[str, int]:
    """Wait until every accepted request is under review with its emails sent (or time out).

    ``exact``: also wait until no (request, email) is missing in moto's record, which the
    counter cannot tell when a duplicate makes up for a missing email.
    """
    deadline = time.monotonic() + timeout
    said = time.monotonic()
    while True:
        now = kept(stack)
        done = now["under_review"] >= accepted and now["emails"] >= accepted * per_request
        missing = mail_check(stack, per_request)["emails_missing"] if done and exact else 0
        if (done and not missing) or time.monotonic() > deadline:
            return now
        if time.monotonic() - said > 15:
            said = time.monotonic()
            print(
                f"draining: under review {now['under_review']}/{accepted}, emails "
                f"{now['emails']}/{accepted * per_request}, missing by key {missing}",
                file=sys.stderr,
                flush=True,
            )
        time.sleep(2)


def faults(stack: Any, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    """The moto fault hook's state, after applying ``settings`` if given."""
    data = json.dumps(settings).encode() if settings is not None else None
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{stack.moto_url}/_mieux/faults", data=data, method="POST" if data else "GET"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback)
        state: dict[str, Any] = json.loads(answer.read())
    return state


class Killer:
    """SIGKILLs the workers at random moments (seeded) and starts them again, until paused.

    Its thread lives until the block ends, not until ``pause``: the workers it started die with
    the thread that started them (PR_SET_PDEATHSIG, see infra/local/run.py, is per thread).
    """

    def __init__(self, stack: Any, mean_interval: float, seed: int) -> None:
        self.stack = stack
        self.mean_interval = mean_interval
        self.random = random.Random(seed)  # noqa: S311 (fault timing, not security)
        self.stopping = threading.Event()
        self.ended = threading.Event()
        self.kills = 0
        self.restart_s: list[float] = []
        self.error = ""
        self.thread = threading.Thread(target=self._run, name="killer", daemon=True)

    def __enter__(self) -> Killer:
        self.thread.start()
        return self

    def pause(self) -> None:
        """Kill no more (a restart under way finishes first)."""
        self.stopping.set()

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self.ended.set()
        self.thread.join(timeout=120)

    def _run(self) -> None:
        self._kill_until_paused()
        self.ended.wait()

    def _kill_until_paused(self) -> None:
        while not self.stopping.wait(self.random.uniform(0.3, 1.7) * self.mean_interval):
            self.stack.kill_workers()
            self.kills += 1
            began = time.monotonic()
            try:
                self.stack.start_workers()  # the killed container's successor
            except Exception as error:  # the drain then times out and says what is missing
                self.error = f"the workers did not start again: {error}"
                return
            self.restart_s.append(time.monotonic() - began)


def worker_log(path: Path) -> dict[str, Any]:
    """From the workers' log: handler failures by error class, and redeliveries handled."""
    failures: Counter[str] = Counter()
    redelivered = 0
    failed = re.compile(r"\[workers\] (\w+): message \S+ \(receive [\d,]+\) failed: (\w+)")
    done = re.compile(r"\[workers\] \w+: message \S+ \(receive ([\d,]+)\) done")
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if match := failed.search(line):
            failures[f"{match.group(1)}: {match.group(2)}"] += 1
        elif (match := done.search(line)) and any(int(n) > 1 for n in match.group(1).split(",")):
            redelivered += 1
    return {"handler_failures": dict(failures), "redeliveries_handled": redelivered}


def main(argv: list[str] | None = None) -> int:
    """Run the profiles, drain, count; print the report; non-zero if anything was lost."""
    parser = argparse.ArgumentParser(description="Load the local stack on loopback.")
    parser.add_argument("--duration", type=float, default=120, help="seconds per profile")
    parser.add_argument("--rate", type=float, default=5, help="submissions per second")
    parser.add_argument("--profiles", default="steady,burst")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--faults", action="store_true", help="kill workers, throttle AWS")
    parser.add_argument("--throttle", type=float, default=0.1, help="share of writes and sends")
    parser.add_argument("--kill-every", type=float, default=6.0, help="mean seconds between kills")
    parser.add_argument("--visibility-timeout", type=int, default=10, help="seconds (faults)")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args(argv)
    from infra.local.run import LocalSystem

    log_dir = ROOT / "build" / "load"
    log_dir.mkdir(parents=True, exist_ok=True)
    profiles = {"steady": steady, "burst": bursts}
    per_request = 1 + voting_members()
    log_path = log_dir / ("stack-faults.log" if args.faults else "stack.log")
    fault_report: dict[str, Any] = {}
    with (
        log_path.open("wb") as log,
        LocalSystem(
            output=log,
            extra_env={"RATE_LIMIT_PER_HOUR": "1000000"},
            visibility_timeout=args.visibility_timeout if args.faults else 0,
        ) as stack,
        contextlib.ExitStack() as scope,  # the killer's thread ends before the stack stops
    ):
        url = f"http://127.0.0.1:{stack.app_port}/requests"
        killer = Killer(stack, args.kill_every, args.seed)
        if args.faults:
            share = args.throttle
            faults(stack, {"dynamodb": share, "ses": share, "seed": args.seed})
            scope.enter_context(killer)
        runs = [
            asyncio.run(profiles[name](url, args.duration, args.rate))
            for name in args.profiles.split(",")
        ]
        killer.pause()
        accepted = sum(run.accepted for run in runs)
        began = time.monotonic()
        # Throttling goes on while the workers drain: the run ends on the same faults.
        counts = drain(stack, accepted, per_request, args.drain_timeout, exact=args.faults)
        drained_in = time.monotonic() - began
        if args.faults:
            hook = faults(stack, {"dynamodb": 0, "ses": 0})
            fault_report = {
                "seed": args.seed,
                "throttle_share": share,
                "visibility_timeout_s": args.visibility_timeout,
                "worker_kills": killer.kills,
                "worker_restart_s": round(max(killer.restart_s, default=0.0), 1),
                "killer_error": killer.error,
                "aws_requests_seen": hook["seen"],
                "aws_requests_throttled": hook["throttled"],
            }
        mail = mail_check(stack, per_request)
        dead = dead_letters(stack)
    report: dict[str, Any] = {
        "mode": "faults" if args.faults else "plain",
        "runs": [run.summary() for run in runs],
        "accepted": accepted,
        **counts,
        "emails_expected": accepted * per_request,
        **mail,
        "dead_letters": dead,
        "drained_in_s": round(drained_in, 1),
        "server_errors": sum(run.server_errors for run in runs),
        "clean_503": sum(run.clean_503 for run in runs),
    }
    if args.faults:
        report["faults"] = {**fault_report, **worker_log(log_path)}
    report["lost"] = (
        max(0, accepted - counts["stored"])
        + max(0, accepted - counts["under_review"])
        + mail["emails_missing"]
    )
    # Without faults nothing may be sent twice; with them, only what a taken-over claim explains.
    report["extra"] = mail["emails_twice"] if not args.faults else mail["emails_twice_unexplained"]
    failures = verdict(report)
    report["verdict"] = failures or ["ok"]
    if mail["emails_twice_lease"]:
        report["verdict"].append(
            f"{mail['emails_twice_lease']} emails sent twice, each sent but not marked (worker "
            "killed, or the mark throttled) and taken over after its lease (the trade-off of "
            "functions/services/mail.py)"
        )
    print(json.dumps(report, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("load:", "; ".join(report["verdict"]), file=sys.stderr)
    return 1 if failures else 0


def verdict(report: dict[str, Any]) -> list[str]:
    """What failed, in words (empty when nothing did); lease duplicates are said, not failed."""
    said = []
    if report["server_errors"]:
        said.append(f"{report['server_errors']} server errors that were not a clean 503")
    if report["lost"]:
        said.append(
            f"lost {report['lost']}: stored {report['stored']}, under review "
            f"{report['under_review']}, emails missing {report['emails_missing']} "
            f"of {report['accepted']} accepted"
        )
    if report["extra"]:
        said.append(f"{report['extra']} emails sent twice with no taken-over claim to explain it")
    if report["emails_unknown_request"]:
        said.append(f"{report['emails_unknown_request']} emails for no stored request")
    if report["dead_letters"]:
        said.append(f"{report['dead_letters']} messages in the dead-letter queues")
    if report.get("faults", {}).get("killer_error"):
        said.append(report["faults"]["killer_error"])
    return said


if __name__ == "__main__":
    sys.exit(main())
