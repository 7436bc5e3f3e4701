"""What a done activity produced (an activity's ``outcome``, schemas/action.schema.json): the rules
the schema cannot say, and the figures the report and the public pages count from it.

The schema checks each number and text; these rules check the numbers against each other and
against the activity, so a plan with an outcome on a planned activity, or participants by
institution that do not add up to the participants by sex, is refused with the field to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from functions.domain import text
from functions.domain.errors import FieldError
from functions.domain.reference import PARTICIPANT_SEXES

DONE = "done"


def participants_total(outcome: Mapping[str, Any]) -> int:
    """How many people took part (women, men and the others or not stated)."""
    people = outcome.get("participants", {})
    return sum(int(people.get(sex, 0)) for sex in PARTICIPANT_SEXES)


def outcome_errors(activity: Mapping[str, Any], index: int) -> list[str]:
    """The problems of one activity's outcome (``index`` from 0), as ``/pointer: message``."""
    outcome = activity.get("outcome")
    if outcome is None:
        return []
    where = f"/activities/{index}/outcome"
    errors: list[str] = []
    if activity.get("status", "planned") != DONE:
        errors.append(f"{where}: only a done activity has an outcome (activity {index + 1} is not)")
    by_institution = outcome["participants"].get("by_institution") or {}
    if by_institution:
        counted = sum(int(n) for n in by_institution.values())
        total = participants_total(outcome)
        if counted != total:
            errors.append(
                f"{where}/participants/by_institution: {counted} participants by institution,"
                f" {total} by sex: the two must count the same people"
            )
    titles = [d["title"].strip().casefold() for d in outcome.get("deliverables", [])]
    for number, title in enumerate(titles):
        if title in titles[:number]:
            errors.append(f"{where}/deliverables/{number}/title: listed twice")
    return errors


def done_outcomes(activities: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The outcomes recorded for the done activities of a plan."""
    return [a["outcome"] for a in activities if a.get("status") == DONE and "outcome" in a]


SCHEMA = "action.schema.json#/$defs/outcome"


def outcome_field_errors(document: Any) -> list[FieldError]:
    """Every problem of an outcome posted from the workspace's form, each at its field (the
    schema's, bounded first; then the rules above, on the fields the schema accepted)."""
    from functions.domain.validation import schema_errors

    errors = schema_errors(document, SCHEMA)
    if errors or not isinstance(document, dict):
        return errors
    narrative = document.get("narrative")
    problem = text.problem(narrative, multiline=True) if isinstance(narrative, str) else None
    if problem:
        errors.append(FieldError("/narrative", problem))
    for message in outcome_errors({"status": DONE, "outcome": document}, 0):
        where, _, _ = message.partition(":")
        path = where.removeprefix("/activities/0/outcome")
        if path.endswith("/by_institution"):
            errors.append(FieldError(path, "participants_mismatch"))
        elif path.startswith("/deliverables/"):
            errors.append(FieldError(path, "listed_twice"))
    return errors
