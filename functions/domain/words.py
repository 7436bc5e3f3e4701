"""The marker of words people read: the domain names things in English, marked for translation.

``N_`` returns its argument unchanged; ``pybabel extract -k N_`` (make i18n-extract) collects
every marked string into the catalogs, and presentation translates it in the reader's language.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it here."""
    return message
