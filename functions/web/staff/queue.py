"""The staff queue: every request of a status (or of a region and year), a page at a time.

GET /staff/ reads one index page (services/staff.py ``queue``): filters by status, by region
and year, or "mine" (a Project Officer's first region this year); oldest or newest first; the
next page by cursor. Everyone signed in reads it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from chalice.app import Response

from functions.domain import clock
from functions.domain.requests import Status
from functions.web.staff.area import StaffArea, StaffContext

queue = StaffArea(__name__)

YEARS_SHOWN = 6  # the years the filter offers: this one and the five before


def _filters(staff: StaffContext) -> dict[str, str]:
    params: dict[str, str] = dict(staff.request.query_params or {})
    return {
        name: str(params.get(name, ""))[:200]
        for name in ("status", "region", "year", "order", "after", "mine")
    }


@queue.page("/staff")
def show_queue(staff: StaffContext) -> Response:
    """The queue's page."""
    from functions.domain.reference import country_names, reference_data
    from functions.services import staff as service  # on use: the workspace only

    asked = _filters(staff)
    regions = reference_data().regions
    region = asked["region"] if asked["region"] in regions else ""
    mine = asked["mine"] == "1"
    if mine:
        own = service.officer_regions(staff.member)
        region = own[0] if own else region
    status = asked["status"] if asked["status"] in {s.value for s in Status} else "under_review"
    this_year = clock.now().year
    year = (
        int(asked["year"])
        if asked["year"].isdigit() and this_year - 50 < int(asked["year"]) <= this_year
        else this_year
    )
    wanted = service.QueueFilter(
        status=status,
        region=region,
        year=year,
        newest_first=asked["order"] == "newest",
        cursor=asked["after"],
    )
    view = service.queue(wanted)
    kept = {
        "status": status,
        "region": region,
        "year": str(year),
        "order": asked["order"],
        "mine": asked["mine"],
    }
    kept = {k: v for k, v in kept.items() if v}
    next_link = (
        "/staff?" + urlencode({**kept, "after": view.cursor, "lang": staff.language})
        if view.cursor
        else ""
    )
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
        country_names=country_names(staff.language),
        pillars=reference_data().pillars,
    )
