"""A Babel extractor for the JSON documents whose words people read.

The request schema's titles and descriptions are the form's labels and hints; the reference lists'
names are the choices (institution types, regions, pillars, topics). Registered in
``babel.cfg``, so ``make i18n-extract`` puts a new field's words into the catalog with no other
step. Country names are not extracted: they come from CLDR (tools/country_names.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

TEXT_KEYS = ("title", "description")
SKIPPED = {"examples", "sources", "$comment", "countries", "instruments", "regional_organisations"}


def _walk(node: Any, in_schema: bool) -> Iterator[str]:
    if isinstance(node, dict) and in_schema and node.get("x-form") == "omit":
        return  # a part no generated form asks (an activity's status, its outcome)
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SKIPPED:
                continue
            if isinstance(value, str) and value.strip():
                if (in_schema and key in TEXT_KEYS) or (not in_schema and key == "name"):
                    yield value
            else:
                yield from _walk(value, in_schema)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, in_schema)


def extract_json(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Yield ``(line, funcname, message, comments)`` for Babel, one per text of the document."""
    document = json.loads(fileobj.read().decode("utf-8"))
    in_schema = isinstance(document, dict) and "$schema" in document
    if isinstance(document, dict) and ("sources" in document and "countries" in document):
        return  # countries: names from CLDR instead
    if in_schema:
        document = {k: v for k, v in document.items() if k != "description"}  # for developers
    seen: set[str] = set()
    for text in _walk(document, in_schema):
        if text not in seen:
            seen.add(text)
            yield 0, None, text, []
