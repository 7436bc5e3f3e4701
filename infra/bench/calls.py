"""Figure 3 of ``make bench``, and counting AWS calls: every botocore client, whoever created it
(ours or pynamodb's).

:func:`recording` and :data:`MINIMUM` are shared by ``make bench`` (figure 3 and the items read of
figure 5) and the regression test that keeps the call counts (tests/integration/test_budgets.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import botocore.client
import botocore.exceptions

from infra.bench import operations
from infra.bench.report import Row, verdict
from infra.bench.stage import log, moto_stack

# botocore's one door for every API call of every client: (client, operation name, parameters).
ApiCall = Callable[[Any, str, dict[str, Any]], Any]

# The minimum calls of each operation, one entry per call with the reason it cannot go. The bench
# and the tests compare the counted calls with these; a change here is a design change (update
# docs/architecture.md). Not per operation: the signing keys (secretsmanager.GetSecretValue) are
# read once per container and cached for five minutes.
_VOTE = [
    (
        "dynamodb.Query",
        "the committee (one partition): is the link's member a voter, and the rule's electorate",
    ),
    (
        "dynamodb.TransactWriteItems",
        "the vote and its audit event, on condition that the round is still open and the member"
        " has not voted in it",
    ),
    (
        "dynamodb.Query",
        "the request and the round's votes, in one Query (sort keys META to VOTE#<round>$):"
        " the rule needs the votes, a decision needs the request",
    ),
]
_MAIL_END = [
    (
        "dynamodb.PutItem",
        "the claim on the mail record (kind, round, recipient), conditional: sent at most once",
    ),
    (
        "dynamodb.GetItem",
        "the suppression list (bounced or complained): its key is the address's hash, and the"
        " address is only known from the first read (the request, or the member or officer)",
    ),
    ("sesv2.SendEmail", "the email"),
    ("dynamodb.UpdateItem", "the mail record marked sent, with SES's message id"),
]
# The review page (GET /review/{token}) in any round: what it shows needs the request's partition
# (the request, the round's votes, the question-and-answer events) and the committee.
_REVIEW_PAGE = [
    (
        "dynamodb.Query",
        "the request's partition (one Query, pages followed): the request, the round's votes and"
        " the conversation's events (round 2 on: each question, the answer, the changes)",
    ),
    (
        "dynamodb.Query",
        "the committee (one partition): is the link's member still a voter (a delegate's"
        " delegation still active), and who has voted by body against the rule",
    ),
]
MINIMUM: dict[str, list[tuple[str, str]]] = {
    "submit": [
        (
            "dynamodb.UpdateItem",
            "the hourly rate window of the (keyed-hash) source address: one atomic ADD",
        ),
        ("dynamodb.UpdateItem", "the reference number: one atomic ADD on the year's counter"),
        (
            "dynamodb.TransactWriteItems",
            "the request, its audit event and the submission marker, all or nothing",
        ),
        ("sqs.SendMessage", "the review task (ids only) for the review worker"),
    ],
    "dispatch": [
        ("dynamodb.GetItem", "the request: its status and round (a stale task does nothing)"),
        (
            "dynamodb.TransactWriteItems",
            "first round only: submitted -> under_review, conditional, with its audit event",
        ),
        ("dynamodb.Query", "the committee (one partition): who gets a review email"),
        ("sqs.SendMessageBatch", "the receipt and the review emails, up to ten per call"),
    ],
    "mail to the partner": [
        ("dynamodb.GetItem", "the request: the partner's address, language and the summary"),
        *_MAIL_END,
    ],
    "mail to a member": [
        (
            "dynamodb.BatchGetItem",
            "the request and the member (address, language, delegate), in one call",
        ),
        *_MAIL_END,
    ],
    "mail to an officer": [
        ("dynamodb.BatchGetItem", "the request and the Project Officer, in one call"),
        *_MAIL_END,
    ],
    "vote": _VOTE,
    "decision": [
        *_VOTE,
        (
            "dynamodb.TransactWriteItems",
            "the decision: under_review -> the outcome, conditional (made once), with its event",
        ),
        ("dynamodb.Query", "the Project Officers (one partition): who coordinates the region"),
        (
            "sqs.SendMessageBatch",
            "the decision emails (partner, officers, committee), up to ten per call",
        ),
    ],
    "review page, round 1": _REVIEW_PAGE,
    "review page, round 2": _REVIEW_PAGE,
}

# Calls an operation makes today beyond its minimum, each with what would fold it away. The test
# pins minimum + these (a new call fails it, and so does folding one away without removing it
# here); the bench shows them as over the minimum. Keep this empty where the code allows.
BEYOND_MINIMUM: dict[str, list[tuple[str, str]]] = {}


def minimum(operation: str) -> Counter[str]:
    """The minimum calls of ``operation``, counted by name."""
    return Counter(name for name, _ in MINIMUM[operation])


def expected(operation: str) -> Counter[str]:
    """The calls ``operation`` makes today, counted by name: its minimum and any known extra."""
    return minimum(operation) + Counter(name for name, _ in BEYOND_MINIMUM.get(operation, []))


@dataclass
class Recorder:
    """The calls made while recording, and what DynamoDB said it read for each."""

    calls: Counter[str] = field(default_factory=Counter)
    scanned: list[tuple[str, int]] = field(default_factory=list)
    capacity: list[tuple[str, float]] = field(default_factory=list)

    def note(self, service: str, operation: str, answer: dict[str, Any]) -> None:
        """Count one call; keep ScannedCount and ConsumedCapacity when the answer has them."""
        name = f"{service}.{operation}"
        self.calls[name] += 1
        if "ScannedCount" in answer:
            self.scanned.append((name, int(answer["ScannedCount"])))
        consumed = answer.get("ConsumedCapacity")
        if isinstance(consumed, dict) and "CapacityUnits" in consumed:
            self.capacity.append((name, float(consumed["CapacityUnits"])))

    def scans(self) -> list[str]:
        """Calls that read a whole table or index (the app must make none)."""
        return [name for name in self.calls if name.endswith((".Scan", ".ParallelScan"))]


def api_calls_through(replacement: ApiCall) -> AbstractContextManager[Any]:
    """Route every botocore API call of the block through ``replacement``, clients created
    before the block included (pynamodb caches one per model class).

    The one patch of ``BaseClient._make_api_call`` (one entry per API call: retries inside it are
    not seen twice) for counting here and for answering in the CPU figure (infra/bench/cpu.py).
    """
    return mock.patch.object(botocore.client.BaseClient, "_make_api_call", replacement)


@contextmanager
def recording() -> Iterator[Recorder]:
    """Record every botocore API call made inside the block."""
    recorder = Recorder()
    original: ApiCall = botocore.client.BaseClient._make_api_call

    def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        try:
            answer = original(client, operation, params)
        except botocore.exceptions.ClientError:  # a refused call is a call
            recorder.note(service, operation, {})
            raise
        recorder.note(service, operation, answer)
        return answer

    with api_calls_through(counted):
        yield recorder


# --- the figure ---------------------------------------------------------------------------------

HOW = (
    "3. **AWS calls**: every botocore API call is counted (`BaseClient._make_api_call`, so"
    " pynamodb's clients count too) during the second run of each operation against moto,"
    " with the local stage's demo committee (three voters, an observer, Project Officers; the"
    " unanimous rule); the first run creates the clients, reads the signing keys and creates"
    " the year's counter, which happens once per container. Submit and the review page (GET"
    " /review/{token}; in round 2 after a question, its answer and a corrected field) run"
    " through the Lambda entry point, the others through the services their worker or page"
    " calls (`infra/bench/operations.py`); a row lists the items its Queries read"
    " (ScannedCount). The minimum and why, call by call:"
)


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


def rows() -> list[Row]:
    """The calls of each operation against the minimum."""
    log("AWS calls per operation (moto)")
    found: list[Row] = []
    for operation, recorder in aws_calls().items():
        least = minimum(operation)
        counted = dict(sorted(recorder.calls.items()))
        total = sum(counted.values())
        listed = ", ".join(f"{name} x{count}" for name, count in counted.items())
        read = sum(items for _, items in recorder.scanned)
        items = f"; {read} items read by its Queries" if recorder.scanned else ""
        ok = recorder.calls == least and not recorder.scans()
        found.append(
            Row(
                f"3. AWS calls: {operation}",
                f"{total} ({listed}{items})",
                f"{least.total()} (minimum)",
                f"{total / least.total():.2f}",
                "= minimum",
                verdict(ok),
            )
        )
    return found


def how() -> list[str]:
    """How the figure is measured, then each operation's minimum calls with their reasons."""
    return [
        HOW,
        *(
            f"  - {operation}: `{call}`: {reason}"
            for operation in operations.OPERATIONS
            for call, reason in MINIMUM[operation]
        ),
        *(
            [
                "  Calls made today beyond the minimum (why the row fails, and what would fold"
                " each call away):"
            ]
            if BEYOND_MINIMUM
            else []
        ),
        *(
            f"  - {operation}: `{call}`: {reason}"
            for operation, extra in BEYOND_MINIMUM.items()
            for call, reason in extra
        ),
    ]
