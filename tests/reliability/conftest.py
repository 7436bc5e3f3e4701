"""Reliability tests: one Hypothesis profile, reproducible in CI (derandomized, no database)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

# derandomize: the same examples on every run and every machine, so a CI failure reproduces
# with the same command; the counts in docs/reliability.md are these runs' counts.
settings.register_profile(
    "reliability",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    # hypothesis-jsonschema draws the schema's if/then/else branches by filtering; the
    # function-scoped moto stack is shared by the examples of one test on purpose.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
settings.load_profile("reliability")
