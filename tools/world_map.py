"""Natural Earth's countries as the public pages' map (functions/presentation/world_map.json).

Where the boundaries come from: the npm package ``world-atlas`` 2.0.2 (ISC licence), which ships
Natural Earth's admin-0 countries (public domain) as TopoJSON at three scales, each country with
its ISO 3166-1 numeric code. Nothing else is read and nothing is fetched at run time (no tiles):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python -m tools.world_map package/countries-110m.json \\
        --small package/countries-50m.json --small package/countries-10m.json

Run once when the boundaries change; the result is committed and read by the pages. CLDR's
territory aliases (Babel, a dev dependency) give the alpha-2 code the app uses.

What makes it light (the page's target is 10 KB gzipped, ``make bench`` figure 8):

- the 1:110m countries, drawn in the Equal Earth projection (Šavrič, Patterson and Jenny, 2018:
  equal-area, a closed formula) 960 units wide, about the pixels the page shows; Antarctica left
  out;
- every arc (a stretch of boundary between two junctions, TopoJSON shares it between the two
  countries it separates) simplified once, Douglas-Peucker at :data:`TOLERANCE` of a pixel, and
  rounded to whole pixels, so that neighbours still meet exactly;
- the grey world is two paths: ``land``, the outline of all countries joined (each coast once),
  and ``borders``, the arcs between two countries, each drawn once (a path per country would draw
  every border twice); a country is drawn apart, from the same arcs, only when it is highlighted;
- path data of relative moves in whole pixels, no separator before a minus sign.

A country too small for the 1:110m file gets a marker (a point) from the first finer file that
has it (1:50m, then 1:10m: Tuvalu is only there); Bonaire, Sint Eustatius and Saba (BQ) are part
of the Netherlands in Natural Earth, so their marker is placed on the Netherlands' polygons in
the Caribbean (:data:`PARTS`). A test holds that every country a request can name is on the map.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "functions" / "presentation" / "world_map.json"
SOURCE = (
    "Natural Earth 1:110m, 1:50m and 1:10m admin-0 countries (public domain),"
    " via npm world-atlas 2.0.2"
)
WIDTH = 960.0
# Equal Earth's constants.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
# Natural Earth's units without an ISO numeric code, by their name there: ISO 3166 (and the EU)
# count Northern Cyprus as Cyprus and Somaliland as Somalia.
BY_NAME = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}
LEFT_OUT = {"AQ", ""}  # Antarctica (the projection's bottom edge); anything without a code
# Points closer than this (in pixels) to the simplified line are dropped: at 960 pixels wide the
# eye does not see them.
TOLERANCE = 0.8
# Land rings smaller than this (square pixels) are left out of the grey world: specks. A
# highlighted country keeps all its rings (and a marker if it has nothing bigger).
SPECK = 1.5
# A country whose largest part is drawn smaller than this (pixels across) also gets a marker,
# to be seen when highlighted (Lebanon, Rwanda, Fiji).
SEEN = 8
# Territories that Natural Earth draws inside another country: (code, the country it is drawn
# in, the longitudes its polygons lie between).
PARTS = (("BQ", "NL", (-70.0, -60.0)),)

Point = tuple[float, float]
Pixel = tuple[int, int]


def equal_earth(longitude: float, latitude: float) -> Point:
    """Equal Earth: degrees to projected units (x east, y north)."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def decoded_arcs(topology: dict[str, Any]) -> list[list[Point]]:
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


