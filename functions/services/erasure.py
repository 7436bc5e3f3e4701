"""Erasure of one person's data on request (GDPR art. 17): what the operator's ``ops erase`` runs.

A person can be in the table as a partner's contact (found through ``email-index``, a hash of the
address), as a committee member or a member's delegate, or as a Project Officer. Their requests
keep their substance (the institution asked for assistance, the committee decided) but lose every
trace of the person: the contact's name, position, address and telephone become ``[erased]``,
and every other text of those requests (events, votes, the committee's question and reasons) has
those values replaced wherever they occur. Items are read and written as raw DynamoDB items, so
an item kind this module does not know (an Action) is cleaned too. The address's hash leaves the
request (the email-index entry goes with it) and the suppression list.

A committee member or officer is removed from the committee; a member's vote comments become
``[erased]``, and so do their copies in the decisions. Finding those votes reads every request
(one status-index Query per status and one Query per request): a rare operator command may.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from functions.adapters import store, suppression
from functions.domain.requests import Status, document_fingerprint
from functions.services.intake import email_hash

ERASED = "[erased]"
CONTACT_FIELDS = ("name", "position", "email", "phone")
KEYS = ("pk", "sk", "kind")


@dataclass
class ErasureReport:
    """What erasure changed: counts per item kind, and the requests touched (ids, not people)."""

    changed: Counter[str] = field(default_factory=Counter)
    requests: list[str] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        """True if anything was found and changed."""
        return bool(self.changed)


class Scrubber:
    """Replaces every occurrence of a person's values in text, ignoring case, word by word."""

    def __init__(self, values: Iterable[str]) -> None:
        wanted = sorted({v.strip() for v in values if v and len(v.strip()) >= 2}, key=len)
        alternatives = "|".join(re.escape(v) for v in reversed(wanted))
        self.pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I) if wanted else None

    def text(self, value: str) -> str:
        """``value`` with the person's values replaced by ``[erased]``."""
        return self.pattern.sub(ERASED, value) if self.pattern else value

    def plain(self, value: Any) -> Any:
        """A JSON value (dicts, lists, strings) with every string scrubbed."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        if isinstance(value, dict):
            return {k: self.plain(v) for k, v in value.items()}
        return value

    def raw(self, value: dict[str, Any]) -> dict[str, Any]:
        """A DynamoDB attribute value with every string scrubbed (JSON text parsed first)."""
        if "S" in value:
            return {"S": self._string(value["S"])}
        if "M" in value:
            return {"M": {k: self.raw(v) for k, v in value["M"].items()}}
        if "L" in value:
            return {"L": [self.raw(v) for v in value["L"]]}
        if "SS" in value:
            return {"SS": sorted({self.text(v) for v in value["SS"]})}
        return value

    def _string(self, text: str) -> str:
        # JSON is scrubbed parsed: its escapes (non-ASCII letters) would hide a name from a regex.
        if text.startswith(("{", "[")):
            try:
                return json.dumps(self.plain(json.loads(text, strict=False)))
            except ValueError:
                pass
        return self.text(text)


def _write(item: dict[str, Any], changes: dict[str, Any], remove: tuple[str, ...] = ()) -> bool:
    return bool(changes or remove) and store.set_raw_attributes(item, changes, remove)


def _scrub_items(items: list[dict[str, Any]], scrubber: Scrubber, report: ErasureReport) -> None:
    """Scrub every attribute of every item; count the items that changed, by kind."""
    for item in items:
        changes = {
            name: scrubbed
            for name, value in item.items()
            if name not in KEYS and (scrubbed := scrubber.raw(value)) != value
        }
        if _write(item, changes):
            report.changed[item.get("kind", {}).get("S", "item")] += 1


def _erase_contact(request_id: str, address: str, report: ErasureReport) -> None:
    """Anonymise a request whose contact is the person, and everything in its partition."""
    items = store.raw_partition(request_id)
    meta = next((item for item in items if item["sk"]["S"] == "META"), None)
    if meta is None:
        return
    document = json.loads(meta["document"]["S"], strict=False)
    contact = document.get("contact", {})
    scrubber = Scrubber([address, *(str(contact.get(name) or "") for name in CONTACT_FIELDS)])
    for name in CONTACT_FIELDS:
        if name in contact:
            contact[name] = ERASED
    document = scrubber.plain(document)
    fingerprint = document_fingerprint(document)
    changes = {
        name: scrubber.raw(value)
        for name, value in meta.items()
        if name not in (*KEYS, "document", "email_hash")
    }
    changes = {name: value for name, value in changes.items() if value != meta[name]}
    changes["document"] = {"S": json.dumps(document)}
    changes["fingerprint"] = {"S": fingerprint}
    if _write(meta, changes, ("email_hash",)):
        report.changed["request"] += 1
        report.requests.append(request_id)
    _scrub_items([item for item in items if item is not meta], scrubber, report)
    submission = meta.get("submission_id", {}).get("S")
    if submission:
        key = {"pk": {"S": f"SUB#{submission}"}, "sk": {"S": "SUB"}}
        if store.set_raw_attributes(key, {"fingerprint": {"S": fingerprint}}):
            report.changed["submission"] += 1
    _audit(request_id)


def _audit(request_id: str) -> None:
    """Note in the request's trail that data was erased (and nothing about whose)."""
    store.append_event(
        store.event_item(request_id, "personal_data_erased", "operator", 1, public=False)
    )


