"""Small factories of the values the repository stores: each with defaults a test overrides."""

from __future__ import annotations

import copy
import hashlib
import zlib
from datetime import date
from pathlib import Path
from typing import Any

from functions.domain import schemas
from functions.domain.committee import Delegate, Member, Officer, Role
from functions.domain.experts import Expert, FocalPoint, Invitation
from functions.domain.mail import MailKind, MailRecord, Notification, Recipient, member
from functions.domain.records import (
    ActionRecord,
    EvaluationAnswer,
    Event,
    PublishedAction,
    Request,
    ResultsEntry,
    Submission,
    Vote,
)
from functions.domain.requests import document_fingerprint

ROOT = Path(__file__).resolve().parents[2]
T0 = "2026-11-27T12:00:00.000000Z"


def _example() -> dict[str, Any]:
    return schemas.example("request.schema.json")


def document() -> dict[str, Any]:
    """A fresh copy of the request schema's own example document."""
    return copy.deepcopy(_example())


def email_hash(address: str) -> str:
    """The hash the email index keeps of a contact's address."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


CONTACT_HASH = email_hash(_example()["contact"]["email"])


def request(request_id: str = "r1", **overrides: Any) -> Request:
    """A stored request made of the example document (status submitted, round 1)."""
    doc = overrides.pop("document", None) or document()
    values: dict[str, Any] = {
        "request_id": request_id,
        "reference": f"MX-2026-{zlib.crc32(request_id.encode()) % 10000:04d}",
        "status": "submitted",
        "status_since": T0,
        "round": 1,
        "document": doc,
        "language": doc["contact"]["preferred_language"],
        "region": "west_africa",
        "pillar": doc["request"]["pillar"],
        "institution_type": doc["institution"]["type"],
        "country": doc["institution"]["country"],
        "email_hash": email_hash(doc["contact"]["email"]),
        "fingerprint": document_fingerprint(doc),
        "submitted_at": T0,
        "updated_at": T0,
        "submission_id": f"sub-{request_id}",
    }
    values.update(overrides)
    return Request(**values)


def event(request_id: str = "r1", action: str = "submitted", **overrides: Any) -> Event:
    """An audit event of a request."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "at": T0,
        "action": action,
        "actor": "partner",
        "round": 1,
    }
    values.update(overrides)
    return Event(**values)


def submission(the_request: Request, **overrides: Any) -> Submission:
    """The submission marker of a request."""
    assert the_request.submission_id is not None
    values: dict[str, Any] = {
        "submission_id": the_request.submission_id,
        "request_id": the_request.request_id,
        "reference": the_request.reference,
        "fingerprint": the_request.fingerprint,
        "created_at": the_request.submitted_at,
    }
    values.update(overrides)
    return Submission(**values)


def vote(request_id: str = "r1", member_id: str = "m1", **overrides: Any) -> Vote:
    """A member's vote in round 1."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "round": 1,
        "member_id": member_id,
        "choice": "approve",
        "cast_by": f"member:{member_id}",
        "at": T0,
    }
    values.update(overrides)
    return Vote(**values)


def notification(
    request_id: str = "r1",
    kind: MailKind = MailKind.REVIEW_REQUEST,
    recipient: Recipient | None = None,
    round_number: int = 1,
    key: str = "",
) -> Notification:
    """An email to send (to member m1 unless told)."""
    return Notification(request_id, kind, round_number, recipient or member("m1"), key)


def mail_claim(at: str = T0, **notification_values: Any) -> MailRecord:
    """A first claim on sending a notification."""
    return MailRecord.claim(notification(**notification_values), at)


def action(request_id: str = "r1", version: int = 1, **overrides: Any) -> ActionRecord:
    """The Action an approved request became."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "title": "Referral mechanism",
        "plan": {"activities": [{"title": "Assessment mission", "status": "planned"}]},
        "starts_on": "2027-03-01",
        "ends_on": "2028-02-29",
        "published_at": T0,
        "updated_at": T0,
        "version": version,
    }
    values.update(overrides)
    return ActionRecord(**values)


def committee_member(member_id: str = "m1", **overrides: Any) -> Member:
    """A voting member of the Steering Committee, with a delegate."""
    values: dict[str, Any] = {
        "member_id": member_id,
        "name": f"Member {member_id}",
        "body": "DG INTPA",
        "email": f"{member_id}@commission.example.eu",
        "role": Role.VOTING,
        "language": "fr",
        "delegate": Delegate(
            "Deputy", "deputy@commission.example.eu", date(2026, 1, 1), date(2026, 12, 31)
        ),
    }
    values.update(overrides)
    return Member(**values)


