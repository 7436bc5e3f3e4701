"""``make bench``: measure the figures of docs/performance.md side by side, and write it.

1. cold start of each Lambda from the unzipped slim package (``python -I -S``, nothing else on the
   path but the runtime's SDK) against the floor (botocore + the same clients), and Chalice's
   default package; 2. package size; 3. AWS calls per operation; 4. warm CPU of the submit handler
   against schema validation alone; 5. items read by the queries as the table grows.
Timings are medians of many runs taken in alternation, so that the machine's noise hits both sides.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra import build
from infra.bench import operations
from infra.bench.calls import MINIMUM, Recorder, expected, recording
from infra.local.run import environment

ROOT = build.ROOT
WORK = build.BUILD / "bench"
REGION = "eu-west-1"

# What each Lambda does before it can answer its first event: the clients it creates, the
# validators it builds and the modules it imports on use (beyond its handler's module: app.py for
# the API, the worker's own module for a worker). The floor of a Lambda is botocore creating the
# same clients. Lambdas not listed (one added since) get DEFAULT_NEEDS.
MAIL = "sesv2"


@dataclass(frozen=True)
class Needs:
    """A Lambda's first-event work: clients, validators, modules imported on use."""

    clients: tuple[str, ...]
    validators: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()


NEEDS: dict[str, Needs] = {
    # POST /requests: rate window, counter and transaction (dynamodb), the review task (sqs),
    # the status link signed with the keys (secretsmanager in AWS).
    "api_handler": Needs(
        ("dynamodb", "sqs", "secretsmanager"),
        ("request.schema.json", "messages/review_task.schema.json"),
    ),
    # a review task: the request and the committee (dynamodb), the notifications (sqs).
    "review_tasks": Needs(
        ("dynamodb", "sqs"),
        ("messages/review_task.schema.json", "messages/notification.schema.json"),
        ("functions.services.review",),
    ),
    # a notification: request, recipient, claim (dynamodb), the email (sesv2), review links
    # signed with the keys (secretsmanager); Jinja2 and the templates are imported here only.
    "notifications": Needs(
        ("dynamodb", MAIL, "secretsmanager"),
        ("messages/notification.schema.json",),
        ("functions.services.mail",),
    ),
    # an SES event: the suppression list (dynamodb).
    "bounces": Needs(("dynamodb",)),
}
DEFAULT_NEEDS = Needs(("dynamodb", "sqs"))

DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "MIEUX_STAGE": "test",
    "TABLE_NAME": "mieux-bench",
    "REVIEW_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/review",
    "NOTIFY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/123456789012/notify",
    "PUBLIC_BASE_URL": "https://mieux.example.org",
    "SIGNING_KEYS": "bench-key-0123456789abcdef0123456789abcdef",
}

# The child of a cold-start run: time from before the first import to ready-to-serve.
CHILD = """
import importlib, sys, time
started = time.perf_counter()
task, runtime, mode, entry, services, validators, imports = sys.argv[1:8]
# The floor is the runtime's SDK alone: what a function that ships nothing of its own gets.
shipped = [runtime] if mode == 'floor' else [task, runtime]
sys.path[:] = shipped + [p for p in sys.path if p and 'site-packages' not in p]
services = [s for s in services.split(',') if s]
if mode == 'floor':
    import botocore.session
    session = botocore.session.get_session()
    for service in services:
        session.create_client(service, region_name='eu-west-1')
else:
    importlib.import_module(entry)  # the handler's module, as Lambda imports it (sam.json)
    from functions.domain import schemas
    from functions.adapters import aws, store
    for module in [m for m in imports.split(',') if m]:
        importlib.import_module(module)
    for path in [v for v in validators.split(',') if v]:
        schemas.validator(path)
    for service in services:
        if service == 'dynamodb':
            store.bind()
            store.RequestItem._get_connection().connection.client
        else:
            aws.client(service, 'eu-west-1')
print((time.perf_counter() - started) * 1000)
"""


@dataclass
class Row:
    """One line of the results table."""

    figure: str
    measured: str
    floor: str
    ratio: str
    target: str
    verdict: str


