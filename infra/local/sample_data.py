"""Seed a stage with a year of varied requests, submitted and decided through the services.

    python -m infra.local.sample_data --env-file build/local/env.json --year 2026 --count 40

For the local stack (``make run`` writes build/local/env.json) and for the report's sample
image in docs/operations.md; never for a real stage. Each request goes through
``services.intake.submit`` with the clock set to its submission date, then the review service
opens its round and records the committee's outcome (or the partner's withdrawal) on a later
date, so the report has months, decisions and waiting times to show. Deterministic: the same
``--seed`` gives the same requests.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# Not a regional organisation (it names a region, not a country) nor a joint request (it needs
# co-requesters): the samples keep to the schema example's shape. Governments twice: most are.
INSTITUTION_TYPES = (
    "national_government", "national_government", "local_authority", "ombudsperson",
    "parliament", "judiciary",
)  # fmt: skip
OUTCOMES = (
    ("approved", 10), ("rejected", 4), ("information_requested", 2), ("under_review", 4),
    ("submitted", 1), ("withdrawn", 1),
)  # fmt: skip


@dataclass(frozen=True)
class Sample:
    """One request to seed: where from, what about, when, and how it ends."""

    country: str
    institution_type: str
    pillar: str
    topic: str
    submitted_at: datetime
    outcome: str  # a status: approved, rejected, information_requested, under_review, ...
    decided_after: timedelta


@contextlib.contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """Make the services' one source of time say ``moment`` (as tests move it)."""
    from functions.domain import clock

    original = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = original


def samples(year: int, count: int, seed: int = 7, until: datetime | None = None) -> list[Sample]:
    """``count`` varied requests of ``year``, none submitted after ``until`` (default: now)."""
    from functions.domain.reference import reference_data

    reference = reference_data()
    rng = random.Random(seed)  # noqa: S311 (sample data, not secrets)
    countries = sorted(reference.countries)
    topics: dict[str, list[str]] = {}
    for topic, pillar in sorted(reference.topic_pillar.items()):
        topics.setdefault(pillar, []).append(topic)
    start = datetime(year, 1, 1, 9, tzinfo=UTC)
    end = min(datetime(year, 12, 31, 17, tzinfo=UTC), until or datetime.now(UTC))
    span = max((end - start).total_seconds(), 3600.0)
    outcomes = [name for name, weight in OUTCOMES for _ in range(weight)]
    found = []
    for _ in range(count):
        pillar = rng.choice(sorted(topics))
        submitted = start + timedelta(seconds=rng.uniform(0, span))
        outcome = rng.choice(outcomes)
        decided_after = timedelta(days=rng.uniform(4, 60))
        if outcome != "submitted" and submitted + decided_after > end:
            outcome = "under_review"  # a decision after "now" has not happened yet
        found.append(
            Sample(
                country=rng.choice(countries),
                institution_type=rng.choice(INSTITUTION_TYPES),
                pillar=pillar,
                topic=rng.choice(topics[pillar]),
                submitted_at=submitted,
                outcome=outcome,
                decided_after=decided_after,
            )
        )
    return sorted(found, key=lambda s: s.submitted_at)


def document(sample: Sample, number: int) -> dict[str, Any]:
    """A valid request document for one sample (the schema's example, varied)."""
    from functions.domain import schemas

    doc = schemas.example("request.schema.json")
    doc.pop("submission_id", None)
    doc["institution"].update(country=sample.country, type=sample.institution_type)
    doc["institution"]["name"] = f"Sample institution {number}"
    doc["contact"]["email"] = f"partner{number}@sample.example.org"
    doc["contact"]["name"] = f"Sample Partner {number}"
    doc["request"].update(pillar=sample.pillar, topics=[sample.topic])
    doc["request"]["title"] = f"Sample request {number}: {sample.topic.replace('_', ' ')}"
    return doc


def seed(found: list[Sample]) -> list[str]:
    """Submit and decide every sample through the services; the request ids, in order."""
    from functions.adapters.repository import repository
    from functions.domain.voting import Outcome
    from functions.services import intake, partner, review

    ids = []
    for number, sample in enumerate(found, start=1):
        with clock_at(sample.submitted_at):
            request_id = intake.submit(document(sample, number)).id
        ids.append(request_id)
        if sample.outcome == "submitted":
            continue
        with clock_at(sample.submitted_at + timedelta(minutes=5)):
            review.dispatch_review(request_id, 1)
        decided = sample.submitted_at + sample.decided_after
        with clock_at(decided):
            if sample.outcome == "withdrawn":
                partner.withdraw(request_id)
            elif sample.outcome != "under_review":
                outcome = Outcome(sample.outcome)
                request = review.load_request(request_id)
                review.conclude(request, 1, outcome, [], repository().members())
    return ids


def main(argv: list[str] | None = None) -> int:
    """Seed the stage named by the environment (or ``--env-file``)."""
    parser = argparse.ArgumentParser(prog="python -m infra.local.sample_data")
    parser.add_argument("--env-file", type=Path, help="the local stack's build/local/env.json")
    parser.add_argument("--year", type=int, default=datetime.now(UTC).year)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.env_file:
        import os

        os.environ.update(json.loads(args.env_file.read_text(encoding="utf-8")))
    from functions.runtime.settings import get_settings

    if not get_settings().is_local:
        print("sample data is for the local stage only", file=sys.stderr)
        return 2
    ids = seed(samples(args.year, args.count, args.seed))
    print(f"{len(ids)} sample requests of {args.year} submitted and decided")
    return 0


if __name__ == "__main__":
    sys.exit(main())
