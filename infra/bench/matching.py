"""Figure 10 of ``make bench``: the items matching reads as the roster grows, the candidates fixed.

The roster (moto) is filled with active experts, each under two topics; a fixed number of them
(``CANDIDATES``) share a topic with the activity. Matching reads roster-index under the
activity's topics (keys only) and then the candidates' profiles (BatchGetItem): the items read
must stay the same from 1,000 to 20,000 experts, and no call may Scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from infra.bench.calls import api_calls_through
from infra.bench.report import Row, verdict
from infra.bench.stage import REGION, log, moto_stack

SIZES = (1_000, 20_000)  # experts on the roster
CANDIDATES = 40  # experts who share a topic with the activity, whatever the roster's size
TOPIC = "trafficking_in_human_beings"  # the activity's topic
OTHER_TOPICS = ("labour_migration", "visa_and_mobility", "border_management", "diaspora_engagement")

HOW = (
    "10. **Matching**: the roster (moto) is filled with active experts (a profile and two topic"
    f" entries each), {CANDIDATES} of whom have the activity's topic, to {SIZES[0]:,} then"
    f" {SIZES[-1]:,} experts; matching (`DynamoRepository.active_experts_of_topics`, what"
    " `services/experts.match` reads) runs once at each size. Items read: the `ScannedCount` of"
    " each Query on roster-index plus the items each BatchGetItem returns. The target: the same"
    " at both sizes (it grows with the candidates, not with the roster), and no Scan."
)


def _expert_items(number: int, candidate: bool) -> list[dict[str, Any]]:
    """A profile and its two topic entries, as the repository writes them (raw items)."""
    from functions.domain import schemas

    expert_id = f"{number:032x}"
    topics = [TOPIC if candidate else OTHER_TOPICS[number % 4], OTHER_TOPICS[(number + 1) % 4]]
    document = schemas.example("expert.schema.json")
    document["expert"]["email"] = f"expert{number}@example.eu"
    document["expertise"]["topics"] = topics
    pk = {"S": f"EXPERT#{expert_id}"}
    profile = {
        "pk": pk,
        "sk": {"S": "PROFILE"},
        "kind": {"S": "expert"},
        "expert_id": {"S": expert_id},
        "expert_status": {"S": "active"},
        "member_state": {"S": "FR"},
        "document": {"S": _json(document)},
        "address_hash": {"S": f"{number:064x}"},
        "registered_at": {"S": "2026-01-01T00:00:00.000000Z"},
        "updated_at": {"S": "2026-01-01T00:00:00.000000Z"},
        "deployments": {"N": "0"},
        "roster_key": {"S": "STATE#FR#active"},
        "roster_sort": {"S": f"2026-01-01T00:00:00.000000Z#{expert_id}"},
        "version": {"N": "1"},
    }
    entries = [
        {
            "pk": pk,
            "sk": {"S": f"TOPIC#{topic}"},
            "kind": {"S": "expert_topic"},
            "expert_id": {"S": expert_id},
            "roster_key": {"S": f"TOPIC#{topic}"},
            "roster_sort": {"S": expert_id},
        }
        for topic in dict.fromkeys(topics)
    ]
    return [profile, *entries]


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


def fill_roster(table: str, experts: int, start: int) -> None:
    """Write ``experts`` experts from number ``start``; the first CANDIDATES numbers are the
    activity's candidates."""
    from functions.adapters import aws

    dynamodb = aws.client("dynamodb", REGION)
    batch: list[dict[str, Any]] = []
    for number in range(start, start + experts):
        batch += _expert_items(number, number < CANDIDATES)
        while len(batch) >= 25:
            requests = [{"PutRequest": {"Item": item}} for item in batch[:25]]
            dynamodb.batch_write_item(RequestItems={table: requests})
            batch = batch[25:]
    if batch:
        dynamodb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": i}} for i in batch]}
        )


class Reads:
    """Items read, by what DynamoDB answered, and the calls seen."""

    def __init__(self) -> None:
        self.items = 0
        self.operations: list[str] = []


@contextmanager
def counting() -> Iterator[Reads]:
    """Count the items every Query (ScannedCount) and BatchGetItem (items returned) reads."""
    import botocore.client

    reads = Reads()
    original = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        answer = original(client, operation, params)
        reads.operations.append(operation)
        if operation == "Query":
            reads.items += int(answer.get("ScannedCount", 0))
        elif operation == "BatchGetItem":
            reads.items += sum(len(found) for found in answer.get("Responses", {}).values())
        return answer

    with api_calls_through(counted):
        yield reads


def measure(sizes: tuple[int, ...] = SIZES) -> tuple[list[int], list[int], list[str]]:
    """Items read and candidates found at each roster size, and every operation seen."""
    read: list[int] = []
    found: list[int] = []
    operations: list[str] = []
    with moto_stack() as env:
        from functions.adapters.repository import repository

        written = 0
        for size in sizes:
            fill_roster(env["TABLE_NAME"], size - written, written)
            written = size
            log(f"matching: the roster holds {written} experts")
            with counting() as reads:
                candidates, _ = repository().active_experts_of_topics([TOPIC])
            read.append(reads.items)
            found.append(len(candidates))
            operations += reads.operations
    return read, found, operations


def rows() -> list[Row]:
    """Items read by matching at the smallest and the largest roster; any Scan."""
    smallest, largest = f"{SIZES[0]:,}", f"{SIZES[-1]:,}"
    log(f"matching: {smallest} then {largest} experts (moto)")
    read, found, operations = measure()
    scans = [o for o in operations if o in ("Scan", "ParallelScan")]
    return [
        Row(
            f"10. items read: matching an activity ({found[-1]} candidates)",
            f"{read[-1]} at {largest} experts",
            f"{read[0]} at {smallest} experts",
            f"{read[-1] / read[0]:.2f}" if read[0] else "-",
            "constant (1.00)",
            verdict(read[-1] == read[0] and found[-1] == found[0] == CANDIDATES),
        ),
        Row(
            "10. Scan calls (matching)", str(len(scans)), "0", "-", "none, ever", verdict(not scans)
        ),
    ]


if __name__ == "__main__":
    for row in rows():
        print(row.line())