def log(message: str) -> None:
    """Progress on stderr: the bench takes minutes."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    """The median (robust against the odd slow run of a noisy machine)."""
    return statistics.median(values)


def paired_ratio(measured: list[float], floor: list[float]) -> float:
    """The median of the ratios of runs taken in the same round."""
    return median([m / f for m, f in zip(measured, floor, strict=True)])


def verdict(ok: bool) -> str:
    """pass/FAIL, as the table shows it."""
    return "pass" if ok else "FAIL"


# --- builds ---------------------------------------------------------------------------------


def chalice_package(project: Path, out: Path) -> Path:
    """``chalice package`` of ``project`` into ``out``; the zip's path."""
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION}
    command = [str(build.chalice_command()), "--project-dir", str(project), "package"]
    subprocess.run(  # noqa: S603  (our chalice, fixed arguments)
        [*command, "--stage", "dev", str(out)], check=True, env=env, capture_output=True
    )
    return out / "deployment.zip"


def unzip(archive: Path, target: Path) -> Path:
    """Extract a deployment package, as Lambda does into /var/task."""
    shutil.rmtree(target, ignore_errors=True)
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(target)
    return target


def runtime_dir(target: Path) -> Path:
    """A stand-in for /var/runtime: the SDK this virtualenv tests with, nothing else."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    site = Path(__import__("botocore").__file__).resolve().parent.parent
    for name in build.RUNTIME_PROVIDED:
        for candidate in (site / name, site / f"{name}.py"):
            if candidate.exists():
                (target / candidate.name).symlink_to(candidate)
    return target


def sizes(archive: Path) -> tuple[int, int]:
    """(unzipped, zipped) bytes of a deployment package."""
    with zipfile.ZipFile(archive) as opened:
        unzipped = sum(info.file_size for info in opened.infolist())
    return unzipped, archive.stat().st_size


# --- 1. cold start ----------------------------------------------------------------------------


def lambdas() -> dict[str, str]:
    """The Lambda functions Chalice makes of the app, each with the module Lambda imports for it
    (its handler in sam.json): ``app`` for the API, the worker's own module for each worker."""
    from app import app

    found = {"api_handler": "app"} if app.routes else {}
    for source in [*app.event_sources, *app.pure_lambda_functions]:
        found[source.name] = source.handler_string.rpartition(".")[0]
    return found


