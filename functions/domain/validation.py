"""Validation of a request document: the schema first, then the eligibility rules.

Every problem is reported at once, each with a JSON pointer to the field, a machine code and an
English message. The codes are the contract: pages and other languages map codes to their own
words, never jsonschema's English.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from functions.domain import schemas, text
from functions.domain.bounds import Refused, bound
from functions.domain.eligibility import check_eligibility
from functions.domain.errors import FieldError
from functions.domain.mail import sendable

if TYPE_CHECKING:
    from jsonschema import ValidationError

# jsonschema keyword -> our error code.
_CODES = {
    "required": "required",
    "type": "type",
    "enum": "enum",
    "const": "const",
    "minLength": "too_short",
    "maxLength": "too_long",
    "pattern": "pattern",
    "format": "format",
    "minItems": "too_few",
    "maxItems": "too_many",
    "uniqueItems": "duplicate",
    "minimum": "too_small",
    "maximum": "too_large",
    "additionalProperties": "unknown_field",
    "not": "not_allowed",
}

# An array index in a path: ASCII digits ("¹".isdigit() is true; int() refuses it), and short (a
# JSON key of 5,000 digits must stay a name: int() refuses more than 4,300 digits).
_MAX_INDEX_DIGITS = 6


def _index(part: str) -> int | None:
    """The array index a path part names, or None when it is a name."""
    if part.isascii() and part.isdigit() and len(part) <= _MAX_INDEX_DIGITS:
        return int(part)
    return None


@dataclass(frozen=True)
class _Located:
    path: tuple[str | int, ...]
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def pointer(path: Iterable[str | int]) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indexes."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _locate(error: ValidationError) -> Iterator[_Located]:
    """Where an error belongs: a missing field is reported at the field, not at its parent."""
    base = tuple(error.absolute_path)
    keyword = str(error.validator)
    if keyword == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        yield _Located((*base, missing), "required")
    elif keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, dict) else {}
        for extra in sorted(set(instance) - known):
            yield _Located((*base, extra), "unknown_field")
    elif keyword == "not" and isinstance(error.validator_value, dict):
        for name in error.validator_value.get("required", []):
            yield _Located((*base, name), "not_allowed")
    else:
        params = {"limit": error.validator_value} if keyword.startswith(("min", "max")) else {}
        yield _Located(base, _CODES.get(keyword, keyword), params)


REQUEST = "request.schema.json"
EXPERT = "expert.schema.json"


def _field_schema(path: tuple[str | int, ...], schema_name: str = REQUEST) -> dict[str, Any]:
    """The schema of the field at ``path`` (array indexes step into ``items``)."""
    node: dict[str, Any] = schemas.inlined(schema_name)
    for part in path:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
    return node


# When one field breaks several rules, the person is told the most useful one only.
_PRIORITY = ["required", "type", "enum", "const", "format", "too_short", "too_long", "pattern"]


def _rank(code: str) -> int:
    return _PRIORITY.index(code) if code in _PRIORITY else len(_PRIORITY)


def schema_errors(document: Any, schema_name: str = REQUEST) -> list[FieldError]:
    """Every field that breaks the schema, one error per field, in the order of the form."""
    found, _ = _schema_errors(document, schema_name)
    return found


def _refused_located(refused: Refused) -> _Located:
    code = _CODES.get(refused.keyword, refused.keyword)
    return _Located(refused.path, code, refused.params)


def _below(path: tuple[str | int, ...], refused: set[tuple[str | int, ...]]) -> bool:
    return any(path[:length] in refused for length in range(len(path) + 1))


def _schema_errors(document: Any, schema_name: str = REQUEST) -> tuple[list[FieldError], Any]:
    """The schema's errors, and the bounded document jsonschema saw (refused values replaced).

    The bounds are checked first (functions/domain/bounds.py), so that no keyword ever works on
    a value its field could not accept; jsonschema's errors at a refused value are its echo.
    """
    schema: dict[str, Any] = schemas.inlined(schema_name)
    bounded, refusals = bound(document, schema)
    replaced = {r.path for r in refusals if r.keyword != "too_many_fields"}
    best: dict[str, FieldError] = {}

    def keep(located: _Located, keyword: str) -> None:
        overrides = _field_schema(located.path, schema_name).get("x-errors", {})
        code = overrides.get(keyword, located.code)
        path = pointer(located.path)
        if path not in best or _rank(code) < _rank(best[path].code):
            best[path] = FieldError(path, code, located.params)

    for refusal in refusals:
        keep(_refused_located(refusal), refusal.keyword)
    for error in schemas.validator(schema_name).iter_errors(bounded):
        for located in _locate(error):
            if not _below(located.path, replaced):
                keep(located, str(error.validator))
    return sorted(best.values(), key=lambda e: _order(e.path, schema_name)), bounded


def _order(path: str, schema_name: str = REQUEST) -> list[Any]:
    """Sort errors in the order the fields appear in the schema (and so in the form)."""
    node: dict[str, Any] = schemas.inlined(schema_name)
    key: list[Any] = []
    for part in path.strip("/").split("/") if path else []:
        index = _index(part) if "items" in node else None
        if index is not None:
            key.append(index)
            node = node.get("items", {})
            continue
        names = list(node.get("properties", {}))
        key.append(names.index(part) if part in names else len(names))
        node = node.get("properties", {}).get(part, {})
    return key


def address_errors(document: Any) -> list[FieldError]:
    """The contact's address, if the mailer could not send to it (functions/domain/mail.py's
    rule, stricter than the schema's pattern: ``a,b@x.y`` or ``.a@x.y`` match that)."""
    contact = document.get("contact") if isinstance(document, dict) else None
    email = contact.get("email") if isinstance(contact, dict) else None
    if isinstance(email, str) and not sendable(email):
        return [FieldError("/contact/email", "format")]
    return []


