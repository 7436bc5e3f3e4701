"""The staff queue through GET /staff: its filters (a status, a region and year, a status within
a region, a thematic area, a year, an officer's regions, "mine"), the counts per status, the
votes still awaited, and the page's word on filters applied within the page it read."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.committee import Officer
from functions.domain.records import Event, Vote
from tests.integration.helpers import run_workers, seed_committee, submit
from tests.integration.staff import signed_in, staff_accounts
from tests.support import Stack

SUBMISSION_IDS = iter(f"0f5c3a52-5f8e-4d6e-9c55-9d1b5a0c2b{n:02d}" for n in range(10, 99))


@pytest.fixture
def queue(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Four requests: Senegal (legal migration), Senegal, Bangladesh, Mexico; by name, their
    references (and ids). po-asia now coordinates Asia and Latin America, po-africa Africa and
    Asia: two regions each."""
    staff_accounts(stack, monkeypatch)
    seed_committee()
    repository().save_officer(
        Officer("po-africa", "Paula Africa", "paula@icmpd.example.org", ("africa", "asia_pacific"))
    )
    repository().save_officer(
        Officer(
            "po-asia",
            "Pavel Asia",
            "pavel@icmpd.example.org",
            ("asia_pacific", "latin_america_caribbean"),
        )
    )
    found = {}
    for name, country, pillar, topic in (
        ("senegal-legal", "SN", "legal_migration", "labour_migration"),
        ("senegal", "SN", "", ""),
        ("bangladesh", "BD", "", ""),
        ("mexico", "MX", "", ""),
    ):
        document = copy.deepcopy(valid_request)
        document["institution"]["country"] = country
        document["submission_id"] = next(SUBMISSION_IDS)
        if pillar:
            document["request"]["pillar"] = pillar
            document["request"]["topics"] = [topic]
        request_id = submit(client, document)
        stored = repository().get_request(request_id)
        assert stored is not None
        found[name] = stored.reference
        found[name + "-id"] = request_id
    return found


def references(body: str) -> set[str]:
    return set(re.findall(r"MX-\d{4}-\d{4}", body))


def test_mine_is_every_region_the_officer_coordinates(client: Any, queue: dict[str, str]) -> None:
    browser = signed_in(client, "po-africa")
    body = browser.get("/staff?status=submitted&mine=1").body.decode()
    assert references(body) == {queue["senegal"], queue["senegal-legal"], queue["bangladesh"]}
    assert "Filtered within the" in body


def test_an_officer_filter_shows_that_officers_regions(client: Any, queue: dict[str, str]) -> None:
    browser = signed_in(client, "demo-viewer")
    body = browser.get("/staff?status=submitted&officer=po-asia").body.decode()
    assert references(body) == {queue["bangladesh"], queue["mexico"]}
    assert '<option value="po-asia" selected>' in body
    unknown = browser.get("/staff?status=submitted&officer=nobody").body.decode()
    assert references(unknown) == set() and "No request matches these filters." in unknown


def test_a_thematic_area_and_a_year_filter_within_the_page(
    client: Any, queue: dict[str, str]
) -> None:
    browser = signed_in(client, "demo-viewer")
    legal = browser.get("/staff?status=submitted&pillar=legal_migration").body.decode()
    assert references(legal) == {queue["senegal-legal"]}
    this_year = clock.now().year
    body = browser.get(f"/staff?status=submitted&year={this_year}").body.decode()
    assert len(references(body)) == 4
    assert (
        references(browser.get(f"/staff?status=submitted&year={this_year - 1}").body.decode())
        == set()
    )
    # An unknown thematic area is no filter, not an error.
    assert len(references(browser.get("/staff?status=submitted&pillar=<b>").body.decode())) == 4


def test_a_region_shows_every_status_or_one(
    client: Any, stack: Stack, queue: dict[str, str]
) -> None:
    browser = signed_in(client, "demo-viewer")
    run_workers(client, stack)  # the reviews open: all four under review
    everything = browser.get("/staff?region=africa&status=").body.decode()
    assert references(everything) == {queue["senegal"], queue["senegal-legal"]}
    assert "Filtered within the" not in everything
    none = browser.get("/staff?region=africa&status=submitted").body.decode()
    assert references(none) == set() and "Filtered within the" in none
    some = browser.get("/staff?region=africa&status=under_review").body.decode()
    assert references(some) == {queue["senegal"], queue["senegal-legal"]}


def count_of(body: str, label: str) -> int:
    match = re.search(rf">{label}: <bdi dir=\"ltr\">(\d+)</bdi></a>", body)
    assert match, label
    return int(match.group(1))


def test_the_counts_per_status_and_the_votes_awaited(
    client: Any, stack: Stack, queue: dict[str, str]
) -> None:
    browser = signed_in(client, "demo-viewer")
    body = browser.get("/staff").body.decode()
    assert count_of(body, "Submitted") == 4 and count_of(body, "Under review") == 0
    run_workers(client, stack)
    body = browser.get("/staff?status=under_review").body.decode()
    assert count_of(body, "Submitted") == 0 and count_of(body, "Under review") == 4
    # One member votes on Bangladesh's request: two of the three voters are still awaited.
    request_id = queue["bangladesh-id"]
    at = clock.iso(clock.now())
    repository().record_vote(
        Vote(request_id, 1, "intpa", "approve", "member:intpa", at),
        Event(request_id, at, "voted", "member:intpa", 1, suffix="intpa"),
    )
    body = browser.get("/staff?status=under_review").body.decode()
    rows = dict(awaited(row) for row in body.split("<tr>")[2:])
    assert rows[queue["bangladesh"]] == "2", rows
    assert {rows[queue[name]] for name in ("senegal", "senegal-legal", "mexico")} == {"3"}


def awaited(row: str) -> tuple[str, str]:
    """(reference, votes awaited) of one row of the queue's table: its eighth cell."""
    cells = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
    reference = re.search(r"MX-\d{4}-\d{4}", cells[0])
    number = re.search(r">(\d+)<", cells[7])
    assert reference and number, row
    return reference.group(0), number.group(1)


def test_hostile_filters_are_ignored_or_a_clear_error(client: Any, queue: dict[str, str]) -> None:
    browser = signed_in(client, "demo-viewer")
    for query in (
        "status=<script>",
        "region=nowhere",
        "year=99999999999999999999",
        "year=-1",
        "officer=" + "x" * 5000,
        "mine=1&officer=po-asia",  # a viewer coordinates nothing: mine shows nothing
        "order=sideways",
    ):
        answer = browser.get(f"/staff?{query}")
        assert answer.status_code == 200, query
        assert "<script>" not in answer.body.decode()
    assert browser.get("/staff?after=" + "A" * 300).status_code == 400
