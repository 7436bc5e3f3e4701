"""Figure 8 of ``make bench`` (infra/bench/page_weight.py): it reaches every page it names, and
its verdicts follow the targets. The figures themselves are measured by the bench, not here."""

from __future__ import annotations

import re
from typing import Any

from infra.bench import page_weight, public_weight
from infra.bench.page_weight import FirstLoad, Weight
from tests.integration.helpers import seed_committee
from tests.support import Stack

EXPECTED_STATUS = {
    "form (en)": 200,
    "form (ar)": 200,
    "confirmation": 201,
    "draft saved": 200,
    "form continued from a draft": 200,
    "status page": 200,
    "withdraw page": 200,
    "review page": 200,
    "vote recorded": 200,
    "draft link gone": 410,
    "not found": 400,
}


def test_every_page_is_reached_as_a_person_reaches_it(client: Any, stack: Stack) -> None:
    seed_committee()
    seen = {name: answer for name, answer, _ in page_weight.pages(client)}

    assert {name: answer.status_code for name, answer in seen.items()} == EXPECTED_STATUS
    assert (
        "<form" in seen["form (ar)"].body.decode()
        and 'dir="rtl"' in seen["form (ar)"].body.decode()
    )
    assert 'name="_draft"' in seen["form continued from a draft"].body.decode()


def test_the_form_loads_with_one_stylesheet_and_one_script_cached_for_good(
    client: Any, stack: Stack
) -> None:
    load = page_weight.first_load(client)
    assert (load.requests, load.stylesheets, load.scripts, load.others) == (3, 1, 1, 0)
    assert load.immutable and load.static_gzipped > 0


def test_the_public_pages_are_weighed_with_their_seed_and_cache_policy(
    client: Any, stack: Stack
) -> None:
    seen = dict(public_weight.pages(client))
    assert len(seen) == 4 and all(answer.status_code == 200 for answer in seen.values())
    assert all(a.headers["Cache-Control"].startswith("public") for a in seen.values())
    world = seen["/where-we-work (ar, 40 Actions)"].body.decode()
    assert 'dir="rtl"' in world
    active = world.split('<g class="countries-active">', 1)[1]
    assert len(set(re.findall(r'data-country="([A-Z]{2})"', active))) == 30
    listed = seen["/activities (en, 40 Actions)"].body.decode()
    assert listed.count('<tr class="published-action">') == public_weight.ACTIONS == 40
    assert len({c for a in public_weight.published_actions() for c in a.countries}) == 30


def test_a_public_page_that_caches_may_not_keep_fails_the_figure() -> None:
    def measured() -> tuple[list[Weight], FirstLoad]:
        pages = [
            Weight("/where-we-work", 30_000, 9_000, 10_000, "public, max-age=300"),
            Weight("/activities", 9_000, 2_000, 10_000, "no-store"),
            Weight("/activities (none)", 9_000, 2_000, 10_000, "(none)"),
        ]
        return pages, FirstLoad(3, 1, 1, 0, True, 6_000)

    verdicts = [row.verdict for row in page_weight.rows(measured)]
    assert verdicts == ["pass", "FAIL", "FAIL", "pass"]


def test_a_page_over_its_target_fails_the_figure() -> None:
    def measured() -> tuple[list[Weight], FirstLoad]:
        pages = [Weight("form (en)", 60_000, 15_001, 15_000), Weight("status", 3_000, 900, 10_000)]
        return pages, FirstLoad(4, 1, 2, 0, True, 6_000)

    verdicts = [row.verdict for row in page_weight.rows(measured)]
    assert verdicts == ["FAIL", "pass", "FAIL"]


def test_gzip_is_measured_on_the_bytes_sent() -> None:
    body = b"<p>" + b"a" * 10_000 + b"</p>"
    assert 0 < page_weight.gzipped_size(body) < 200