def cut_at_antimeridian(
    arcs: list[list[Point]], drawn: set[int]
) -> tuple[list[list[Point]], dict[int, list[list[Point]]]]:
    """Arcs that cross the 180th meridian (Fiji, Chukotka, Wrangel Island: Natural Earth draws
    them whole, a renderer is expected to clip) cut there: each keeps its part on the side of its
    ends, joined along the map's edge, and the parts across become rings of their own, by arc
    index. The other arcs (and those not ``drawn``: Antarctica's) are untouched, so borders
    shared with neighbours stay exact."""
    kept: list[list[Point]] = []
    across: dict[int, list[list[Point]]] = {}
    for index, arc in enumerate(arcs):
        if index not in drawn or not any(
            abs(q[0] - p[0]) > 180 for p, q in itertools.pairwise(arc)
        ):
            kept.append(arc)
            continue
        home: list[Point] = [arc[0]]
        pieces: list[list[Point]] = []
        away = False  # on the side across the meridian from the arc's ends
        for p, q in itertools.pairwise(arc):
            if abs(q[0] - p[0]) > 180:
                edge = 180.0 if p[0] > 0 else -180.0
                unwrapped = q[0] + 2 * edge
                share = (edge - p[0]) / (unwrapped - p[0]) if unwrapped != p[0] else 0.0
                latitude = p[1] + share * (q[1] - p[1])
                if away:
                    pieces[-1].append((edge, latitude))
                    home.append((-edge, latitude))
                else:
                    home.append((edge, latitude))
                    pieces.append([(-edge, latitude)])
                away = not away
            (pieces[-1] if away else home).append(q)
        assert not away, f"arc {index} ends across the 180th meridian"
        kept.append(home)
        across[index] = [piece for piece in pieces if len(piece) >= 3]
    return kept, across


