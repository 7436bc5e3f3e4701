"""The donor's indicators from a seeded year, under moto: every figure of the report (HTML and
CSV) checked against counts this test makes from its own seed, and the report read by index."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from click.testing import CliRunner

from functions.domain import schemas
from functions.domain.reference import (
    ACTIVITY_TYPES,
    CHANGE_ANSWERS,
    DELIVERABLE_KINDS,
    PARTICIPANT_SEXES,
    SATISFACTION_SCALE,
    country_names,
    reference_data,
)
from functions.ops.__main__ import cli
from infra.local.sample_data import Sample, clock_at, samples, seed
from tests.integration.helpers import record_operations, seed_committee
from tests.support import Stack

YEAR = 2026
NOW = datetime(2027, 1, 20, 10, tzinfo=UTC)
KINDS = sorted(DELIVERABLE_KINDS)


class Seeded(NamedTuple):
    """What the test put in, counted by the test itself."""

    statuses: Counter[str]
    actions: list[dict[str, Any]]  # request_id, region, decided, plan
    answers: list[tuple[str, int, int, str]]  # request, activity, satisfaction, changes_work
    samples: list[Sample] = []  # every request seeded, as seeded  # noqa: RUF012


def day(text: str) -> str:
    return text[:10]


def plan_for(rng: random.Random, country: str, decided: datetime) -> dict[str, Any]:
    """The schema's example plan, moved to start 20 to 80 days after the decision, its activities
    a month apart, some done (with an outcome), in the request's country or Belgium."""
    plan = schemas.example("action.schema.json")
    start = decided.date() + timedelta(days=rng.randint(20, 80))
    for number, activity in enumerate(plan["activities"]):
        first = start + timedelta(days=30 * number)
        activity["starts_on"] = first.isoformat()
        activity["ends_on"] = (first + timedelta(days=rng.randint(0, 3))).isoformat()
        activity["place"]["country"] = rng.choice([country, country, "BE"])
        if date.fromisoformat(activity["ends_on"]) < NOW.date() and rng.random() < 0.8:
            women, men, unstated = rng.randint(0, 15), rng.randint(0, 15), rng.randint(0, 2)
            activity["status"] = "done"
            activity["outcome"] = {
                "participants": {"women": women, "men": men, "unstated": unstated},
                "deliverables": [
                    {"title": f"Deliverable {number}.{k}", "kind": rng.choice(KINDS)}
                    for k in range(rng.randint(0, 2))
                ],
            }
    return plan


@pytest.fixture
def seeded(stack: Stack) -> Seeded:
    return seed_year()


def seed_year() -> Seeded:
    """A year of requests, Actions with activities done and evaluations (under a stack); the
    workspace's report page is checked against the same seed (test_staff_reports.py)."""
    from functions.adapters import links
    from functions.adapters.repository import repository
    from functions.services import actions, evaluation

    seed_committee()
    rng = random.Random(19)
    found = samples(YEAR, 14, seed=19, until=datetime(YEAR, 12, 1, tzinfo=UTC))
    ids = seed(found)
    statuses: Counter[str] = Counter(s.outcome for s in found)
    seeded_actions, answers = [], []
    for request_id, sample in zip(ids, found, strict=True):
        if sample.outcome != "approved":
            continue
        decided = sample.submitted_at + sample.decided_after
        request = repository().get_request(request_id)
        assert request is not None
        plan = plan_for(rng, sample.country, decided)
        with clock_at(decided + timedelta(days=2)):
            actions.record_action(request_id, plan)
        seeded_actions.append(
            {"id": request_id, "region": request.region, "decided": decided, "plan": plan}
        )
        with clock_at(NOW - timedelta(days=1)):
            for number, activity in enumerate(plan["activities"], start=1):
                if activity.get("status") != "done":
                    continue
                for respondent in ["host", ""] + [""] * rng.randint(0, 2):
                    score, change = rng.randint(1, 5), rng.choice(["yes", "partly", "no"])
                    link = links.EvaluationLink(request_id, number, respondent)
                    document = {"evaluation": {"satisfaction": str(score), "changes_work": change}}
                    evaluation.submit(link, document, "en")
                    answers.append((request_id, number, score, change))
    assert seeded_actions and answers, "the seed must give the report something to count"
    return Seeded(statuses, seeded_actions, answers, found)


Tables = dict[str, dict[str, str]]


def tables_of(text: str) -> Tables:
    """The CSV's tables: chart -> label -> value as shown."""
    found: Tables = {}
    for row in csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))):
        found.setdefault(row["chart"], {})[row["label"]] = row["shown"]
    return found


@pytest.fixture
def report(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Tables, list[tuple[str, str]]]:
    calls = record_operations(monkeypatch)
    out, table = tmp_path / "report.html", tmp_path / "report.csv"
    with clock_at(NOW):
        result = CliRunner().invoke(
            cli, ["report", "--year", str(YEAR), "--out", str(out), "--csv", str(table)]
        )
    assert result.exit_code == 0, result.output
    raw = table.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: Excel reads UTF-8
    return out.read_text(encoding="utf-8"), tables_of(raw.decode("utf-8")), calls


def activities_done(seeded: Seeded) -> list[dict[str, Any]]:
    return [
        a
        for action in seeded.actions
        for a in action["plan"]["activities"]
        if a.get("status") == "done" and a["ends_on"].startswith(str(YEAR))
    ]


