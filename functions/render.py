"""Jinja2 rendering of pages and emails, in the reader's language, with autoescape always on."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from functions.i18n import LANGUAGE_NAMES, LANGUAGES, text_direction, translations

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@cache
def asset(name: str) -> str:
    """The URL of a static file, versioned by its content so browsers may cache it for a year."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


@cache
def environment(language: str) -> Environment:
    """One environment per language, built on first use (Jinja2 is imported only where needed)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        # Escape HTML everywhere, including email HTML; plain-text mail is built from .txt
        # templates, where escaping would show entities to the reader.
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        lang=language,
        dir=text_direction(language),
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        asset=asset,
    )
    return env


def render(template: str, language: str, **context: Any) -> str:
    """Render one template in ``language``."""
    return environment(language).get_template(template).render(**context)
