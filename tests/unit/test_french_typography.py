"""French typography: a no-break space before : ; ? ! in every French msgstr (tools/...)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tools.french_typography import fixed, problems

CATALOG = Path(__file__).resolve().parents[2] / "functions/locales/fr/LC_MESSAGES/messages.po"


def french_strings() -> list[str]:
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="fr")
    strings: list[str] = []
    for message in catalog:
        if message.id:  # not the header (its plural formula has ? and :)
            string = message.string
            strings.extend([string] if isinstance(string, str) else list(string or ()))
    return strings


def test_every_french_msgstr_has_a_no_break_space_before_high_punctuation() -> None:
    wrong = {text: found for text in french_strings() if (found := problems(text))}
    assert not wrong, f"run `python -m tools.french_typography`: {wrong}"


def test_the_catalog_has_the_marks_the_rule_is_about() -> None:
    strings = french_strings()
    assert any("\u00a0:" in text for text in strings)
    assert any("\u202f?" in text for text in strings)
    assert any("\u202f;" in text for text in strings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rappel : la demande", "Rappel\u00a0: la demande"),
        ("Erreur:", "Erreur\u00a0:"),
        ("Et ensuite ?", "Et ensuite\u202f?"),
        ("Et ensuite?", "Et ensuite\u202f?"),
        ("Merci !", "Merci\u202f!"),
        ("a ; b", "a\u202f; b"),
        ("{label} : {limit} caractères", "{label}\u00a0: {limit} caractères"),
        ("%(reference)s : %(title)s.", "%(reference)s\u00a0: %(title)s."),
        ("Quoi ?!", "Quoi\u202f?!"),
        ("déjà\u00a0: bien", "déjà\u00a0: bien"),
        ("déjà\u202f? bien", "déjà\u202f? bien"),
    ],
)
def test_the_tool_fixes_the_space(text: str, expected: str) -> None:
    assert fixed(text) == expected
    assert problems(expected) == []
    if text != expected:
        assert problems(text), text


@pytest.mark.parametrize(
    "text",
    [
        "{count:d} demandes",  # a format spec, not punctuation
        "%(when)s à 10:30",  # a time
        "Voir https://mieux.example.org/requests/x?token=y&lang=fr pour la suite",
        "http://localhost:8000/review/abc",
        "a:b",
    ],
)
def test_placeholders_urls_and_glued_marks_are_left_alone(text: str) -> None:
    assert problems(text) == []
    assert fixed(text) == text


def test_a_plain_space_or_none_is_caught_wherever_it_is() -> None:
    assert problems("Un texte : puis une question ? enfin ; et !") != []
    assert len(problems("Un texte : puis une question ? enfin ; et !")) == 4
    assert len(problems("Un texte: puis une question? enfin; et!")) == 4
    assert problems("Un texte\u202f: puis") != [], "a narrow space before a colon: the wide one"


def test_a_subject_keeps_its_no_break_spaces_and_loses_its_line_breaks() -> None:
    from functions.adapters.mailer import one_line

    subject = "Rappel\u00a0: la demande\r\n MX-2027-0001\u2028 attend\u202f?\t "
    assert one_line(subject) == "Rappel\u00a0: la demande MX-2027-0001 attend\u202f?"
