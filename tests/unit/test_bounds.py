"""Bounded validation (issue 14, item 1): no keyword works on a value its field cannot accept.

The hostile set is the bench's (infra/bench/validation.py, figure 7, which measures the time);
these tests hold the outcomes and the order of the work, never a duration.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema._keywords
import pytest

from functions.domain import schemas
from functions.domain.validation import validate_request
from infra.bench.validation import Hostile, hostile_documents
from tests.support import ROOT, example_request

HOSTILE = hostile_documents()
SCHEMA_FILES = sorted(
    str(path.relative_to(ROOT / "schemas"))
    for path in (ROOT / "schemas").rglob("*.json")
    if "reference" not in path.parts
)


def nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every schema node of a schema document (properties, items, allOf branches...)."""
    if isinstance(node, dict):
        yield node
        for key, value in node.items():
            if key not in {"examples", "enum", "const", "x-show-if", "x-errors"}:
                yield from nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from nodes(value)


def pattern_limits() -> dict[str, int]:
    """Each pattern of the request schema, with the longest string any field using it accepts."""
    limits: dict[str, int] = {}
    for node in nodes(schemas.request_schema()):
        if isinstance(node.get("pattern"), str):
            limits[node["pattern"]] = max(limits.get(node["pattern"], 0), node.get("maxLength", 0))
    return limits


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_every_pattern_is_behind_a_max_length_and_every_array_behind_max_items(
    name: str,
) -> None:
    for node in nodes(schemas.load(name)):
        if isinstance(node.get("pattern"), str):
            assert "maxLength" in node, (name, node["pattern"])
        if node.get("type") == "array":
            assert "maxItems" in node, (name, node.get("title"))


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name[:60] for h in HOSTILE])
def test_every_hostile_document_is_refused_at_its_field(hostile: Hostile) -> None:
    paths = {error.path for error in validate_request(hostile.document)}
    assert hostile.path in paths


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """jsonschema's pattern and uniqueItems keywords, refusing to work on an unbounded value.

    They fail at once (rather than after a minute of backtracking) when handed a value longer
    than any field with that pattern accepts, or an array longer than any ``maxItems``.
    """
    limits = pattern_limits()
    seen: dict[str, list[int]] = {"pattern": [], "uniqueItems": []}

    class SpiedRe:
        def search(self, pattern: str, instance: str) -> re.Match[str] | None:
            assert len(instance) <= limits[pattern], f"pattern ran on {len(instance)} chars"
            seen["pattern"].append(len(instance))
            return re.search(pattern, instance)

    unique = jsonschema._keywords.uniq

    def spied_uniq(container: list[Any]) -> bool:
        assert len(container) <= 8, f"uniqueItems compared {len(container)} items"
        seen["uniqueItems"].append(len(container))
        return bool(unique(container))

    monkeypatch.setattr(jsonschema._keywords, "re", SpiedRe())
    monkeypatch.setattr(jsonschema._keywords, "uniq", spied_uniq)
    return seen


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name[:60] for h in HOSTILE])
def test_no_keyword_sees_a_value_its_field_refuses_by_size(
    hostile: Hostile, spied: dict[str, list[int]]
) -> None:
    validate_request(hostile.document)
    assert spied["pattern"], "jsonschema still ran on the rest of the document"


def test_the_bounds_keep_every_other_error_of_the_same_document() -> None:
    document = example_request()
    document["contact"]["email"] = "a@" + "." * 60_000 + "@"
    document["request"]["topics"] = [{"a": i} for i in range(4000)]
    document["request"]["title"] = "x"
    del document["consent"]
    found = [(e.path, e.code) for e in validate_request(document)]
    assert found == [
        ("/contact/email", "too_long"),
        ("/request/title", "too_short"),
        ("/request/topics", "too_many"),
        ("/consent", "consent_required"),
    ]


def test_a_refused_array_does_not_choose_a_branch_of_the_schema() -> None:
    document = example_request()
    document["request"]["activity_types"] = ["other"] * 9  # over maxItems, and "other" in it
    found = [(e.path, e.code) for e in validate_request(document)]
    assert found == [("/request/activity_types", "too_many")]


def test_thousands_of_unknown_keys_are_one_error_at_their_object() -> None:
    document = example_request()
    document["request"].update({f"k{i}": 0 for i in range(5000)})
    assert [(e.path, e.code) for e in validate_request(document)] == [
        ("/request", "too_many_fields")
    ]


def test_a_few_unknown_keys_are_each_reported() -> None:
    document = example_request()
    document["contact"].update({"fax": "1", "9" * 5000: 1})
    found = [(e.path, e.code) for e in validate_request(document)]
    assert found == [("/contact/fax", "unknown_field"), ("/contact/" + "9" * 5000, "unknown_field")]


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("a.diallo@interieur.example.sn", True),
        ("first.last+tag@sub.domain.example", True),
        ("a@b", False),
        ("a@b.", False),
        ("a@.b", False),
        ("a@b..c", False),
        ("a b@c.d", False),
        ("a@b@c.d", False),
    ],
)
def test_the_linear_email_pattern_accepts_what_it_did_and_refuses_empty_labels(
    address: str, valid: bool
) -> None:
    document = example_request()
    document["contact"]["email"] = address
    assert (validate_request(document) == []) is valid
