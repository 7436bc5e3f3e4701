"""The yearly report: every figure of one year, for every region or one, read by index.

What it reads (never a Scan), for a year and the regions asked (all, or one):

- the requests submitted in the year: one ``region-index`` Query per region (every request of
  the year in those regions, a page of the index at a time: the one read that grows with the
  year's requests, about 20,000 at most);
- the Actions: one Query of the report's index of the year (``RESULTS#<year>``), kept to the
  regions asked;
- the evaluations: one Query per Action of those regions with an activity done in the year;
- the Expert Roster: one ``region-index`` Query for the year's deployments (kept to the regions
  asked by their Action's region: a deployment whose Action is not in the year's index costs one
  GetItem of its request, once per request), and one counting ``roster-index`` Query per member
  state and status (the roster is by member state: the same in every region).

Used by the workspace's report page (web/staff/reports.py) and by ``ops report``.
"""

from __future__ import annotations

from collections.abc import Iterable

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.reference import ACTIVITY_TYPES, country_names, reference_data
from functions.presentation.report import (
    Chart,
    Deployment,
    Report,
    Results,
    Roster,
    Row,
    build,
    done_in,
    expert_charts,
)


def rows_of_year(year: int, regions: Iterable[str]) -> list[Row]:
    """The year's requests of ``regions``, one region-index Query per region."""
    rows: list[Row] = []
    for region in regions:
        for item in repository().requests_of_region(region, year):
            decided = clock.parse_iso(item.decided_at) if item.decided_at else None
            rows.append(
                Row(
                    item.reference,
                    item.region,
                    item.pillar,
                    item.institution_type,
                    item.status,
                    clock.parse_iso(item.submitted_at),
                    decided,
                )
            )
    return rows


def results_of_year(year: int, regions: frozenset[str], language: str = "en") -> Results:
    """The year's Actions of ``regions`` (one Query of the report's index) and the evaluations
    of those with an activity done that year (one Query each); countries named in ``language``."""
    store = repository()
    entries = [entry for entry in store.results_of_year(year) if entry.region in regions]
    evaluated = sorted({entry.request_id for entry, _ in done_in(year, entries)})
    answers = [answer for request_id in evaluated for answer in store.evaluations(request_id)]
    return Results(entries, answers, country_names(language))


def expert_figures(
    year: int,
    regions: frozenset[str] | None = None,
    language: str = "en",
    known: dict[str, str] | None = None,
) -> list[Chart]:
    """The Expert Roster's charts: the year's deployments (one region-index Query), kept to
    ``regions`` (None: all) by their Action's region (``known``: request id -> region, from the
    year's Actions; any other request is read once), and the roster's size (one counting
    roster-index Query per member state and status)."""
    reference = reference_data()
    store = repository()
    accepted = store.deployments_of_year(year)
    if regions is not None:
        region_of = dict(known or {})
        for request_id in sorted({i.request_id for i in accepted} - set(region_of)):
            request = store.get_request(request_id)
            region_of[request_id] = request.region if request else ""
        accepted = [i for i in accepted if region_of[i.request_id] in regions]
    deployments = [
        Deployment(i.member_state, i.gender, i.reference, i.activity, i.activity_type)
        for i in accepted
    ]
    member_states = (
        reference.member_states
        if language == "en"
        else {
            code: country_names(language).get(code, name)
            for code, name in reference.member_states.items()
        }
    )
    roster = Roster(store.roster_size(), member_states, reference.genders, dict(ACTIVITY_TYPES))
    return expert_charts(deployments, roster)


def year_report(
    year: int,
    region: str | None = None,
    language: str = "en",
    regions_read: Iterable[str] | None = None,
) -> Report:
    """Every figure of the report of ``year``, of one region (None: every region), in English
    with the countries and member states named in ``language`` (presentation.report.localised
    gives the rest). ``regions_read`` lets a caller watch the regions being read (a progress
    bar); it must be the regions asked."""
    reference = reference_data()
    asked = frozenset([region] if region else reference.regions)
    walked = regions_read if regions_read is not None else sorted(asked)
    rows = rows_of_year(year, walked)
    results = results_of_year(year, asked, language)
    known = {entry.request_id: entry.region for entry in results.entries}
    experts = expert_figures(year, None if region is None else asked, language, known)
    regions = {code: name for code, name in reference.regions.items() if code in asked}
    return build(
        year,
        rows,
        clock.now(),
        regions,
        reference.pillars,
        reference.institution_types,
        results,
        more=experts,
    )