def _erase_committee(address: str, report: ErasureReport) -> tuple[set[str], list[str]]:
    """Remove the members and officers with this address, and delegations to it.

    Returns the ids of removed members (their vote comments go too) and the values to scrub.
    """
    wanted = address.strip().lower()
    removed: set[str] = set()
    values: list[str] = []
    for item in store.MemberItem.query("COMMITTEE", store.TableItem.sk.startswith("MEMBER#")):
        delegate = item.delegate.as_dict() if item.delegate else None  # type: ignore[no-untyped-call]
        if item.email.strip().lower() == wanted:
            values += [item.name, item.email]
            removed.add(item.member_id)
            item.delete()
            report.changed["member"] += 1
        elif delegate and str(delegate.get("email", "")).strip().lower() == wanted:
            values += [str(delegate.get("name", "")), str(delegate["email"])]
            item.update(actions=[store.MemberItem.delegate.remove()])
            report.changed["delegation"] += 1
    for officer in store.OfficerItem.query("OFFICERS"):
        if officer.email.strip().lower() == wanted:
            values += [officer.name, officer.email]
            officer.delete()
            report.changed["officer"] += 1
    return removed, values


def _erase_reviewer(removed: set[str], values: list[str], report: ErasureReport) -> None:
    """Clean every request of a removed reviewer's comments and of their name and address."""
    for status in Status:
        for request in store.by_status(status.value):
            items = store.raw_partition(request.request_id)
            comments = [
                item["comment"]["S"]
                for item in items
                if item.get("kind", {}).get("S") == "vote"
                and item.get("member_id", {}).get("S") in removed
                and item.get("comment", {}).get("S")
            ]
            _scrub_items(items, Scrubber([*values, *comments]), report)


def erase_person(address: str) -> ErasureReport:
    """Erase one person's data from every item that holds it; report what changed."""
    report = ErasureReport()
    store.bind()
    for request_id in store.keys_by_email_hash(email_hash(address)):
        _erase_contact(request_id, address, report)
    removed, values = _erase_committee(address, report)
    if values:
        _erase_reviewer(removed, values, report)
    key = {"pk": {"S": suppression.address_key(address)}, "sk": {"S": "SUPPRESS"}}
    if store.get(suppression.SuppressionItem, key["pk"]["S"], "SUPPRESS") is not None:
        store.delete_raw(key)
        report.changed["suppression"] += 1
    return report
