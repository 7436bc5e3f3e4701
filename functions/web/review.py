"""The committee's review pages. GET shows and changes nothing (mail scanners fetch links);
only a POST with the anti-forgery token, from a button a person pressed, records a vote."""

from __future__ import annotations

import hashlib
from typing import Any

from chalice.app import Blueprint, Response

from functions.adapters import links
from functions.domain.errors import AlreadyVoted, DomainError, InvalidRequest, RoundClosed
from functions.domain.ratelimit import Window
from functions.domain.voting import Choice, Outcome, read_ballot, why_closed
from functions.runtime import metrics
from functions.web import csrf
from functions.web.errors import error_page, status_of
from functions.web.failures import guarded
from functions.web.guard import state_change
from functions.web.inputs import form_fields
from functions.web.pages import language_of, page

review = Blueprint(__name__)


def _scope(token: str) -> str:
    return "review:" + hashlib.sha256(token.encode("utf-8")).hexdigest()


def _problem(error: DomainError) -> Response:
    """The shared error page, in the reader's language (a review page has no JSON)."""
    request = review.current_request
    token = str((request.uri_params or {}).get("token", ""))
    return error_page(error, language_of(request), here=f"/review/{token}")


def _reading(state: Any, view: Any, language: str) -> dict[str, Any]:
    """What the page shows to decide on: the whole request read from the schema, the country's
    instruments and the conversation with the partner so far."""
    from functions.domain.reference import reference_data
    from functions.presentation.formspec import request_form
    from functions.presentation.readout import field_titles, read_request

    spec = request_form()
    country = reference_data().countries.get(view.document["institution"].get("country") or "")
    return {
        "parts": read_request(spec, view.document, language),
        "instruments": country.instruments if country else (),
        "conversation": state.conversation,
        "field_titles": {k.partition(".")[2]: v for k, v in field_titles(spec).items()},
    }


def _review_page(
    token: str, link: links.ReviewLink, language: str, status: int = 200, **extra: Any
) -> Response:
    # Imported on use: the review service (committee, voting, mail notifications) serves
    # these pages only, and a module-level import would add it to every cold start of the
    # API Lambda, whose first request is most often a submission.
    from functions.services import review as service
    from functions.services.partner import view_of

    # Two reads for the whole page: the request's partition and the committee. The member is
    # checked against that committee: a delegate's link whose delegation ended is refused here.
    state = service.review_state(link)
    view = view_of(link.request_id, state.partition)
    mine = state.votes.get(link.member_id)
    vote = {"choice": mine.choice, "comment": mine.comment, "at": mine.at} if mine else None
    form_token, cookie = csrf.issue(review.current_request, _scope(token))
    response = page(
        "review.html",
        language,
        status,
        view=view,
        member=state.member,
        delegation=service.delegation_of(link, state.member),
        vote=vote,
        closed=why_closed(view.status, view.round, link.round),
        progress=service.round_progress(state.votes, state.members),
        **_reading(state, view, language),
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
@guarded(_problem)
def show_review(token: str) -> Response:
    """The request and the three choices. Reads only: a scanner's GET or HEAD changes nothing."""
    link = links.read_review_token(token)
    return _review_page(token, link, language_of(review.current_request))


@review.route("/review/{token}", methods=["POST"], content_types=[])
@guarded(_problem, refused="VotesRefused")
def cast_vote(token: str) -> Response:
    """Record the vote of the member the link belongs to, once per round."""
    from functions.services import review as service  # on use: see _review_page
    from functions.services.partner import status_view

    request = review.current_request
    state_change(request, Window.VOTE)  # another site's request is refused first
    language = language_of(request)
    link = links.read_review_token(token)
    fields = form_fields(request)
    csrf.verify(request, _scope(token), fields.get(csrf.FIELD))
    try:
        ballot = read_ballot(fields.get("choice", ""), fields.get("comment", ""))
        result = service.cast_vote(link, ballot.choice, ballot.comment)
    except InvalidRequest as error:
        metrics.emit("VotesRefused", code=error.code)
        errors = [{"field": e.path.lstrip("/"), "code": e.code} for e in error.errors]
        status = status_of(error)
        return _review_page(token, link, language, status, errors=errors, values=fields)
    except AlreadyVoted as error:
        metrics.emit("VotesRefused", code=error.code)
        return _review_page(token, link, language, status_of(error), already_voted=True)
    except RoundClosed as error:  # the page says why: decided, a later round, or paused
        metrics.emit("VotesRefused", code=error.code)
        return _review_page(token, link, language, status_of(error))
    view = status_view(link.request_id)  # one Query: the reference, and what is decided now
    # The decision is made once: the vote whose call made it says so; any other vote says what
    # the committee has decided, read from the request (the stored decision is the truth).
    if result.decided:
        outcome: str | None = result.outcome.value
    elif view.status in _DECISIONS:
        outcome = view.status
    else:
        outcome = None if result.outcome is Outcome.PENDING else result.outcome.value
    return page(
        "vote_recorded.html",
        language,
        200,
        choice=result.choice.value,
        outcome=outcome,
        decided_by_this_vote=result.decided,
        reference=view.reference,
        here=f"/review/{token}",
    )


_DECISIONS = frozenset(o.value for o in Outcome if o is not Outcome.PENDING)
