"""Matching experts to an activity: each criterion, the ranking and its explanation (no AWS)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from functions.domain import schemas
from functions.domain.experts import (
    ActivityNeed,
    Criterion,
    Expert,
    assess,
    rank,
)

TRAINING = ActivityNeed(
    request_id="r1",
    number=5,
    type="training",
    title="Training of front-line officers",
    starts_on=date(2027, 10, 18),
    ends_on=date(2027, 10, 22),
    country="GH",
    region="africa",
    language="en",
    topics=("trafficking_in_human_beings", "labour_migration"),
    places=3,
)


def registration(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(schemas.example("expert.schema.json"))
    for path, value in changes.items():
        section, _, name = path.partition("__")
        if name:
            document[section][name] = value
        else:  # a whole section
            document[section] = value
    return document


def expert(expert_id: str, status: str = "active", deployments: int = 0, **changes: Any) -> Expert:
    return Expert(
        expert_id, status, registration(**changes), "2026-11-01T00:00:00Z", "2026-11-01T00:00:00Z",
        "hash-" + expert_id, deployments,
    )  # fmt: skip


def test_the_example_expert_matches_topic_language_and_region_not_country() -> None:
    found = assess(
        expert("e1", experience__regions=["africa"], experience__countries=["SN"]), TRAINING
    )
    assert found.topics == ("trafficking_in_human_beings",)
    assert set(found.matched) == {
        Criterion.TOPIC,
        Criterion.LANGUAGE,
        Criterion.REGION,
        Criterion.AVAILABLE,
    }
    assert set(found.missed) == {Criterion.COUNTRY, Criterion.DEPLOYED}
    assert found.score == 3 + 4 + 1 + 4


@pytest.mark.parametrize(
    ("level", "works"), [("A2", False), ("B1", False), ("B2", True), ("C2", True), ("native", True)]
)
def test_the_activitys_language_counts_from_b2(level: str, works: bool) -> None:
    languages = [{"language": "en", "level": level}]
    found = assess(expert("e1", expertise__languages=languages), TRAINING)
    assert (Criterion.LANGUAGE in found.matched) is works


def test_a_language_the_expert_does_not_name_does_not_match() -> None:
    found = assess(
        expert("e1", expertise__languages=[{"language": "fr", "level": "native"}]), TRAINING
    )
    assert Criterion.LANGUAGE not in found.matched


@pytest.mark.parametrize(
    ("start", "end", "available"),
    [
        ("2027-10-22", "2027-11-30", False),  # overlaps the last day
        ("2027-09-01", "2027-10-18", False),  # overlaps the first day
        ("2027-10-19", "2027-10-20", False),  # inside
        ("2027-10-23", "2027-12-31", True),  # after
        ("2027-01-01", "2027-10-17", True),  # before
    ],
)
def test_availability_is_the_activitys_dates_against_the_periods_given(
    start: str, end: str, available: bool
) -> None:
    periods = {"days_per_year": 10, "unavailable": [{"from": start, "to": end}]}
    found = assess(expert("e1", availability=periods), TRAINING)
    assert (Criterion.AVAILABLE in found.matched) is available


def test_the_ranking_puts_the_best_first_and_says_why() -> None:
    country = expert("country", experience__countries=["GH"], experience__regions=["africa"])
    plain = expert("plain", experience__countries=[], experience__regions=[])
    both_topics = expert(
        "both",
        expertise__topics=["labour_migration", "trafficking_in_human_beings"],
        experience__countries=[],
        experience__regions=[],
    )
    unrelated = expert("other", expertise__topics=["visa_and_mobility"])
    pending = expert("pending", status="pending", experience__countries=["GH"])
    ranked = rank(TRAINING, [plain, unrelated, pending, both_topics, country])

    assert [m.expert.expert_id for m in ranked] == ["country", "both", "plain"]
    assert ranked[0].matched == (
        Criterion.TOPIC,
        Criterion.LANGUAGE,
        Criterion.COUNTRY,
        Criterion.REGION,
        Criterion.AVAILABLE,
    )
    assert ranked[1].topics == ("trafficking_in_human_beings", "labour_migration")


def test_ties_go_to_the_expert_deployed_less_often() -> None:
    often = expert("often", deployments=4)
    seldom = expert("seldom", deployments=1)
    ranked = rank(TRAINING, [often, seldom])
    assert [m.expert.expert_id for m in ranked] == ["seldom", "often"]
    assert all(Criterion.DEPLOYED in m.matched for m in ranked)  # both have served before


def test_an_expert_without_gender_reads_as_unknown() -> None:
    document = registration()
    document["expert"].pop("gender")
    assert Expert("e", "active", document, "t", "t", "h").gender == "unknown"
    assert expert("e").gender == "female"
