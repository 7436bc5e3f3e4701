"""Figure 8 of ``make bench`` (infra/bench/page_weight.py): it reaches every page it names, and
its verdicts follow the targets. The figures themselves are measured by the bench, not here."""

from __future__ import annotations

from typing import Any

from infra.bench import page_weight
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


def test_a_page_over_its_target_fails_the_figure() -> None:
    def measured() -> tuple[list[Weight], FirstLoad]:
        pages = [Weight("form (en)", 60_000, 15_001, 15_000), Weight("status", 3_000, 900, 10_000)]
        return pages, FirstLoad(4, 1, 2, 0, True, 6_000)

    verdicts = [row.verdict for row in page_weight.rows(measured)]
    assert verdicts == ["FAIL", "pass", "FAIL"]


def test_gzip_is_measured_on_the_bytes_sent() -> None:
    body = b"<p>" + b"a" * 10_000 + b"</p>"
    assert 0 < page_weight.gzipped_size(body) < 200
