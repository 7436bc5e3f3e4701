"""Reference data (countries, regions, institution types, pillars) from ``schemas/reference``."""

from __future__ import annotations

from functools import cache
from typing import NamedTuple

from functions.domain import schemas
from functions.domain.words import N_

LANGUAGES = {"en": "English", "fr": "Français", "es": "Español", "ar": "العربية", "ru": "Русский"}
# The roles of a committee member (functions/domain/committee.py Role), as the workspace names them.
COMMITTEE_ROLES = {
    "voting": N_("Voting member"),
    "veto": N_("Voting member with a veto"),
    "observer": N_("Observer: told the outcome, does not vote"),
}
ACTIVITY_TYPES = {
    "seminar": N_("Seminar"),
    "workshop": N_("Workshop"),
    "assessment_mission": N_("Assessment mission"),
    "study_visit": N_("Study visit"),
    "policy_drafting": N_("Drafting of a policy or action plan"),
    "legal_review": N_("Legal review"),
    "training": N_("Training"),
    "other": N_("Other"),
}
# What a done activity produced (schemas/action.schema.json, an activity's outcome): the kinds
# of deliverable the donor counts, and where the participants came from.
DELIVERABLE_KINDS = {
    "law": N_("Law or regulation"),
    "strategy": N_("Strategy or action plan"),
    "manual": N_("Manual or guidelines"),
    "sops": N_("Standard operating procedures"),
    "training_curriculum": N_("Training curriculum"),
    "report": N_("Report"),
}
PARTICIPANT_INSTITUTIONS = {
    "national_government": N_("National government body"),
    "local_authority": N_("Local authority"),
    "parliament": N_("Parliament"),
    "judiciary": N_("Judiciary authority"),
    "ombudsperson": N_("Ombudsperson"),
    "civil_society": N_("Civil-society organisation"),
    "academia": N_("Academic or research institution"),
    "international_organisation": N_("International or regional organisation"),
    "other": N_("Other"),
}
# The evaluation's scales (schemas/evaluation.schema.json), best first as the form asks them.
SATISFACTION_SCALE = {
    "5": N_("5 - Very satisfied"),
    "4": N_("4 - Satisfied"),
    "3": N_("3 - Neither satisfied nor dissatisfied"),
    "2": N_("2 - Dissatisfied"),
    "1": N_("1 - Very dissatisfied"),
}
CHANGE_ANSWERS = {"yes": N_("Yes"), "partly": N_("Partly"), "no": N_("No")}
PARTICIPANT_SEXES = {"women": N_("Women"), "men": N_("Men"), "unstated": N_("Other or not stated")}


class Country(NamedTuple):
    """A country or territory eligible for MIEUX assistance."""

    code: str
    name: str
    region: str
    instruments: tuple[str, ...]


class ReferenceData(NamedTuple):
    """Every list the validation, the form and the reports need, keyed by code."""

    countries: dict[str, Country]
    regions: dict[str, str]
    regional_organisations: dict[str, str]
    institution_types: dict[str, str]
    co_requester_types: dict[str, str]
    pillars: dict[str, str]
    topics: dict[str, str]
    topic_pillar: dict[str, str]
    # The expert roster's lists (schemas/reference/experts.json).
    member_states: dict[str, str]
    spoken_languages: dict[str, str]
    language_levels: dict[str, str]
    contributions: dict[str, str]
    genders: dict[str, str]

    def labels(self, reference: str) -> dict[str, str]:
        """English labels of one list, by the name the schema gives it in ``x-reference``."""
        lists: dict[str, dict[str, str]] = {
            "countries": {code: country.name for code, country in self.countries.items()},
            "regions": self.regions,
            "institution_types": self.institution_types,
            "co_requester_types": self.co_requester_types,
            "pillars": self.pillars,
            "topics": self.topics,
            "languages": LANGUAGES,
            "committee_roles": COMMITTEE_ROLES,
            "activity_types": ACTIVITY_TYPES,
            "deliverable_kinds": DELIVERABLE_KINDS,
            "participant_institutions": PARTICIPANT_INSTITUTIONS,
            "satisfaction_scale": SATISFACTION_SCALE,
            "change_answers": CHANGE_ANSWERS,
            "member_states": self.member_states,
            "spoken_languages": self.spoken_languages,
            "language_levels": self.language_levels,
            "contributions": self.contributions,
            "genders": self.genders,
        }
        return lists[reference]


@cache
def country_names(language: str) -> dict[str, str]:
    """Every country's name in ``language``, by ISO 3166 code, not only the eligible ones (an
    activity can be anywhere): generated from CLDR by tools/country_names.py."""
    names: dict[str, dict[str, str]] = schemas.load("reference/country_names.json")
    return names.get(language) or names["en"]


@cache
def language_names(language: str) -> dict[str, str]:
    """The roster's working languages named in ``language`` (generated from CLDR by
    tools/language_names.py)."""
    names: dict[str, dict[str, str]] = schemas.load("reference/language_names.json")
    return names.get(language) or names["en"]


@cache
def reference_data() -> ReferenceData:
    """Load the reference lists once per container."""
    countries = schemas.load("reference/countries.json")["countries"]
    regions = schemas.load("reference/regions.json")
    institutions = schemas.load("reference/institution_types.json")
    pillars = schemas.load("reference/pillars.json")["pillars"]
    experts = schemas.load("reference/experts.json")
    return ReferenceData(
        countries={
            c["code"]: Country(c["code"], c["name"], c["region"], tuple(c["instruments"]))
            for c in countries
        },
        regions={r["code"]: r["name"] for r in regions["regions"]},
        regional_organisations={o["code"]: o["region"] for o in regions["regional_organisations"]},
        institution_types={t["code"]: t["name"] for t in institutions["institution_types"]},
        co_requester_types={t["code"]: t["name"] for t in institutions["co_requester_types"]},
        pillars={p["code"]: p["name"] for p in pillars},
        topics={t["code"]: t["name"] for p in pillars for t in p["topics"]},
        topic_pillar={t["code"]: p["code"] for p in pillars for t in p["topics"]},
        member_states={m["code"]: m["label"] for m in experts["member_states"]},
        spoken_languages=dict(language_names("en")),
        language_levels={c["code"]: c["name"] for c in experts["language_levels"]},
        contributions={c["code"]: c["name"] for c in experts["contributions"]},
        genders={c["code"]: c["name"] for c in experts["genders"]},
    )
