"""An Action's places are named in the reader's language, wherever they are (CLDR's full list)."""

from __future__ import annotations

import pytest

from functions.services.actions import action_view

HAGUE = {
    "en": "The Hague, Netherlands",
    "fr": "The Hague, Pays-Bas",
    "es": "The Hague, Países Bajos",
    "ar": "The Hague, هولندا",
    "ru": "The Hague, Нидерланды",
}


def plan(city: str, country: str) -> dict[str, object]:
    activity = {
        "type": "study_visit",
        "title": "Study visit",
        "starts_on": "2027-09-13",
        "ends_on": "2027-09-17",
        "place": {"city": city, "country": country},
        "experts": {"number": 0, "profile": "Hosted"},
    }
    return {"title": "An Action", "activities": [activity]}


@pytest.mark.parametrize("language", sorted(HAGUE))
def test_a_place_outside_the_eligible_list_is_named_not_coded(language: str) -> None:
    [activity] = action_view(plan("The Hague", "NL"), language)["activities"]
    assert activity["place_label"] == HAGUE[language]


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("en", "Accra, Ghana"),
        ("fr", "Accra, Ghana"),
        ("es", "Accra, Ghana"),
        ("ar", "Accra, غانا"),
        ("ru", "Accra, Гана"),
    ],
)
def test_an_eligible_place_keeps_its_name(language: str, label: str) -> None:
    [activity] = action_view(plan("Accra", "GH"), language)["activities"]
    assert activity["place_label"] == label


@pytest.mark.parametrize(
    ("country", "english", "french"),
    [("PT", "Portugal", "Portugal"), ("BE", "Belgium", "Belgique"), ("DE", "Germany", "Allemagne")],
)
def test_eu_countries_have_their_names(country: str, english: str, french: str) -> None:
    assert action_view(plan("X", country), "en")["activities"][0]["place_label"] == f"X, {english}"
    assert action_view(plan("X", country), "fr")["activities"][0]["place_label"] == f"X, {french}"