def validate_request(document: Any) -> list[FieldError]:
    """All errors of a request: the schema's, then the address rule's and eligibility's on
    fields the schema accepted."""
    errors, bounded = _schema_errors(document)
    taken = {error.path for error in errors}
    # On the bounded document: eligibility never meets a value the schema could not accept.
    checks = [*address_errors(bounded), *check_eligibility(bounded)]
    extra = [error for error in checks if error.path not in taken]
    return sorted(errors + extra, key=lambda e: _order(e.path))


def field_title(path: str, schema_name: str = REQUEST) -> str:
    """The schema title of the field a JSON pointer names (the last name for unknown fields)."""
    names = path.strip("/").split("/") if path else []
    parts: list[str | int] = []
    for name in names:
        index = _index(name)
        parts.append(name if index is None else index)
    schema = _field_schema(tuple(parts), schema_name)
    if "title" in schema:
        return str(schema["title"])
    names = [p for p in parts if isinstance(p, str)]
    return names[-1] if names else "Request"


def expert_address_errors(document: Any) -> list[FieldError]:
    """The expert's address, if the mailer could not send to it (the same rule as a request's)."""
    expert = document.get("expert") if isinstance(document, dict) else None
    email = expert.get("email") if isinstance(expert, dict) else None
    if isinstance(email, str) and not sendable(email):
        return [FieldError("/expert/email", "format")]
    return []


def _periods_errors(document: Any) -> list[FieldError]:
    """A period of unavailability that ends before it starts (ISO dates compare as text)."""
    availability = document.get("availability") if isinstance(document, dict) else None
    periods = availability.get("unavailable") if isinstance(availability, dict) else None
    errors = []
    for index, period in enumerate(periods if isinstance(periods, list) else []):
        if not isinstance(period, dict):
            continue
        start, end = period.get("from"), period.get("to")
        if isinstance(start, str) and isinstance(end, str) and end < start:
            errors.append(FieldError(f"/availability/unavailable/{index}/to", "before_start"))
    return errors


def _experience_errors(document: Any) -> list[FieldError]:
    """Countries of experience must be eligible countries (the request form's list)."""
    from functions.domain.reference import reference_data

    experience = document.get("experience") if isinstance(document, dict) else None
    countries = experience.get("countries") if isinstance(experience, dict) else None
    known = reference_data().countries
    return [
        FieldError(f"/experience/countries/{index}", "enum")
        for index, code in enumerate(countries if isinstance(countries, list) else [])
        if isinstance(code, str) and code not in known
    ]


