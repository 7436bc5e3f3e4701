"""The public pages under moto: exactly the published Actions (the partner agreed), in every
language, cacheable, light, nothing changed by reading them."""

from __future__ import annotations

import copy
import gzip
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.domain import schemas
from functions.domain.reference import country_names
from infra.local.sample_data import Sample, clock_at, seed
from tests.integration.helpers import record_operations, seed_committee
from tests.support import Stack

LANGUAGES = ("en", "fr", "es", "ar", "ru")
PLAN = schemas.example("action.schema.json")  # activities in Ghana and Portugal


def sample(country: str, day: int, outcome: str = "approved") -> Sample:
    at = datetime(2026, 3, day, 10, tzinfo=UTC)
    topic = ("irregular_migration", "border_management")
    return Sample(country, "national_government", *topic, at, outcome, timedelta(days=10))


@pytest.fixture
def published(stack: Stack) -> dict[str, Any]:
    """Four approved requests: two agreed to publication (one on the request, one when the
    Action was published), one did not, one agreed but has no Action yet; one rejected."""
    from functions.adapters.repository import repository
    from functions.services import actions
    from functions.services.review import event

    seed_committee()
    found = [sample("SN", 2), sample("BD", 3), sample("EG", 4), sample("GE", 5), sample("AR", 6)]
    found.append(sample("MU", 7, "rejected"))
    ids = seed(found)
    titles = {}
    with clock_at(datetime(2026, 4, 1, tzinfo=UTC)):
        for number, (request_id, consent) in enumerate(
            zip(ids[:4], [True, None, False, None], strict=True)
        ):
            plan = copy.deepcopy(PLAN)
            plan["title"] = f"Published Action number {number}"
            if number == 0:
                request = repository().get_request(request_id)
                assert request is not None  # consent asked on the request: set it there
                document = {**request.document, "publication_consent": True}
                repository().change_status(
                    request_id,
                    "approved",
                    event(request_id, "consent_noted", "operator", 1),
                    document=document,
                )
            if consent is not None:
                plan["publication_consent"] = consent
            if number == 1:
                plan["publication_consent"] = True
            actions.record_action(request_id, plan)
            titles[request_id] = plan["title"]
        actions.set_activity_status(ids[0], 1, "done")
    return {"ids": ids, "titles": titles, "shown": [ids[0], ids[1]]}


def test_the_activities_page_lists_exactly_the_published_actions(
    client: Any, published: dict[str, Any]
) -> None:
    body = client.http.get("/activities?lang=en").body.decode("utf-8")
    rows = re.findall(r'<tr class="published-action">\s*<th scope="row">(.*?)</th>', body)
    shown = {published["titles"][i] for i in published["shown"]}
    assert {re.sub(r"<[^>]+>", "", r) for r in rows} == shown
    assert "Published Action number 2" not in body and "Published Action number 3" not in body
    assert "1 of 6" in body and "0 of 6" in body  # activities done of planned


def test_the_map_highlights_exactly_the_countries_of_published_actions(
    client: Any, published: dict[str, Any]
) -> None:
    body = client.http.get("/where-we-work?lang=fr").body.decode("utf-8")
    active = body.split('<g class="countries-active">', 1)[1].split("</svg>", 1)[0]
    codes = set(re.findall(r'data-country="([A-Z]{2})"', active))
    assert codes == {"SN", "BD", "GH", "PT"}  # the requests' countries and the activities'
    assert "<title>Sénégal</title>" in active  # named in the reader's language
    assert "EG" not in codes and "GE" not in codes and "MU" not in codes
    grey = body.split('<svg class="world-map"', 1)[1].split('<g class="countries-active">', 1)[0]
    # The whole world in two paths (the land, the borders), none of the grey countries named.
    assert grey.count("<path") == 2 and grey.count("<title") == 1
    assert active.count("<title>") == 4


def test_figures_per_region_count_the_published_actions(
    client: Any, published: dict[str, Any]
) -> None:
    body = client.http.get("/where-we-work?lang=en").body.decode("utf-8")
    rows = dict(
        re.findall(r'<tr><th scope="row">(.*?)</th>((?:<td class="number">\d+</td>)+)</tr>', body)
    )
    numbers = {k: re.findall(r">(\d+)<", v) for k, v in rows.items()}
    assert numbers["Sub-Saharan Africa"] == ["1", "3", "1"]  # SN, GH, PT; one activity done
    assert numbers["Asia and the Pacific"] == ["1", "3", "0"]
    assert numbers["Middle East and North Africa"] == ["0", "0", "0"]


def test_every_language_is_cacheable_and_needs_no_sign_in(
    client: Any, published: dict[str, Any]
) -> None:
    for path in ("/where-we-work", "/activities"):
        for language in LANGUAGES:
            response = client.http.get(f"{path}?lang={language}")
            assert response.status_code == 200
            assert response.headers["Cache-Control"].startswith("public, max-age=")
            assert response.headers["Vary"] == "Accept-Language"
            assert "Set-Cookie" not in response.headers
            body = response.body.decode("utf-8")
            assert f'lang="{language}"' in body
            assert ('dir="rtl"' in body) is (language == "ar")
            assert "<script" not in body.split("</head>", 1)[1]  # the page runs no script


def test_the_pages_read_one_query_and_change_nothing(
    client: Any, stack: Stack, published: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = stack.items()
    calls = record_operations(monkeypatch)
    for method in ("GET", "HEAD"):
        for path in ("/where-we-work", "/activities"):
            assert client.http.request(method, path).status_code == 200
    assert calls == [("Query", "")] * 4
    assert stack.items() == before


def test_the_pages_are_light(client: Any, published: dict[str, Any]) -> None:
    # The figure is ``make bench``'s (figure 8, with 40 Actions); this is the same target.
    for path, most in (("/where-we-work", 10_000), ("/activities", 4_000)):
        body = client.http.get(f"{path}?lang=ar").body
        assert len(gzip.compress(body)) < most, path


def test_with_nothing_published_the_pages_say_so(client: Any, stack: Stack) -> None:
    body = client.http.get("/activities?lang=es").body.decode("utf-8")
    assert 'class="published-action"' not in body
    world = client.http.get("/where-we-work").body.decode("utf-8")
    assert 'data-country="' not in world


def test_country_names_on_the_map_are_escaped(client: Any, stack: Stack) -> None:
    from functions.presentation.worldmap import map_svg

    drawn = map_svg({"SN"}, {"SN": "<script>x</script>"}, "t & t", "d")
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and "t &amp; t" in drawn
    assert country_names("ar")["SN"] in map_svg({"SN"}, country_names("ar"), "t", "d")