def simplified(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker: the points that stray more than ``tolerance`` from the line between
    the kept ones; both ends always kept (they are junctions shared with other arcs)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        farthest, distance = 0, -1.0
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                gap = abs(dy * (px - x1) - dx * (py - y1)) / length
            else:  # a closed arc (an island): distance to its one end
                gap = math.hypot(px - x1, py - y1)
            if gap > distance:
                farthest, distance = index, gap
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def pixel_arcs(
    arcs: list[list[Point]], place: Callable[[float, float], Point], tolerance: float
) -> list[list[Pixel]]:
    """Every arc projected, simplified and rounded to whole pixels, repeats dropped."""
    drawn = []
    for arc in arcs:
        points: list[Pixel] = []
        for x, y in simplified([place(*p) for p in arc], tolerance):
            pixel = (round(x), round(y))
            if not points or pixel != points[-1]:
                points.append(pixel)
        drawn.append(points)
    return drawn


def ring(indexes: Iterable[int], arcs: Sequence[Sequence[Any]]) -> list[Any]:
    """A closed ring from its arcs (``~i`` is arc ``i`` backwards), shared ends joined once."""
    points: list[Any] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def area(points: Sequence[Pixel]) -> float:
    """The ring's area in square pixels (shoelace)."""
    twice = sum(
        x1 * y2 - x2 * y1
        for (x1, y1), (x2, y2) in zip(points, [*points[1:], points[0]], strict=True)
    )
    return abs(twice) / 2


class PathData:
    """SVG path data in relative moves: ``m`` from where the pen is, ``l`` steps, ``z``."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pen = (0, 0)
        self.rings: list[Sequence[Pixel]] = []
        self.open = False  # the last sub-path is a line, not a ring: a line may go on from it

    def line(self, points: Sequence[Pixel], closed: bool) -> None:
        """One sub-path; a closed one returns the pen to its start."""
        if closed and points[0] == points[-1]:
            points = points[:-1]
        if len(points) < (3 if closed else 2):
            return
        steps = [(x - a, y - b) for (a, b), (x, y) in itertools.pairwise(points)]
        if not closed and self.open and points[0] == self.pen:  # the last line goes on
            more = _numbers(*steps)
            self.parts.append(more if more.startswith("-") else " " + more)
            self.pen = points[-1]
            self.rings[-1] = [*self.rings[-1], *points[1:]]
            return
        (x0, y0), (px, py) = points[0], self.pen
        move = "M" if not self.parts else "m"
        start = (x0, y0) if move == "M" else (x0 - px, y0 - py)
        self.parts.append(move + _numbers(start) + "l" + _numbers(*steps) + ("z" if closed else ""))
        self.pen = points[0] if closed else points[-1]
        self.open = not closed
        self.rings.append(points)

    def largest(self) -> tuple[int, Pixel]:
        """The widest sub-path's size in pixels (across or down, whichever is more), and its
        centre."""
        sizes = []
        for points in self.rings:
            xs, ys = [x for x, _ in points], [y for _, y in points]
            centre = ((min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2)
            sizes.append((max(max(xs) - min(xs), max(ys) - min(ys)), centre))
        return max(sizes) if sizes else (0, (0, 0))

    def text(self) -> str:
        """The path's ``d`` attribute."""
        return "".join(self.parts)


def _numbers(*pairs: tuple[int, int]) -> str:
    """``1-2 3 4``: SVG needs no separator before a minus sign."""
    out = ""
    for value in (v for pair in pairs for v in pair):
        text = str(value)
        out += text if not out or text.startswith("-") else " " + text
    return out


def _codes(topology: dict[str, Any]) -> list[tuple[str, list[list[list[int]]]]]:
    """Each geometry's ISO alpha-2 code and its polygons (lists of rings of arc indexes)."""
    from babel.core import get_global

    aliases = get_global("territory_aliases")
    found = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = str(geometry.get("id", ""))
        name = geometry.get("properties", {}).get("name", "")
        code = aliases[numeric][0] if numeric in aliases else BY_NAME.get(name, "")
        if code in LEFT_OUT or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        found.append((code, polygons))
    return found


def _shapes(topology: dict[str, Any]) -> dict[str, list[list[Point]]]:
    """Each country's rings in degrees, by ISO alpha-2 code."""
    arcs = decoded_arcs(topology)
    shapes: dict[str, list[list[Point]]] = {}
    for code, polygons in _codes(topology):
        shapes.setdefault(code, []).extend(ring(r, arcs) for polygon in polygons for r in polygon)
    return shapes


def world_map(topology: dict[str, Any], *finer: dict[str, Any]) -> dict[str, Any]:
    """The map the pages draw: its size, the grey world (``land`` and ``borders``), each
    country's path by ISO alpha-2 code, and a marker for each country too small for the 1:110m
    file, found in the ``finer`` ones, so that an Action in Tuvalu or Bonaire is on the map."""
    countries = _codes(topology)
    drawn = {
        i if i >= 0 else ~i for _, polygons in countries for p in polygons for r in p for i in r
    }
    arcs, across = cut_at_antimeridian(decoded_arcs(topology), drawn)
    projected = [
        equal_earth(*p)
        for _, polygons in countries
        for polygon in polygons
        for r in polygon
        for p in ring(r, arcs)
    ]
    # The whole width of the projection (the equator, from the 180th meridian west to east),
    # not only the countries': Tuvalu and Kiribati lie near its ends.
    left, right = equal_earth(-180, 0)[0], equal_earth(180, 0)[0]
    top = max(y for _, y in projected)
    bottom = min(y for _, y in projected)
    scale = WIDTH / (right - left)
    height = math.ceil((top - bottom) * scale)

    def place(longitude: float, latitude: float) -> Point:
        x, y = equal_earth(longitude, latitude)
        return (x - left) * scale, (top - y) * scale

    pixels = pixel_arcs(arcs, place, TOLERANCE)
    rings = [(code, r) for code, polygons in countries for polygon in polygons for r in polygon]
    users: dict[int, set[str]] = defaultdict(set)
    uses: Counter[int] = Counter()
    for code, r in rings:
        for index in r:
            users[index if index >= 0 else ~index].add(code)
            uses[index if index >= 0 else ~index] += 1

    by_code: dict[str, PathData] = defaultdict(PathData)
    islands: list[list[Pixel]] = []  # the parts across the 180th meridian, drawn at its west
    for code, r in rings:
        by_code[code].line(ring(r, pixels), closed=True)
        for index in r:
            for piece in pixel_arcs(across.get(index if index >= 0 else ~index, []), place, 0):
                by_code[code].line(piece, closed=True)
                islands.append(piece)

    outer = [i for _, r in rings for i in r if uses[i if i >= 0 else ~i] == 1]
    land = PathData()
    for chain in _outline(outer, arcs):
        points = ring(chain, pixels)
        if len(set(points)) >= 3 and area(points) >= SPECK:
            land.line(points, closed=True)
    for points in islands:
        land.line(points, closed=True)
    borders = PathData()
    for index, codes in sorted(users.items()):
        if len(codes) == 2:  # between two countries; an arc inside one is not a border
            arc = pixels[index]
            borders.line(arc[::-1] if arc[-1] == borders.pen else arc, closed=False)

    small: dict[str, list[list[Point]]] = {}
    for detailed in finer:
        shapes = _shapes(detailed)
        for code, shape in shapes.items():
            if code not in by_code and code not in small:
                small[code] = shape
        for code, inside, (west, east) in PARTS:
            parts = [r for r in shapes.get(inside, []) if west <= r[0][0] <= east]
            if parts and code not in small:
                small[code] = parts

    def marker(shape: list[list[Point]]) -> list[int]:
        largest = max(shape, key=len)
        x = sum(p[0] for p in largest) / len(largest)
        y = sum(p[1] for p in largest) / len(largest)
        return [round(v) for v in place(x, y)]

    # A highlighted country under SEEN pixels across would be a speck: it gets a dot too.
    markers = {code: marker(shape) for code, shape in small.items()}
    markers |= {
        code: list(path.largest()[1]) for code, path in by_code.items() if path.largest()[0] < SEEN
    }

    return {
        "source": SOURCE,
        "width": int(WIDTH),
        "height": height,
        "land": land.text(),
        "borders": borders.text(),
        "countries": {code: path.text() for code, path in sorted(by_code.items()) if path.text()},
        "markers": dict(sorted(markers.items())),
    }


def _outline(directed: list[int], arcs: list[list[Point]]) -> list[list[int]]:
    """Directed arcs (``~i`` backwards) chained into closed rings, each arc once: an arc's end
    is the next one's start (at a pinch point, where two coasts touch, any start will do). The
    ends are compared in TopoJSON's own quantised positions, exact, not in rounded pixels."""

    def ends(index: int) -> tuple[Point, Point]:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        return arc[0], arc[-1]

    starting: dict[Point, list[int]] = defaultdict(list)
    for index in directed:
        starting[ends(index)[0]].append(index)
    done: set[int] = set()
    chains = []
    for first in directed:
        if first in done:
            continue
        chain = [first]
        done.add(first)
        start, end = ends(first)
        while end != start:
            following = [i for i in starting[end] if i not in done]
            if not following:
                break
            done.add(following[0])
            chain.append(following[0])
            end = ends(following[0])[1]
        chains.append(chain)
    return chains


def main(argv: list[str] | None = None) -> int:
    """Write functions/presentation/world_map.json from world-atlas's countries files."""
    parser = argparse.ArgumentParser(prog="python -m tools.world_map")
    parser.add_argument("topojson", type=Path, help="world-atlas's countries-110m.json")
    parser.add_argument(
        "--small",
        type=Path,
        action="append",
        default=[],
        help="a finer file (countries-50m.json, then countries-10m.json) for the small countries",
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    finer = [json.loads(path.read_text(encoding="utf-8")) for path in args.small]
    drawn = world_map(json.loads(args.topojson.read_text(encoding="utf-8")), *finer)
    args.out.write_text(json.dumps(drawn, separators=(",", ":")) + "\n", encoding="utf-8")
    print(
        f"{len(drawn['countries'])} countries, {len(drawn['markers'])} markers,"
        f" {args.out.stat().st_size} bytes: {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
