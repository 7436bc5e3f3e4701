"""Figure 9 of ``make bench``: the staff queue reads one index page, whatever the table holds.

The table (moto) is filled with 1,000 then 20,000 requests (figure 5's ``fill_table``: five
statuses, five regions, three thematic areas, one year) and each view of the queue
(``Repository.queue_page``, the one the workspace's GET /staff calls) asks for a page of 25: a
status, longest waiting first; the same, newest first; the next page by its cursor; a region and
year; and each filter that has no index of its own, applied within the page read (an officer's
regions, a thematic area, a year, a status within a region). The counts per status read their
counters (``Repository.status_counts``; set beforehand by the operators' recount, since the
filling bypasses the status changes that move them). Items read is the ``ScannedCount`` of the
Query, summed over its calls. Any Scan is listed.
"""

from __future__ import annotations

from collections.abc import Callable

from infra.bench.calls import recording
from infra.bench.report import Row, verdict
from infra.bench.scale import ITEMS_PER_REQUEST, fill_table
from infra.bench.stage import log, moto_stack

REQUESTS = (1_000, 20_000)
PAGE = 25

HOW = (
    "9. **The staff queue**: the table (moto) holds 1,000 then 20,000 requests (5 items each,"
    " figure 5's filling) and each view of the queue asks `Repository.queue_page` for a page of"
    f" {PAGE}, with each filter that has no index of its own applied within the page read."
    " Items read is the Query's `ScannedCount`, summed over its calls; the target is the page"
    " size at every table size (the queue reads indexes only, one Query a page), and the counts"
    " per status read one counter per status, whatever the table holds."
)


def views() -> dict[str, Callable[[], object]]:
    """The queue's views, as GET /staff reads them."""
    from functions.adapters.repository import repository

    store = repository()
    first = store.queue_page(status="submitted", limit=PAGE)
    return {
        "a status, longest waiting first": lambda: store.queue_page(status="submitted", limit=PAGE),
        "a status, newest first": lambda: store.queue_page(
            status="under_review", limit=PAGE, newest_first=True
        ),
        "the next page (cursor)": lambda: store.queue_page(
            status="submitted", limit=PAGE, cursor=first.cursor
        ),
        "a region and year": lambda: store.queue_page(region="EUROPE", year=2026, limit=PAGE),
        "a status, an officer's two regions (filtered within the page)": lambda: store.queue_page(
            status="submitted", regions=("AFRICA", "ASIA"), limit=PAGE
        ),
        "a status, a thematic area (filtered within the page)": lambda: store.queue_page(
            status="submitted", pillar="horizontal", limit=PAGE
        ),
        "a status, a year (filtered within the page)": lambda: store.queue_page(
            status="approved", year=2026, limit=PAGE
        ),
        "a region and year, a status (filtered within the page)": lambda: store.queue_page(
            region="EUROPE", year=2026, status="submitted", limit=PAGE
        ),
    }


COUNTS = "the counts per status (their counters)"


def measure(sizes: tuple[int, ...] = REQUESTS) -> tuple[dict[str, list[int]], list[str]]:
    """Items read by each view at each size of the table; any Scan seen."""
    read: dict[str, list[int]] = {}
    scans: list[str] = []
    with moto_stack() as env:
        written = 0
        for size in sizes:
            fill_table(env["TABLE_NAME"], size - written, written)
            written = size
            log(f"queue: table holds {written} requests ({written * ITEMS_PER_REQUEST} items)")
            for name, view in views().items():
                with recording() as recorder:
                    view()
                read.setdefault(name, []).append(sum(count for _, count in recorder.scanned))
                scans += recorder.scans()
            from functions.adapters.repository import repository

            repository().recount_statuses()  # the filling wrote no counters (an operator's repair)
            with recording() as recorder:
                repository().status_counts()
            read.setdefault(COUNTS, []).append(sum(count for _, count in recorder.scanned))
            scans += recorder.scans()
    return read, scans


def rows() -> list[Row]:
    """Items read per page of each view, at 1,000 and at 20,000 requests."""
    read, scans = measure()
    largest, smallest = f"{REQUESTS[-1]:,}", f"{REQUESTS[0]:,}"
    from functions.domain.requests import Status

    counted = read.pop(COUNTS)
    found = [
        Row(
            f"9. queue page ({PAGE}): {name}",
            f"{counts[-1]} items at {largest} requests",
            f"{counts[0]} at {smallest}",
            f"{counts[-1] / PAGE:.2f}",
            f"= page size ({PAGE})",
            verdict(counts[-1] == PAGE and counts[0] == PAGE),
        )
        for name, counts in read.items()
    ]
    found.append(
        Row(
            f"9. queue: {COUNTS}",
            f"{counted[-1]} items at {largest} requests",
            f"{counted[0]} at {smallest}",
            "-",
            f"<= {len(Status)} (one per status), at every size",
            verdict(counted[-1] == counted[0] <= len(Status)),
        )
    )
    found.append(Row("9. queue: Scan calls", str(len(scans)), "0", "-", "none", verdict(not scans)))
    return found


if __name__ == "__main__":
    for row in rows():
        print(row.line())
