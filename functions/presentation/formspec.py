"""The hosted form, described from the request schema: sections, fields, widgets and rules.

Nothing here is written per field: a property added to ``schemas/request.schema.json`` appears in
the form with its title as the label, its description as the hint, and its type, ``enum``,
``x-widget``, ``x-input``, ``x-reference``, ``x-show-if`` and ``x-autocomplete`` deciding how it is
asked. Texts stay in English here (they are the message ids); pages translate them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

from functions.domain import schemas
from functions.domain.outcome import SCHEMA as OUTCOME_SCHEMA
from functions.domain.reference import reference_data


@dataclass(frozen=True)
class Option:
    """One choice of a select, radios or checkboxes; ``group`` ties a topic to its pillar."""

    value: str
    label: str
    group: str = ""


@dataclass(frozen=True)
class Field:
    """One question of the form, named by its dotted path (``contact.email``)."""

    name: str
    title: str
    hint: str
    widget: str  # text | textarea | select | radios | checkboxes | yesno | checkbox | hidden
    input_type: str = "text"  # text | email | tel | month | number
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    pattern: str | None = None
    reference: str = ""
    options: tuple[Option, ...] = ()
    show_if: tuple[tuple[str, tuple[str, ...]], ...] = ()
    autocomplete: str = ""
    grouped_by: str = ""  # the name of the field whose value filters the options (topics: pillar)
    consent_code: str = "consent_required"  # the code a refused consent box is answered with

    @property
    def path(self) -> str:
        """The JSON pointer of the field in the request document."""
        return "/" + self.name.replace(".", "/")


@dataclass(frozen=True)
class Group:
    """A repeated set of fields (co-requesting organisations); ``fields`` are named with ``{n}``."""

    name: str
    title: str
    hint: str
    fields: tuple[Field, ...]
    min_items: int
    max_items: int
    required: bool
    show_if: tuple[tuple[str, tuple[str, ...]], ...] = ()
    item_title: str = ""  # what one repetition is called ("Language 2"), from the items' title

    def at(self, index: int) -> tuple[Field, ...]:
        """The fields of one repetition, named with its index."""
        return tuple(_rename(f, f.name.replace("{n}", str(index))) for f in self.fields)


@dataclass(frozen=True)
class Section:
    """A part of the form with a heading: one object of the schema, or one top-level field."""

    name: str
    title: str
    hint: str
    items: tuple[Field | Group, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class FormSpec:
    """The whole form: hidden fields and sections, in the schema's order."""

    title: str
    hidden: tuple[Field, ...]
    sections: tuple[Section, ...]

    def fields(self) -> list[Field]:
        """Every visible field, with repeated groups expanded to their largest size."""
        found: list[Field] = []
        for section in self.sections:
            for item in section.items:
                if isinstance(item, Group):
                    for index in range(item.max_items):
                        found.extend(item.at(index))
                else:
                    found.append(item)
        return found


def _rename(spec: Field, name: str) -> Field:
    values = {**spec.__dict__, "name": name}
    return Field(**values)


def _conditionally_required(parent: Mapping[str, Any]) -> set[str]:
    """Names required by an ``if/then/else`` of the parent (required whenever they are shown)."""
    names: set[str] = set()
    for rule in parent.get("allOf", []):
        for branch in ("then", "else"):
            names.update(rule.get(branch, {}).get("required", []))
    return names