def cold_run(task: Path, runtime: Path, mode: str, name: str, entry: str) -> float:
    """One cold start in a fresh interpreter; milliseconds from first import to ready."""
    needs = NEEDS.get(name, DEFAULT_NEEDS)
    result = subprocess.run(  # noqa: S603  (our interpreter, our script)
        [
            sys.executable,
            "-I",
            "-S",
            "-B",  # Lambda's file system is read-only: no bytecode is written between runs
            "-c",
            CHILD,
            str(task),
            str(runtime),
            mode,
            entry,
            ",".join(needs.clients),
            ",".join(needs.validators),
            ",".join(needs.imports),
        ],
        cwd=task.parent,
        # As the Lambda runtime does: the function's name is in its environment.
        env={
            "PATH": os.environ.get("PATH", ""),
            **DUMMY_ENV,
            "AWS_LAMBDA_FUNCTION_NAME": f"mieux-dev-{name}",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"cold start of {name} ({mode}) failed:\n{result.stderr}")
    return float(result.stdout.strip().splitlines()[-1])


def cold_starts(
    slim: Path, naive: Path, runtime: Path, runs: int
) -> dict[str, dict[str, list[float]]]:
    """For each Lambda: floor, slim and naive runs, interleaved in a shuffled order each round."""
    times: dict[str, dict[str, list[float]]] = {}
    entries = lambdas()
    variants = {"floor": slim, "slim": slim, "naive": naive}
    for round_number in range(runs):
        for name, entry in entries.items():
            order = list(variants)
            random.shuffle(order)
            for variant in order:
                mode = "floor" if variant == "floor" else "app"
                elapsed = cold_run(variants[variant], runtime, mode, name, entry)
                times.setdefault(name, {}).setdefault(variant, []).append(elapsed)
        if round_number % 5 == 4:
            log(f"cold starts: {round_number + 1}/{runs} rounds")
    return times


# --- 4. warm CPU ---------------------------------------------------------------------------


def handler_cpu(runs: int, where: str) -> tuple[float, float]:
    """Median ms per warm submit, and per validation alone, in a child set up as Lambda runs the
    app (infra/bench/cpu.py): its environment, the collector as runtime/startup.py leaves it."""
    result = subprocess.run(  # noqa: S603  (our interpreter, our module)
        [sys.executable, "-m", "infra.bench.cpu", where, str(runs)],
        cwd=ROOT,
        env={**os.environ, **DUMMY_ENV, "AWS_LAMBDA_FUNCTION_NAME": "mieux-bench-api"},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"warm CPU ({where}) failed:\n{result.stderr}")
    handler_ms, validation_ms = json.loads(result.stdout.strip().splitlines()[-1])
    return float(handler_ms), float(validation_ms)


# --- 3 and 5: against moto --------------------------------------------------------------------


@contextlib.contextmanager
def moto_stack() -> Iterator[dict[str, str]]:
    """A fresh moto account provisioned from infra/stack.yaml, its environment set."""
    with environment(DUMMY_ENV):
        from moto import mock_aws

        from functions.adapters import aws
        from infra.local.provision import provision

        aws.reset_clients()
        with mock_aws():
            env = provision(stage="local", public_base_url="https://mieux.example.org")
            env["MIEUX_STAGE"] = "test"
            with environment(env):
                yield env
        aws.reset_clients()


def aws_calls() -> dict[str, Recorder]:
    """The calls each operation makes, counted at botocore, in one stack with the demo committee.

    Each operation runs twice; the second run is counted (the first creates the clients, reads
    the signing keys and creates the year's counter: once per container, not per operation).
    """
    counted: dict[str, Recorder] = {}
    with moto_stack():
        operations.seed()
        for name, prepare in operations.OPERATIONS.items():
            prepare()()
            operation = prepare()
            with recording() as recorder:
                operation()
            counted[name] = recorder
    return counted


def fill_table(table: str, requests: int, start: int) -> list[str]:
    """Write ``requests`` request partitions of 5 items each (META + events); their ids."""
    from functions.adapters import aws

    dynamodb = aws.client("dynamodb", REGION)
    statuses = ("submitted", "under_review", "approved", "rejected", "more_information")
    regions = ("AFRICA", "ASIA", "EUROPE", "LATAM", "MENA")
    ids: list[str] = []
    batch: list[dict[str, Any]] = []
    for number in range(start, start + requests):
        request_id = f"{number:032x}"
        ids.append(request_id)
        at = f"2026-01-01T00:{number // 60 % 60:02d}:{number % 60:02d}.{number:06d}Z"
        region = regions[number % len(regions)]
        meta = {
            "pk": {"S": f"REQ#{request_id}"},
            "sk": {"S": "META"},
            "kind": {"S": "request"},
            "status": {"S": statuses[number % len(statuses)]},
            "status_since": {"S": at},
            "region_year": {"S": f"{region}#2026"},
            "submitted_at": {"S": at},
            "email_hash": {"S": f"{number:064x}"},
        }
        batch.append(meta)
        for event in range(4):
            batch.append(
                {
                    "pk": {"S": f"REQ#{request_id}"},
                    "sk": {"S": f"EVT#{at}#{event}"},
                    "kind": {"S": "event"},
                }
            )
        while len(batch) >= 25:
            items = [{"PutRequest": {"Item": item}} for item in batch[:25]]
            dynamodb.batch_write_item(RequestItems={table: items})
            batch = batch[25:]
    if batch:
        items = [{"PutRequest": {"Item": item}} for item in batch]
        dynamodb.batch_write_item(RequestItems={table: items})
    return ids


def queries(request_id: str) -> dict[str, Callable[[], object]]:
    """The read access patterns of docs/architecture.md, each with a fixed result size."""
    from functions.adapters import store

    store.bind()
    page = 25
    return {
        "a request with its items (Query pk)": lambda: list(store.partition(request_id)),
        "a request by key (GetItem)": lambda: store.get(
            store.TableItem, store.request_key(request_id), "META"
        ),
        "listing/sweep: requests in a status, oldest first (status-index, 25)": lambda: list(
            store.RequestItem.status_index.query("submitted", limit=page)
        ),
        "report: requests of a region and year (region-index, 25)": lambda: list(
            store.RequestItem.region_index.query("EUROPE#2026", limit=page)
        ),
        "erasure: requests of an address (email-index)": lambda: list(
            store.RequestItem.email_index.query(f"{7:064x}")
        ),
    }


def scale(sizes_: tuple[int, ...] = (1_000, 20_000)) -> tuple[dict[str, list[int]], list[str]]:
    """Items read (ScannedCount) by each query at each table size; any Scan seen."""
    read: dict[str, list[int]] = {}
    scans: list[str] = []
    with moto_stack() as env:
        table = env["TABLE_NAME"]
        written = 0
        ids: list[str] = []
        for size in sizes_:
            ids += fill_table(table, (size - written) // 5, written // 5)
            written = size
            log(f"scale: table holds {written} items")
            for name, query in queries(ids[7]).items():
                with recording() as recorder:
                    query()
                scanned = sum(count for _, count in recorder.scanned)
                if not recorder.scanned:  # GetItem reports no count: it reads one item
                    scanned = sum(recorder.calls.values())
                read.setdefault(name, []).append(scanned)
                scans += recorder.scans()
    return read, scans


# --- the report -------------------------------------------------------------------------------


def fmt_ms(value: float) -> str:
    """Milliseconds, as the table shows them."""
    return f"{value:.1f} ms"


def fmt_mb(value: int) -> str:
    """Megabytes (10^6), as the table shows them."""
    return f"{value / 1e6:.2f} MB"


def write_report(out: Path, rows: list[Row], notes: list[str], details: list[str]) -> None:
    """docs/performance.md: the table, then how it was measured."""
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (`python -m infra.bench`); do not edit by hand. "
        "Every ratio is measured side by side in one run: timings are medians of runs taken in",
        "alternation (shuffled each round), so the noise of the machine hits both sides.",
        "",
        "| figure | measured | floor / reference | ratio | target | result |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.figure} | {r.measured} | {r.floor} | {r.ratio} | {r.target} | {r.verdict} |"
        for r in rows
    ]
    lines += ["", "## Run", ""] + [f"- {note}" for note in notes]
    lines += ["", "## How each figure is measured", "", *details]
    lines += ["", "## What keeps the figures where they are", "", *LEVERS]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


# The levers in place (issue 9), for the reader of docs/performance.md: where to look when a figure
# moves. Each is in the code with a comment saying why.
LEVERS = [
    "- **Build** (`infra/build.py`, `make package`, `make deploy`): dependencies installed for the"
    " Lambda platform, pinned to the tested versions, pruned (tests, benchmarks, examples);"
    " botocore shipped with the models of the four services called only (and `endpoints.json`"
    " cut to them): a cold start lists and parses 4 services' data, not 400, about 60 ms less"
    " than the runtime's copy; the dependencies as bytecode only, without docstrings or column"
    " tables (`-OO`, `-X no_debug_ranges`), compiled extensions stripped; the app's own code with"
    " its sources and `unchecked-hash` bytecode; the operators' CLI left out;"
    " `chalice --project-dir build/slim/STAGE deploy`.",
    "- **Start-up without the cyclic collector** (`runtime/startup.py`, in Lambda only): it"
    " walked the ~100,000 objects of start-up again and again (~50 ms of a cold start); after"
    " the first invocation they are frozen, so warm collections walk only their own objects.",
    "- **Imports on use**: the API Lambda imports `app.py`, which imports every worker's module"
    " to register it; a worker Lambda imports only its own module (its handler in sam.json, so"
    " each worker wraps its own invocations: runtime/invocation.py). What one route or worker"
    " needs is imported where it is used: Jinja2 and the mail service (notifications worker,"
    " pages), the review and partner services (their routes, the review worker), the form's spec"
    " (the form), jsonschema (the first validator built: the bounces worker never imports it).",
    "- **Once per container**: validators (no metaschema check at run time: the schemas are"
    " checked by tests/unit/test_schemas.py), one botocore session, one client per service, one"
    " pynamodb connection (and client) shared by every model and transaction, link serialisers"
    " per key list, reference data, and in Lambda the settings (the function's environment"
    " cannot change in a container; elsewhere they are read once per invocation).",
    "- **Hot path**: the submission's items are serialised by the models' attributes without"
    " building pynamodb instances (`store.serialized`, tested equal to the models' own); queue"
    " messages are validated when received, and the test suite checks every message sent.",
    "- **Calls**: a vote reads the committee once and the request with the round's votes in one"
    " Query; a mail reads the request and its recipient in one BatchGetItem; the submission's"
    " counters are fixed UpdateItems and its transaction goes to the shared client directly.",
    "- **Scale**: no Scan anywhere (test_budgets checks the code); listings, sweeps and reports"
    " go through indexes with a page size.",
]


def builds() -> tuple[Path, Path, Path, Path, Path]:
    """Both packages, built and unzipped, and the stand-in runtime: (slim zip, naive zip,
    slim task, naive task, runtime)."""
    log("building the slim package (infra/build.py) and Chalice's default one")
    slim_zip = chalice_package(build.prepare("dev", project=WORK / "slim-project"), WORK / "slim")
    naive_zip = chalice_package(ROOT, WORK / "naive")
    slim_task = unzip(slim_zip, WORK / "slim-task" / "task")
    naive_task = unzip(naive_zip, WORK / "naive-task" / "task")
    return slim_zip, naive_zip, slim_task, naive_task, runtime_dir(WORK / "runtime")


def cold_rows(slim_task: Path, naive_task: Path, runtime: Path, runs: int) -> list[Row]:
    """Figure 1: each Lambda, slim and naive, against its floor."""
    rows: list[Row] = []
    log(f"cold starts: {runs} rounds of floor/slim/naive per Lambda")
    for name, times in cold_starts(slim_task, naive_task, runtime, runs).items():
        floor = median(times["floor"])
        slim = median(times["slim"])
        naive = median(times["naive"])
        # The ratio is the median of each round's ratio (the same round: the same load), which
        # a busy machine moves less than the ratio of the two medians.
        slim_ratio = paired_ratio(times["slim"], times["floor"])
        naive_ratio = paired_ratio(times["naive"], times["floor"])
        needs = NEEDS.get(name, DEFAULT_NEEDS)
        services = ", ".join(needs.clients)
        rows.append(
            Row(
                f"1. cold start `{name}` (slim package)",
                fmt_ms(slim),
                f"{fmt_ms(floor)} (botocore + {services})",
                f"{slim_ratio:.2f}",
                "<= 1.25",
                verdict(slim_ratio <= 1.25),
            )
        )
        rows.append(
            Row(
                f"1. cold start `{name}` (Chalice's default package)",
                fmt_ms(naive),
                fmt_ms(floor),
                f"{naive_ratio:.2f}",
                "(naive, for comparison)",
                "-",
            )
        )
    return rows


def size_rows(slim_zip: Path, naive_zip: Path) -> list[Row]:
    """Figure 2: the slim package against Chalice's default, unzipped and zipped."""
    slim_size, naive_size = sizes(slim_zip), sizes(naive_zip)
    return [
        Row(
            "2. package size, unzipped",
            fmt_mb(slim_size[0]),
            f"{fmt_mb(naive_size[0])} (Chalice's default)",
            f"{slim_size[0] / naive_size[0]:.3f}",
            "<= 0.25",
            verdict(slim_size[0] / naive_size[0] <= 0.25),
        ),
        Row(
            "2. package size, zipped",
            fmt_mb(slim_size[1]),
            f"{fmt_mb(naive_size[1])} (Chalice's default)",
            f"{slim_size[1] / naive_size[1]:.3f}",
            "(smaller)",
            verdict(slim_size[1] < naive_size[1]),
        ),
    ]


def call_rows() -> tuple[list[Row], list[str]]:
    """Figure 3: the calls of each operation against the minimum; the reasons, for the notes."""
    log("AWS calls per operation (moto)")
    rows: list[Row] = []
    details: list[str] = []
    for operation, recorder in aws_calls().items():
        minimum = expected(operation)
        counted = dict(sorted(recorder.calls.items()))
        total = sum(counted.values())
        listed = ", ".join(f"{name} x{count}" for name, count in counted.items())
        ok = recorder.calls == minimum and not recorder.scans()
        rows.append(
            Row(
                f"3. AWS calls: {operation}",
                f"{total} ({listed})",
                f"{minimum.total()} (minimum)",
                f"{total / minimum.total():.2f}",
                "= minimum",
                verdict(ok),
            )
        )
        for call, reason in MINIMUM[operation]:
            details.append(f"  - {operation}: `{call}`: {reason}")
    return rows, details


def cpu_rows(runs: int) -> list[Row]:
    """Figure 4: the warm submit handler against schema validation alone.

    The target is on the app's own work (AWS answered before botocore). The rows with
    botocore's work show what the SDK adds per call: the reason figure 3 keeps calls minimal.
    """
    log("handler CPU (AWS stubbed before botocore, at the Stubber's place, at the HTTP layer)")
    rows: list[Row] = []
    for where, label in (
        ("calls", "before botocore"),
        ("stubber", "where botocore's Stubber answers"),
        ("http", "at HTTP"),
    ):
        handler_ms, validation_ms = handler_cpu(runs, where)
        ratio = handler_ms / validation_ms
        primary = where == "calls"
        rows.append(
            Row(
                f"4. warm CPU: POST /requests (AWS stubbed {label})",
                fmt_ms(handler_ms),
                f"{fmt_ms(validation_ms)} (schema validation alone)",
                f"{ratio:.2f}",
                "<= 2" if primary else "(botocore's work included, for comparison)",
                verdict(ratio <= 2) if primary else "-",
            )
        )
    return rows


def scale_rows() -> list[Row]:
    """Figure 5: items read by each query at 1,000 and 20,000 items; any Scan."""
    log("scale: 1,000 then 20,000 items (moto)")
    rows: list[Row] = []
    read, scans = scale()
    for name, counts in read.items():
        rows.append(
            Row(
                f"5. items read: {name}",
                f"{counts[-1]} at 20,000 items",
                f"{counts[0]} at 1,000 items",
                f"{counts[-1] / counts[0]:.2f}" if counts[0] else "-",
                "constant (1.00)",
                verdict(counts[-1] == counts[0]),
            )
        )
    rows.append(Row("5. Scan calls", str(len(scans)), "0", "-", "none, ever", verdict(not scans)))
    return rows


PARTS = ("cold", "size", "calls", "cpu", "scale")


def main(argv: list[str] | None = None) -> None:
    """Build both packages, measure every figure, write the report."""
    parser = argparse.ArgumentParser(description="Measure docs/performance.md")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--runs", type=int, default=21, help="cold starts per variant and Lambda")
    parser.add_argument("--cpu-runs", type=int, default=300)
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="measure these figures only and print them (the report is written by a full run)",
    )
    args = parser.parse_args(argv)
    os.environ.update({k: v for k, v in DUMMY_ENV.items() if k.startswith("AWS_")})
    began = time.monotonic()
    wanted = set(args.only or PARTS)
    load_before = os.getloadavg()

    rows: list[Row] = []
    call_details: list[str] = []
    if wanted & {"cold", "size"}:
        slim_zip, naive_zip, slim_task, naive_task, runtime = builds()
        if "cold" in wanted:
            rows += cold_rows(slim_task, naive_task, runtime, args.runs)
        if "size" in wanted:
            rows += size_rows(slim_zip, naive_zip)
    if "calls" in wanted:
        more, call_details = call_rows()
        rows += more
    if "cpu" in wanted:
        rows += cpu_rows(args.cpu_runs)
    if "scale" in wanted:
        rows += scale_rows()
    rows.append(
        Row(
            "6. throughput of the local stack",
            "see docs/reliability.md (`make load`)",
            "-",
            "-",
            "-",
            "-",
        )
    )
    load_after = os.getloadavg()
    if args.only:
        for row in rows:
            print(f"{row.figure}: {row.measured} vs {row.floor} = {row.ratio} [{row.verdict}]")
        return

    notes = [
        f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; "
        f"command: `make bench`; took {time.monotonic() - began:.0f} s",
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}; "
        f"Python {platform.python_version()}; {args.runs} cold starts per variant and Lambda; "
        f"{args.cpu_runs} warm requests",
        f"load average (1 min) before and after: {load_before[0]:.2f}, {load_after[0]:.2f}"
        + (
            f" on {os.cpu_count()} CPUs: the machine was busy with other work before the run,"
            " so the timings are noisier than usual (the ratios are still side by side)"
            if load_before[0] > 0.5 * (os.cpu_count() or 1)
            else " (the load after is the bench's own)"
        ),
    ]
    details = [
        "1. **Cold start** (the ratio: the median of each round's slim/floor ratio, steadier"
        " on a busy machine than the ratio of the medians): each Lambda of the app (the API"
        " handler and one per event source) is imported from the unzipped package in a fresh"
        " `python -I -S -B` whose path holds the package, then a stand-in for the runtime's"
        " `/var/runtime` (the virtualenv's boto3 and botocore, with bytecode; Lambda searches"
        " `/var/task` first, so the package's own botocore is the one imported), with the"
        " function's name in its environment as Lambda sets it, then initialised as its first"
        " event would: the modules it imports on use (the notifications worker: the mail service"
        " with Jinja2; the review worker: the review service), its validators built, its clients"
        " created (pynamodb's included); `NEEDS` in `infra/bench/__main__.py` lists them. Each"
        " Lambda starts by importing its handler's module, as Lambda does (sam.json): `app.py`"
        " for the API, the worker's own module for a worker. The time runs from the first import"
        " to ready. The floor is the same interpreter, with only the"
        " runtime's SDK on its path (what a function that ships nothing of its own gets),"
        " importing botocore and creating the same clients from one session. The naive figure is"
        " Chalice's default package (its own full botocore, no bytecode). Interpreter start-up,"
        " equal on both sides, is left out.",
        "2. **Package size**: the sum of the file sizes in deployment.zip, and the zip itself;"
        " against `chalice package` of the repository as it is.",
        "3. **AWS calls**: every botocore API call is counted (`BaseClient._make_api_call`, so"
        " pynamodb's clients count too) during the second run of each operation against moto,"
        " with the local stage's demo committee (three voters, an observer, Project Officers; the"
        " unanimous rule); the first run creates the clients, reads the signing keys and creates"
        " the year's counter, which happens once per container. Submit runs through the Lambda"
        " entry point, the others through the services their worker or page calls"
        " (`infra/bench/operations.py`). The minimum and why, call by call:",
        *call_details,
        "4. **Handler CPU**: `app.app(event, None)` with an API Gateway event for POST /requests"
        " (routing, body parsing, validation, storage, queue, response), in a child interpreter"
        " set up as a Lambda container (`infra/bench/cpu.py`: the function's environment before"
        " `app` is imported, so the collector and the settings are as in Lambda), warmed by 20"
        " requests, against `validator.iter_errors(document)` for the same document, alternated."
        " The target is on the app's own work: AWS answers at `BaseClient._make_api_call`, before"
        " botocore does anything (first row). The other rows let botocore work too: where"
        " `botocore.stub.Stubber` answers (`before-call`: parameters serialised, nothing signed,"
        " sent or parsed) and at the HTTP layer (`Endpoint._send`: signing and parsing too). The"
        " difference is the SDK's own CPU for the four calls of a submission (endpoint rules,"
        " serialisation, signing, parsing), the same for any Python Lambda making those calls:"
        " why figure 3 keeps the calls to the minimum.",
        "5. **Scale**: the table (moto) is filled with request partitions of 5 items, to 1,000"
        " then 20,000 items, and each read pattern runs with the same result size. Items read is"
        " the `ScannedCount` DynamoDB (moto) returns for a Query, summed over pages; a GetItem"
        " reads one item. moto computes ScannedCount as real DynamoDB does (items evaluated"
        " before any filter); it does not model capacity units faithfully, so ConsumedCapacity"
        " is not used. Any Scan call would be listed.",
        "6. **Throughput** of the local stack (requests per second, p95, zero lost) is measured"
        " by the load run of the reliability issue (`make load`, docs/reliability.md), not here.",
    ]
    write_report(args.out, rows, notes, details)
    log(f"wrote {args.out} in {time.monotonic() - began:.0f} s")
    for row in rows:
        print(f"{row.figure}: {row.measured} vs {row.floor} = {row.ratio} [{row.verdict}]")


if __name__ == "__main__":
    main()
