"""The outcome's form from ``$defs/outcome`` (the one generator): a part of a schema loaded as a
schema, an object inside a section as a section of its own, a top-level list of objects as rows;
the posted fields read back into the document the schema checks, every error at its field."""

from __future__ import annotations

import pytest

from functions.domain import schemas
from functions.domain.outcome import SCHEMA, outcome_field_errors
from functions.presentation.formdata import document_from_form, posted_document
from functions.presentation.formspec import Group, outcome_form, request_form


def test_a_part_of_a_schema_loads_as_a_schema() -> None:
    part = schemas.load(SCHEMA)
    assert part is schemas.load("action.schema.json")["$defs"]["outcome"]
    assert "$ref" not in str(part)  # it stands alone: no pointer out of it


def test_the_form_has_every_property_of_the_outcome_under_its_path() -> None:
    spec = outcome_form()
    assert [s.name for s in spec.sections] == [
        "participants",
        "participants.by_institution",
        "deliverables",
        "narrative",
    ]
    names = {f.name for f in spec.fields()}
    institutions = schemas.load(SCHEMA)["properties"]["participants"]["properties"]
    for key in institutions["by_institution"]["properties"]:
        assert f"participants.by_institution.{key}" in names
    [rows] = spec.sections[2].items
    assert isinstance(rows, Group) and rows.max_items == 20 and rows.item_title == "Deliverable"
    assert {f.name for f in rows.at(0)} == {
        "deliverables.0.title",
        "deliverables.0.kind",
        "deliverables.0.link",
    }
    kind = next(f for f in rows.fields if f.name.endswith(".kind"))
    assert [o.value for o in kind.options][:2] == ["law", "strategy"] and kind.required


def test_the_request_form_is_unchanged_by_nested_sections() -> None:
    # The request schema has no object inside a section, nor a top-level list of objects.
    assert all("." not in s.name for s in request_form().sections)


def test_posted_fields_become_the_outcome() -> None:
    fields = {
        "participants.women": ["4"],
        "participants.men": ["3"],
        "participants.by_institution.academia": ["7"],
        "deliverables.0.title": ["Manual"],
        "deliverables.0.kind": ["manual"],
        "deliverables.3.title": ["Report"],  # a row left empty between: no hole
        "deliverables.3.kind": ["report"],
        "narrative": ["  Went well.  "],
        "_csrf": ["x"],
    }
    posted = posted_document(fields, outcome_form(), schemas.load(SCHEMA))
    assert posted.document == {
        "participants": {"women": 4, "men": 3, "by_institution": {"academia": 7}},
        "deliverables": [
            {"title": "Manual", "kind": "manual"},
            {"title": "Report", "kind": "report"},
        ],
        "narrative": "Went well.",
    }
    assert outcome_field_errors(posted.document) == []


@pytest.mark.parametrize("value", ["9" * 19, "9" * 5000, "-" + "9" * 5000])
def test_a_number_too_long_to_read_stays_text_for_the_schema(value: str) -> None:
    document = document_from_form({"participants.women": [value]}, schemas.load(SCHEMA))
    assert document["participants"]["women"] == value
    errors = outcome_field_errors({"participants": {"women": value, "men": 1}})
    assert [(e.path, e.code) for e in errors] == [("/participants/women", "type")]


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ({}, [("/participants", "required")]),
        ({"participants": {"women": -1, "men": 0}}, [("/participants/women", "too_small")]),
        ({"participants": {"women": 10**9, "men": 0}}, [("/participants/women", "too_large")]),
        (
            {
                "participants": {"women": 1, "men": 1},
                "deliverables": [{"title": "abc", "kind": "x"}],
            },
            [("/deliverables/0/kind", "enum")],
        ),
        (
            {
                "participants": {"women": 1, "men": 1},
                "deliverables": [{"title": "abc", "kind": "law", "link": "javascript:alert(1)"}],
            },
            [("/deliverables/0/link", "pattern")],
        ),
        (
            {"participants": {"women": 1, "men": 1, "by_institution": {"other": 3}}},
            [("/participants/by_institution", "participants_mismatch")],
        ),
        (
            {
                "participants": {"women": 1, "men": 1},
                "deliverables": [{"title": "Law", "kind": "law"}, {"title": " law", "kind": "law"}],
            },
            [("/deliverables/1/title", "listed_twice")],
        ),
        (
            {"participants": {"women": 1, "men": 1}, "narrative": "a\u0000b"},
            [("/narrative", "control_character")],
        ),
        ({"participants": {"women": 1, "men": 1}, "extra": 1}, [("/extra", "unknown_field")]),
    ],
)
def test_each_problem_is_reported_at_its_field(
    outcome: object, expected: list[tuple[str, str]]
) -> None:
    assert [(e.path, e.code) for e in outcome_field_errors(outcome)] == expected
