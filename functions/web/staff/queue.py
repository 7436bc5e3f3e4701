"""The staff queue: every request of a status (or of a region and year), a page at a time.

GET /staff/ reads one index page (services/staff.py ``queue``): one status (status-index, by
time in it) or one region and year (region-index, by submission); the other filters (thematic
area, year, an officer's or "mine": all the signed-in officer's regions, a status within a
region) are applied within that page, and the page says so. Oldest or newest first; the next
page by cursor; the counts per status from their counters. Everyone signed in reads it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from chalice.app import Response

from functions.domain import clock
from functions.domain.requests import Status
from functions.web.staff.area import StaffArea, StaffContext

queue = StaffArea(__name__)

YEARS_SHOWN = 6  # the years the filter offers: this one and the five before


FILTERS = ("status", "region", "year", "pillar", "officer", "order", "after", "mine")


def _filters(staff: StaffContext) -> dict[str, str]:
    params: dict[str, str] = dict(staff.request.query_params or {})
    return {name: str(params.get(name, ""))[:200] for name in FILTERS}


@queue.page("/staff")
def show_queue(staff: StaffContext) -> Response:
    """The queue's page."""
    from functions.domain.reference import country_names, reference_data
    from functions.services import staff as service  # on use: the workspace only

    asked = _filters(staff)
    data = reference_data()
    regions = data.regions
    region = asked["region"] if asked["region"] in regions else ""
    mine = asked["mine"] == "1"
    statuses = {s.value for s in Status}
    # A region's view may show every status; the status view reads one status's index.
    status = asked["status"] if asked["status"] in statuses else ""
    if not status and (not region or mine or asked["officer"]):
        status = Status.UNDER_REVIEW.value
    this_year = clock.now().year
    year = (
        int(asked["year"])
        if asked["year"].isdigit() and this_year - 50 < int(asked["year"]) <= this_year
        else 0
    )
    pillar = asked["pillar"] if asked["pillar"] in data.pillars else ""
    officer = asked["officer"]  # one of the officers, or none (checked against them below)
    if region and not (mine or officer) and not year:
        year = this_year  # a region's view reads one year's partition of region-index
    wanted = service.QueueFilter(
        status=status,
        region=region,
        year=year,
        pillar=pillar,
        officer=officer,
        mine=mine,
        newest_first=asked["order"] == "newest",
        cursor=asked["after"],
    )
    view = service.queue(wanted, staff.member)
    officers = {o.officer_id: o.name for o in view.officers}
    if officer not in officers:
        officer = ""
    kept = {
        "status": status,
        "region": region,
        "year": str(year) if year else "",
        "pillar": pillar,
        "officer": officer,
        "order": asked["order"] if asked["order"] == "newest" else "",
        "mine": "1" if mine else "",
    }
    kept = {k: v for k, v in kept.items() if v}
    next_link = (
        "/staff?" + urlencode({**kept, "after": view.cursor, "lang": staff.language})
        if view.cursor
        else ""
    )
    count_links = {
        s.value: "/staff?"
        + urlencode(
            {
                **{k: v for k, v in kept.items() if k != "status"},
                "status": s.value,
                "lang": staff.language,
            }
        )
        for s in Status
    }
    return staff.render(
        "staff/queue.html",
        section="queue",
        view=view,
        wanted=wanted,
        mine=mine,
        statuses=[s.value for s in Status],
        regions=regions,
        years=list(range(this_year, this_year - YEARS_SHOWN, -1)),
        next_link=next_link,
        count_links=count_links,
        country_names=country_names(staff.language),
        pillars=data.pillars,
        officers=officers,
        region_view=bool(region) and not mine and not officer,
    )
