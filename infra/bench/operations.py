"""The operations whose AWS calls are counted: each as the app runs it, against a moto stack.

Shared by ``make bench`` (figure 3) and tests/integration/test_budgets.py. Each entry of
:data:`OPERATIONS` prepares what the operation needs (a request submitted, a round opened, the
other votes cast: not counted) and returns the operation itself, which the caller counts.
Submit and the review page go through the Lambda entry point (``app.app``); the others through
the services the workers and the vote page call.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

REGION = "eu-west-1"

Operation = Callable[[], object]


def api_event(
    method: str, path: str, body: Any, parameters: dict[str, str] | None = None
) -> dict[str, Any]:
    """An API Gateway proxy event, as Lambda hands it to Chalice. ``path`` is the route
    (``/review/{token}``), ``parameters`` its path parameters; JSON ``body``, or None (a GET)."""
    concrete = path.format(**parameters) if parameters else path
    headers = {"content-type": "application/json"}
    return {
        "resource": path,
        "path": concrete,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "stage": "api",
            "identity": {"sourceIp": f"192.0.2.{uuid.uuid4().int % 250 + 1}"},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def example_request() -> dict[str, Any]:
    """The schema's own example: a valid request, with a new submission id."""
    from functions.domain import schemas

    example = schemas.example("request.schema.json")
    example["submission_id"] = str(uuid.uuid4())  # a new submission, not a replay
    return example


def submitted() -> str:
    """A valid submission through the Lambda entry point; its request id."""
    from app import app

    answer = app(api_event("POST", "/requests", example_request()), None)
    assert answer["statusCode"] == 201, answer
    return str(json.loads(answer["body"])["id"])


def _voters() -> list[str]:
    from functions.adapters.repository import repository

    return [member.member_id for member in repository().members() if member.votes]


def opened() -> str:
    """A request submitted and its first review round opened."""
    from functions.services.review import dispatch_review

    request_id = submitted()
    dispatch_review(request_id, 1)
    return request_id


def _vote(request_id: str, member_id: str) -> object:
    from functions.adapters import links
    from functions.domain.voting import Choice
    from functions.services.review import cast_vote

    return cast_vote(links.ReviewLink(request_id, member_id, 1), Choice.APPROVE, None)


QUESTION = "Which member states are involved?"
ANSWER = "France and Spain, with their labour inspectorates."


def _review_page(request_id: str, round_number: int, shows: tuple[str, ...] = ()) -> Operation:
    """GET of the first voter's review link for ``round_number``, through the Lambda entry point;
    the page must show each of ``shows``."""
    from app import app
    from functions.adapters import links

    token = links.review_token(links.ReviewLink(request_id, _voters()[0], round_number))

    def show() -> object:
        answer = app(api_event("GET", "/review/{token}", None, {"token": token}), None)
        assert answer["statusCode"] == 200, answer
        missing = [text for text in shows if text not in answer["body"]]
        assert not missing, missing
        return answer

    return show


def _mail(recipient: Callable[[], str], kind: str) -> Callable[[], Operation]:
    def prepare() -> Operation:
        from functions.domain.mail import MailKind, Notification, Recipient
        from functions.services.mail import deliver

        message = Notification(opened(), MailKind(kind), 1, Recipient.parse(recipient()))
        return lambda: deliver(message.as_message())

    return prepare


def _officer() -> str:
    from functions.adapters.repository import repository

    return f"officer:{repository().officers()[0].officer_id}"


def prepare_submit() -> Operation:
    """POST /requests, through the Lambda entry point."""
    return submitted


def prepare_dispatch() -> Operation:
    """The review worker opens round 1 of a new request."""
    from functions.services.review import dispatch_review

    request_id = submitted()
    return lambda: dispatch_review(request_id, 1)


def prepare_vote() -> Operation:
    """The first vote of a round: recorded, the round not decided yet."""
    request_id = opened()
    first = _voters()[0]
    return lambda: _vote(request_id, first)


def prepare_decision() -> Operation:
    """The last vote of a round (unanimous rule): recorded, and it decides."""
    request_id = opened()
    *others, last = _voters()
    for member_id in others:
        _vote(request_id, member_id)
    return lambda: _vote(request_id, last)


def prepare_review_page_round_1() -> Operation:
    """A member opens the review link of round 1 (no conversation yet)."""
    return _review_page(opened(), 1)


def prepare_review_page_round_2() -> Operation:
    """A member opens the review link of round 2: a member asked a question in round 1, the
    partner answered it and corrected a field; the page shows that conversation."""
    from functions.adapters import links
    from functions.domain.voting import Choice
    from functions.services.partner import answer_question
    from functions.services.review import cast_vote, dispatch_review

    request_id = opened()
    link = links.ReviewLink(request_id, _voters()[0], 1)
    cast_vote(link, Choice.MORE_INFORMATION, QUESTION)
    corrected = "Design, test and adopt the referral mechanism."
    answer_question(request_id, ANSWER, {"objectives": corrected})
    dispatch_review(request_id, 2)
    return _review_page(request_id, 2, (QUESTION, ANSWER, corrected))


# Name -> how to prepare it; the returned callable is the operation that is counted.
OPERATIONS: dict[str, Callable[[], Operation]] = {
    "submit": prepare_submit,
    "dispatch": prepare_dispatch,
    "mail to the partner": _mail(lambda: "partner", "receipt"),
    "mail to a member": _mail(lambda: f"member:{_voters()[0]}", "review_request"),
    "mail to an officer": _mail(_officer, "decision_officer"),
    "vote": prepare_vote,
    "decision": prepare_decision,
    "review page, round 1": prepare_review_page_round_1,
    "review page, round 2": prepare_review_page_round_2,
}


def seed() -> None:
    """The local stage's demo committee (three voters, an observer, Project Officers)."""
    from functions.services.committee import seed_demo
    from infra.local.seed import demo_committee

    seed_demo(demo_committee())
