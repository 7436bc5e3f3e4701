"""The evaluation after an activity: who may answer, what an answer must hold, and the figures.

Three kinds of respondent (``EvaluationAnswer.respondent``): the host institution's contact and
each deployed expert answer by a personal link, once each (the store's conditional write); the
participants answer by the activity's shared link, anonymously, up to a cap per activity (so a
link passed round or a script cannot fill the figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from statistics import mean
from typing import Any, NamedTuple

from functions.domain import schemas, text
from functions.domain.bounds import bound
from functions.domain.errors import FieldError
from functions.domain.records import EvaluationAnswer

SCHEMA = "evaluation.schema.json"
HOST = "host"
EXPERT_PREFIX = "expert:"
ROOM_PREFIX = "room:"
# Anonymous answers one activity's shared link takes: a large room, with room to spare.
ROOM_CAP = 300
CHANGE_ANSWERS = ("yes", "partly", "no")

_CODES = {
    "required": "required",
    "enum": "enum",
    "type": "type",
    "maxLength": "too_long",
    "pattern": "invalid_character",
    "additionalProperties": "unknown_field",
}


def expert(expert_id: str) -> str:
    """The respondent id of a deployed expert."""
    return f"{EXPERT_PREFIX}{expert_id}"


def role_of(respondent: str) -> str:
    """``host``, ``expert`` or ``participant``."""
    if respondent == HOST:
        return "host"
    return "expert" if respondent.startswith(EXPERT_PREFIX) else "participant"


def answer_errors(document: Any) -> list[FieldError]:
    """Every problem of a posted evaluation, one per field, at the field (bounded first, so a
    hostile document costs what its limits allow, never more)."""
    schema = schemas.load(SCHEMA)
    bounded, refusals = bound(document, schema)
    found: dict[str, FieldError] = {}
    for refusal in refusals:
        path = "/" + "/".join(map(str, refusal.path))
        found.setdefault(path, FieldError(path, _CODES.get(refusal.keyword, refusal.keyword)))
    if found:
        return list(found.values())
    for error in schemas.validator(SCHEMA).iter_errors(bounded):
        parts = [str(p) for p in error.absolute_path]
        keyword = str(error.validator)
        if keyword == "required" and "'" in error.message:
            parts.append(error.message.split("'")[1])
        elif keyword == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            parts.append(sorted(set(error.instance) - known)[0])
        path = "/" + "/".join(parts)
        params = {"limit": error.validator_value} if keyword.startswith("max") else {}
        found.setdefault(path, FieldError(path, _CODES.get(keyword, keyword), params))
    answers = bounded.get("evaluation") if isinstance(bounded, dict) else None
    for name in ("most_useful", "comment"):
        value = answers.get(name) if isinstance(answers, dict) else None
        path = f"/evaluation/{name}"
        if isinstance(value, str) and path not in found and text.problem(value, multiline=True):
            found[path] = FieldError(path, "invalid_character")
    return sorted(found.values(), key=lambda e: _ORDER.index(e.path) if e.path in _ORDER else 99)


_ORDER = [f"/evaluation/{n}" for n in ("satisfaction", "changes_work", "most_useful", "comment")]


def answer_of(
    document: Mapping[str, Any],
    request_id: str,
    activity: int,
    respondent: str,
    at: str,
    language: str,
    expires_at: int | None,
) -> EvaluationAnswer:
    """The answer a valid document gives (texts normalised; empty ones left out)."""
    answers = document["evaluation"]

    def written(name: str) -> str | None:
        value = text.normalised(str(answers.get(name, ""))).strip()
        return value or None

    return EvaluationAnswer(
        request_id,
        activity,
        respondent,
        int(answers["satisfaction"]),
        str(answers["changes_work"]),
        at,
        language,
        written("most_useful"),
        written("comment"),
        expires_at,
    )


class Figures(NamedTuple):
    """What a set of answers says: how many, mean satisfaction, the scale, the change shares."""

    answers: int
    satisfaction_mean: float | None  # None without answers
    satisfaction: dict[int, int]  # 5 to 1: how many gave each
    changes_work: dict[str, int]  # yes, partly, no
    by_role: dict[str, int]  # host, expert, participant

    @property
    def changes_share(self) -> float | None:
        """The share who said it will change how they work (yes or partly), 0 to 1."""
        if not self.answers:
            return None
        return (self.changes_work["yes"] + self.changes_work["partly"]) / self.answers

    def as_json(self) -> dict[str, Any]:
        """The figures as the workspace and the CLI's JSON show them."""
        return {
            "answers": self.answers,
            "satisfaction_mean": None
            if self.satisfaction_mean is None
            else round(self.satisfaction_mean, 2),
            "satisfaction": {str(k): v for k, v in self.satisfaction.items()},
            "changes_work": dict(self.changes_work),
            "changes_share": None if self.changes_share is None else round(self.changes_share, 3),
            "by_role": dict(self.by_role),
        }


def figures(answers: Iterable[EvaluationAnswer]) -> Figures:
    """The figures of some answers (one activity's, an Action's, a year's)."""
    found = list(answers)
    scale = {score: 0 for score in (5, 4, 3, 2, 1)}
    changes = dict.fromkeys(CHANGE_ANSWERS, 0)
    roles = {"host": 0, "expert": 0, "participant": 0}
    for answer in found:
        scale[answer.satisfaction] += 1
        changes[answer.changes_work] += 1
        roles[role_of(answer.respondent)] += 1
    average = mean(a.satisfaction for a in found) if found else None
    return Figures(len(found), average, scale, changes, roles)
