"""Jinja2 rendering of pages and emails, in the reader's language, with autoescape always on."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup

from functions.domain.words import N_
from functions.presentation.i18n import LANGUAGE_NAMES, LANGUAGES, text_direction, translations

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@cache
def asset(name: str) -> str:
    """The URL of a static file, versioned by its content so browsers may cache it for a year."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


# Unicode's FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: plain text's <bdi>.
_ISOLATE, _POP_ISOLATE = "\u2068", "\u2069"


@pass_eval_context
def isolate(context: EvalContext, value: Any) -> str:
    """Text someone wrote (a partner, a member, an operator), set apart from the text around it.

    A name or a title in Arabic inside an English sentence, or the reverse, takes its direction
    from its own first letter and cannot reorder the words around it; nor can a direction
    override written into it (U+202E) reach past its end, so it cannot make the page or the email
    say something else around it. HTML gets ``<bdi>`` (escaped), plain text Unicode's isolates.
    """
    if context.autoescape:
        return Markup("<bdi>{}</bdi>").format(value)
    return isolated(value)


def isolated(value: Any) -> str:
    """Someone's text isolated for plain text (a subject, a .txt email, an HTML ``<title>``)."""
    return f"{_ISOLATE}{value}{_POP_ISOLATE}"


# LEFT-TO-RIGHT ISOLATE: a date, a number, a code is always read left to right.
_LTR_ISOLATE = "\u2066"

# What is always written left to right inside any text: an email address, a web address, and a
# run of digits with its separators (a date 2027-03, a phone number +221 33 123 45 67, a
# reference). In Arabic text the bidirectional algorithm reads such a run's digits as Arabic
# numbers, so a date 2027-03 shows as 03-2027 and a phone number's groups come in reverse.
_LTR_RUN = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]*[A-Za-z0-9]"
    r"|https?://[^\s<>\"]*[^\s<>\".,;:!?)]"
    r"|\+?[0-9](?:[0-9./:-]|\s(?=[0-9]))*[0-9]|\+?[0-9]"
)


@pass_eval_context
def ltr(context: EvalContext, value: Any) -> str:
    """A date, a reference, a code, a number, an address: isolated and read left to right.

    HTML gets ``<bdi dir="ltr">`` (escaped), plain text Unicode's LEFT-TO-RIGHT ISOLATE.
    """
    if context.autoescape:
        return Markup('<bdi dir="ltr">{}</bdi>').format(value)
    return ltr_isolated(value)


def ltr_isolated(value: Any) -> str:
    """A date, a reference, a code isolated left to right for plain text (an email's subject)."""
    return f"{_LTR_ISOLATE}{value}{_POP_ISOLATE}"


@pass_eval_context
def isolate_examples(context: EvalContext, value: Any) -> str:
    """A translated text (a form's hint) with each date, number and address in it isolated.

    The hints come from the schema and are translated whole; their examples (``2027-03``,
    ``+221 33 123 45 67``) are found at render time, so no translation has to mark them.
    """
    text = str(value)
    parts: list[str] = []
    end = 0
    for match in _LTR_RUN.finditer(text):
        parts += [text[end : match.start()], ltr(context, match.group())]
        end = match.end()
    parts.append(text[end:])
    # Markup's join escapes the plain parts and keeps the isolates' markup.
    return Markup("").join(parts) if context.autoescape else "".join(parts)


# The separators of a list in running text, translated: Arabic writes "، " and "؛ ", French " ; ".
# The second is for items that may hold a comma themselves (the topics of a request).
LIST_SEPARATOR = N_(", ")
STRONG_LIST_SEPARATOR = N_("; ")


def series_filter(language: str) -> Any:
    """The ``series`` filter of one language: items joined by the language's list separator."""
    gettext = translations(language).gettext
    separators = {False: gettext(LIST_SEPARATOR), True: gettext(STRONG_LIST_SEPARATOR)}

    @pass_eval_context
    def series(
        context: EvalContext, items: Any, strong: bool = False, translate: bool = False
    ) -> str:
        """``strong``: the separator of items that may hold a comma; ``translate``: of words."""
        separator = separators[strong]
        if translate:
            items = [gettext(item) for item in items]
        if context.autoescape:
            return Markup.escape(separator).join(items)  # escapes each item not already markup
        return separator.join(str(item) for item in items)

    return series


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
    env.filters["isolate"] = isolate
    env.filters["ltr"] = ltr
    env.filters["isolate_examples"] = isolate_examples
    env.filters["series"] = series_filter(language)
    env.globals.update(
        lang=language,
        dir=text_direction(language),
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        asset=asset,
        # A label's colon set by a template ("Reference: MX-..."): French puts a no-break space
        # before it, as its catalog does (tools/french_typography.py).
        colon="\u00a0:" if language == "fr" else ":",
    )
    return env


def render(template: str, language: str, **context: Any) -> str:
    """Render one template in ``language``."""
    return environment(language).get_template(template).render(**context)
