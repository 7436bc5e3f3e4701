"""Who may request, from where, and on which topics: the rules beyond the schema's shape."""

from __future__ import annotations

from typing import Any

from functions.domain.errors import FieldError
from functions.domain.reference import reference_data


def _section(document: Any, name: str) -> dict[str, Any]:
    section = document.get(name) if isinstance(document, dict) else None
    return section if isinstance(section, dict) else {}


def check_eligibility(document: Any) -> list[FieldError]:
    """Errors for a country, region or topics that are not allowed.

    Runs on incomplete documents too (each rule looks only at the fields it needs, when they have
    the right shape), so that a person learns every problem in one answer.
    """
    reference = reference_data()
    errors: list[FieldError] = []
    institution = _section(document, "institution")
    country = institution.get("country")
    if isinstance(country, str) and country not in reference.countries:
        errors.append(FieldError("/institution/country", "not_eligible"))
    region, name = institution.get("region"), institution.get("name")
    known_region = _regional_organisation_region(name) if isinstance(name, str) else None
    if isinstance(region, str) and known_region is not None and known_region != region:
        errors.append(
            FieldError("/institution/region", "region_mismatch", {"expected": known_region})
        )
    request = _section(document, "request")
    topics, pillar = request.get("topics"), request.get("pillar")
    if isinstance(topics, list) and pillar in reference.pillars:
        for index, topic in enumerate(topics):
            if topic in reference.topic_pillar and reference.topic_pillar[topic] != pillar:
                errors.append(FieldError(f"/request/topics/{index}", "topic_mismatch"))
    return errors


def _regional_organisation_region(name: str) -> str | None:
    """The region of a known regional organisation named by its acronym, or None."""
    organisations = reference_data().regional_organisations
    for word in name.replace("(", " ").replace(")", " ").split():
        if word.isupper() and word in organisations:
            return organisations[word]
    return None


def region_of(document: dict[str, Any]) -> str:
    """The region whose Project Officer coordinates this request."""
    institution = document["institution"]
    if "region" in institution:
        return str(institution["region"])
    return reference_data().countries[institution["country"]].region
