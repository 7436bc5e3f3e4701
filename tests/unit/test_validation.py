"""Validation and eligibility of request documents, with no AWS at all."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from functions.domain import schemas
from functions.domain.reference import reference_data
from functions.domain.validation import field_title, validate_request
from functions.presentation.formdata import document_from_form
from functions.presentation.messages import message_for
from tests.support import example_request


def codes(document: Any) -> list[tuple[str, str]]:
    return [(error.path, error.code) for error in validate_request(document)]


def required_paths(schema: dict[str, Any], prefix: str = "") -> list[str]:
    """Every unconditionally required field of the schema, as JSON pointers."""
    found: list[str] = []
    for name in schema.get("required", []):
        path = f"{prefix}/{name}"
        found.append(path)
        child = schema["properties"][name]
        if child.get("type") == "object":
            found.extend(required_paths(child, path))
    return found


def remove(document: dict[str, Any], path: str) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    *parents, last = path.strip("/").split("/")
    node = copied
    for part in parents:
        node = node[part]
    del node[last]
    return copied


def test_the_schema_examples_are_valid() -> None:
    for document in schemas.request_schema()["examples"]:
        assert validate_request(document) == []


@pytest.mark.parametrize("path", required_paths(schemas.request_schema()))
def test_each_required_field_removed_is_reported_at_its_path(path: str) -> None:
    found = codes(remove(example_request(), path))
    expected = "consent_required" if path == "/consent" else "required"
    assert found == [(path, expected)]


def test_every_error_is_reported_at_once() -> None:
    document = example_request()
    document["contact"]["email"] = "not an address"
    document["request"]["title"] = "x"
    document["request"]["duration_months"] = 99
    document["request"]["topics"] = []
    document["surprise"] = 1
    assert codes(document) == [
        ("/contact/email", "format"),
        ("/request/title", "too_short"),
        ("/request/topics", "too_few"),
        ("/request/duration_months", "too_large"),
        ("/surprise", "unknown_field"),
    ]


def test_a_country_outside_the_eligible_list_is_refused() -> None:
    document = example_request()
    document["institution"]["country"] = "FR"
    assert codes(document) == [("/institution/country", "not_eligible")]


def test_topics_must_belong_to_the_chosen_pillar() -> None:
    document = example_request()
    document["request"]["topics"] = ["trafficking_in_human_beings", "remittances"]
    assert codes(document) == [("/request/topics/1", "topic_mismatch")]


def test_a_regional_organisation_gives_a_region_not_a_country() -> None:
    document = example_request()
    document["institution"] = {"name": "ECOWAS Commission", "type": "regional_organisation"}
    assert codes(document) == [("/institution/region", "required")]
    document["institution"]["region"] = "africa"
    assert codes(document) == []
    document["institution"]["country"] = "SN"
    assert codes(document) == [("/institution/country", "not_allowed")]


def test_a_known_regional_organisation_must_name_its_own_region() -> None:
    document = example_request()
    document["institution"] = {
        "name": "ASEAN Secretariat",
        "type": "regional_organisation",
        "region": "africa",
    }
    assert codes(document) == [("/institution/region", "region_mismatch")]


def test_a_joint_request_needs_its_co_requesters() -> None:
    document = example_request()
    document["institution"]["type"] = "joint_government_civil_society"
    assert codes(document) == [("/institution/co_requesters", "required")]
    document["institution"]["co_requesters"] = [
        {
            "name": "Association des Juristes",
            "type": "civil_society_organisation",
            "role": "Legal aid",
        }
    ]
    assert codes(document) == []


def test_consent_must_be_given() -> None:
    document = example_request()
    document["consent"] = False
    assert codes(document) == [("/consent", "consent_required")]


def test_other_activity_needs_a_description() -> None:
    document = example_request()
    document["request"]["activity_types"] = ["other"]
    assert codes(document) == [("/request/activity_other", "required")]


def test_a_document_that_is_not_an_object_is_refused_at_the_root() -> None:
    assert codes([1, 2]) == [("", "type")]


def test_messages_name_the_field_and_its_limit() -> None:
    document = example_request()
    document["request"]["title"] = "x"
    error = validate_request(document)[0]
    assert message_for(error, field_title) == (
        "Title of the request must be at least 5 characters long"
    )


def test_form_fields_become_the_same_document_as_the_json() -> None:
    document = example_request()
    fields = {
        "submission_id": [document["submission_id"]],
        "institution.name": [document["institution"]["name"]],
        "institution.type": ["national_government"],
        "institution.country": ["SN"],
        "institution.region": [""],
        "contact.name": [document["contact"]["name"]],
        "contact.position": [document["contact"]["position"]],
        "contact.email": [document["contact"]["email"]],
        "contact.phone": [document["contact"]["phone"]],
        "contact.preferred_language": ["fr"],
        "request.activity_types": document["request"]["activity_types"],
        "request.topics": document["request"]["topics"],
        "request.duration_months": ["12"],
        "request.eu_delegation_informed": ["true"],
        "consent": ["true"],
    }
    for name in (
        "title",
        "pillar",
        "background",
        "objectives",
        "expected_results",
        "target_groups",
        "preferred_start",
        "other_donors",
    ):
        fields[f"request.{name}"] = [document["request"][name]]
    assert document_from_form(fields, schemas.request_schema()) == document


def test_form_rows_of_a_repeated_group_keep_their_order() -> None:
    fields = {
        f"institution.co_requesters.{i}.{name}": [f"{name} {i}"]
        for i in (0, 1, 10)
        for name in ("name", "role")
    }
    fields["institution.co_requesters.1.name"] = [""]
    fields["institution.co_requesters.1.role"] = [""]
    document = document_from_form(fields, schemas.request_schema())
    assert [row["name"] for row in document["institution"]["co_requesters"]] == [
        "name 0",
        "name 10",
    ]


def test_reference_lists_match_the_schema_enums() -> None:
    reference = reference_data()
    properties = schemas.request_schema()["properties"]
    institution = properties["institution"]["properties"]
    request = properties["request"]["properties"]
    assert institution["type"]["enum"] == list(reference.institution_types)
    assert institution["region"]["enum"] == list(reference.regions)
    co_types = institution["co_requesters"]["items"]["properties"]["type"]["enum"]
    assert co_types == list(reference.co_requester_types)
    assert request["pillar"]["enum"] == list(reference.pillars)
    assert request["topics"]["items"]["enum"] == list(reference.topics)
    assert request["activity_types"]["items"]["enum"] == list(reference.labels("activity_types"))


def test_reference_data_is_well_formed() -> None:
    reference = reference_data()
    countries = schemas.load("reference/countries.json")["countries"]
    codes_seen = [country["code"] for country in countries]
    assert len(codes_seen) == len(set(codes_seen)) > 100
    instruments = {i["code"] for i in schemas.load("reference/countries.json")["instruments"]}
    for country in reference.countries.values():
        assert len(country.code) == 2 and country.code.isupper()
        assert country.region in reference.regions
        assert country.instruments and set(country.instruments) <= instruments
    for region in reference.regional_organisations.values():
        assert region in reference.regions
    for name in ("countries", "regions", "institution_types", "pillars"):
        sources = schemas.load(f"reference/{name if name != 'countries' else 'countries'}.json")
        assert sources["sources"], f"{name} cites no source"
    assert json.dumps(schemas.request_schema())  # serialisable for /schemas/request.json


def test_odd_form_names_never_break_the_conversion() -> None:
    """Found by schemathesis: "¹" passes str.isdigit() and int() refuses it (a 500)."""
    fields = {
        "institution.co_requesters.¹.name": ["x"],
        "institution.co_requesters.99999999.name": ["y"],  # would grow a huge list
        "institution.co_requesters.x.name": ["z"],
        "request.duration_months": ["¹²"],
        "¹": ["w"],
    }
    document = document_from_form(fields, schemas.request_schema())
    assert document["request"]["duration_months"] == "¹²"  # left for the schema to refuse
    assert document["institution"] == {"co_requesters": []}
    assert ("/request/duration_months", "type") in codes(document)
    assert ("/¹", "unknown_field") in codes({**example_request(), "¹": 1})  # the JSON API too
