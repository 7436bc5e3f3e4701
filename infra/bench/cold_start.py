"""Figure 1 of ``make bench``: the cold start of each Lambda, slim and naive, against its floor.

Each run is a fresh interpreter running :mod:`infra.bench.cold_child` by path; the three variants
(floor, slim, Chalice's default) of each Lambda are shuffled within each round, so that the
machine's noise hits them alike.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from infra.bench import cold_child
from infra.bench.packaging import Packages
from infra.bench.report import Row, fmt_ms, verdict
from infra.bench.stage import DUMMY_ENV, log

TARGET = 1.25  # of the floor
CHILD = Path(cold_child.__file__)
MAIL = "sesv2"


@dataclass(frozen=True)
class Needs:
    """A Lambda's first-event work: clients, validators, modules imported on use."""

    clients: tuple[str, ...]
    validators: tuple[str, ...] = ()
    imports: tuple[str, ...] = ()


# What each Lambda does before it can answer its first event: the clients it creates, the
# validators it builds and the modules it imports on use (beyond its handler's module: app.py for
# the API, the worker's own module for a worker). The floor of a Lambda is botocore creating the
# same clients. Lambdas not listed (one added since) get DEFAULT_NEEDS.
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

HOW = (
    "1. **Cold start** (the ratio: the median of each round's slim/floor ratio, steadier"
    " on a busy machine than the ratio of the medians): each Lambda of the app (the API"
    " handler and one per event source) is imported from the unzipped package in a fresh"
    " `python -I -S -B` (running `infra/bench/cold_child.py`) whose path holds the package, then"
    " a stand-in for the runtime's"
    " `/var/runtime` (the virtualenv's boto3 and botocore, with bytecode; Lambda searches"
    " `/var/task` first, so the package's own botocore is the one imported), with the"
    " function's name in its environment as Lambda sets it, then initialised as its first"
    " event would: the modules it imports on use (the notifications worker: the mail service"
    " with Jinja2; the review worker: the review service), its validators built, its clients"
    " created (pynamodb's included); `NEEDS` in `infra/bench/cold_start.py` lists them. Each"
    " Lambda starts by importing its handler's module, as Lambda does (sam.json): `app.py`"
    " for the API, the worker's own module for a worker. The time runs from the first import"
    " to ready. The floor is the same interpreter, with only the"
    " runtime's SDK on its path (what a function that ships nothing of its own gets),"
    " importing botocore and creating the same clients from one session. The naive figure is"
    " Chalice's default package (its own full botocore, no bytecode). Interpreter start-up,"
    " equal on both sides, is left out."
)


def paired_ratio(measured: list[float], floor: list[float]) -> float:
    """The median of the ratios of runs taken in the same round."""
    return statistics.median([m / f for m, f in zip(measured, floor, strict=True)])


def lambdas() -> dict[str, str]:
    """The Lambda functions Chalice makes of the app, each with the module Lambda imports for it
    (its handler in sam.json): ``app`` for the API, the worker's own module for each worker."""
    from app import app

    found = {"api_handler": "app"} if app.routes else {}
    # Two lists of two types (event sources, plain functions) with the same two attributes.
    for source in app.event_sources:
        found[source.name] = source.handler_string.rpartition(".")[0]
    for function in app.pure_lambda_functions:
        found[function.name] = function.handler_string.rpartition(".")[0]
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
            str(CHILD),
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


def cold_starts(packages: Packages, runs: int) -> dict[str, dict[str, list[float]]]:
    """For each Lambda: floor, slim and naive runs, interleaved in a shuffled order each round."""
    times: dict[str, dict[str, list[float]]] = {}
    entries = lambdas()
    variants = {
        "floor": packages.slim_task,
        "slim": packages.slim_task,
        "naive": packages.naive_task,
    }
    for round_number in range(runs):
        for name, entry in entries.items():
            order = list(variants)
            random.shuffle(order)
            for variant in order:
                mode = "floor" if variant == "floor" else "app"
                elapsed = cold_run(variants[variant], packages.runtime, mode, name, entry)
                times.setdefault(name, {}).setdefault(variant, []).append(elapsed)
        if round_number % 5 == 4:
            log(f"cold starts: {round_number + 1}/{runs} rounds")
    return times


def rows(packages: Packages, runs: int) -> list[Row]:
    """Each Lambda, slim and naive, against its floor."""
    found: list[Row] = []
    log(f"cold starts: {runs} rounds of floor/slim/naive per Lambda")
    for name, times in cold_starts(packages, runs).items():
        floor = statistics.median(times["floor"])
        slim = statistics.median(times["slim"])
        naive = statistics.median(times["naive"])
        # The ratio is the median of each round's ratio (the same round: the same load), which
        # a busy machine moves less than the ratio of the two medians.
        slim_ratio = paired_ratio(times["slim"], times["floor"])
        naive_ratio = paired_ratio(times["naive"], times["floor"])
        services = ", ".join(NEEDS.get(name, DEFAULT_NEEDS).clients)
        found.append(
            Row(
                f"1. cold start `{name}` (slim package)",
                fmt_ms(slim),
                f"{fmt_ms(floor)} (botocore + {services})",
                f"{slim_ratio:.2f}",
                f"<= {TARGET}",
                verdict(slim_ratio <= TARGET),
            )
        )
        found.append(
            Row(
                f"1. cold start `{name}` (Chalice's default package)",
                fmt_ms(naive),
                fmt_ms(floor),
                f"{naive_ratio:.2f}",
                "(naive, for comparison)",
                "-",
            )
        )
    return found