def _show_if(schema: Mapping[str, Any], prefix: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    conditions = schema.get("x-show-if", {})
    return tuple((f"{prefix}{name}", tuple(values)) for name, values in conditions.items())


def _options(schema: Mapping[str, Any], reference: str) -> tuple[Option, ...]:
    data = reference_data()
    codes = schema.get("enum") or schema.get("items", {}).get("enum")
    if reference == "countries":
        return tuple(Option(code, country.name) for code, country in data.countries.items())
    labels = data.labels(reference) if reference else {}
    groups = data.topic_pillar if reference == "topics" else {}
    return tuple(Option(c, labels.get(c, c), groups.get(c, "")) for c in codes or [])


def _widget(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if schema.get("x-form") == "hidden":
        return "hidden"
    if kind == "boolean":
        return "checkbox" if schema.get("const") is True else "yesno"
    if kind == "array":
        return "checkboxes"
    if "x-widget" in schema:
        return str(schema["x-widget"])
    if "enum" in schema or "x-reference" in schema:
        return "select"
    return "text"


def _field(
    name: str, schema: Mapping[str, Any], required: bool, prefix: str, group_of: str = ""
) -> Field:
    reference = str(schema.get("x-reference", ""))
    widget = _widget(schema)
    input_type = str(schema.get("x-input", "number" if schema.get("type") == "integer" else "text"))
    return Field(
        name=name,
        title=str(schema.get("title", name.rsplit(".", 1)[-1])),
        hint=str(schema.get("description", "")),
        widget=widget,
        input_type=input_type,
        required=required,
        min_length=schema.get("minLength") or None,
        max_length=schema.get("maxLength"),
        minimum=schema.get("minimum"),
        maximum=schema.get("maximum"),
        min_items=schema.get("minItems"),
        max_items=schema.get("maxItems"),
        pattern=schema.get("pattern"),
        reference=reference,
        options=_options(schema, reference) if widget in ("select", "radios", "checkboxes") else (),
        show_if=_show_if(schema, prefix),
        autocomplete=str(schema.get("x-autocomplete", "")),
        grouped_by=group_of,
        consent_code=str(schema.get("x-errors", {}).get("const", "consent_required")),
    )


def _items(parent: Mapping[str, Any], prefix: str) -> tuple[Field | Group, ...]:
    required = set(parent.get("required", []))
    when_shown = _conditionally_required(parent)
    items: list[Field | Group] = []
    for key, child in parent.get("properties", {}).items():
        name = f"{prefix}{key}"
        is_required = key in required or (key in when_shown and "x-show-if" in child)
        if child.get("x-form") == "omit":  # kept by other means (an activity's status, outcome)
            continue
        if child.get("type") == "array" and child.get("items", {}).get("type") == "object":
            inner = _items(child["items"], f"{name}.{{n}}.")
            items.append(
                Group(
                    name=name,
                    title=str(child.get("title", key)),
                    hint=str(child.get("description", "")),
                    fields=tuple(f for f in inner if isinstance(f, Field)),
                    min_items=int(child.get("minItems", 0)),
                    max_items=int(child.get("maxItems", 5)),
                    required=is_required,
                    show_if=_show_if(child, prefix),
                    item_title=str(child.get("x-item-title") or child["items"].get("title", "")),
                )
            )
            continue
        if child.get("type") == "object":
            # An object inside a section or a repeated group (an activity's place): its fields
            # side by side with the others', each required only if the object is.
            for inner_item in _items(child, f"{name}."):
                if isinstance(inner_item, Field) and not is_required:
                    inner_item = replace(inner_item, required=False)
                items.append(inner_item)
            continue
        # Topics are filtered by the pillar chosen beside them, where there is one (a request);
        # an expert names topics of any pillar, shown under each pillar's heading.
        has_pillar = "pillar" in parent.get("properties", {})
        group_of = f"{prefix}pillar" if child.get("x-reference") == "topics" and has_pillar else ""
        items.append(_field(name, child, is_required, prefix, group_of))
    return tuple(items)


def _object_sections(name: str, schema: Mapping[str, Any]) -> list[Section]:
    """An object's section, then one for each object inside it (an outcome's participants by
    institution, after the participants by sex): fields stay named by their path."""
    nested = {
        key: child
        for key, child in schema.get("properties", {}).items()
        if child.get("type") == "object"
    }
    flat = {
        **schema,
        "properties": {
            key: child for key, child in schema.get("properties", {}).items() if key not in nested
        },
    }
    found = [
        Section(
            name,
            str(schema.get("title", name)),
            str(schema.get("description", "")),
            _items(flat, f"{name}."),
        )
    ]
    for key, child in nested.items():
        found.extend(_object_sections(f"{name}.{key}", child))
    return found


def build_form(schema: Mapping[str, Any]) -> FormSpec:
    """The form a schema describes (call with a copy of the schema to see a change appear)."""
    required = set(schema.get("required", []))
    hidden: list[Field] = []
    sections: list[Section] = []
    for key, child in schema.get("properties", {}).items():
        if child.get("x-form") == "omit":
            continue
        if child.get("type") == "array" and child.get("items", {}).get("type") == "object":
            # A repeated group at the top (an Action's activities, an outcome's deliverables):
            # a section of its own.
            only = {"properties": {key: child}, "required": [key] if key in required else []}
            sections.append(Section(key, str(child.get("title", key)), "", _items(only, "")))
            continue
        if child.get("type") == "object":
            sections.extend(_object_sections(key, child))
            continue
        spec = _field(key, child, key in required, "")
        if spec.widget == "hidden":
            hidden.append(spec)
        else:
            sections.append(Section(key, spec.title, "", (spec,)))
    return FormSpec(str(schema.get("title", "")), tuple(hidden), tuple(sections))


@cache
def request_form() -> FormSpec:
    """The form of the request schema, built once per container."""
    return build_form(schemas.request_schema())


@cache
def evaluation_form() -> FormSpec:
    """The form of the evaluation schema (schemas/evaluation.schema.json), built once."""
    return build_form(schemas.load("evaluation.schema.json"))


@cache
def outcome_form() -> FormSpec:
    """The form of an activity's outcome (schemas/action.schema.json ``$defs/outcome``)."""
    return build_form(schemas.load(OUTCOME_SCHEMA))


@cache
def action_form() -> FormSpec:
    """The Action's form (schemas/action.schema.json, its ``$defs`` read in place), built once."""
    return build_form(schemas.inlined("action.schema.json"))


def expert_form() -> FormSpec:
    """The roster's registration form (schemas/expert.schema.json), built once per container."""
    return build_form(schemas.load("expert.schema.json"))


def is_shown(spec: Field | Group, fields: Mapping[str, list[str]]) -> bool:
    """True when every ``x-show-if`` condition holds for the submitted values."""
    return all(any(v in values for v in fields.get(name, [])) for name, values in spec.show_if)


def without_hidden_parts(spec: FormSpec, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop the answers to questions that do not apply (a country typed in before the person
    chose "regional organisation"): without JavaScript every part of the form is on the page."""
    kept = dict(fields)
    for section in spec.sections:
        for item in section.items:
            if is_shown(item, fields):
                continue
            prefix = item.name + "."
            for name in [n for n in kept if n == item.name or n.startswith(prefix)]:
                kept.pop(name)
    return kept
