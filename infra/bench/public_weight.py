"""Figure 8's public pages (issue 19): /where-we-work and /activities with a year's worth of
published Actions, weighed as ``page_weight`` weighs every page, and their cache policy.

The seed: 40 published Actions in 30 partner countries of the five regions (large countries and
small ones, an island state drawn as a marker, Actions in two countries), so that the map
highlights 30 countries and the Activities page lists 40 rows. Each page in English and in
Arabic (right to left, the longer text). Both pages must say ``Cache-Control: public`` (a
cache in front of API Gateway or the browser keeps them); the bench checks the header.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

ACTIONS = 40
# Partner countries of MIEUX-like Actions, by region; Cabo Verde and Tuvalu are too small for
# the map's 1:110m boundaries (a marker), Brazil and Mexico large.
COUNTRIES = (
    *("SN", "NG", "GH", "CI", "CV", "MR", "KE", "ET", "UG"),
    *("MA", "TN", "JO", "LB"),
    *("AM", "GE", "MD", "AZ"),
    *("AR", "BR", "MX", "CO", "EC", "CR", "DO"),
    *("PH", "BD", "LK", "KH", "NP", "TV"),
)
TITLES = (
    "Strengthening the national referral mechanism for victims of trafficking",
    "A national labour migration strategy and its action plan",
    "Training of border officials on the identification of vulnerable migrants",
    "Engaging the diaspora in local development: a national policy",
    "Reception of asylum seekers: standard operating procedures",
)
PILLARS = (
    "irregular_migration",
    "legal_migration",
    "irregular_migration",
    "migration_development",
    "international_protection",
)


def published_actions() -> list[Any]:
    """The seed: ``ACTIONS`` Actions over ``COUNTRIES``, every fifth in two countries."""
    from functions.domain.records import PublishedAction
    from functions.domain.reference import reference_data

    reference = reference_data()
    found = []
    for number in range(ACTIONS):
        country = COUNTRIES[number % len(COUNTRIES)]
        countries = [country]
        if number % 5 == 4:  # a regional Action: an activity in a neighbour
            countries.append(COUNTRIES[(number + 1) % len(COUNTRIES)])
        year = 2024 + number % 3
        found.append(
            PublishedAction(
                f"{number:032x}",
                f"{TITLES[number % len(TITLES)]} ({number + 1})",
                reference.countries[country].region,
                PILLARS[number % len(PILLARS)],
                countries,
                f"{year}-0{1 + number % 9}-01",
                f"{year + 1}-0{1 + number % 9}-01",
                number % 7,
                6,
                f"{year}-01-01T00:00:00.000000Z",
            )
        )
    return found


def pages(client: Any) -> Iterator[tuple[str, Any]]:
    """(name, answer) for each public page in English and Arabic, with the seed published in
    the repository the app reads."""
    from functions.adapters.repository import repository

    for action in published_actions():
        repository().publish(action)
    for path in ("/where-we-work", "/activities"):
        for language in ("en", "ar"):
            answer = client.http.get(f"{path}?lang={language}", headers={"Accept": "text/html"})
            yield f"{path} ({language}, {ACTIONS} Actions)", answer
