"""Content negotiation: what a client asks for, read once from ``Accept`` with its q-values.

``wants_html`` and ``wants_json`` both answer from :func:`preferred`: the offered media type with
the highest quality wins, the most specific range deciding each type's quality (``text/html``
over ``text/*`` over ``*/*``, RFC 9110 section 12.5.1); a tie, or no ``Accept``, gives the route's
default (a page for the pages, JSON for the API).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chalice.app import Request

HTML = "text/html"
XHTML = "application/xhtml+xml"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
MAX_RANGES = 32  # an Accept header is a few ranges; a hostile one is not parsed past this


def media_type(request: Request) -> str:
    """The media type of the body without parameters (``charset``), lower case."""
    header = str(request.headers.get("content-type", ""))
    return header.split(";")[0].strip().lower()


def accepted(header: str) -> dict[str, float]:
    """The media ranges of an ``Accept`` header with their qualities (1 when not given)."""
    ranges: dict[str, float] = {}
    for part in header.split(",")[:MAX_RANGES]:
        media, *params = part.split(";")
        media = media.strip().lower()
        if "/" not in media:
            continue
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0  # a malformed q-value asks for nothing
        ranges.setdefault(media, quality)
    return ranges


def quality(ranges: Mapping[str, float], media: str) -> float:
    """How much ``media`` is wanted: the quality of the most specific range that matches it."""
    kind = media.split("/")[0]
    for candidate in (media, f"{kind}/*", "*/*"):
        if candidate in ranges:
            return ranges[candidate]
    return 0.0


def preferred(request: Request, offers: Sequence[str], default: str) -> str:
    """The offer the client wants most; ``default`` when nothing is asked for or on a tie."""
    header = str(request.headers.get("accept", "")).strip()
    if not header:
        return default
    ranges = accepted(header)
    qualities = {offer: quality(ranges, offer) for offer in offers}
    best = max(qualities.values())
    if best <= 0 or qualities.get(default, 0.0) == best:
        return default
    return next(offer for offer in offers if qualities[offer] == best)


def wants_json(request: Request) -> bool:
    """True when a client of a page asks for JSON rather than HTML (a page is the default)."""
    return preferred(request, (HTML, XHTML, JSON), default=HTML) == JSON


def wants_html(request: Request, fields: Mapping[str, list[str]] | None = None) -> bool:
    """True for a browser posting the hosted form: form-encoded, and asking for a page rather
    than JSON (JSON is the API's default); the form's own ``_html`` field says so too."""
    if media_type(request) != FORM:
        return False
    if fields is not None and "1" in fields.get("_html", []):
        return True
    return preferred(request, (JSON, HTML, XHTML), default=JSON) != JSON
