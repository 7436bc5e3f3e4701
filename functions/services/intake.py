"""Use cases: each ties the domain (``core``) to the adapters and is called by one handler."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets as random_source
import uuid
from typing import Any, NamedTuple

from functions.adapters import links, queue
from functions.adapters.repository import repository
from functions.adapters.secrets import address_key
from functions.domain import clock
from functions.domain.eligibility import region_of
from functions.domain.errors import Conflict, InvalidRequest, SubmissionConflict
from functions.domain.mail import email_hash
from functions.domain.ratelimit import Window
from functions.domain.records import Event, Request, Submission
from functions.domain.reference import LANGUAGES
from functions.domain.requests import Status, document_fingerprint, format_reference
from functions.domain.validation import normalised_request, validate_request
from functions.runtime import logs, metrics
from functions.runtime.settings import get_settings

log = logging.getLogger(__name__)


class Submitted(NamedTuple):
    """The answer to a submission: what the partner keeps."""

    id: str
    reference: str
    status: str
    status_url: str
    created: bool = True

    def as_json(self) -> dict[str, str]:
        """The API's 201 body."""
        return {
            "id": self.id,
            "reference": self.reference,
            "status": self.status,
            "status_url": self.status_url,
        }


def submit(document: Any) -> Submitted:
    """Validate, store and queue a request. Raises :class:`InvalidRequest` with every error.

    Calls: one UpdateItem (reference counter), one TransactWriteItems (request, audit event and
    submission marker together), one SendMessage. If the send fails the request stays
    ``submitted`` and the sweeper publishes it later: an accepted request is never lost.
    """
    document = normalised_request(document)  # multi-line fields' line breaks as LF
    errors = validate_request(document)
    if errors:
        raise InvalidRequest(errors)
    settings = get_settings()
    fingerprint = document_fingerprint(document)
    submission_id = document.get("submission_id")
    request_id = uuid.uuid4().hex
    logs.bind(request_id=request_id)
    # The partner's link is signed before anything is written: without a signing key, nothing
    # is stored (a stored request whose answer was a 503 would be sent again as a duplicate).
    # It opens the page in the request's language, as the receipt's link does.
    status_url = links.status_url(request_id, document["contact"]["preferred_language"])
    moment = clock.now()
    store = repository()
    reference = format_reference(moment.year, store.next_reference_number(moment.year))
    logs.bind(reference=reference)
    at = clock.iso(moment)
    expires = int(moment.timestamp()) + settings.retention_days * 86400
    request = new_request(document, request_id, reference, fingerprint, at, expires)
    submitted = Event(
        request_id, at, "submitted", "partner", 1, {"reference": reference}, expires_at=expires
    )
    marker = None
    if submission_id:
        marker = Submission(
            str(submission_id), request_id, reference, fingerprint, at, expires_at=expires
        )
    try:
        store.create_request(request, submitted, marker)
    except Conflict:
        return _resubmission(str(submission_id), fingerprint)
    metrics.emit("RequestsSubmitted")
    log.info("request submitted", extra={"region": request.region, "pillar": request.pillar})
    try:
        queue.publish_review_task(request_id, 1)
    except Exception:  # the sweeper republishes requests left in "submitted"
        log.exception("review task not published; request %s left for the sweeper", request_id)
    return Submitted(request_id, reference, Status.SUBMITTED.value, status_url)


def new_request(
    document: dict[str, Any],
    request_id: str,
    reference: str,
    fingerprint: str,
    at: str,
    expires_at: int,
) -> Request:
    """A request as first stored: submitted, round 1, indexed by region, year and address."""
    region = region_of(document)
    return Request(
        request_id=request_id,
        reference=reference,
        status=Status.SUBMITTED.value,
        status_since=at,
        round=1,
        document=document,
        language=document["contact"]["preferred_language"],
        region=region,
        pillar=document["request"]["pillar"],
        institution_type=document["institution"]["type"],
        country=document["institution"].get("country"),
        email_hash=email_hash(document["contact"]["email"]),
        fingerprint=fingerprint,
        submitted_at=at,
        updated_at=at,
        submission_id=document.get("submission_id"),
        expires_at=expires_at,
    )


def _resubmission(submission_id: str, fingerprint: str) -> Submitted:
    """The first answer for a submission id, or a conflict if the content differs."""
    store = repository()
    marker = store.get_submission(submission_id)
    if marker is None:  # the marker expired between the write and this read
        raise SubmissionConflict("this submission id was used before")
    if marker.fingerprint != fingerprint:
        raise SubmissionConflict("this submission id was already used for a different request")
    logs.bind(request_id=marker.request_id, reference=marker.reference)  # the first answer's
    request = store.get_request(marker.request_id)
    status = request.status if request else Status.SUBMITTED.value
    return Submitted(
        marker.request_id,
        marker.reference,
        status,
        links.status_url(marker.request_id, request.language if request else None),
        created=False,
    )


def decoy_submission(document: Any = None) -> Submitted:
    """What a bot that filled the honeypot sees: a success that stored nothing, its status
    link shaped like a real one (with the posted language, when it is one of ours)."""
    request_id = uuid.uuid4().hex
    reference = format_reference(clock.now().year, 1000 + random_source.randbelow(9000))
    contact = document.get("contact") if isinstance(document, dict) else None
    asked = contact.get("preferred_language") if isinstance(contact, dict) else None
    language = asked if isinstance(asked, str) and asked in LANGUAGES else None
    status_url = links.status_url(request_id, language)
    return Submitted(request_id, reference, Status.SUBMITTED.value, status_url)


class RateCheck(NamedTuple):
    """Whether one more submission from an address is allowed, and when to come back if not."""

    allowed: bool
    retry_after: int  # seconds until the current hour's window closes


def count_attempt(
    address: str, purpose: Window = Window.SUBMISSION, per_hour: int | None = None
) -> RateCheck:
    """Count a submission (or another state-changing POST: ``purpose``) from ``address`` in
    this hour's window of that purpose (one atomic UpdateItem); at most ``per_hour`` of them
    (RATE_LIMIT_PER_HOUR unless the purpose has its own limit).

    The address is stored only as a keyed hash (HMAC with the secret's address key, a key of its
    own that no rotation of the signing keys changes, so the window survives a rotation): it
    cannot be read back or guessed by hashing.
    """
    settings = get_settings()
    moment = clock.now()
    key = address_key().encode("utf-8")
    digest = hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
    hour_start = int(moment.timestamp()) // 3600 * 3600
    hits = repository().count_attempt(purpose.value, digest, hour_start)
    retry_after = max(1, hour_start + 3600 - int(moment.timestamp()))
    return RateCheck(hits <= (per_hour or settings.rate_limit_per_hour), retry_after)
