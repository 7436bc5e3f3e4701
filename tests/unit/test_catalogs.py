"""The translations: every text people read is in every catalog, translated, and shipped."""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from functions.presentation.i18n import LANGUAGES, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
# Texts whose translation is, rightly, the English word (checked by a person).
SAME_IN = {("fr", "Organisation %(num)d"), ("fr", "Participants")}
PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]")


def source_ids() -> set[str]:
    """Extract now, from the sources, as `make i18n-extract` does."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as handle:
        # babel leaves parse_mapping_cfg unannotated
        method_map, options_map = parse_mapping_cfg(handle)  # type: ignore[no-untyped-call]
    found = extract_from_dir(
        str(ROOT),
        method_map,
        options_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None},
    )
    ids: set[str] = set()
    for _filename, _line, message, _comments, _context in found:
        ids.add(message[0] if isinstance(message, tuple) else message)
    return ids


def catalog(lang: str):  # type: ignore[no-untyped-def]
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.fixture(scope="module")
def ids() -> set[str]:
    return source_ids()


def test_the_template_holds_every_text_of_the_sources(ids: set[str]) -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as handle:
        template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in read_po(handle) if m.id}
    assert ids - template == set(), "run `make i18n-update` and translate the new texts"
    assert "Name of the institution" in ids  # from the schema
    assert "Integrated border management" in ids  # from the reference lists
    assert "Enter or choose: {label}" in ids  # from the error messages


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_catalog_translates_every_text(lang: str, ids: set[str]) -> None:
    messages = {m.id[0] if isinstance(m.id, tuple) else m.id: m for m in catalog(lang) if m.id}
    assert sorted(ids - set(messages)) == [], f"{lang}: missing message ids"
    for key, message in messages.items():
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(form.strip() for form in forms), f"{lang}: empty translation of {key!r}"
        assert "fuzzy" not in message.flags, f"{lang}: fuzzy translation of {key!r}"
        same = forms[0] == key and len(key) >= 12 and (lang, key) not in SAME_IN
        assert not same, f"{lang}: {key!r} left in English"
        wanted = set(PLACEHOLDER.findall(key))
        assert wanted <= set(PLACEHOLDER.findall(" ".join(forms))), f"{lang}: {key!r}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalog_matches_its_source(lang: str) -> None:
    compiled = gettext.GNUTranslations(
        (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb")
    )
    for message in catalog(lang):
        if message.id and not isinstance(message.id, tuple):
            assert compiled.gettext(message.id) == message.string, "run `make i18n-compile`"


def test_every_country_has_a_name_in_every_language() -> None:
    countries = json.loads((ROOT / "schemas/reference/countries.json").read_text("utf-8"))
    path = ROOT / "schemas/reference/country_names.json"
    names = json.loads(path.read_text("utf-8"))
    codes = {c["code"] for c in countries["countries"]}
    for lang in LANGUAGES:
        # Every eligible country, and the rest of the world (an activity can be anywhere).
        assert codes < set(names[lang]), f"{lang}: run `make i18n-countries`"
        assert set(names[lang]) == set(names["en"]), lang
        assert len(names[lang]) >= 249, f"{lang}: every ISO 3166 country"
        assert all(name and name != code for code, name in names[lang].items()), lang
    assert names["fr"]["SN"] == "Sénégal" and names["ar"]["SN"] == "السنغال"
    assert names["fr"]["NL"] == "Pays-Bas" and names["ru"]["NL"] == "Нидерланды"
    assert not {"EU", "UN", "ZZ", "001"} & set(names["en"]), "groupings are not countries"
    # The file ships in the Lambda package: five languages of some 250 names stay small.
    assert path.stat().st_size < 40_000
