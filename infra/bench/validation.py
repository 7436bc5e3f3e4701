"""Figure 7 of ``make bench``: the worst hostile document against the schema's example.

:func:`hostile_documents` builds the set (tests/unit/test_bounds.py uses the same set for the
outcomes): documents of at most 64 KiB (the API's body limit), each the example with one field
made hostile: for every pattern of the schema, a string as long as the body allows of the
pattern's worst shape (``"a@" + "." * n + "@"`` made the email pattern backtrack quadratically; a
long run then a refused character makes a linear pattern scan everything); for every array, as
many objects as fit (``uniqueItems`` compares every pair); nesting as deep as ``json.loads``
goes; objects with thousands of unknown keys; a key of 5,000 digits. :func:`rows` times
``validate_request`` (bounds, jsonschema, eligibility: what a submission pays) on each and on
the example, alternated, and gives the worst ratio; the target is 3.
"""

from __future__ import annotations

import itertools
import json
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from infra.bench.report import Row, fmt_ms, verdict
from infra.bench.stage import log

TARGET = 3.0  # the worst hostile document, of the schema's example
BODY_LIMIT = 64 * 1024  # functions/web/body.py MAX_BODY_BYTES
DEPTH = 900  # json.loads refuses deeper (RecursionError at Python's default limit of 1,000)


class Hostile(NamedTuple):
    """One hostile document and where its refusal belongs."""

    name: str
    document: dict[str, Any]
    path: str  # the JSON pointer of the error the document must get


def _example() -> dict[str, Any]:
    from functions.domain import schemas

    return schemas.example("request.schema.json")


def _fields(
    node: dict[str, Any], path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every named field of the schema (array items excluded), with its schema."""
    for name, child in node.get("properties", {}).items():
        yield (*path, name), child
        yield from _fields(child, (*path, name))
        if isinstance(child.get("items"), dict):
            yield from _fields(child["items"], (*path, name, "0"))


def _with(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """The example with ``value`` at ``path`` (missing parents and a first list item created)."""
    document = _example()
    node: Any = document
    for part, following in itertools.pairwise(path):
        if isinstance(node, list):
            node = node[int(part)]
            continue
        if part not in node or not isinstance(node[part], (dict, list)):
            node[part] = [{}] if following.isdigit() else {}
        node = node[part]
    if isinstance(node, list):
        node[int(path[-1])] = value
    else:
        node[path[-1]] = value
    return document


def _fitting(path: tuple[str, ...], make: Callable[[int], Any]) -> dict[str, Any]:
    """The example with the largest ``make(n)`` at ``path`` that keeps the body within 64 KiB."""
    low, high = 1, BODY_LIMIT
    while low < high:  # the largest n whose document fits (size grows with n)
        middle = (low + high + 1) // 2
        if len(json.dumps(_with(path, make(middle))).encode()) <= BODY_LIMIT:
            low = middle
        else:
            high = middle - 1
    return _with(path, make(low))


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


def hostile_documents() -> list[Hostile]:
    """The hostile set: each document at most 64 KiB as JSON, with the path of its error."""
    from functions.domain import schemas

    found: list[Hostile] = []
    for path, field in _fields(schemas.request_schema()):
        pointer = "/" + "/".join(path)
        if "pattern" in field:
            shapes: dict[str, Callable[[int], Any]] = {
                "backtracking": lambda n: "a@" + "." * n + "@",
                "refused at the end": lambda n: "a" * n + "\x00",
            }
            for shape, make in shapes.items():
                found.append(Hostile(f"{pointer}: {shape}", _fitting(path, make), pointer))
        if field.get("type") == "array":
            objects: Callable[[int], Any] = lambda n: [{"a": i} for i in range(n)]  # noqa: E731
            found.append(Hostile(f"{pointer}: objects", _fitting(path, objects), pointer))
            numbers: Callable[[int], Any] = lambda n: [0] * n  # noqa: E731
            found.append(Hostile(f"{pointer}: numbers", _fitting(path, numbers), pointer))
    for section in ("", "/request", "/contact"):
        document = _example()
        node: Any = document
        for part in section.split("/")[1:]:
            node = node[part]
        node.update({f"k{i}": 0 for i in range(5000)})
        found.append(Hostile(f"{section or '/'}: 5,000 unknown keys", document, section))
    found.append(
        Hostile(
            "/request/title: nested", _with(("request", "title"), _nested(DEPTH)), "/request/title"
        )
    )
    digits = "9" * 5000
    found.append(
        Hostile("a key of 5,000 digits", _with(("request", digits), 1), f"/request/{digits}")
    )
    for hostile in found:
        assert len(json.dumps(hostile.document).encode()) <= BODY_LIMIT, hostile.name
    return found


def measure(runs: int) -> tuple[float, float, str]:
    """Median ms of the example and of the worst hostile document, alternated, and its name."""
    from functions.domain import schemas
    from functions.domain.validation import validate_request

    example = _example()
    hostile = hostile_documents()
    schemas.validator("request.schema.json")  # built once per container, not measured
    assert validate_request(example) == []
    times: dict[str, list[float]] = {h.name: [] for h in hostile}
    reference: list[float] = []
    for _ in range(runs):
        order = [*hostile, None]
        random.shuffle(order)
        for item in order:
            document = example if item is None else item.document
            started = time.perf_counter()
            validate_request(document)
            elapsed = time.perf_counter() - started
            (reference if item is None else times[item.name]).append(elapsed)
    worst = max(times, key=lambda name: statistics.median(times[name]))
    return statistics.median(reference) * 1000, statistics.median(times[worst]) * 1000, worst


HOW = (
    "7. **Hostile validation**: `validate_request` (the bounds, jsonschema and eligibility, what"
    " a submission pays) on each document of `infra/bench/validation.py::hostile_documents`, of"
    " at most 64 KiB (the body limit) each: for every pattern of the schema an over-long string"
    ' of its worst shape (`"a@" + "." * n + "@"`, a long run then a refused character),'
    " for every array thousands of objects or numbers, nesting 900 deep, thousands of unknown"
    " keys, a key of 5,000 digits; against the schema's example, alternated in shuffled order."
    " The figure is the worst document's median; the target (3) holds because the bounds"
    " (`functions/domain/bounds.py`) refuse every over-long string, over-long array and"
    " overfull object before any keyword runs, and the walk follows the schema only."
)


def rows(runs: int) -> list[Row]:
    """The worst hostile document's validation against the example's."""
    log("validation of hostile documents against the example")
    example_ms, worst_ms, worst = measure(runs)
    ratio = worst_ms / example_ms
    return [
        Row(
            f"7. hostile validation: worst of {len(hostile_documents())} documents ({worst})",
            fmt_ms(worst_ms),
            f"{fmt_ms(example_ms)} (the schema's example)",
            f"{ratio:.2f}",
            f"<= {TARGET:g}",
            verdict(ratio <= TARGET),
        )
    ]
