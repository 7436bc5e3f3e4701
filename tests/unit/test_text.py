"""The one text rule (issue 14, item 12): control characters refused everywhere people type, line
breaks refused in one-line fields, kept (as LF) in multi-line ones."""

from __future__ import annotations

import re

import pytest

from functions.domain import schemas
from functions.domain.errors import InvalidRequest
from functions.domain.text import normalised, problem
from functions.domain.validation import normalised_request, validate_request
from functions.domain.voting import read_ballot
from tests.support import example_request

CONTROLS = [
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
]


def text_patterns() -> dict[str, str]:
    """The schema's pattern for each kind of text field ("line", "multiline")."""
    found: dict[str, str] = {}

    def walk(node: dict[str, object]) -> None:
        properties = node.get("properties", {})
        assert isinstance(properties, dict)
        for child in properties.values():
            if "x-text" in child:
                assert found.setdefault(child["x-text"], child["pattern"]) == child["pattern"]
            walk(child)
            if isinstance(child.get("items"), dict):
                walk(child["items"])

    walk(schemas.request_schema())
    return found


@pytest.mark.parametrize("character", CONTROLS, ids=[f"U+{ord(c):04X}" for c in CONTROLS])
def test_control_characters_are_refused_in_every_kind_of_field(character: str) -> None:
    assert problem(f"a{character}b", multiline=False) == "control_character"
    assert problem(f"a{character}b", multiline=True) == "control_character"


def test_line_breaks_are_refused_in_one_line_and_kept_in_several() -> None:
    for text in ("a\nb", "a\r\nb", "a\rb"):
        assert problem(text, multiline=False) == "line_break"
        assert problem(text, multiline=True) is None
    assert problem("a\tb é \u200b \ufeff", multiline=False) is None


def test_line_breaks_are_normalised_to_lf() -> None:
    assert normalised("a\r\nb\rc\nd") == "a\nb\nc\nd"


@pytest.mark.parametrize("kind", ["line", "multiline"])
def test_the_schema_patterns_say_the_same_as_the_rule(kind: str) -> None:
    pattern = text_patterns()[kind]
    for code in [*range(0x00, 0x100), 0xD800, 0xDFFF, 0x2028, 0xFFFD]:
        text = f"a{chr(code)}b"
        refused = problem(text, multiline=kind == "multiline") is not None
        assert (re.search(pattern, text) is None) is refused, f"U+{code:04X}"


def test_a_request_gets_the_rule_at_each_field() -> None:
    document = example_request()
    document["request"]["title"] = "Strengthening\r\nBcc: victim@example.org"
    document["contact"]["name"] = "Aminata\nDiallo"
    document["request"]["background"] = "Ok\x1b[31m" + document["request"]["background"]
    document["request"]["objectives"] = "Two\r\nlines are fine in objectives, kept as LF."
    found = [(e.path, e.code) for e in validate_request(document)]
    assert found == [
        ("/contact/name", "line_break"),
        ("/request/title", "line_break"),
        ("/request/background", "control_character"),
    ]
    normal = normalised_request(document)
    assert normal["request"]["objectives"] == "Two\nlines are fine in objectives, kept as LF."
    assert normal["request"]["title"] == document["request"]["title"]  # refused, not rewritten


@pytest.mark.parametrize("character", ["\x1b", "\x00", "\x07", "\x7f", "\x9b"])
def test_a_ballot_comment_refuses_control_characters(character: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        read_ballot("reject", f"Not eligible{character}[31m")
    assert [(e.path, e.code) for e in refused.value.errors] == [("/comment", "control_character")]


def test_a_ballot_comment_keeps_its_lines_as_lf() -> None:
    ballot = read_ballot("reject", "First reason.\r\nSecond reason.")
    assert ballot.comment == "First reason.\nSecond reason."


def test_no_field_of_one_line_accepts_a_trailing_line_break() -> None:
    """Python's ``$`` also matches before a final LF: every one-line pattern says ``(?!\\n)``."""
    document = example_request()
    for section, name in [
        ("institution", "name"),
        ("contact", "name"),
        ("contact", "email"),
        ("contact", "phone"),
        ("request", "title"),
    ]:
        changed = example_request()
        changed[section][name] = document[section][name] + "\n"
        assert [e.path for e in validate_request(changed)] == [f"/{section}/{name}"], name
    changed = example_request()
    changed["submission_id"] += "\n"
    assert [e.path for e in validate_request(changed)] == ["/submission_id"]
