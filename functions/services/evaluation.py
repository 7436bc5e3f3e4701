"""The evaluation after an activity: the links, the answers, and the figures per activity and
per Action (what the workspace shows, and ``ops evaluation`` prints).

The host institution's contact (the partner) and each deployed expert get a personal link: one
answer each, by a conditional write. The participants share one link per activity (shown in the
room as a QR code): anonymous answers, up to ``ROOM_CAP`` per activity. Answers are kept in the
request's partition with the request's expiry, so they go when the request goes.
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from functions.adapters import links
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.errors import (
    AlreadyEvaluated,
    EvaluationClosed,
    EvaluationFull,
    InvalidRequest,
    NotFound,
)
from functions.domain.evaluation import (
    HOST,
    ROOM_CAP,
    ROOM_PREFIX,
    Figures,
    answer_errors,
    answer_of,
    expert,
    figures,
)
from functions.domain.outcome import DONE
from functions.domain.records import EvaluationAnswer


class Evaluated(NamedTuple):
    """The activity a link is about, as its form shows it; ``answered`` for a personal link
    whose answer is recorded already."""

    request_id: str
    reference: str
    action_title: str
    activity: int
    activity_title: str
    activity_type: str
    starts_on: str
    ends_on: str
    place: dict[str, str]
    answered: bool


def host_link(request_id: str, activity: int) -> links.EvaluationLink:
    """The personal link of the host institution's contact (the request's partner)."""
    return links.EvaluationLink(request_id, activity, HOST)


def expert_link(request_id: str, activity: int, expert_id: str) -> links.EvaluationLink:
    """The personal link of one deployed expert (sent once experts are deployed: issue 18)."""
    return links.EvaluationLink(request_id, activity, expert(expert_id))


def room_link(request_id: str, activity: int) -> links.EvaluationLink:
    """The participants' shared link of one activity."""
    return links.EvaluationLink(request_id, activity, "")


def evaluated(link: links.EvaluationLink) -> Evaluated:
    """What a link's form is about. Raises :class:`NotFound` for a request (or activity) that
    is gone and :class:`EvaluationClosed` for an activity that is not done."""
    store = repository()
    found = store.partition(link.request_id)
    if found.request is None or found.action is None:
        raise NotFound(link.request_id)
    activities = found.action.plan["activities"]
    if link.activity > len(activities):
        raise NotFound(link.request_id)
    activity = activities[link.activity - 1]
    if activity.get("status") != DONE:
        raise EvaluationClosed(f"activity {link.activity} is not done")
    answered = not link.shared and (
        store.get_evaluation(link.request_id, link.activity, link.respondent) is not None
    )
    return Evaluated(
        link.request_id,
        found.request.reference,
        found.action.title,
        link.activity,
        str(activity["title"]),
        str(activity["type"]),
        str(activity["starts_on"]),
        str(activity["ends_on"]),
        dict(activity["place"]),
        answered,
    )


def submit(link: links.EvaluationLink, document: Any, language: str) -> EvaluationAnswer:
    """Record one answer. Raises :class:`InvalidRequest` (every error, nothing written),
    :class:`EvaluationClosed`, :class:`AlreadyEvaluated` (a personal link answered before) or
    :class:`EvaluationFull` (the shared link's cap is reached)."""
    errors = answer_errors(document)
    if errors:
        raise InvalidRequest(errors)
    about = evaluated(link)
    request = repository().get_request(link.request_id)
    if request is None:
        raise NotFound(link.request_id)
    respondent = link.respondent or f"{ROOM_PREFIX}{secrets.token_hex(8)}"
    answer = answer_of(
        document,
        link.request_id,
        about.activity,
        respondent,
        clock.iso(clock.now()),
        language,
        request.expires_at,
    )
    if link.shared:
        if not repository().save_room_evaluation(answer, ROOM_CAP):
            raise EvaluationFull(f"activity {about.activity} has its {ROOM_CAP} answers")
    elif not repository().save_evaluation(answer):
        raise AlreadyEvaluated(f"activity {about.activity}")
    return answer


class ActionFigures(NamedTuple):
    """An Action's evaluation figures: per activity (by number) and for the whole Action."""

    activities: dict[int, Figures]
    action: Figures

    def as_json(self) -> dict[str, Any]:
        """The figures as JSON (the CLI's, the workspace's)."""
        return {
            "action": self.action.as_json(),
            "activities": {str(n): f.as_json() for n, f in self.activities.items()},
        }


def action_figures(request_id: str) -> ActionFigures:
    """The evaluation figures of a request's Action: one Query of its answers."""
    return figures_of(repository().evaluations(request_id))


def action_answers(request_id: str) -> tuple[ActionFigures, list[EvaluationAnswer]]:
    """The figures, and the answers themselves in order (the workspace lists the comments):
    the same one Query."""
    answers = sorted(repository().evaluations(request_id), key=lambda a: (a.activity, a.at))
    return figures_of(answers), answers


def figures_of(answers: list[EvaluationAnswer]) -> ActionFigures:
    """The figures of an Action's answers, per activity and for the Action."""
    numbers = sorted({a.activity for a in answers})
    per_activity = {n: figures(a for a in answers if a.activity == n) for n in numbers}
    return ActionFigures(per_activity, figures(answers))