def check_read_by_index(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    _, _, calls = report
    assert ("Scan", "") not in calls and all(op == "Query" for op, _ in calls)
    regions = len(reference_data().regions)
    evaluated = {
        action["id"]
        for action in seeded.actions
        for a in action["plan"]["activities"]
        if a.get("status") == "done" and a["ends_on"].startswith(str(YEAR))
    }
    # Then the Expert Roster's figures (tests/integration/test_report.py): one Query for the
    # year's deployments (region-index), one counting Query per member state and status.
    roster = [("Query", "region-index")] + [("Query", "roster-index")] * 27 * 3
    ours, experts = calls[: -len(roster)], calls[-len(roster) :]
    assert experts == roster
    assert len(ours) == regions + 1 + len(evaluated)
    assert ours.count(("Query", "region-index")) == regions


def check_outcomes(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    _, tables, _ = report
    expected = {
        "Approved": seeded.statuses["approved"],
        "Rejected": seeded.statuses["rejected"],
        "Withdrawn": seeded.statuses["withdrawn"],
    }
    assert tables["outcomes"] == {k: str(v) for k, v in expected.items()}
    assert sum(int(v) for v in tables["region"].values()) == sum(seeded.statuses.values())


def check_actions(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    _, tables, _ = report
    starts = [min(a["starts_on"] for a in x["plan"]["activities"]) for x in seeded.actions]
    ends = [max(a["ends_on"] for a in x["plan"]["activities"]) for x in seeded.actions]
    started = sum(s.startswith(str(YEAR)) for s in starts)
    completed = sum(e.startswith(str(YEAR)) and e < NOW.date().isoformat() for e in ends)
    assert tables["actions"] == {"Started": str(started), "Completed": str(completed)}


def check_activities(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    _, tables, _ = report
    done = activities_done(seeded)
    by_type = Counter(a["type"] for a in done)
    assert tables["activity_type"] == {
        label: str(by_type[code]) for code, label in ACTIVITY_TYPES.items()
    }
    names = country_names("en")
    by_country = Counter(names[a["place"]["country"]] for a in done)
    assert tables["activity_country"] == {name: str(n) for name, n in by_country.items()}
    people: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for activity in done:
        people.update(activity["outcome"]["participants"])
        kinds.update(d["kind"] for d in activity["outcome"]["deliverables"])
    assert tables["participants"] == {
        label: str(people[code]) for code, label in PARTICIPANT_SEXES.items()
    }
    assert tables["deliverables"] == {
        label: str(kinds[code]) for code, label in DELIVERABLE_KINDS.items()
    }


def check_evaluations(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    html, tables, _ = report
    ended = {
        (action["id"], number)
        for action in seeded.actions
        for number, a in enumerate(action["plan"]["activities"], start=1)
        if a["ends_on"].startswith(str(YEAR))
    }
    counted = [a for a in seeded.answers if (a[0], a[1]) in ended]
    scores = Counter(a[2] for a in counted)
    assert tables["satisfaction"] == {
        SATISFACTION_SCALE[str(s)]: str(scores[s]) for s in (5, 4, 3, 2, 1)
    }
    changes = Counter(a[3] for a in counted)
    for code, label in CHANGE_ANSWERS.items():
        assert tables["changes_work"][label].startswith(f"{changes[code]} (")
    mean = statistics.mean(a[2] for a in counted)
    assert f"Mean satisfaction: {mean:.2f} of 5 ({len(counted)} answer(s))" in html
    share = (changes["yes"] + changes["partly"]) / len(counted)
    assert f"It will change how they work: {share:.0%} (yes or partly)" in html


def check_median(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    html, tables, _ = report
    regions = reference_data().regions
    for code, label in regions.items():
        days = [
            (
                datetime.fromisoformat(
                    min(a["starts_on"] for a in x["plan"]["activities"])
                ).replace(tzinfo=UTC)
                - x["decided"].replace(microsecond=0)
            ).total_seconds()
            / 86400
            for x in seeded.actions
            if x["region"] == code
            and min(a["starts_on"] for a in x["plan"]["activities"]).startswith(str(YEAR))
        ]
        shown = tables["median_to_activity"][label]
        if days:
            assert abs(float(shown) - statistics.median(days)) < 0.06, label
        else:
            assert shown == "'-"  # a dash, kept from starting a formula (spreadsheet.py)
    assert "Median days from decision to the first activity" in html


def check_charts(seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]) -> None:
    html, tables, _ = report
    keys = [
        "outcomes",
        "actions",
        "activity_type",
        "activity_country",
        "participants",
        "deliverables",
        "satisfaction",
        "changes_work",
        "median_to_activity",
    ]
    for key in keys:
        section = html.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
        assert section.count("<svg") == 1 and "<table>" in section, key
        assert key in tables, key
    assert "<script" not in html


def test_every_indicator_of_a_seeded_year_is_what_the_seed_says(
    seeded: Seeded, report: tuple[str, Tables, list[tuple[str, str]]]
) -> None:
    """One seeded year (seeding takes a while) for every check."""
    for check in (
        check_read_by_index,
        check_outcomes,
        check_actions,
        check_activities,
        check_evaluations,
        check_median,
        check_charts,
    ):
        check(seeded, report)
