"""The public pages' world map: every country a request can name is on it, the committed
boundaries are sound (inside the picture, no line across it), the grey world is two paths, and
the generator (tools/world_map.py) keeps neighbours' borders exact and cuts at the 180th
meridian."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from typing import Any

from functions.domain import schemas
from functions.domain.reference import country_names, reference_data
from functions.presentation.worldmap import MARKER_RADIUS, boundaries, map_svg
from tools import world_map as tool

Pixel = tuple[int, int]


def subpaths(d: str) -> list[tuple[list[Pixel], bool]]:
    """Path data of ``M``/``m``, ``l`` and ``z`` as absolute points per sub-path, and whether
    it is closed: the renderer's reading of what the generator writes."""
    assert re.fullmatch(r"([Mm]-?\d+(?: ?-?\d+)l[-\d ]*z?)*", d), d[:120]
    found: list[tuple[list[Pixel], bool]] = []
    pen = (0, 0)
    for command, moves, steps, close in re.findall(r"([Mm])(-?\d+ ?-?\d+)l([-\d ]*)(z?)", d):
        dx, dy = (int(v) for v in re.findall(r"-?\d+", moves))
        x, y = (dx, dy) if command == "M" else (pen[0] + dx, pen[1] + dy)
        points = [(x, y)]
        values = [int(v) for v in re.findall(r"-?\d+", steps)]
        for sx, sy in zip(values[::2], values[1::2], strict=True):
            x, y = x + sx, y + sy
            points.append((x, y))
        found.append((points, close == "z"))
        pen = points[0] if close else points[-1]
    return found


def country_references(node: Any) -> int:
    """How many fields of a schema take a country from the reference list."""
    if isinstance(node, dict):
        here = 1 if node.get("x-reference") == "countries" else 0
        return here + sum(country_references(value) for value in node.values())
    if isinstance(node, list):
        return sum(country_references(value) for value in node)
    return 0


def test_every_country_a_request_can_name_is_on_the_map() -> None:
    # The request's country (and a co-requester's) come from the reference list, nothing else.
    assert country_references(schemas.load("request.schema.json")) >= 1
    drawn = boundaries()
    placeable = set(drawn["countries"]) | set(drawn["markers"])
    eligible = set(reference_data().countries)
    assert len(eligible) > 140
    assert eligible <= placeable, sorted(eligible - placeable)
    # Tiny islands are markers: Tuvalu (in the 1:10m file only) and Bonaire, which Natural Earth
    # draws as part of the Netherlands.
    assert {"TV", "BQ", "CV", "MU"} <= set(drawn["markers"])
    width, height = drawn["width"], drawn["height"]
    for code in ("TV", "BQ", "KI", "FJ"):
        if code in drawn["markers"]:
            x, y = drawn["markers"][code]
            assert 0 <= x <= width and 0 <= y <= height, code
    assert drawn["markers"]["BQ"][0] < drawn["markers"]["CV"][0]  # in the Caribbean, not Europe


def test_every_code_on_the_map_is_a_country_with_a_name() -> None:
    drawn = boundaries()
    named = set(country_names("en"))
    assert set(drawn["countries"]) | set(drawn["markers"]) <= named
    assert "AQ" not in drawn["countries"]  # Antarctica, the projection's edge, is left out


def test_the_committed_boundaries_stay_in_the_picture_without_a_line_across_it() -> None:
    drawn = boundaries()
    width, height = drawn["width"], drawn["height"]
    paths = [drawn["land"], drawn["borders"], *drawn["countries"].values()]
    for d in paths:
        for points, _ in subpaths(d):
            assert all(0 <= x <= width and 0 <= y <= height for x, y in points)
            # Half the map in one step: a ring across the 180th meridian drawn the wrong way.
            steps = itertools.pairwise(points)
            assert all(abs(b[0] - a[0]) < width / 4 for a, b in steps), points[:4]
    land, borders = subpaths(drawn["land"]), subpaths(drawn["borders"])
    assert all(closed for _, closed in land) and not any(closed for _, closed in borders)
    assert len(land) > 100 and len(borders) > 100


def test_a_border_is_drawn_once_and_is_the_same_line_in_both_countries() -> None:
    drawn = boundaries()
    borders = Counter(
        frozenset([a, b])
        for points, _ in subpaths(drawn["borders"])
        for a, b in itertools.pairwise(points)
    )
    assert max(borders.values()) == 1  # no border segment twice

    def edges(code: str) -> set[frozenset[Pixel]]:
        return {
            frozenset([a, b])
            for points, _ in subpaths(drawn["countries"][code])
            for a, b in zip(points, [*points[1:], points[0]], strict=True)
        }

    shared = edges("FR") & edges("ES")
    assert len(shared) >= 2 and shared <= set(borders)  # the Pyrenees, in both and once grey


def test_the_grey_world_is_two_paths_and_only_actions_are_named() -> None:
    names = country_names("en")
    svg = map_svg({"SN", "LB", "TV", "ZZ"}, names, "Map", "Senegal, Lebanon, Tuvalu")
    grey, active = svg.split('<g class="countries-active">', 1)
    assert grey.count("<path") == 2 and grey.count("<title") == 1  # the map's own title
    assert set(re.findall(r'data-country="([A-Z]{2})"', active)) == {"SN", "LB", "TV"}
    assert "<title>Senegal</title>" in active and "<title>Tuvalu</title>" in active
    tuvalu = active.split('data-country="TV"', 1)[1].split("</g>", 1)[0]
    assert "<circle" in tuvalu and "<path" not in tuvalu  # a marker only
    lebanon = active.split('data-country="LB"', 1)[1].split("</g>", 1)[0]
    assert "<path" in lebanon and f'r="{MARKER_RADIUS}"' in lebanon  # drawn, and a dot to see
    senegal = active.split('data-country="SN"', 1)[1].split("</g>", 1)[0]
    assert "<circle" not in senegal
    assert 'aria-labelledby="map-title map-desc"' in svg and 'role="img"' in svg


