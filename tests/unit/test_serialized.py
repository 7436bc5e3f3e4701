"""``store.serialized`` makes the item the pynamodb model would make, for every model."""

from __future__ import annotations

from typing import Any

import pytest
from pynamodb.exceptions import AttributeNullError

from functions.adapters import store

DOCUMENT = {"contact": {"email": "a@example.org", "name": "Ana\u200b <b>"}, "n": [1, 2.5, None]}

# For each kind of item the app writes: the values of a new one (defaults left out on purpose).
NEW_ITEMS: list[tuple[type[store.TableItem], dict[str, Any]]] = [
    (
        store.RequestItem,
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
        store.EventItem,
        {
            "pk": "REQ#1",
            "sk": "EVT#2026-11-27T10:00:00Z#submitted",
            "at": "2026-11-27T10:00:00Z",
            "action": "submitted",
            "actor": "partner",
            "detail": {"reference": "MX-2026-0001", "nested": {"list": [1, "two"]}},
        },
    ),
    (store.EventItem, {"pk": "REQ#1", "sk": "EVT#x", "at": "x", "action": "a", "actor": "system"}),
    (
        store.SubmissionItem,
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
    (store.CounterItem, {"pk": "SEQ#2026", "sk": "SEQ"}),
]


@pytest.mark.parametrize(("model", "values"), NEW_ITEMS, ids=lambda v: getattr(v, "__name__", ""))
def test_the_item_is_the_models_own_serialisation(
    model: type[store.TableItem], values: dict[str, Any]
) -> None:
    assert store.serialized(model, **values) == model(**values).serialize()


def test_a_missing_required_attribute_is_refused_as_pynamodb_refuses_it() -> None:
    values = dict(NEW_ITEMS[3][1])
    del values["reference"]
    with pytest.raises(AttributeNullError):
        store.SubmissionItem(**values).serialize()
    with pytest.raises(AttributeNullError):
        store.serialized(store.SubmissionItem, **values)


def test_an_unknown_attribute_is_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        store.serialized(store.CounterItem, pk="SEQ#2026", sk="SEQ", colour="red")
