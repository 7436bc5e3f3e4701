"""``models.serialized`` makes the item the pynamodb model would make, for every model.

The copy of tests/unit/test_serialized.py for the models of functions/adapters/dynamodb/ (the
old store's models go when the services have moved off them), extended to every model.
"""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import AttributeNullError

from functions.adapters.dynamodb import models

DOCUMENT = {"contact": {"email": "a@example.org", "name": "Ana\u200b <b>"}, "n": [1, 2.5, None]}

# For each kind of item: the values of a new one (defaults left out on purpose).
NEW_ITEMS: list[tuple[type[models.TableItem], dict[str, Any]]] = [
    (
        models.RequestItem,
        {
            "pk": "REQ#1",
            "sk": "META",
            "request_id": "1",
            "reference": "MX-2026-0001",
            "status": "submitted",
            "status_since": "2026-11-27T10:00:00Z",
            "document": DOCUMENT,
            "language": "fr",
            "region": "AFRICA",
            "region_year": "AFRICA#2026",
            "pillar": "legal_migration",
            "institution_type": "ministry",
            "country": None,
            "email_hash": "ab" * 32,
            "fingerprint": "cd" * 32,
            "submission_id": "s-1",
            "submitted_at": "2026-11-27T10:00:00Z",
            "updated_at": "2026-11-27T10:00:00Z",
            "expires_at": 1_900_000_000,
            "sweep_marks": {"reminder#1"},
        },
    ),
    (
        models.RequestItem,
        {
            "pk": "REQ#2",
            "sk": "META",
            "request_id": "2",
            "reference": "MX-2026-0002",
            "status": "approved",
            "status_since": "2026-11-27T10:00:00Z",
            "round": 2,
            "document": {},
            "language": "en",
            "region": "ASIA",
            "region_year": "ASIA#2026",
            "pillar": "mobility",
            "institution_type": "agency",
            "email_hash": None,  # erased
            "fingerprint": "ef" * 32,
            "submitted_at": "2026-11-27T10:00:00Z",
            "updated_at": "2026-11-27T10:00:00Z",
            "decided_at": "2026-11-28T10:00:00Z",
            "decision_reason": "Fine.",
            "open_question": None,
            "version": 3,
        },
    ),
    (
        models.EventItem,
        {
            "pk": "REQ#1",
            "sk": "EVT#2026-11-27T10:00:00Z#submitted",
            "at": "2026-11-27T10:00:00Z",
            "action": "submitted",
            "actor": "partner",
            "detail": {"reference": "MX-2026-0001", "nested": {"list": [1, "two"]}},
        },
    ),
    (models.EventItem, {"pk": "REQ#1", "sk": "EVT#x", "at": "x", "action": "a", "actor": "system"}),
    (
        models.SubmissionItem,
        {
            "pk": "SUB#s-1",
            "sk": "SUB",
            "request_id": "1",
            "reference": "MX-2026-0001",
            "fingerprint": "cd" * 32,
            "created_at": "2026-11-27T10:00:00Z",
            "expires_at": 1_900_000_000,
        },
    ),
    (models.CounterItem, {"pk": "SEQ#2026", "sk": "SEQ"}),
    (models.StatusCountItem, {"pk": "STATUSES", "sk": "STATUS#approved", "total": 3}),
    (models.RateItem, {"pk": "RATE#ab", "sk": "H#3600", "hits": 2, "expires_at": 10800}),
    (
        models.VoteItem,
        {
            "pk": "REQ#1",
            "sk": "VOTE#001#m1",
            "round": 1,
            "member_id": "m1",
            "choice": "approve",
            "comment": "Ça va.",
            "cast_by": "delegate:m1",
            "at": "2026-11-27T10:00:00Z",
        },
    ),
    (
        models.MailItem,
        {
            "pk": "REQ#1",
            "sk": "MAIL#reminder#001#member:m1#3d",
            "mail_kind": "reminder",
            "recipient": "member:m1",
            "state": "sending",
            "attempts": 1,
            "at": "2026-11-27T10:00:00Z",
        },
    ),
    (
        models.ActionItem,
        {
            "pk": "REQ#1",
            "sk": "ACTION",
            "title": "Training",
            "plan": {"title": "Training", "activities": [{"status": "planned"}]},
            "starts_on": "2027-01-01",
            "ends_on": "2027-06-30",
            "published_at": "2026-11-27T10:00:00Z",
            "updated_at": "2026-11-27T10:00:00Z",
            "version": 2,
        },
    ),
    (
        models.MemberItem,
        {
            "pk": "COMMITTEE",
            "sk": "MEMBER#m1",
            "member_id": "m1",
            "name": "Mia",
            "body": "DG HOME",
            "email": "mia@example.org",
            "role": "veto",
            "delegate": {"name": "Dee", "email": "dee@example.org", "valid_from": "2026-01-01"},
        },
    ),
    (
        models.OfficerItem,
        {
            "pk": "OFFICERS",
            "sk": "OFFICER#o1",
            "officer_id": "o1",
            "name": "Olu",
            "email": "olu@example.org",
            "regions": ["AFRICA", "ASIA"],
            "language": "fr",
        },
    ),
    (
        models.SuppressionItem,
        {"pk": "SUPPRESS#" + "ab" * 32, "sk": "SUPPRESS", "reason": "bounce", "at": "x"},
    ),
    (
        models.EvaluationItem,
        {
            "pk": "REQ#r1",
            "sk": "EVAL#01#host",
            "activity": 1,
            "respondent": "host",
            "satisfaction": 4,
            "changes_work": "partly",
            "most_useful": "Examples",
            "language": "ar",
            "at": "2026-11-28T09:00:00.000000Z",
            "expires_at": 1900000000,
        },
    ),
    (models.RoomCountItem, {"pk": "REQ#r1", "sk": "EVALROOM#01", "answers": 3}),
    (
        models.ResultsItem,
        {
            "pk": "RESULTS#2027",
            "sk": "ACTION#r1",
            "request_id": "r1",
            "region": "africa",
            "pillar": "horizontal",
            "country": "SN",
            "starts_on": "2027-03-08",
            "ends_on": "2027-12-07",
            "activities": [{"type": "seminar", "country": "SN", "deliverables": ["report"]}],
        },
    ),
    (
        models.PublishedItem,
        {
            "pk": "PUBLISHED",
            "sk": "ACTION#r1",
            "request_id": "r1",
            "title": "An Action",
            "region": "africa",
            "pillar": "horizontal",
            "countries": ["SN", "GH"],
            "starts_on": "2027-03-08",
            "ends_on": "2027-12-07",
            "activities_done": 1,
            "activities": 6,
            "published_at": "2026-11-28T09:00:00.000000Z",
        },
    ),
    (
        models.ExpertItem,
        {
            "pk": "EXPERT#e1",
            "sk": "PROFILE",
            "expert_id": "e1",
            "expert_status": "pending",
            "member_state": "FR",
            "document": DOCUMENT,
            "address_hash": "ab" * 32,
            "registered_at": "2026-11-27T10:00:00Z",
            "updated_at": "2026-11-27T10:00:00Z",
            "roster_key": "STATE#FR#pending",
            "roster_sort": "2026-11-27T10:00:00Z#e1",
        },
    ),
    (
        models.ExpertTopicItem,
        {
            "pk": "EXPERT#e1",
            "sk": "TOPIC#border_management",
            "expert_id": "e1",
            "roster_key": "TOPIC#border_management",
            "roster_sort": "e1",
        },
    ),
    (models.ExpertAddressItem, {"pk": "EXPADDR#" + "ab" * 32, "sk": "EXPADDR", "expert_id": "e1"}),
    (
        models.ExpertMailItem,
        {
            "pk": "EXPERT#e1",
            "sk": "MAIL#expert_receipt#expert",
            "mail_kind": "expert_receipt",
            "recipient": "expert",
            "state": "sending",
            "at": "x",
        },
    ),
    (
        models.InvitationItem,
        {
            "pk": "REQ#1",
            "sk": "INVITE#05#e1",
            "request_id": "1",
            "activity": 5,
            "expert_id": "e1",
            "invitation_status": "invited",
            "invited_at": "2026-11-27T10:00:00Z",
            "respond_by": "2026-12-04T10:00:00Z",
            "member_state": "FR",
            "gender": "female",
            "invited_by": "operator",
            "status": "INVITE#invited",
            "status_since": "2026-12-04T10:00:00Z",
        },
    ),
    (models.PlacesItem, {"pk": "REQ#1", "sk": "INVITE#05", "activity": 5, "places": 3}),
    (
        models.FocalPointItem,
        {
            "pk": "FOCAL",
            "sk": "FOCAL#FR#fp1",
            "focal_id": "fp1",
            "member_state": "FR",
            "name": "Jeanne",
            "email": "j@example.fr",
        },
    ),
    (
        models.HeldMailItem,
        {
            "pk": "HELDMAIL",
            "sk": "2026-11-27T10:00:00.000000Z#ab",
            "messages": [{"type": "roster_notification", "expert_id": "e1", "mail_kind": "x"}],
            "expires_at": 1_900_000_000,
        },
    ),
    (
        models.DraftItem,
        {
            "pk": "DRAFT#d1",
            "sk": "DRAFT",
            "draft_id": "d1",
            "values": {"contact.email": ["ana@example.org"], "request.topics": ["a", "b"]},
            "email_hash": "ab" * 32,
            "language": "es",
            "version": 2,
            "saved_at": "2026-11-27T10:00:00Z",
            "expires_at": 1_900_000_000,
            "status": "DRAFT#reminder",
            "status_since": "2026-12-22T10:00:00Z",
        },
    ),
    (
        models.AttachmentItem,
        {
            "pk": "REQ#1",
            "sk": "ATT#letter",
            "owner_id": "1",
            "slot": "letter",
            "s3_key": "attachments/0f3c",
            "size": 10_485_760,
            "file_type": "application/pdf",
            "scan_state": "pending",
            "uploaded_at": "2026-11-27T10:00:00Z",
        },
    ),
]


def test_every_model_is_covered() -> None:
    assert {model for model, _ in NEW_ITEMS} == set(models.TableItem.__subclasses__())


@pytest.mark.parametrize(("model", "values"), NEW_ITEMS, ids=lambda v: getattr(v, "__name__", ""))
def test_the_item_is_the_models_own_serialisation(
    model: type[models.TableItem], values: dict[str, Any]
) -> None:
    assert models.serialized(model, **values) == model(**values).serialize()


def test_a_missing_required_attribute_is_refused_as_pynamodb_refuses_it() -> None:
    values = dict(NEW_ITEMS[4][1])
    del values["reference"]
    with pytest.raises(AttributeNullError):
        models.SubmissionItem(**values).serialize()
    with pytest.raises(AttributeNullError):
        models.serialized(models.SubmissionItem, **values)


def test_an_unknown_attribute_is_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        models.serialized(models.CounterItem, pk="SEQ#2026", sk="SEQ", colour="red")
