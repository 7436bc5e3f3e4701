"""docs/performance.md: the table of every figure, the run, how each figure is measured, and the
levers that keep the figures where they are."""

from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    figure: str
    measured: str
    floor: str
    ratio: str
    target: str
    verdict: str

    def line(self) -> str:
        """The row as ``make bench --only`` prints it."""
        return f"{self.figure}: {self.measured} vs {self.floor} = {self.ratio} [{self.verdict}]"


def verdict(ok: bool) -> str:
    """pass/FAIL, as the table shows it."""
    return "pass" if ok else "FAIL"


def fmt_ms(value: float) -> str:
    """Milliseconds, as the table shows them."""
    return f"{value:.1f} ms"


def fmt_mb(value: int) -> str:
    """Megabytes (10^6), as the table shows them."""
    return f"{value / 1e6:.2f} MB"


@dataclass(frozen=True)
class Run:
    """The circumstances of one run, for the report's "Run" section."""

    seconds: float
    cold_runs: int
    cpu_runs: int
    load_before: float
    load_after: float

    def notes(self) -> list[str]:
        """Date, machine, sample sizes and how busy the machine was."""
        cpus = os.cpu_count() or 1
        busy = self.load_before > 0.5 * cpus
        return [
            f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; "
            f"command: `make bench`; took {self.seconds:.0f} s",
            f"machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}; "
            f"Python {platform.python_version()}; {self.cold_runs} cold starts per variant and"
            f" Lambda; {self.cpu_runs} warm requests",
            f"load average (1 min) before and after: {self.load_before:.2f},"
            f" {self.load_after:.2f}"
            + (
                f" on {os.cpu_count()} CPUs: the machine was busy with other work before the run,"
                " so the timings are noisier than usual (the ratios are still side by side)"
                if busy
                else " (the load after is the bench's own)"
            ),
        ]


