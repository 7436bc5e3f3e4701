"""Every error the service raises on purpose: one taxonomy, mapped to HTTP once (web/errors.py).

Services, adapters and the domain raise these; none of them knows an HTTP status. Each class
has a ``code``: the machine code an API answer carries and the kind of error page a person sees.
Subclasses refine a family (an expired link is an invalid link), so a mapping that knows the
family answers for a new member of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one field: where (JSON pointer), what (machine code), and its limits."""

    path: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class DomainError(Exception):
    """Base of every error the service raises on purpose."""

    code = "error"


# --- what was sent ---


class InvalidRequest(DomainError):
    """The document breaks the schema or the eligibility rules: every problem, at its field."""

    code = "invalid"

    def __init__(self, errors: list[FieldError], schema: str = "request.schema.json") -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors
        self.schema = schema  # the schema whose titles name the fields in messages


class InvalidCursor(DomainError):
    """A page's continuation that is not one this service made (altered, or another list's)."""

    code = "invalid_cursor"


class UnreadableBody(DomainError):
    """The body cannot be read at all: its ``code`` says why (see the subclasses)."""

    code = "bad_form"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.code)
        self.message = message


class UnsupportedMediaType(UnreadableBody):
    """Neither of the media types the route accepts."""

    code = "unsupported_media_type"


class BodyTooLarge(UnreadableBody):
    """Over the body size limit."""

    code = "too_large"


class BadEncoding(UnreadableBody):
    """Not UTF-8."""

    code = "bad_encoding"


class MalformedJson(UnreadableBody):
    """Not JSON."""

    code = "malformed_json"


# --- signed links ---


class LinkError(DomainError):
    """A signed link that was altered or cut short (raised by adapters/links.py)."""

    code = "invalid"


class LinkExpired(LinkError):
    """A signed link past its age."""

    code = "expired"


class LinkWrongPurpose(LinkError):
    """A signed link of another kind, or for another request."""

    code = "wrong_purpose"


# --- who may act ---


class Forbidden(DomainError):
    """The action is refused to this caller (the anti-forgery check failed, for one)."""

    code = "forbidden"


class NotAVoter(Forbidden):
    """The member behind a review link no longer votes."""

    code = "not_a_voter"


class DelegationEnded(Forbidden):
    """A delegate's review link after the delegation it was sent under ended (or was replaced):
    the delegate no longer votes for the member; the member's own link still does."""

    code = "delegation_ended"


class NotSignedIn(DomainError):
    """A staff page without a valid session (none, expired and not renewable, or altered): the
    workspace answers with the sign-in page."""

    code = "not_signed_in"


class SignInRefused(Forbidden):
    """The user pool refused a sign-in step: wrong name or password, wrong code, a challenge
    that expired. Deliberately one error: it never says which part was wrong."""

    code = "sign_in_refused"


class PasswordRejected(DomainError):
    """A new password the user pool's password policy refuses."""

    code = "password_rejected"


class WrongRole(Forbidden):
    """Signed in, but the staff member's roles do not allow this page or this change."""

    code = "wrong_role"


class RateLimited(DomainError):
    """Too many state-changing requests (submissions, votes, answers, withdrawals) from one
    address this hour; ``retry_after`` in seconds."""

    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


# --- the state of things ---


class NotFound(DomainError):
    """No such request (or it has been erased, or it expired)."""

    code = "not_found"


class DraftExpired(LinkExpired):
    """A saved draft's link past its age: the draft was deleted with it (issue 20)."""

    code = "draft_expired"


class DraftGone(NotFound):
    """A saved draft that is no longer kept: sent as a request, erased, or past its time."""

    code = "draft_gone"


class Conflict(DomainError):
    """A conditional write lost: the item exists or changed in the meantime."""

    code = "conflict"


class SubmissionConflict(Conflict):
    """The same ``submission_id`` came back with a different document."""

    code = "submission_conflict"


class AlreadyVoted(Conflict):
    """This member's vote in this round is recorded already."""

    code = "already_voted"


class RoundClosed(Conflict):
    """The review round is no longer open: decided, paused for information, or a later round."""

    code = "closed"


class AlreadySent(Conflict):
    """A form sent once is sent again with other answers."""

    code = "already_sent"


class AlreadyEvaluated(Conflict):
    """This personal evaluation link has been answered already (one answer each)."""

    code = "already_evaluated"


class EvaluationFull(Conflict):
    """The activity's shared evaluation link has taken all the answers it takes."""

    code = "evaluation_full"


class EvaluationClosed(Conflict):
    """The activity is not (or no longer) done: there is nothing to evaluate."""

    code = "evaluation_closed"


class TransitionNotAllowed(Conflict):
    """The request's status does not allow this step (the domain's transition table refuses it).

    ``target`` may be left out where the step has no single target status (a withdrawal)."""

    code = "transition_not_allowed"

    def __init__(self, current: str, target: str = "") -> None:
        super().__init__(f"{current} -> {target}" if target else current)
        self.current = current
        self.target = target


# --- the platform ---


class Unavailable(DomainError):
    """A dependency (DynamoDB, SQS, SES, the key store) failed; nothing was half-done and the
    caller may try again. Adapters raise it with the original error as ``__cause__``."""

    code = "unavailable"
