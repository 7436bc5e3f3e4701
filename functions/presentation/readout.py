"""A stored request read back in the form's own words: the schema's sections, titles and options.

Built from the same :class:`~functions.presentation.formspec.FormSpec` as the form, so a field
added to the schema is shown wherever a request is read (the review page, the emails' summary)
with no template change. Labels and option labels stay English message ids (``translate``);
what the partner wrote stays as written; country names come localised from CLDR.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from functions.domain.reference import country_names, language_names
from functions.presentation.formspec import Field, FormSpec, Group, is_shown


class Row(NamedTuple):
    """One answer: the question's title, its values, and how to show them."""

    name: str  # the field's dotted name (request.topics)
    label: str  # English: the page translates it
    values: tuple[str, ...]
    translate: bool  # the values are labels (options, yes/no) to translate, not someone's text
    long: bool = False  # a text of several lines
    item: int = 0  # the repetition of a group it belongs to (1, 2, ...), 0 outside groups
    group: str = ""  # that group's title (English)


class Part(NamedTuple):
    """One section of the form with the answers given in it."""

    name: str
    title: str  # English
    rows: tuple[Row, ...]


YES, NO = "Yes", "No"


def _value_at(document: Mapping[str, Any], name: str) -> Any:
    value: Any = document
    for key in name.split("."):
        if isinstance(value, Mapping):
            value = value.get(key)
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return None
    return value


def _row(spec: Field, value: Any, language: str, item: int = 0) -> Row | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return Row(spec.name, spec.title, (YES if value else NO,), True, item=item)
    values = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    if spec.reference in ("countries", "member_states", "spoken_languages"):
        names = (
            language_names(language)
            if spec.reference == "spoken_languages"
            else country_names(language)
        )
        return Row(spec.name, spec.title, tuple(names.get(v, v) for v in values), False, item=item)
    if spec.options:
        labels = {option.value: option.label for option in spec.options}
        return Row(spec.name, spec.title, tuple(labels.get(v, v) for v in values), True, item=item)
    return Row(spec.name, spec.title, tuple(values), False, spec.widget == "textarea", item)


def _flat(document: Mapping[str, Any]) -> dict[str, list[str]]:
    """The document's scalar answers by dotted name, as :func:`is_shown` reads form fields."""
    found: dict[str, list[str]] = {}
    for section, answers in document.items():
        if isinstance(answers, Mapping):
            for key, value in answers.items():
                if isinstance(value, str):
                    found[f"{section}.{key}"] = [value]
                elif isinstance(value, list):
                    found[f"{section}.{key}"] = [v for v in value if isinstance(v, str)]
    return found


def read_request(
    spec: FormSpec,
    document: Mapping[str, Any],
    language: str,
    without: frozenset[str] = frozenset(),
) -> list[Part]:
    """Every answered question of ``document``, section by section, in the schema's order,
    but the fields named in ``without`` (an email leaves the partner's address out)."""
    shown = _flat(document)
    parts: list[Part] = []
    for section in spec.sections:
        rows: list[Row] = []
        for item in section.items:
            if not is_shown(item, shown):
                continue
            if isinstance(item, Group):
                entries = _value_at(document, item.name)
                for index in range(len(entries) if isinstance(entries, list) else 0):
                    for inner in item.at(index):
                        found = _row(inner, _value_at(document, inner.name), language, index + 1)
                        if found is not None:
                            rows.append(found._replace(group=item.title))
                continue
            if item.widget == "checkbox" or item.name in without:  # the consent: always given
                continue
            row = _row(item, _value_at(document, item.name), language)
            if row is not None:
                rows.append(row)
        if rows:
            parts.append(Part(section.name, section.title, tuple(rows)))
    return parts


def field_titles(spec: FormSpec) -> dict[str, str]:
    """The English title of every field, by dotted name (a correction's field, named)."""
    return {f.name: f.title for f in spec.fields()}


# The partner's own address and telephone stay off the emails' summary: an email can go to a
# Project Officer because the partner's address bounced, and mail is forwarded.
NOT_IN_MAIL = frozenset({"contact.email", "contact.phone"})