THROUGHPUT = Row(
    "6. throughput of the local stack", "see docs/reliability.md (`make load`)", "-", "-", "-", "-"
)
THROUGHPUT_HOW = (
    "6. **Throughput** of the local stack (requests per second, p95, zero lost) is measured"
    " by the load run of the reliability issue (`make load`, docs/reliability.md), not here."
)

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
    "- **Start-up without the cyclic collector** (`functions/runtime/startup.py`, in Lambda"
    " only): it walked the ~100,000 objects of start-up again and again (~50 ms of a cold"
    " start); after the first invocation they are frozen, so warm collections walk only their"
    " own objects.",
    "- **Imports on use**: the API Lambda imports `app.py`, which imports every worker's module"
    " to register it; a worker Lambda imports only its own module (its handler in sam.json, so"
    " each worker wraps its own invocations: functions/runtime/invocation.py). What one route or"
    " worker needs is imported where it is used: Jinja2 and the mail service (notifications worker,"
    " pages), the review and partner services (their routes, the review worker), the form's spec"
    " (the form), jsonschema (the first validator built: the bounces worker never imports it).",
    "- **Once per container**: validators (no metaschema check at run time: the schemas are"
    " checked by tests/unit/test_schemas.py), one botocore session, one client per service, one"
    " pynamodb connection (and client) shared by every model and transaction, link serialisers"
    " per key list, reference data, and in Lambda the settings (the function's environment"
    " cannot change in a container; elsewhere they are read once per invocation).",
    "- **Hot path**: the submission's items are serialised by the models' attributes without"
    " building pynamodb instances (`models.serialized`, tested equal to the models' own); queue"
    " messages are validated when received, and the test suite checks every message sent.",
    "- **Calls**: a vote reads the committee once and the request with the round's votes in one"
    " Query; a mail reads the request and its recipient in one BatchGetItem; the submission's"
    " counters are fixed UpdateItems and its transaction goes to the shared client directly.",
    "- **Bounds before validation** (`functions/domain/bounds.py`, figure 7): every string is"
    " measured against its field's `maxLength`, every array against its `maxItems`, every closed"
    " object's keys against its schema, in one walk that follows the schema, before jsonschema"
    " runs; what is refused is replaced, so no pattern sees an over-long string and no"
    " `uniqueItems` an over-long array; every schema pattern is linear"
    " (tests/unit/test_bounds.py).",
    "- **Scale**: no Scan anywhere (test_budgets checks the code); listings, sweeps and reports"
    " go through indexes with a page size.",
    "- **Small pages** (figure 8): API Gateway gzips every answer over 1 KiB"
    " (`minimum_compression_size` in each deployed stage of .chalice/config.json); the pages"
    " are built from the schema with no framework, one stylesheet and one script of our own,"
    " served with content-versioned URLs and `Cache-Control: immutable` (a second visit fetches"
    " the HTML only); JavaScript adds nothing a page needs to work. The public map"
    " (/where-we-work, tools/world_map.py) is inline SVG of Natural Earth's 1:110m countries"
    " (npm world-atlas): each shared arc simplified once (Douglas-Peucker, 0.8 px) and rounded to"
    " whole pixels, so neighbours meet; the grey world is two paths (the land's outline, each"
    " border once) and only the Actions' countries are drawn apart and named: 8.5 KB gzipped"
    " with 40 Actions in 30 countries, where a path and a title per country made 13.6 KB.",
    "- **The workspace's JOSE libraries stay in the API's package** (figure 2, issue 17; measured"
    " 2026-12-01 on 2 CPUs at a load of 9 to 14, so every time is several times an idle one:"
    " compare the ratios). joserfc needs cryptography for RS256: 13.47 MB unzipped (4.70 MB"
    " zipped) of the 21.12 MB package, almost all of it cryptography's compiled Rust library,"
    " already stripped. The API's cold start does not pay them: they are imported on use by the"
    " workspace's views, and tests/integration/test_packaging.py holds that importing the API,"
    " a public page, the sign-in page and /staff without a session load none of them. From the"
    " same slim package with and without them, 61 shuffled rounds: 521 ms and 545 ms against a"
    " floor of 522 ms (0.98 both; paired with/without 1.02, the noise); figure 1's run: 715 ms"
    " against 673 ms (1.02). Their import, about 50 ms on an idle core (400 ms at this load), is"
    " paid once per container by its first workspace request. The package is 8% of Lambda's"
    " 250 MiB; 7.6 MB zipped, deployed through S3. The workspace as a function of its own would"
    " keep 4.70 MB zipped out of what Lambda fetches and unpacks for a new public container (not"
    " measurable here: inflating those bytes took 310 ms at this load), but would need a second"
    " deployment package (infra/build.py, make deploy uploading both), a second Chalice app or"
    " handler for the /staff routes, infra/template.py routing /staff/* of the one REST API to"
    " that function (integration URIs, a Lambda permission, its role and policy files, alarms,"
    " concurrency), the local stack serving both and the packaging tests and figures for both:"
    " about two days. And two functions are cold more often than one: the staff's few requests"
    " would no longer keep warm the containers the public's use, nor the other way round. Kept:"
    " one package, the JOSE libraries counted apart in figure 2 (in Chalice's default too:"
    " 16.12 MB there). Without them the package was 7.66 MB against 27.50 MB (0.278, over the"
    " quarter): not the JOSE libraries but our own code, which the slim build ships as sources"
    " and bytecode (2.55 MB: 1.16 MB of bytecode, 0.74 MB of sources, 0.36 MB of catalogs)"
    " against 1.94 MB of sources in Chalice's default; the dependencies alone were 5.10 MB"
    " against 25.55 MB (0.200). So figure 2 holds the dependencies to the quarter (what the"
    " build slims) and gives our code a budget of its own (4 MB: it grows with each feature;"
    " its bytecode spares every cold start the compilation of what it imports, since Lambda's"
    " /var/task is read-only). Levers if it nears the budget, in infra/build.py: bytecode"
    " without docstrings (`-OO`, once nothing reads `__doc__` at run time), or our sources"
    " left out (tracebacks would lose their lines).",
]


def write(out: Path, rows: list[Row], notes: list[str], details: list[str]) -> None:
    """docs/performance.md: the table, then the run, how it was measured, and the levers."""
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
