"""Small domain exceptions; the HTTP layer maps each to a status code in one place."""

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


class InvalidRequest(DomainError):
    """The document breaks the schema or the eligibility rules."""

    code = "invalid"

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(f"{len(errors)} validation error(s)")
        self.errors = errors


class SubmissionConflict(DomainError):
    """The same ``submission_id`` came back with a different document."""

    code = "submission_conflict"


class NotFound(DomainError):
    """No such request (or it has been erased)."""

    code = "not_found"


class TransitionNotAllowed(DomainError):
    """The request's status does not allow this step (for example a vote after the decision)."""

    code = "transition_not_allowed"


class ServiceUnavailable(DomainError):
    """A dependency failed; the caller may try again and nothing was half-done."""

    code = "unavailable"
