"""Where the JSON documents in ``schemas/`` live, and their validators, built once per container."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

# Two levels up from this file is the repository root in a checkout, and the package root
# (/var/task) in Lambda, where ``vendor/schemas`` lands beside ``functions``.
SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


@cache
def load(relative_path: str) -> Any:
    """Parse one JSON file under ``schemas/``; files never change while a container lives.

    ``file#/$defs/name`` is one part of a file, a schema of its own (an activity's outcome,
    ``action.schema.json#/$defs/outcome``, has its own form in the workspace): it must not use
    ``$ref``, which would point outside it.
    """
    if "#" in relative_path:
        name, fragment = relative_path.split("#", 1)
        node = load(name)
        for part in fragment.strip("/").split("/"):
            node = node[part]
        return node
    with (SCHEMA_DIR / relative_path).open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def validator(relative_path: str) -> Draft202012Validator:
    """A validator for one schema, with format checking on, built once and reused.

    The schema is not checked against its metaschema here: the files ship with the code and
    never change in a container, and tests/unit/test_schemas.py checks every one of them. Doing
    it at run time would validate against the 2020-12 metaschema on every cold start (about a
    quarter of what jsonschema costs a cold start).
    """
    # jsonschema (with attrs and referencing, a fifth of a cold start) is imported by the first
    # validator built, not with this module: a Lambda that validates nothing (the bounces
    # worker) never imports it.
    from jsonschema import Draft202012Validator

    schema = load(relative_path)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def example(relative_path: str) -> dict[str, Any]:
    """A fresh copy of a schema's first example (a valid document): tests, demos, benchmarks."""
    document: dict[str, Any] = copy.deepcopy(load(relative_path)["examples"][0])
    return document


def request_schema() -> dict[str, Any]:
    """The request schema: the single source of truth for validation, the form and the API docs."""
    schema: dict[str, Any] = load("request.schema.json")
    return schema


@cache
def inlined(relative_path: str) -> Any:
    """The schema with each local reference (``{"$ref": "#/$defs/..."}``) replaced by what it
    names, beside the referring node's own keywords: for the readers that walk a schema by hand
    (the form generator, the bounds, the messages); jsonschema resolves references itself.
    The schemas' ``$defs`` do not refer to themselves, so the walk ends."""
    schema = load(relative_path)
    definitions = schema.get("$defs", {}) if isinstance(schema, dict) else {}
    if not definitions:
        return schema

    def resolved(node: Any) -> Any:
        if isinstance(node, list):
            return [resolved(item) for item in node]
        if not isinstance(node, dict):
            return node
        own = {key: resolved(value) for key, value in node.items() if key != "$ref"}
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            return {**resolved(definitions[reference.removeprefix("#/$defs/")]), **own}
        return own

    return resolved(schema)