def validate_expert(document: Any) -> list[FieldError]:
    """All errors of an expert's registration: the schema's, then the address, the periods and
    the countries on fields the schema accepted."""
    errors, bounded = _schema_errors(document, EXPERT)
    taken = {error.path for error in errors}
    checks = [
        *expert_address_errors(bounded),
        *_periods_errors(bounded),
        *_experience_errors(bounded),
    ]
    extra = [error for error in checks if error.path not in taken]
    return sorted(errors + extra, key=lambda e: _order(e.path, EXPERT))


def normalised_request(document: Any, schema_name: str = REQUEST) -> Any:
    """The document with the line breaks of its multi-line fields as LF (the text rule)."""
    return _normalised(document, schemas.load(schema_name))


def _normalised(value: Any, node: dict[str, Any]) -> Any:
    if isinstance(value, str) and node.get("x-text") == "multiline":
        return text.normalised(value)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        return {
            k: _normalised(v, properties[k]) if k in properties else v for k, v in value.items()
        }
    if isinstance(value, list) and isinstance(node.get("items"), dict):
        return [_normalised(item, node["items"]) for item in value]
    return value


# What a draft ("Save and continue later") may leave undone: an answer missing or not finished
# yet, and the rules that compare answers. Every bound and type of each answer given still holds.
UNFINISHED = frozenset(
    {
        "required",
        "consent_required",
        "too_short",
        "too_few",
        "not_eligible",
        "region_mismatch",
        "topic_mismatch",
        "not_allowed",
    }
)
DRAFT_EMAIL = "draft_email"


def validate_draft(document: Any) -> list[FieldError]:
    """The errors that stop a draft being saved: every error of :func:`validate_request` but
    the unfinished ones, and a contact address the link to continue can be sent to."""
    errors = [e for e in validate_request(document) if e.code not in UNFINISHED]
    if not any(e.path == "/contact/email" for e in errors):
        contact = document.get("contact") if isinstance(document, dict) else None
        email = contact.get("email") if isinstance(contact, dict) else None
        if not isinstance(email, str) or not email:
            errors.append(FieldError("/contact/email", DRAFT_EMAIL))
    return sorted(errors, key=lambda e: _order(e.path))


ACTION = "action.schema.json"


def _action_dates_errors(plan: Any) -> list[FieldError]:
    """An activity that ends before it starts; an Action's own first or last day that leaves an
    activity outside it (ISO dates compare as text; the schema has checked their format)."""
    activities = plan.get("activities") if isinstance(plan, dict) else None
    if not isinstance(activities, list):
        return []
    dated = [
        a
        for a in activities
        if isinstance(a, dict)
        and isinstance(a.get("starts_on"), str)
        and isinstance(a.get("ends_on"), str)
    ]
    errors = [
        FieldError(f"/activities/{index}/ends_on", "before_start")
        for index, activity in enumerate(activities)
        if activity in dated and activity["ends_on"] < activity["starts_on"]
    ]
    if not dated:
        return errors
    first = min(a["starts_on"] for a in dated)
    last = max(a["ends_on"] for a in dated)
    starts_on, ends_on = plan.get("starts_on"), plan.get("ends_on")
    if isinstance(starts_on, str) and starts_on > first:
        errors.append(FieldError("/starts_on", "after_first_activity", {"date": first}))
    if isinstance(ends_on, str) and ends_on < last:
        errors.append(FieldError("/ends_on", "before_last_activity", {"date": last}))
    return errors


def validate_action(plan: Any) -> list[FieldError]:
    """All errors of an Action's plan, each at its field: the schema's (bounded first), then the
    dates' on fields the schema accepted (services/actions.py checks the same rules again)."""
    errors, bounded = _schema_errors(plan, ACTION)
    taken = {error.path for error in errors}
    extra = [e for e in _action_dates_errors(bounded) if e.path not in taken]
    return sorted(errors + extra, key=lambda e: _order(e.path, ACTION))
