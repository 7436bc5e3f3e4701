"""Results: what the donor's report and the public pages read, kept up to date with each Action.

Whenever an Action is recorded or changed (services/actions.py), :func:`refresh` rewrites its
entry in the report's index of every year it spans (codes, dates and numbers only) and puts it on
the public pages or takes it off them, by the partner's consent: the Action's own answer if the
Project Officer recorded one, else the request's (default no). The report and the pages then read
one partition each, never a scan.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.outcome import DONE
from functions.domain.records import ActionRecord, PublishedAction, Request, ResultsEntry
from functions.domain.requests import Status
from functions.runtime.settings import get_settings


def consented(request: Request, plan: dict[str, Any]) -> bool:
    """True if the partner agreed that the Action be shown on the public pages."""
    if "publication_consent" in plan:
        return plan["publication_consent"] is True
    return request.document.get("publication_consent") is True


def years_of(action: ActionRecord | None) -> list[int]:
    """The calendar years an Action spans (none without one)."""
    if action is None:
        return []
    first, last = int(action.starts_on[:4]), int(action.ends_on[:4])
    return list(range(first, last + 1))


def activity_digest(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """What the report counts of each activity: codes, dates, numbers (no text anyone wrote)."""
    digest = []
    for activity in plan["activities"]:
        outcome = activity.get("outcome") or {}
        people = outcome.get("participants", {})
        digest.append(
            {
                "type": activity["type"],
                "country": activity["place"]["country"],
                "starts_on": activity["starts_on"],
                "ends_on": activity["ends_on"],
                "status": activity.get("status", "planned"),
                "participants": {s: int(people.get(s, 0)) for s in ("women", "men", "unstated")},
                "deliverables": [d["kind"] for d in outcome.get("deliverables", [])],
            }
        )
    return digest


def _expiry(request: Request, action: ActionRecord) -> int | None:
    """The expiry the request's partition gets from the Action's end (services/retention.py)."""
    from functions.services.retention import target_expiry

    return target_expiry(
        request.status,
        request.status_since,
        request.expires_at,
        date.fromisoformat(action.ends_on),
        get_settings().retention_days,
    )


def refresh(request: Request, action: ActionRecord, previous: ActionRecord | None) -> bool:
    """Rewrite an Action's report entries (the years it spans now; those only the ``previous``
    plan spanned are dropped) and its publication. Returns True if it is published."""
    store = repository()
    expires_at = _expiry(request, action)
    plan = action.plan
    entry = ResultsEntry(
        request.request_id,
        request.region,
        request.pillar,
        request.country,
        request.decided_at,
        action.starts_on,
        action.ends_on,
        activity_digest(plan),
        expires_at,
    )
    years = years_of(action)
    store.save_results(entry, years, sorted(set(years_of(previous)) - set(years)))
    if request.status != Status.APPROVED or not consented(request, plan):
        store.unpublish(request.request_id)
        return False
    countries = [request.country] if request.country else []
    for activity in plan["activities"]:
        code = activity["place"]["country"]
        if code not in countries and activity.get("status") != "cancelled":
            countries.append(code)
    store.publish(
        PublishedAction(
            request.request_id,
            action.title,
            request.region,
            request.pillar,
            countries,
            action.starts_on,
            action.ends_on,
            sum(a.get("status") == DONE for a in plan["activities"]),
            sum(a.get("status") != "cancelled" for a in plan["activities"]),
            action.published_at or clock.iso(clock.now()),
            expires_at,
        )
    )
    return True


class RegionFigures(NamedTuple):
    """What the public page says of one region: its published Actions, their countries and
    activities done."""

    region: str
    actions: int
    countries: int
    activities_done: int


def public_actions() -> list[PublishedAction]:
    """The Actions on the public pages, newest first (one Query)."""
    found = repository().published_actions()
    return sorted(found, key=lambda a: (a.starts_on, a.request_id), reverse=True)


def region_figures(published: list[PublishedAction], regions: list[str]) -> list[RegionFigures]:
    """Per region (in ``regions``' order): published Actions, countries, activities done."""
    figures = []
    for region in regions:
        mine = [a for a in published if a.region == region]
        countries = {c for a in mine for c in a.countries}
        done = sum(a.activities_done for a in mine)
        figures.append(RegionFigures(region, len(mine), len(countries), done))
    return figures
