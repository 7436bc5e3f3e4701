"""The public pages, no sign-in: ``/where-we-work`` (a world map of the published Actions'
countries and figures per region) and ``/activities`` (the list of published Actions).

Only Actions whose partner agreed to publication are shown (services/results.py). Both pages are
the same for everyone in a language, so caches may keep them (``Cache-Control: public``) for a
few minutes, varied by the language the browser asks for. No script, no image fetched: the map
is inline SVG drawn from boundaries committed with the code.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from functions.domain.errors import DomainError
from functions.web.errors import error_page
from functions.web.failures import guarded
from functions.web.pages import language_of, page

public = Blueprint(__name__)

# Five minutes: a newly published Action shows up soon; a burst of visitors costs one Query.
CACHE_SECONDS = 300


def _problem(error: DomainError) -> Response:
    return error_page(error, language_of(public.current_request))


def _cacheable(response: Response) -> Response:
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response.headers["Vary"] = "Accept-Language"
    return response


def _context(language: str) -> dict[str, object]:
    """What both pages show: the published Actions with their labels, figures per region."""
    # On use: the public pages only (not the API Lambda's cold start).
    from functions.domain.reference import country_names, reference_data
    from functions.services import results

    reference = reference_data()
    names = country_names(language)
    published = results.public_actions()
    actions = [
        {
            "title": a.title,
            "countries": [names.get(c, c) for c in a.countries],
            "pillar": reference.pillars.get(a.pillar, a.pillar),
            "region": reference.regions.get(a.region, a.region),
            "starts_on": a.starts_on[:7],
            "ends_on": a.ends_on[:7],
            "activities_done": a.activities_done,
            "activities": a.activities,
        }
        for a in published
    ]
    figures = [
        {**f._asdict(), "region": reference.regions[f.region]}
        for f in results.region_figures(published, list(reference.regions))
    ]
    codes = sorted({c for a in published for c in a.countries})
    return {
        "actions": actions,
        "figures": figures,
        "codes": codes,
        "country_names": names,
        "totals": {
            "actions": len(published),
            "countries": len(codes),
            "activities_done": sum(a.activities_done for a in published),
        },
    }


@public.route("/where-we-work", methods=["GET", "HEAD"])
@guarded(_problem)
def where_we_work() -> Response:
    """The map of the countries of published Actions, and the figures per region."""
    from functions.presentation.i18n import gettext_for
    from functions.presentation.render import LIST_SEPARATOR
    from functions.presentation.worldmap import map_svg

    language = language_of(public.current_request)
    context = _context(language)
    _ = gettext_for(language)
    names = context["country_names"]
    codes = context["codes"]
    assert isinstance(names, dict) and isinstance(codes, list)
    listed = _(LIST_SEPARATOR).join(sorted(str(names.get(c, c)) for c in codes))
    description = (
        _("Countries of the published Actions: %(countries)s.") % {"countries": listed}
        if codes
        else _("No Action is published yet.")
    )
    drawn = map_svg(set(codes), names, _("Map of the world: where MIEUX works"), str(description))
    response = page(
        "where_we_work.html", language, 200, world_map=drawn, here="/where-we-work", **context
    )
    return _cacheable(response)


@public.route("/activities", methods=["GET", "HEAD"])
@guarded(_problem)
def activities() -> Response:
    """The published Actions: title, countries, thematic area, period, activities done."""
    language = language_of(public.current_request)
    response = page("activities.html", language, 200, here="/activities", **_context(language))
    return _cacheable(response)
