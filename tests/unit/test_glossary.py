"""Every catalog uses docs/glossary.md's word wherever the English text has the facility's term."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from functions.presentation.i18n import LANGUAGES, LOCALE_DIR

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")


def _between(text: str, name: str) -> str:
    return text.split(f"<!-- {name}:begin -->", 1)[1].split(f"<!-- {name}:end -->", 1)[0]


def _ticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def glossary() -> tuple[list[dict[str, list[str]]], dict[str, str]]:
    """The terms (the English forms and each language's stems) and the ordinary uses."""
    text = GLOSSARY.read_text(encoding="utf-8")
    lines = [line for line in _between(text, "glossary").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    terms = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        term = {column: _ticked(cell) for column, cell in zip(header, cells, strict=True)}
        term["Term"] = [cells[0]]
        terms.append(term)
    ordinary = {}
    for line in _between(text, "ordinary").splitlines():
        if found := re.match(r"- `(.+)` \((.+)\)$", line.strip()):
            ordinary[found.group(1)] = found.group(2)
    return terms, ordinary


def entries(lang: str) -> list[tuple[str, str]]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            pairs.append((" ".join(str(i) for i in ids), str(string or "")))
    return pairs


def test_the_glossary_has_every_language_and_its_terms() -> None:
    terms, ordinary = glossary()
    named = {term["Term"][0] for term in terms}
    assert {"Action", "activity", "Steering Committee", "Project Officer", "request"} <= named
    assert {"thematic area", "delegate", "round"} <= named
    for term in terms:
        assert term["English"], term
        for lang in TRANSLATED:
            assert term[lang], f"{term['English'][0]}: no {lang} stem"
    assert ordinary


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_catalog_uses_the_glossarys_terms(lang: str) -> None:
    terms, ordinary = glossary()
    wrong = []
    for msgid, msgstr in entries(lang):
        if not msgstr:
            continue  # test_catalogs.py reports a missing translation
        for term in terms:
            english = term["English"]
            pattern = r"\b(?:" + "|".join(re.escape(form) for form in english) + r")\b"
            if not re.search(pattern, msgid, re.IGNORECASE):
                continue
            if ordinary.get(msgid) in english:
                continue
            if not any(stem.casefold() in msgstr.casefold() for stem in term[lang]):
                wrong.append(f"{english[0]!r} -> {term[lang]}: {msgid!r} = {msgstr!r}")
    assert not wrong, "\n".join(wrong)
