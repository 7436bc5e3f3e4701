"""Domain errors as HTTP answers: the one place that knows their statuses, pages and JSON shape.

:data:`ANSWERS` gives each family of ``functions.domain.errors`` its status, the kind of
``pages/error.html`` a person sees, and the English message a JSON client reads. A class is
looked up along its MRO, so a subclass answers like its family unless it has its own line.
:func:`json_error` and :func:`error_page` are the only two ways an error is answered; both add
``Retry-After`` when trying again later can help (:class:`Unavailable`, :class:`RateLimited`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalice.app import Response

from functions.domain.errors import (
    AlreadySent,
    AlreadyVoted,
    BodyTooLarge,
    Conflict,
    DelegationEnded,
    DomainError,
    DraftExpired,
    DraftGone,
    FieldError,
    Forbidden,
    InvalidCursor,
    InvalidRequest,
    LinkError,
    LinkExpired,
    LinkWrongPurpose,
    NotAVoter,
    NotFound,
    NotSignedIn,
    PasswordRejected,
    RateLimited,
    SignInRefused,
    SubmissionConflict,
    Unavailable,
    UnreadableBody,
    UnsupportedMediaType,
    WrongRole,
)
from functions.domain.validation import field_title
from functions.presentation.messages import message_for
from functions.web.pages import page
from functions.web.responses import json_response

RETRY_AFTER_SECONDS = 30  # after a dependency failed: long enough for a throttle to pass
UNAVAILABLE = "The service is unavailable for a moment. Nothing was saved; try again."


@dataclass(frozen=True)
class Answer:
    """How one family of errors is answered."""

    status: int
    page: str  # the ``kind`` of pages/error.html
    message: str  # for JSON clients, in English (pages are translated)
    path: str = ""  # the JSON pointer the error is about, when it is one field


ANSWERS: dict[type[DomainError], Answer] = {
    # What was sent (the form answers InvalidRequest with the form and its errors, not this page).
    InvalidRequest: Answer(422, "bad_form", "The document breaks the schema's rules."),
    UnreadableBody: Answer(400, "bad_form", "The body cannot be read."),
    UnsupportedMediaType: Answer(415, "bad_form", "Send the body as JSON or form-encoded."),
    BodyTooLarge: Answer(413, "bad_form", "The body is too large."),
    InvalidCursor: Answer(400, "invalid", "This page's continuation is not valid."),
    # Signed links.
    LinkError: Answer(400, "invalid", "This link is not valid."),
    LinkExpired: Answer(410, "expired", "This link has expired."),
    LinkWrongPurpose: Answer(403, "wrong_purpose", "This link is not meant for this page."),
    DraftExpired: Answer(410, "draft_expired", "This saved form has expired and was deleted."),
    DraftGone: Answer(
        410, "draft_expired", "This saved form is no longer kept (sent, expired or deleted)."
    ),
    # Who may act.
    Forbidden: Answer(403, "forbidden", "The anti-forgery check failed; nothing was changed."),
    NotAVoter: Answer(403, "not_a_voter", "This member does not vote."),
    DelegationEnded: Answer(
        403, "delegation_ended", "The delegation this link was sent under has ended."
    ),
    # The staff workspace (its pages answer most of these on the sign-in page itself).
    NotSignedIn: Answer(401, "not_signed_in", "Sign in to the staff workspace first."),
    SignInRefused: Answer(401, "sign_in_refused", "The sign-in was refused."),
    PasswordRejected: Answer(422, "bad_form", "The password does not meet the policy."),
    WrongRole: Answer(403, "wrong_role", "Your role does not allow this; nothing was changed."),
    RateLimited: Answer(
        429, "rate_limited", "Too many requests from this address; try again later."
    ),
    # The state of things. The review and status pages show a closed round (RoundClosed) and a
    # step the status refuses (TransitionNotAllowed) on their own page; elsewhere the family's
    # shared page says that nothing new was saved.
    NotFound: Answer(404, "not_found", "No such request."),
    Conflict: Answer(409, "already_sent", "This conflicts with what is stored; nothing was saved."),
    SubmissionConflict: Answer(
        409,
        "already_sent",
        "This submission_id was already used for a different request.",
        "/submission_id",
    ),
    AlreadyVoted: Answer(409, "already_voted", "This vote is recorded already."),
    AlreadySent: Answer(409, "already_sent", "This form was already sent with other answers."),
    # The platform.
    Unavailable: Answer(503, "unavailable", UNAVAILABLE),
}


def answer_for(kind: type[DomainError]) -> Answer:
    """The answer for an error class: its own line, else its nearest family's (by MRO)."""
    for cls in kind.__mro__:
        if cls in ANSWERS:
            return ANSWERS[cls]
    raise LookupError(f"no HTTP answer for {kind.__name__}: add its family to web/errors.py")


def status_of(error: DomainError) -> int:
    """The HTTP status ``error`` is answered with."""
    return answer_for(type(error)).status


def _retry_after(error: DomainError) -> dict[str, str]:
    if isinstance(error, RateLimited):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unavailable):
        return {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return {}


def field_errors_body(
    errors: list[FieldError], schema: str = "request.schema.json"
) -> dict[str, Any]:
    """``{"errors": [{"path", "code", "message"}]}``; limits are kept for clients that want them."""
    return {
        "errors": [
            {
                "path": error.path,
                "code": error.code,
                "message": message_for(error, lambda path: field_title(path, schema)),
                **({"params": error.params} if error.params else {}),
            }
            for error in errors
        ]
    }


def error_body(error: DomainError) -> dict[str, Any]:
    """The JSON body for ``error``: the same shape as validation errors, one entry."""
    if isinstance(error, InvalidRequest):
        return field_errors_body(error.errors, error.schema)
    answer = answer_for(type(error))
    # An unreadable body says what was wrong with it (the limit, the media types accepted).
    message = error.message if isinstance(error, UnreadableBody) and error.message else ""
    entry = {"path": answer.path, "code": error.code, "message": message or answer.message}
    return {"errors": [entry]}


def json_error(error: DomainError) -> Response:
    """The JSON answer for ``error``: its status, ``{"errors": [...]}``, ``Retry-After``."""
    return json_response(error_body(error), status_of(error), _retry_after(error))


def error_page(error: DomainError, language: str, **context: Any) -> Response:
    """The shared error page for ``error``, in the reader's language, with its status."""
    answer = answer_for(type(error))
    headers = {**_retry_after(error), **context.pop("headers", {})}
    if isinstance(error, RateLimited):
        context.setdefault("minutes", max(1, (error.retry_after + 59) // 60))
    return page("error.html", language, answer.status, kind=answer.page, headers=headers, **context)
