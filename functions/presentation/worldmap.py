"""The public pages' world map: inline SVG from the committed boundaries (tools/world_map.py),
the countries of published Actions highlighted, each named in the reader's language."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

MAP_FILE = Path(__file__).resolve().parent / "world_map.json"
MARKER_RADIUS = 4  # a country too small to see at this scale: a dot


@cache
def boundaries() -> dict[str, Any]:
    """The map's size, each country's path and the small countries' markers (read once)."""
    with MAP_FILE.open(encoding="utf-8") as handle:
        found: dict[str, Any] = json.load(handle)
    return found


def map_svg(highlighted: Collection[str], names: Mapping[str, str], title: str, desc: str) -> str:
    """The world with ``highlighted`` countries (ISO codes) drawn apart, each with its name as
    a tooltip; ``title`` and ``desc`` name the image for screen readers (the page's table says
    the same in words). Every text escaped here."""
    drawn = boundaries()
    width, height = drawn["width"], drawn["height"]
    parts = [
        f'<svg class="world-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        ' role="img" aria-labelledby="map-title map-desc" focusable="false">'
        f'<title id="map-title">{escape(title)}</title><desc id="map-desc">{escape(desc)}</desc>',
        '<g class="countries">',
    ]
    for code, path in drawn["countries"].items():
        if code not in highlighted:
            parts.append(f'<path d="{path}"/>')
    parts.append('</g><g class="countries-active">')
    for code in sorted(highlighted):
        name = escape(names.get(code, code))
        if code in drawn["countries"]:
            path = drawn["countries"][code]
            parts.append(f"<path d={quoteattr(path)} data-country={quoteattr(code)}>")
            parts.append(f"<title>{name}</title></path>")
        elif code in drawn["markers"]:
            x, y = drawn["markers"][code]
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="{MARKER_RADIUS}" data-country={quoteattr(code)}>'
                f"<title>{name}</title></circle>"
            )
    parts.append("</g></svg>")
    return "".join(parts)
