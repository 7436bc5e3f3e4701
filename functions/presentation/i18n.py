"""Languages: which one a person gets, and the gettext catalogs for it.

Catalogs live in ``functions/locales/<lang>/LC_MESSAGES/messages.mo`` (compiled with Babel and
shipped). English is the source language: its strings are the message ids.
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "fr", "es", "ar", "ru")
DEFAULT_LANGUAGE = "en"
# Each language is offered in its own name (an endonym), never translated.
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "ru": "Русский",
}
RIGHT_TO_LEFT = frozenset({"ar"})
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locales"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of one language (English, and any unknown language, translate to themselves)."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation("messages", LOCALE_DIR, languages=[language], fallback=True)


def text_direction(language: str) -> str:
    """``rtl`` for Arabic, ``ltr`` otherwise."""
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def negotiate(asked: str | None, accept_language: str | None) -> str:
    """``?lang=`` first, then the best ``Accept-Language`` match, then English."""
    if asked in LANGUAGES:
        return str(asked)
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE


def gettext_for(language: str) -> Callable[[str], str]:
    """The ``gettext`` function of one language."""
    return translations(language).gettext
