"""Turn Natural Earth's countries (npm's ``world-atlas``, TopoJSON) into the public pages' map.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m tools.world_map package/countries-110m.json \
        --small package/countries-50m.json

Run once when the boundaries change; the result, ``functions/presentation/world_map.json``, is
committed and read by the pages: nothing is fetched at run time, no tiles. world-atlas ships
Natural Earth's 1:110m admin-0 countries (public domain) as TopoJSON (ISC licence), each
country with its ISO 3166-1 numeric code; CLDR's territory aliases (Babel, a dev dependency)
give the alpha-2 code the app uses. Countries are drawn in the Equal Earth projection (Šavrič,
Patterson and Jenny, 2018: equal-area, a closed formula), Antarctica left out, as SVG paths of
relative moves in whole pixels, so the whole map is a few tens of kilobytes.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "functions" / "presentation" / "world_map.json"
WIDTH = 960.0
# Equal Earth's constants.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
# Countries without a numeric code in Natural Earth's file, by their name there.
BY_NAME = {"Kosovo": "XK", "N. Cyprus": "", "Somaliland": ""}
LEFT_OUT = {"AQ", ""}  # Antarctica; territories with no ISO code of their own
# A point closer than this (in pixels, across and down) to the last one kept is dropped: at 960
# pixels wide nobody sees it, and the map stays light.
MIN_STEP = 1.2


def equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """Equal Earth: degrees to projected units (x east, y north)."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decoded_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc in degrees: TopoJSON's quantised, delta-encoded positions undone."""
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def ring(
    indexes: Iterable[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    """A closed ring from its arcs (``~i`` is arc ``i`` backwards), shared ends joined once."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def path(rings: list[list[tuple[float, float]]], place: Any) -> str:
    """SVG path data: one sub-path per ring, relative moves, whole pixels."""
    parts = []
    for points in rings:
        projected = [place(*p) for p in points]
        kept = [projected[0]]
        for point in projected[1:]:
            last = kept[-1]
            if abs(point[0] - last[0]) + abs(point[1] - last[1]) >= MIN_STEP:
                kept.append(point)
        if len(kept) < 3:
            continue
        x0, y0 = round(kept[0][0]), round(kept[0][1])
        steps, (px, py) = [], (x0, y0)
        for x, y in kept[1:]:
            x, y = round(x), round(y)
            if (x, y) == (px, py):
                continue
            steps.append(f"{_number(x - px)} {_number(y - py)}")
            px, py = x, y
        parts.append(f"M{_number(x0)} {_number(y0)}l" + " ".join(steps) + "z")
    return "".join(parts)


def _number(value: float) -> str:
    return str(int(value))


def _shapes(topology: dict[str, Any]) -> dict[str, list[list[tuple[float, float]]]]:
    """Each country's rings in degrees, by ISO alpha-2 code."""
    from babel.core import get_global

    aliases = get_global("territory_aliases")
    arcs = decoded_arcs(topology)
    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = str(geometry.get("id", ""))
        code = (
            aliases[numeric][0]
            if numeric in aliases
            else BY_NAME.get(geometry.get("properties", {}).get("name", ""), "")
        )
        if code in LEFT_OUT:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes.setdefault(code, []).extend(ring(r, arcs) for polygon in polygons for r in polygon)
    return shapes


def world_map(topology: dict[str, Any], detailed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The map the pages draw: its size, each country's path by ISO alpha-2 code, and a marker
    (a point) for each country too small for the 1:110m file, found in the ``detailed`` one
    (1:50m), so that an Action in Cabo Verde or Mauritius is on the map too."""
    shapes = _shapes(topology)
    small = {
        code: rings
        for code, rings in (_shapes(detailed) if detailed else {}).items()
        if code not in shapes
    }
    projected = [equal_earth(*p) for rings in shapes.values() for r in rings for p in r]
    left = min(x for x, _ in projected)
    right = max(x for x, _ in projected)
    top = max(y for _, y in projected)
    bottom = min(y for _, y in projected)
    scale = WIDTH / (right - left)
    height = math.ceil((top - bottom) * scale)

    def place(longitude: float, latitude: float) -> tuple[float, float]:
        x, y = equal_earth(longitude, latitude)
        return (x - left) * scale, (top - y) * scale

    def marker(rings: list[list[tuple[float, float]]]) -> list[int]:
        largest = max(rings, key=len)
        x = sum(p[0] for p in largest) / len(largest)
        y = sum(p[1] for p in largest) / len(largest)
        return [round(v) for v in place(x, y)]

    return {
        "source": "Natural Earth 1:110m and 1:50m admin-0 countries (public domain),"
        " via npm world-atlas 2.0.2",
        "width": int(WIDTH),
        "height": height,
        "countries": {code: path(rings, place) for code, rings in sorted(shapes.items())},
        "markers": {code: marker(rings) for code, rings in sorted(small.items())},
    }


def main(argv: list[str] | None = None) -> int:
    """Write functions/presentation/world_map.json from world-atlas's countries file."""
    parser = argparse.ArgumentParser(prog="python -m tools.world_map")
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-110m.json")
    parser.add_argument("--small", type=Path, help="world-atlas's countries-50m.json")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    detailed = json.loads(args.small.read_text(encoding="utf-8")) if args.small else None
    drawn = world_map(json.loads(args.topojson.read_text(encoding="utf-8")), detailed)
    args.out.write_text(json.dumps(drawn, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(drawn['countries'])} countries, {args.out.stat().st_size} bytes: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
