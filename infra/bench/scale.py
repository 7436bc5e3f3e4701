"""Figure 5 of ``make bench``: the items each read pattern reads as the table grows; any Scan."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infra.bench.calls import recording
from infra.bench.report import Row, verdict
from infra.bench.stage import REGION, log, moto_stack

SIZES = (1_000, 20_000)  # items in the table
ITEMS_PER_REQUEST = 5  # META and four events

HOW = (
    "5. **Scale**: the table (moto) is filled with request partitions of 5 items, to 1,000"
    " then 20,000 items, and each read pattern runs with the same result size. Items read is"
    " the `ScannedCount` DynamoDB (moto) returns for a Query, summed over pages; a GetItem"
    " reads one item. moto computes ScannedCount as real DynamoDB does (items evaluated"
    " before any filter); it does not model capacity units faithfully, so ConsumedCapacity"
    " is not used. Any Scan call would be listed."
)


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
            "region": {"S": region},  # the queue's filters within a page (figure 9)
            "pillar": {"S": ("legal_migration", "irregular_migration", "horizontal")[number % 3]},
            "submitted_at": {"S": at},
            "email_hash": {"S": f"{number:064x}"},
        }
        batch.append(meta)
        for event in range(ITEMS_PER_REQUEST - 1):
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
    # The repository for what the services read whole; the models for the index pages (a
    # listing reads one page of 25, whatever the table holds).
    from functions.adapters.dynamodb import models
    from functions.adapters.repository import repository

    models.bind()
    page = 25
    store = repository()
    return {
        "a request with its items (Query pk)": lambda: store.partition(request_id),
        "a request by key (GetItem)": lambda: store.get_request(request_id),
        "listing/sweep: requests in a status, oldest first (status-index, 25)": lambda: list(
            models.RequestItem.status_index.query("submitted", limit=page)
        ),
        "report: requests of a region and year (region-index, 25)": lambda: list(
            models.RequestItem.region_index.query("EUROPE#2026", limit=page)
        ),
        "erasure: requests of an address (email-index)": lambda: store.request_ids_by_email_hash(
            f"{7:064x}"
        ),
    }


def scale(sizes: tuple[int, ...] = SIZES) -> tuple[dict[str, list[int]], list[str]]:
    """Items read (ScannedCount) by each query at each table size; any Scan seen."""
    read: dict[str, list[int]] = {}
    scans: list[str] = []
    with moto_stack() as env:
        table = env["TABLE_NAME"]
        written = 0
        ids: list[str] = []
        for size in sizes:
            per = ITEMS_PER_REQUEST
            ids += fill_table(table, (size - written) // per, written // per)
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


def rows() -> list[Row]:
    """Items read by each query at the smallest and the largest size; any Scan."""
    smallest, largest = f"{SIZES[0]:,}", f"{SIZES[-1]:,}"
    log(f"scale: {smallest} then {largest} items (moto)")
    found: list[Row] = []
    read, scans = scale()
    for name, counts in read.items():
        found.append(
            Row(
                f"5. items read: {name}",
                f"{counts[-1]} at {largest} items",
                f"{counts[0]} at {smallest} items",
                f"{counts[-1] / counts[0]:.2f}" if counts[0] else "-",
                "constant (1.00)",
                verdict(counts[-1] == counts[0]),
            )
        )
    found.append(Row("5. Scan calls", str(len(scans)), "0", "-", "none, ever", verdict(not scans)))
    return found