def project_officer(officer_id: str = "o1", **overrides: Any) -> Officer:
    """A Project Officer for two regions."""
    values: dict[str, Any] = {
        "officer_id": officer_id,
        "name": f"Officer {officer_id}",
        "email": f"{officer_id}@mieux.example.eu",
        "regions": ("west_africa", "sahel"),
        "language": "en",
    }
    values.update(overrides)
    return Officer(**values)


def evaluation(
    request_id: str = "r1", activity: int = 1, respondent: str = "host", **overrides: Any
) -> EvaluationAnswer:
    """An answer to an activity's evaluation (the host's, unless told)."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "activity": activity,
        "respondent": respondent,
        "satisfaction": 4,
        "changes_work": "partly",
        "at": T0,
        "language": "fr",
        "most_useful": "Les exemples",
        "comment": None,
    }
    values.update(overrides)
    return EvaluationAnswer(**values)


def results_entry(request_id: str = "r1", **overrides: Any) -> ResultsEntry:
    """An Action as the report's index holds it: two activities, one done."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "region": "africa",
        "pillar": "horizontal",
        "country": "SN",
        "decided_at": T0,
        "starts_on": "2026-12-01",
        "ends_on": "2027-03-01",
        "activities": [
            {
                "type": "workshop",
                "country": "SN",
                "starts_on": "2026-12-01",
                "ends_on": "2026-12-02",
                "status": "done",
                "participants": {"women": 3, "men": 2, "unstated": 0},
                "deliverables": ["report"],
            },
            {
                "type": "training",
                "country": "BE",
                "starts_on": "2027-03-01",
                "ends_on": "2027-03-01",
                "status": "planned",
                "participants": {"women": 0, "men": 0, "unstated": 0},
                "deliverables": [],
            },
        ],
        "expires_at": None,
    }
    values.update(overrides)
    return ResultsEntry(**values)


def published_action(request_id: str = "r1", **overrides: Any) -> PublishedAction:
    """An Action on the public pages."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "title": "Strengthening the referral mechanism",
        "region": "africa",
        "pillar": "horizontal",
        "countries": ["SN", "BE"],
        "starts_on": "2026-12-01",
        "ends_on": "2027-03-01",
        "activities_done": 1,
        "activities": 6,
        "published_at": T0,
        "expires_at": None,
    }
    values.update(overrides)
    return PublishedAction(**values)


# --- experts -----------------------------------------------------------------------------------


def expert_document(**expert: Any) -> dict[str, Any]:
    """A fresh copy of the expert schema's own example, its ``expert`` part overridden."""
    registration = schemas.example("expert.schema.json")
    registration["expert"].update(expert)
    return registration


def expert(expert_id: str = "e1", **overrides: Any) -> Expert:
    """A pending registration made of the expert schema's example (a French official)."""
    registration = overrides.pop("document", None) or expert_document(
        email=f"{expert_id}@interieur.example.fr"
    )
    values: dict[str, Any] = {
        "expert_id": expert_id,
        "status": "pending",
        "document": registration,
        "registered_at": T0,
        "updated_at": T0,
        "email_hash": email_hash(registration["expert"]["email"]),
    }
    values.update(overrides)
    return Expert(**values)


def focal(focal_id: str = "fp1", member_state: str = "FR", **overrides: Any) -> FocalPoint:
    """A national focal point of a member state."""
    values: dict[str, Any] = {
        "focal_id": focal_id,
        "member_state": member_state,
        "name": "Jeanne Focal",
        "email": f"{focal_id}@sgae.example.fr",
        "language": "fr",
    }
    values.update(overrides)
    return FocalPoint(**values)


def invitation(
    expert_id: str = "e1", request_id: str = "r1", activity: int = 5, **overrides: Any
) -> Invitation:
    """An invitation to activity 5 of request r1, waiting for an answer for a week."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "activity": activity,
        "expert_id": expert_id,
        "status": "invited",
        "invited_at": T0,
        "respond_by": "2026-12-04T12:00:00.000000Z",
        "member_state": "FR",
        "gender": "female",
        "invited_by": "officer:o1",
    }
    values.update(overrides)
    return Invitation(**values)
