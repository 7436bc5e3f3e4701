"""French typography in the French catalog: a non-breaking space before ``:`` ``;`` ``?`` ``!``.

French sets a space before the high punctuation marks, and that space must not break: a line
that starts with a lone ":" or "?" is a typesetting error. The rule of the Imprimerie nationale:
a no-break space (U+00A0) before ``:``, a narrow no-break space (U+202F) before ``;`` ``?`` ``!``.
This tool fixes every French msgstr (``python -m tools.french_typography``, after translating);
``tests/unit/test_french_typography.py`` fails while one is left. Placeholders (``{label}``,
``{count:d}``, ``%(reference)s``) and URLs are not text and are left alone, and a mark glued to
the next character (``10:30``, ``a?b``) is not punctuation.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "functions" / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
NBSP, NARROW_NBSP = "\u00a0", "\u202f"
SPACE_BEFORE = {":": NBSP, ";": NARROW_NBSP, "?": NARROW_NBSP, "!": NARROW_NBSP}
# What is not text: placeholders of str.format and of %-formatting, and URLs.
NOT_TEXT = re.compile(r"\{[^{}]*\}|%\([^)]*\)[a-z]|%[sd]|https?://\S+")
# A punctuation mark: one of the four, ending a word (followed by a space, a quote, the end).
MARK = re.compile(r"(?P<space>[ \u00a0\u202f]?)(?P<mark>[:;?!])(?=[\s\"'»)\]:;?!]|$)")


def _masked(text: str) -> tuple[str, list[str]]:
    """The text with what is not text replaced by placeholders of private-use characters."""
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return chr(0xE000 + len(kept) - 1)

    return NOT_TEXT.sub(keep, text), kept


def _unmasked(text: str, kept: list[str]) -> str:
    return re.sub("[\ue000-\uf8ff]", lambda m: kept[ord(m.group(0)) - 0xE000], text)


def _wrong(match: re.Match[str], text: str) -> bool:
    start = match.start("mark")
    if start == 0 or text[start - 1] in SPACE_BEFORE:  # "?!", or a mark opening the text
        return False
    return match.group("space") != SPACE_BEFORE[match.group("mark")]


def problems(text: str) -> list[str]:
    """Each mark of a French text without its no-break space, shown in its context."""
    masked, kept = _masked(text)
    return [
        _unmasked(masked[max(0, m.start() - 12) : m.end() + 1], kept)
        for m in MARK.finditer(masked)
        if _wrong(m, masked)
    ]


def fixed(text: str) -> str:
    """The text with the right no-break space before each of the four marks."""
    masked, kept = _masked(text)

    def fix(match: re.Match[str]) -> str:
        if not _wrong(match, masked):
            return match.group(0)
        return SPACE_BEFORE[match.group("mark")] + match.group("mark")

    return _unmasked(MARK.sub(fix, masked), kept)


def main() -> None:
    """Fix the French catalog in place, written as `make i18n-update` writes it."""
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="fr")
    changed = 0
    for message in catalog:
        if not message.id:
            continue  # the header
        string = message.string
        if isinstance(string, str):
            new: str | tuple[str, ...] = fixed(string)
        elif string:  # plural forms
            new = tuple(fixed(s) for s in string)
        else:
            continue
        if new != string:
            message.string = new
            changed += 1
    with CATALOG.open("wb") as target:
        write_po(target, catalog, width=100, ignore_obsolete=True, include_previous=False)
    print(f"{CATALOG.relative_to(ROOT)}: {changed} messages fixed")


if __name__ == "__main__":
    main()
