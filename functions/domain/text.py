"""The one rule for text people type: in a request's fields, a ballot's comment, a partner's answer.

- Control characters are refused everywhere (``control_character``): C0 except tab, line feed and
  carriage return; DEL; C1 (U+0080-U+009F). Shown raw they are terminal escapes, invisible bytes
  or mail-header tricks; stored they mean nothing to a reader.
- Lone surrogates (U+D800-U+DFFF, only JSON's ``\\ud800`` can send one) are refused
  (``invalid_character``): they cannot be encoded, stored or mailed.
- A one-line field (a name, a title) refuses line breaks (``line_break``): CR and LF there split
  an email's greeting or forge a header-looking line such as ``Bcc: ...``.
- A multi-line field keeps its line breaks, normalised to LF (a browser sends a textarea's as
  CRLF; a lone CR counts as one too), so that what is stored does not depend on the client.
"""

from __future__ import annotations

import re

# One pass over the text, one character at a time: no backtracking.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_BREAK = re.compile("[\r\n]")
_NEWLINES = re.compile("\r\n?")

CONTROL_CHARACTER = "control_character"
LINE_BREAK = "line_break"
INVALID_CHARACTER = "invalid_character"


def problem(value: str, *, multiline: bool) -> str | None:
    """The code of what the text rule refuses in ``value``, or None when it is acceptable."""
    if _CONTROL.search(value):
        return CONTROL_CHARACTER
    if _SURROGATE.search(value):
        return INVALID_CHARACTER
    if not multiline and _LINE_BREAK.search(value):
        return LINE_BREAK
    return None


def normalised(value: str) -> str:
    """Multi-line text with its line breaks as LF (CRLF and a lone CR both become LF)."""
    return _NEWLINES.sub("\n", value)
