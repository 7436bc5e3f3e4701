"""A request document bounded by its schema before any jsonschema keyword runs.

jsonschema evaluates every keyword of a node, in the schema's order, even when a cheap one has
already failed: ``pattern`` runs on a string ``maxLength`` refused, ``uniqueItems`` compares every
pair of an array ``maxItems`` refused, and each error's message holds the ``repr`` of the value.
A hostile 64 KiB document could so cost a minute of CPU (issue 14). As the jsonschema maintainers
and OWASP ASVS 5.0 (V2.2, input validation; V15.3, resource-consuming inputs) recommend, the
input is bounded first, here, in one walk that follows the schema and never descends where the
schema has no node:

- a value of the wrong container kind (an array or object where the schema wants a string, a
  string or array where it wants an object...) is refused as ``type``, not looked into;
- a string longer than its field's ``maxLength`` (``too_long``), or than the longest value of its
  ``enum`` (``enum``), is refused before any pattern sees it;
- an array longer than its ``maxItems`` (``too_many``) is refused before its items are looked at;
- a closed object with more than twice as many keys as its schema names is refused as
  ``too_many_fields`` (one error, no key looked at); otherwise each unknown key is
  ``unknown_field`` and left out;
- the text rule (:mod:`functions.domain.text`) on every field marked ``x-text``.

Nesting is bounded by construction: the walk follows the schema, whose depth is five.

Each refused value is replaced, in a copy, by a placeholder that no keyword looks into, so that
jsonschema then validates a document of bounded size (every other field's errors are still found,
in the same answer); its own errors at a refused path are dropped by the caller.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from functions.domain import text


class Refused(NamedTuple):
    """One value refused before jsonschema: where, the jsonschema keyword (or our code), params."""

    path: tuple[str | int, ...]
    keyword: str
    params: dict[str, Any]


class Placeholder:
    """Stands in for a refused value: of no JSON type, unequal to everything but itself."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<refused>"


_CONTAINER_KINDS: dict[type, str] = {dict: "object", list: "array", str: "string"}


def _kind_mismatch(value: Any, node: dict[str, Any]) -> bool:
    """True when the value is an object, array or string and the node wants another type.

    Numbers, booleans and null are left to jsonschema: they cost nothing to check or print.
    """
    wanted = node.get("type")
    kind = _CONTAINER_KINDS.get(type(value))
    return wanted is not None and kind is not None and kind != wanted


def _string_limit(node: dict[str, Any]) -> tuple[int, str] | None:
    """The longest string the node can accept, and the keyword refusing a longer one."""
    if "maxLength" in node:
        return int(node["maxLength"]), "maxLength"
    if "enum" in node:
        return max(len(str(choice)) for choice in node["enum"]), "enum"
    if "const" in node:
        return len(str(node["const"])), "const"
    return None


def bound(document: Any, schema: dict[str, Any]) -> tuple[Any, list[Refused]]:
    """The document with every out-of-bounds value replaced by a placeholder, and why each was."""
    refused: list[Refused] = []
    return _walk(document, schema, (), refused), refused


def _walk(
    value: Any, node: dict[str, Any], path: tuple[str | int, ...], refused: list[Refused]
) -> Any:
    if _kind_mismatch(value, node):
        refused.append(Refused(path, "type", {}))
        return Placeholder()
    if isinstance(value, str):
        return _string(value, node, path, refused)
    if isinstance(value, list):
        return _array(value, node, path, refused)
    if isinstance(value, dict):
        return _object(value, node, path, refused)
    return value


def _string(
    value: str, node: dict[str, Any], path: tuple[str | int, ...], refused: list[Refused]
) -> Any:
    limit = _string_limit(node)
    if limit is not None and len(value) > limit[0]:
        keyword = limit[1]
        refused.append(
            Refused(path, keyword, {"limit": limit[0]} if keyword == "maxLength" else {})
        )
        return Placeholder()
    kind = node.get("x-text")
    problem = text.problem(value, multiline=kind == "multiline") if kind else None
    if problem is not None:
        refused.append(Refused(path, problem, {}))
        return Placeholder()
    return value


def _array(
    value: list[Any], node: dict[str, Any], path: tuple[str | int, ...], refused: list[Refused]
) -> Any:
    limit = node.get("maxItems")
    if limit is not None and len(value) > limit:
        refused.append(Refused(path, "maxItems", {"limit": limit}))
        return []  # an empty array: no if/then of the schema takes its contents for a choice
    items = node.get("items")
    if not isinstance(items, dict):
        return value
    return [_walk(item, items, (*path, index), refused) for index, item in enumerate(value)]


def _object(
    value: dict[str, Any], node: dict[str, Any], path: tuple[str | int, ...], refused: list[Refused]
) -> Any:
    properties: dict[str, Any] = node.get("properties", {})
    if node.get("additionalProperties") is not False:
        return {
            k: _walk(v, properties[k], (*path, k), refused) if k in properties else v
            for k, v in value.items()
        }
    if len(value) > 2 * len(properties):
        # More unknown keys than known ones, whatever they are: one error, no key looked at.
        refused.append(Refused(path, "too_many_fields", {"limit": len(properties)}))
        return {
            k: _walk(value[k], child, (*path, k), refused)
            for k, child in properties.items()
            if k in value
        }
    refused.extend(
        Refused((*path, k), "additionalProperties", {}) for k in value if k not in properties
    )
    return {
        k: _walk(v, properties[k], (*path, k), refused) for k, v in value.items() if k in properties
    }
