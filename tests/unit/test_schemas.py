"""Every schema the app validates with is a valid JSON Schema (2020-12).

``domain.schemas.validator`` does not check its schema at run time (a cold-start cost): this
test is where a broken schema is caught.
"""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from functions.domain import schemas

SCHEMAS = sorted(
    path.relative_to(schemas.SCHEMA_DIR).as_posix()
    for path in schemas.SCHEMA_DIR.rglob("*.schema.json")
)


def test_the_schemas_are_found() -> None:
    assert "request.schema.json" in SCHEMAS
    assert "messages/review_task.schema.json" in SCHEMAS


@pytest.mark.parametrize("relative_path", SCHEMAS)
def test_each_schema_is_valid_against_its_metaschema(relative_path: str) -> None:
    schema = json.loads((schemas.SCHEMA_DIR / relative_path).read_text(encoding="utf-8"))
    assert schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_a_broken_schema_is_caught() -> None:
    with pytest.raises(SchemaError):
        Draft202012Validator.check_schema({"type": "no-such-type"})
