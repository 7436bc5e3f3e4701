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
MARKER_RADIUS = 4  # a country too small to see at this scale gets a dot


@cache
def boundaries() -> dict[str, Any]:
    """The map's size, the grey world (``land`` and ``borders``), each country's path and the
    small countries' markers (read once)."""
    with MAP_FILE.open(encoding="utf-8") as handle:
        found: dict[str, Any] = json.load(handle)
    return found


def map_svg(highlighted: Collection[str], names: Mapping[str, str], title: str, desc: str) -> str:
    """The world with ``highlighted`` countries (ISO codes) drawn apart, each with its name as
    a tooltip (a small one with a dot as well, so that it is seen); ``title`` and ``desc`` name
    the image for screen readers (the page's table says the same in words). Every text escaped
    here."""
    drawn = boundaries()
    width, height = drawn["width"], drawn["height"]
    parts = [
        f'<svg class="world-map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"'
        ' role="img" aria-labelledby="map-title map-desc" focusable="false">'
        f'<title id="map-title">{escape(title)}</title><desc id="map-desc">{escape(desc)}</desc>',
        # The grey world in two paths: every country's outline joined, then the borders between
        # them, each drawn once (a path per country would draw every border twice).
        f'<g class="countries"><path d="{drawn["land"]}"/></g>',
        f'<path d="{drawn["borders"]}" fill="none" stroke="#fff" stroke-width=".5"/>',
        '<g class="countries-active">',
    ]
    for code in sorted(highlighted):
        path, dot = drawn["countries"].get(code), drawn["markers"].get(code)
        if path is None and dot is None:
            continue  # not a country (a test holds that every country a request names is here)
        parts.append(
            f"<g data-country={quoteattr(code)}><title>{escape(names.get(code, code))}</title>"
        )
        if path is not None:
            parts.append(f"<path d={quoteattr(path)}/>")
        if dot is not None:
            parts.append(f'<circle cx="{dot[0]}" cy="{dot[1]}" r="{MARKER_RADIUS}"/>')
        parts.append("</g>")
    parts.append("</g></svg>")
    return "".join(parts)
