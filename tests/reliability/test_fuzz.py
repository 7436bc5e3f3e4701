"""Property-based fuzzing of request documents, generated from schemas/request.schema.json.

Documents generated from the schema (hypothesis-jsonschema) are all accepted; each mutation of
one (a field removed, given the wrong type, made too long, or an unknown field added) is refused
with an error at the mutated field's path; through HTTP, no answer is ever a 5xx.

Generation follows the schema with three adjustments that say what the schema cannot: free text
is drawn from every character the text rule allows (Hypothesis cannot draw a 50-character string
from a ``pattern`` with a length filter in reasonable time), countries from the eligible list,
and topics from the chosen thematic area (the eligibility rules beyond the schema).
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from functions.domain import schemas
from functions.domain.reference import reference_data
from functions.domain.validation import pointer, validate_request
from tests.support import Stack

TEXT_RULE = "invalid_character"
# Every character the text rule (functions/domain/text.py) lets through: no control character
# (C0 but tab and line breaks, DEL, C1), no lone surrogate, no line break in a field of one line.
# Zero-width, bidi controls, combining marks and emoji all come. No CR: a multi-line field
# stores its line breaks as LF, and the HTTP test compares what is stored with what was sent.
FORBIDDEN = (
    "".join(chr(c) for c in [*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)])
    + "\r"
)
TEXT_CHARACTERS = {
    "multiline": st.characters(exclude_categories=["Cs"], exclude_characters=FORBIDDEN),
    "line": st.characters(exclude_categories=["Cs"], exclude_characters=FORBIDDEN + "\n"),
}
VALID_EXAMPLES = 60
MUTATIONS = 60
HTTP_EXAMPLES = 10


def _is_text(node: dict[str, Any]) -> bool:
    return bool(node.get("x-errors", {}).get("pattern") == TEXT_RULE)


def generation_schema() -> tuple[dict[str, Any], dict[str, Any]]:
    """The request schema for generation, and the custom formats its free text now names."""
    schema = copy.deepcopy(schemas.request_schema())
    formats: dict[str, Any] = {}

    def adjust(node: dict[str, Any]) -> None:
        if _is_text(node):
            low, high = node.get("minLength", 0), node["maxLength"]
            kind = node["x-text"]
            name = f"mieux-text-{kind}-{low}-{high}"
            formats[name] = st.text(TEXT_CHARACTERS[kind], min_size=low, max_size=min(high, 400))
            del node["pattern"]
            node["format"] = name
        for child in node.get("properties", {}).values():
            adjust(child)
        if isinstance(node.get("items"), dict):
            adjust(node["items"])

    adjust(schema)
    institution = schema["properties"]["institution"]["properties"]
    institution["country"]["enum"] = sorted(reference_data().countries)
    del institution["country"]["pattern"]
    del schema["properties"]["contact"]["properties"]["email"]["pattern"]  # format: email stays
    schema.pop("examples", None)
    return schema, formats


@cache
def _schema_documents() -> st.SearchStrategy[dict[str, Any]]:
    """Each top-level property from its own schema (the whole schema at once is ~50x slower in
    hypothesis-jsonschema, which re-validates every drawn object against every branch)."""
    schema, formats = generation_schema()
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for name, child in schema["properties"].items():
        target = required if name in schema["required"] else optional
        target[name] = from_schema(child, custom_formats=formats)
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def valid_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A request document the service must accept."""
    document: dict[str, Any] = draw(_schema_documents())
    request = document["request"]
    reference = reference_data()
    allowed = sorted(t for t, p in reference.topic_pillar.items() if p == request["pillar"])
    request["topics"] = draw(
        st.lists(st.sampled_from(allowed), min_size=1, max_size=3, unique=True)
    )
    return document


@dataclass(frozen=True)
class Mutation:
    """One change to a valid document and the error it must cause."""

    kind: str
    path: tuple[str, ...]
    code: str

    @property
    def pointer(self) -> str:
        return pointer(self.path)


def _fields(
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], Any]]:
    found = []
    for name, child in schema.get("properties", {}).items():
        found.append(((*path, name), child))
        if child.get("type") == "object":
            found.extend(_fields(child, (*path, name)))
    return found


