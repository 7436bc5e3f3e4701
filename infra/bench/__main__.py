"""``make bench``: measure the figures of docs/performance.md side by side, and write it.

One module per figure: 1. cold start of each Lambda from the unzipped slim package against the
floor and Chalice's default package (``cold_start``); 2. package size (``size``); 3. AWS calls per
operation (``calls``); 4. warm CPU of the submit handler against schema validation alone
(``cpu``); 5. items read by the queries as the table grows (``scale``); 7. validation of
the worst hostile document against the schema's example (``validation``); 8. each page's bytes
over the wire and the requests before the form can be used (``page_weight``); 9. items
read per page of the staff queue at 20,000 requests (``queue``); 10. items read by matching an
activity as the roster grows (``matching``). The packages are built by ``packaging``, the
report written by ``report``. Timings are medians of many runs taken in alternation, so that
the machine's noise hits both sides.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from infra.bench import (
    calls,
    cold_start,
    cpu,
    matching,
    packaging,
    page_weight,
    queue,
    report,
    scale,
    size,
    validation,
)
from infra.bench.stage import DUMMY_ENV, ROOT, log

PARTS = ("cold", "size", "calls", "cpu", "scale", "validation", "pages", "queue", "matching")


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line: where to write, how many runs, which figures."""
    parser = argparse.ArgumentParser(description="Measure docs/performance.md")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "performance.md")
    parser.add_argument("--runs", type=int, default=21, help="cold starts per variant and Lambda")
    parser.add_argument("--cpu-runs", type=int, default=300)
    parser.add_argument("--validation-runs", type=int, default=100, help="rounds of figure 7")
    parser.add_argument(
        "--only",
        choices=PARTS,
        action="append",
        help="measure these figures only and print them (the report is written by a full run)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Build both packages, measure every figure, write the report."""
    args = arguments(argv)
    os.environ.update({k: v for k, v in DUMMY_ENV.items() if k.startswith("AWS_")})
    began = time.monotonic()
    wanted = set(args.only or PARTS)
    load_before = os.getloadavg()[0]

    rows: list[report.Row] = []
    if wanted & {"cold", "size"}:
        packages = packaging.builds()
        if "cold" in wanted:
            rows += cold_start.rows(packages, args.runs)
        if "size" in wanted:
            rows += size.rows(packages)
    if "calls" in wanted:
        rows += calls.rows()
    if "cpu" in wanted:
        rows += cpu.rows(args.cpu_runs)
    if "scale" in wanted:
        rows += scale.rows()
    rows.append(report.THROUGHPUT)
    if "validation" in wanted:
        rows += validation.rows(args.validation_runs)
    if "pages" in wanted:
        rows += page_weight.rows()
    if "queue" in wanted:
        rows += queue.rows()
    if "matching" in wanted:
        rows += matching.rows()
    if not args.only:
        run = report.Run(
            seconds=time.monotonic() - began,
            cold_runs=args.runs,
            cpu_runs=args.cpu_runs,
            load_before=load_before,
            load_after=os.getloadavg()[0],
        )
        details = [
            cold_start.HOW,
            size.HOW,
            *calls.how(),
            cpu.HOW,
            scale.HOW,
            report.THROUGHPUT_HOW,
            validation.HOW,
            page_weight.HOW,
            queue.HOW,
            matching.HOW,
        ]
        report.write(args.out, rows, run.notes(), details)
        log(f"wrote {args.out} in {time.monotonic() - began:.0f} s")
    for row in rows:
        print(row.line())


if __name__ == "__main__":
    main()
