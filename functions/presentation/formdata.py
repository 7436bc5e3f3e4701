"""Turn the hosted form's flat fields into a request document, guided by the schema.

:func:`request_from_form` is the one way form fields become a request, whoever posts them (a
browser wanting the form back, or an API client sending form encoding).

Form fields are named by their path with dots (``contact.email``,
``institution.co_requesters.0.name``);
a multiple choice repeats its name. Empty fields are left out, so the schema reports them as
missing, exactly as it would for the JSON API. Values are converted to the schema's types only
when they convert cleanly; anything else is passed through for the schema to refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from functions.presentation.formspec import FormSpec

HONEYPOT = "website"  # a field hidden from people; bots fill it in
# A position in a repeated group: ASCII digits only ("¹".isdigit() is true, and int() refuses it)
# and small (a posted "co_requesters.99999999.name" must not grow a list of a hundred million).
MAX_POSITION = 99


def _position(part: str) -> int | None:
    """The list position a name part gives, or None if it is not a small ASCII number."""
    # The length first: int() refuses more than 4,300 digits (a ValueError: a 500 before).
    if part.isascii() and part.isdigit() and len(part) <= 2 and int(part) <= MAX_POSITION:
        return int(part)
    return None


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    digits = value.removeprefix("-")
    # int() refuses more than 4,300 digits (a ValueError: a 500); no field of ours takes 19.
    if kind == "integer" and digits.isascii() and digits.isdigit() and len(digits) <= 18:
        return int(value)
    return value


def _child(schema: dict[str, Any], part: str) -> dict[str, Any] | None:
    if schema.get("type") == "array":
        return schema.get("items", {}) if _position(part) is not None else None
    properties = schema.get("properties", {})
    child = properties.get(part)
    return child if isinstance(child, dict) else None


def _container(schema: dict[str, Any]) -> Any:
    return [] if schema.get("type") == "array" else {}


def _place(
    root: dict[str, Any], parts: list[str], schemas_on_path: list[dict[str, Any]], value: Any
) -> None:
    node: Any = root
    for depth, part in enumerate(parts[:-1]):
        key: Any = _position(part) if isinstance(node, list) else part
        if key is None:
            return  # not a position in a list: a field no form of ours can send, dropped
        if isinstance(node, list):
            while len(node) <= key:
                node.append(_container(schemas_on_path[depth + 1]))
            node = node[key]
        else:
            node = node.setdefault(key, _container(schemas_on_path[depth + 1]))
    last = parts[-1]
    if isinstance(node, list):
        index = _position(last)
        if index is None:
            return
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[last] = value


def document_from_form(fields: dict[str, list[str]], schema: dict[str, Any]) -> dict[str, Any]:
    """The request document the form's fields describe. Unknown names are kept for the schema."""
    document: dict[str, Any] = {}
    for name in sorted(fields, key=_natural):
        values = [v.strip() for v in fields[name] if v.strip() != ""]
        if not values:
            continue
        parts = name.split(".")
        node = schema
        path_schemas = [schema]
        for depth, part in enumerate(parts):
            child = _child(node, part)
            if child is None:  # not a field of the form: kept at its first unknown part, for
                parts = parts[: depth + 1]  # the schema to refuse (a name thousands of parts
                path_schemas.append({})  # deep must not build a document as deep)
                break
            node = child
            path_schemas.append(node)
        field_schema = path_schemas[-1]
        if field_schema.get("type") == "array" and _position(parts[-1]) is None:
            item_schema = field_schema.get("items", {})
            value: Any = [_coerce(v, item_schema) for v in values]
        else:
            value = _coerce(values[-1], field_schema)
        _place(document, parts, path_schemas, value)
    compacted: dict[str, Any] = _compact(document)
    return compacted


def form_values(document: dict[str, Any]) -> dict[str, list[str]]:
    """The fields a stored document fills in its generated form (the inverse of
    :func:`document_from_form`): dotted names, a repeated group's entries as ``name.<n>.field``,
    a list of choices as one value each, booleans as the form's checkboxes send them."""
    values: dict[str, list[str]] = {}

    def walk(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(f"{name}.{key}" if name else key, child)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for position, entry in enumerate(value):
                walk(f"{name}.{position}", entry)
        elif isinstance(value, list):
            values[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            values[name] = ["true" if value else "false"]
        elif value is not None:
            values[name] = [str(value)]

    walk("", document)
    return values


def _natural(name: str) -> list[Any]:
    # Numbers in order without int(): a part of 5,000 digits would make it raise.
    return [(0, len(p), p) if p.isascii() and p.isdigit() else (1, 0, p) for p in name.split(".")]


def _compact(node: Any) -> Any:
    """Drop the holes a sparse list of repeated groups may leave (an emptied co-requester)."""
    if isinstance(node, dict):
        return {k: _compact(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_compact(v) for v in node if v not in (None, {}, [])]
    return node


class FormRequest(NamedTuple):
    """What a posted request form says."""

    document: dict[str, Any]  # the request document, for the intake to validate
    values: dict[str, list[str]]  # the person's answers (to show the form again with them)
    trapped: bool  # the honeypot was filled in: a bot, to be shown a decoy confirmation


def request_from_form(fields: Mapping[str, list[str]]) -> FormRequest:
    """The request a posted form describes: form plumbing (``_csrf``, ``_html``) and the
    honeypot left out, the answers to questions that do not apply dropped, and each untouched
    section of the form kept as an empty object."""
    # Imported on use: the form built from the schema is paid for by form posts only, not by
    # the API Lambda's cold start, whose first request is most often a JSON submission.
    from functions.domain.schemas import request_schema
    from functions.presentation.formspec import request_form

    return posted_document(fields, request_form(), request_schema())


def expert_from_form(fields: Mapping[str, list[str]]) -> FormRequest:
    """The registration a posted roster form describes, by the same rules as a request's."""
    from functions.domain.schemas import load
    from functions.presentation.formspec import expert_form

    return posted_document(fields, expert_form(), load("expert.schema.json"))


def posted_document(
    fields: Mapping[str, list[str]], spec: FormSpec, schema: dict[str, Any]
) -> FormRequest:
    """The document a posted form of ``spec`` describes (any of the generated forms)."""
    from functions.presentation.formspec import without_hidden_parts

    values = {name: list(v) for name, v in fields.items() if not name.startswith("_")}
    trapped = any(v.strip() for v in values.pop(HONEYPOT, []))
    document = document_from_form(without_hidden_parts(spec, values), schema)
    return FormRequest(_with_sections(document, spec), values, trapped)


def _with_sections(document: dict[str, Any], spec: FormSpec) -> dict[str, Any]:
    """An untouched section of the form is an empty object, so that each of its required
    questions gets its own message instead of one for the whole section."""
    for section in spec.sections:
        # A section of an object inside another (``participants.by_institution``) is optional
        # with its parent's rules: only a top-level section is kept empty.
        top = "." not in section.name
        if top and section.items and section.items[0].name.startswith(section.name + "."):
            document.setdefault(section.name, {})
    return document