def test_in_arabic_every_highlighted_country_is_named_in_arabic() -> None:
    names = country_names("ar")
    svg = map_svg({"MA", "JO"}, names, "خريطة", "المغرب")
    assert f"<title>{names['MA']}</title>" in svg and f"<title>{names['JO']}</title>" in svg


# --- the generator, on a world small enough to check by hand --------------------------------

SQUARES = {
    # Two countries side by side (France west, Spain east of a shared arc, each ring clockwise
    # as TopoJSON has them, so the shared arc runs backwards in one), an island across
    # the 180th meridian (Fiji), and Antarctica, which is left out.
    "transform": {"scale": [1, 1], "translate": [0, 0]},
    "arcs": [
        [[0, 0], [0, 10]],  # 0: the shared border, south to north
        [[0, 0], [-10, 0], [0, 10], [10, 0]],  # 1: France's other sides
        [[0, 10], [10, 0], [0, -10], [-10, 0]],  # 2: Spain's other sides
        [[178, -16], [-356, 0], [0, -1], [356, 0], [0, 1]],  # 3: across the meridian and back
        [[-170, -80], [340, 0], [0, -5], [-340, 0], [0, 5]],  # 4: Antarctica
    ],
    "objects": {
        "countries": {
            "geometries": [
                {"type": "Polygon", "id": "250", "arcs": [[~0, 1]]},
                {"type": "Polygon", "id": "724", "arcs": [[0, 2]]},
                {"type": "Polygon", "id": "242", "arcs": [[3]]},
                {"type": "Polygon", "id": "010", "arcs": [[4]]},
            ]
        }
    },
}


def test_the_generator_draws_a_shared_border_once_and_the_outline_once() -> None:
    drawn = tool.world_map(SQUARES)
    assert set(drawn["countries"]) == {"FR", "ES", "FJ"}
    borders = subpaths(drawn["borders"])
    assert len(borders) == 1 and len(borders[0][0]) == 2  # the shared arc, once
    land = subpaths(drawn["land"])
    france, spain = subpaths(drawn["countries"]["FR"]), subpaths(drawn["countries"]["ES"])
    # The outline joins both countries' outer sides into one ring: 6 corners, not 8.
    outline = max(land, key=lambda ring: len(ring[0]))[0]
    assert len(set(outline)) == 6
    corners = {p for ring, _ in france + spain for p in ring}
    assert set(outline) == corners
    assert set(borders[0][0]) <= set(france[0][0]) & set(spain[0][0])


def test_the_generator_cuts_a_ring_across_the_180th_meridian() -> None:
    drawn = tool.world_map(SQUARES)
    fiji = subpaths(drawn["countries"]["FJ"])
    assert len(fiji) == 2  # the part east of 180 at the map's east edge, the rest at its west
    xs = sorted(x for ring, _ in fiji for x, _ in ring)
    assert xs[0] < drawn["width"] * 0.05 and xs[-1] > drawn["width"] * 0.95
    for ring, closed in fiji:
        assert closed and max(x for x, _ in ring) - min(x for x, _ in ring) < drawn["width"] / 4


def test_cutting_keeps_the_arcs_ends_and_makes_the_far_part_a_ring() -> None:
    arc = [(178.0, -16.0), (-178.0, -16.0), (-178.0, -17.0), (178.0, -17.0), (178.0, -16.0)]
    kept, across = tool.cut_at_antimeridian([arc], {0})
    assert kept[0][0] == arc[0] and kept[0][-1] == arc[-1]
    assert all(lon > 0 for lon, _ in kept[0]) and (180.0, -16.0) in kept[0]
    assert across[0] == [[(-180.0, -16.0), (-178.0, -16.0), (-178.0, -17.0), (-180.0, -17.0)]]
    untouched, none = tool.cut_at_antimeridian([arc], set())  # not drawn (Antarctica)
    assert untouched == [arc] and none == {}


def test_simplification_keeps_the_ends_and_what_strays_beyond_the_tolerance() -> None:
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 5.0), (4.0, 0.0), (5.0, 0.0)]
    kept = tool.simplified(line, 0.8)
    assert kept[0] == line[0] and kept[-1] == line[-1]
    assert (3.0, 5.0) in kept and (1.0, 0.1) not in kept
    island = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]  # a closed arc
    assert len(tool.simplified(island, 0.8)) >= 4


def test_path_data_needs_no_separator_before_a_minus() -> None:
    path = tool.PathData()
    path.line([(10, 10), (12, 8), (9, 8)], closed=True)
    path.line([(20, 20), (25, 20)], closed=False)
    assert path.text() == "M10 10l2-2-3 0zm10 10l5 0"
    assert subpaths(path.text()) == [
        ([(10, 10), (12, 8), (9, 8)], True),
        ([(20, 20), (25, 20)], False),
    ]


def test_a_line_that_starts_where_the_last_one_ended_goes_on() -> None:
    path = tool.PathData()
    path.line([(0, 0), (3, 0)], closed=False)
    path.line([(3, 0), (3, -2)], closed=False)
    path.line([(3, -2), (5, -2)], closed=False)
    assert path.text() == "M0 0l3 0 0-2 2 0"
    assert subpaths(path.text()) == [([(0, 0), (3, 0), (3, -2), (5, -2)], False)]
