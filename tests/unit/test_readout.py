"""A stored request read back in the form's words: every answered field, from the schema."""

from __future__ import annotations

from typing import Any

from functions.presentation.formspec import request_form
from functions.presentation.readout import NOT_IN_MAIL, Row, read_request
from tests.support import example_request


def rows_of(
    document: dict[str, Any], language: str = "en", without: frozenset[str] = frozenset()
) -> dict[tuple[str, int], Row]:
    parts = read_request(request_form(), document, language, without)
    return {(row.name, row.item): row for part in parts for row in part.rows}


def test_a_joint_request_shows_its_co_requesters_and_every_answer() -> None:
    document = example_request()
    document["institution"]["type"] = "joint_government_civil_society"
    document["institution"]["co_requesters"] = [
        {"name": "Réseau Migration", "type": "civil_society_organisation", "role": "Outreach"}
    ]
    document["request"]["activity_types"] = ["other"]
    document["request"]["activity_other"] = "A hackathon"
    document["request"]["eu_delegation_informed"] = False
    rows = rows_of(document, "fr")
    name = rows[("institution.co_requesters.0.name", 1)]
    assert (name.group, name.values, name.translate) == (
        "Co-requesting organisations",
        ("Réseau Migration",),
        False,
    )
    assert rows[("institution.co_requesters.0.type", 1)].translate
    assert rows[("request.activity_other", 0)].values == ("A hackathon",)
    assert rows[("request.eu_delegation_informed", 0)].values == ("No",)
    assert rows[("institution.country", 0)].values == ("Sénégal",)  # CLDR's name
    assert rows[("contact.position", 0)].values == (document["contact"]["position"],)
    assert ("consent", 0) not in rows


def test_questions_that_do_not_apply_and_the_mail_s_exclusions_are_left_out() -> None:
    rows = rows_of(example_request())
    assert ("request.activity_other", 0) not in rows  # "other" not chosen
    assert ("institution.region", 0) not in rows and ("contact.email", 0) in rows
    mail = rows_of(example_request(), without=NOT_IN_MAIL)
    assert ("contact.email", 0) not in mail and ("contact.phone", 0) not in mail
