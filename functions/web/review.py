"""The committee's review pages. GET shows and changes nothing (mail scanners fetch links);
only a POST with the anti-forgery token, from a button a person pressed, records a vote."""

from __future__ import annotations

import hashlib
from typing import Any

from chalice.app import Blueprint, Response

from functions.adapters import links
from functions.domain.errors import AlreadyVoted, NotAVoter, RoundClosed
from functions.domain.requests import FINAL, Status
from functions.domain.voting import Choice, Outcome
from functions.web import csrf
from functions.web.failures import guarded, page_unavailable
from functions.web.inputs import form_fields
from functions.web.pages import error_page, language_of, page
from functions.web.problems import PROBLEMS, problem_page

review = Blueprint(__name__)

COMMENT_LIMIT = 3000


def _scope(token: str) -> str:
    return "review:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _read_link(token: str) -> links.ReviewLink:
    return links.read_review_token(token)


def _state(link: links.ReviewLink) -> tuple[Any, dict[str, Any] | None, str | None]:
    """The request's view, this member's vote in the round (if any), and why voting is closed."""
    # Imported on use: the review service (committee, voting, mail notifications) serves
    # these pages only, and a module-level import would add it to every cold start of the
    # API Lambda, whose first request is most often a submission.
    from functions.services import review as service
    from functions.services.partner import status_view

    view = status_view(link.request_id)
    votes = service.round_votes(link.request_id, link.round)
    mine = votes.get(link.member_id)
    vote = {"choice": mine.choice, "comment": mine.comment, "at": mine.at} if mine else None
    closed = None
    if Status(view.status) in FINAL:
        closed = "decided"
    elif view.round != link.round:
        closed = "round_over"
    elif view.status != Status.UNDER_REVIEW:
        closed = "paused"
    return view, vote, closed


def _review_page(
    token: str, link: links.ReviewLink, language: str, status: int = 200, **extra: Any
) -> Response:
    from functions.services import review as service  # on use: see _state

    view, vote, closed = _state(link)
    member = service.voter(link)
    form_token, cookie = csrf.issue(review.current_request, _scope(token))
    response = page(
        "review.html",
        language,
        status,
        view=view,
        member=member,
        vote=vote,
        closed=closed,
        csrf_token=form_token,
        action=f"/review/{token}",
        here=f"/review/{token}",
        choices=[c.value for c in Choice],
        errors=extra.pop("errors", []),
        values=extra.pop("values", {}),
        **extra,
    )
    response.headers.update(cookie)
    return response


@review.route("/review/{token}", methods=["GET", "HEAD"])
@guarded(page_unavailable)
def show_review(token: str) -> Response:
    """The request and the three choices. Reads only: a scanner's GET or HEAD changes nothing."""

    language = language_of(review.current_request)
    try:
        link = _read_link(token)
        return _review_page(token, link, language)
    except PROBLEMS as error:
        return problem_page(error, language, f"/review/{token}")
    except NotAVoter:
        return error_page("not_a_voter", language, 403, here=f"/review/{token}")


def _validate_vote(fields: dict[str, str]) -> tuple[Choice | None, str, list[dict[str, str]]]:
    errors: list[dict[str, str]] = []
    raw = fields.get("choice", "")
    choice = Choice(raw) if raw in {c.value for c in Choice} else None
    comment = fields.get("comment", "").strip()
    if choice is None:
        errors.append({"field": "choice", "code": "choose"})
    elif choice is not Choice.APPROVE and not comment:
        errors.append({"field": "comment", "code": f"{choice.value}_needs_text"})
    if len(comment) > COMMENT_LIMIT:
        errors.append({"field": "comment", "code": "too_long"})
    return choice, comment, errors


@review.route("/review/{token}", methods=["POST"], content_types=[])
@guarded(page_unavailable)
def cast_vote(token: str) -> Response:
    """Record the vote of the member the link belongs to, once per round."""
    from functions.services import review as service  # on use: see _state
    from functions.services.partner import status_view

    request = review.current_request
    language = language_of(request)
    try:
        link = _read_link(token)
        fields = form_fields(request)
        csrf.verify(request, _scope(token), fields.get(csrf.FIELD))
        choice, comment, errors = _validate_vote(fields)
        if errors or choice is None:
            return _review_page(token, link, language, 422, errors=errors, values=fields)
        result = service.cast_vote(link, choice, comment or None)
    except PROBLEMS as error:
        return problem_page(error, language, f"/review/{token}")
    except AlreadyVoted:
        return _review_page(token, link, language, 409, already_voted=True)
    except RoundClosed:
        return _review_page(token, link, language, 409)
    except NotAVoter:
        return error_page("not_a_voter", language, 403, here=f"/review/{token}")
    decided = result.outcome is not Outcome.PENDING
    return page(
        "vote_recorded.html",
        language,
        200,
        choice=result.choice.value,
        outcome=result.outcome.value if decided else None,
        reference=status_view(link.request_id).reference,
        here=f"/review/{token}",
    )