def mutations(document: dict[str, Any]) -> list[Mutation]:
    """Every mutation that applies to this document: removals, retypes, overlong, extras."""
    schema = schemas.request_schema()
    found: list[Mutation] = []
    for path, child in _fields(schema):
        parent = _node(schema, path[:-1])
        present = _has(document, path)
        if present and path[-1] in parent.get("required", []):
            code = child.get("x-errors", {}).get("required", "required")
            found.append(Mutation("remove", path, code))
        if present:
            found.append(Mutation("retype", path, child.get("x-errors", {}).get("type", "type")))
        if present and "maxLength" in child:
            found.append(Mutation("overlong", path, "too_long"))
        if child.get("type") == "object" and present:
            found.append(Mutation("extra", (*path, "unexpected_field"), "unknown_field"))
    found.append(Mutation("extra", ("unexpected_field",), "unknown_field"))
    return found


def _node(schema: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for name in path:
        schema = schema["properties"][name]
    return schema


def _has(document: dict[str, Any], path: tuple[str, ...]) -> bool:
    node: Any = document
    for name in path:
        if not isinstance(node, dict) or name not in node:
            return False
        node = node[name]
    return True


WRONG_TYPE = {"string": 12345, "integer": "twelve", "boolean": "yes", "object": [], "array": "x"}


def apply(document: dict[str, Any], mutation: Mutation) -> dict[str, Any]:
    """A mutated copy of ``document``."""
    copied = copy.deepcopy(document)
    *parents, last = mutation.path
    node = copied
    for name in parents:
        node = node[name]
    if mutation.kind == "remove":
        del node[last]
    elif mutation.kind == "retype":
        node[last] = WRONG_TYPE[_node(schemas.request_schema(), mutation.path)["type"]]
    elif mutation.kind == "overlong":
        # Padded at the front, so that only the length is wrong (an address stays an address).
        limit = _node(schemas.request_schema(), mutation.path)["maxLength"]
        node[last] = "a" * (limit + 1 - len(node[last])) + node[last]
    else:
        node[last] = "surprise"
    return copied


@st.composite
def mutated_documents(draw: st.DrawFn) -> tuple[dict[str, Any], Mutation]:
    document = draw(valid_documents())
    mutation = draw(st.sampled_from(mutations(document)))
    return apply(document, mutation), mutation


def errors_at(document: Any) -> dict[str, str]:
    return {error.path: error.code for error in validate_request(document)}


@settings(max_examples=VALID_EXAMPLES)
@given(valid_documents())
def test_documents_generated_from_the_schema_are_accepted(document: dict[str, Any]) -> None:
    assert validate_request(document) == []


@settings(max_examples=MUTATIONS)
@given(mutated_documents())
def test_each_mutation_is_refused_at_its_path(case: tuple[dict[str, Any], Mutation]) -> None:
    document, mutation = case
    found = errors_at(document)
    assert found.get(mutation.pointer) == mutation.code, (mutation, found)


def test_every_kind_of_mutation_applies_to_the_example() -> None:
    from tests.support import example_request

    kinds = {m.kind for m in mutations(example_request())}
    assert kinds == {"remove", "retype", "overlong", "extra"}
    for mutation in mutations(example_request()):
        assert errors_at(apply(example_request(), mutation)).get(mutation.pointer) == mutation.code


def post(client: Any, document: dict[str, Any]) -> Any:
    return client.http.post(
        "/requests", body=json.dumps(document), headers={"Content-Type": "application/json"}
    )


@pytest.fixture
def open_client(client: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The test client with the rate limit out of the way (every example comes from one address)."""
    monkeypatch.setenv("RATE_LIMIT_PER_HOUR", "100000")
    return client


@settings(max_examples=HTTP_EXAMPLES)
@given(document=valid_documents(), mutated=mutated_documents())
def test_through_http_valid_is_stored_as_sent_and_mutated_is_a_422(
    open_client: Any, stack: Stack, document: dict[str, Any], mutated: Any
) -> None:
    document["submission_id"] = uuid.uuid4().hex  # generated ids may repeat across examples
    answer = post(open_client, document)
    assert answer.status_code == 201, answer.body
    request_id = json.loads(answer.body)["id"]
    stored = stack.dynamodb.get_item(
        TableName=stack.env["TABLE_NAME"],
        Key={"pk": {"S": f"REQ#{request_id}"}, "sk": {"S": "META"}},
    )["Item"]
    assert json.loads(stored["document"]["S"]) == document  # stored exactly as sent

    bad, mutation = mutated
    refused = post(open_client, bad)
    assert refused.status_code == 422, refused.body
    paths = {error["path"]: error["code"] for error in json.loads(refused.body)["errors"]}
    assert paths.get(mutation.pointer) == mutation.code
