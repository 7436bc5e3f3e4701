"""Erasure of one person's data on request (GDPR art. 17): what the operator's ``ops erase`` runs.

A person can be in the table as a partner's contact (found through ``email-index``, a hash of the
address), as a committee member or a member's delegate, or as a Project Officer. Their requests
keep their substance (the institution asked for assistance, the committee decided) but lose every
trace of the person: the contact's name, position, address and telephone become ``[erased]``,
and every other text of those requests (events, votes, the committee's question and reasons) has
those values replaced wherever they occur. The repository walks every text of every item of the
request (``scrub_partition``), so an item kind this module does not know is cleaned too. The
address's hash leaves the request (the email-index entry goes with it) and the suppression list.

A committee member or officer is removed from the committee; a member's vote comments become
``[erased]``, and so do their copies in the decisions. Finding those votes reads every request
(one listing per status and one read of each request): a rare operator command may.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from functions.adapters.repository import repository
from functions.domain.mail import email_hash
from functions.domain.requests import Status, document_fingerprint
from functions.services.review import event

ERASED = "[erased]"
CONTACT_FIELDS = ("name", "position", "email", "phone")


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


def _count(report: ErasureReport, changed: dict[str, int]) -> None:
    for kind, count in changed.items():
        report.changed[kind] += count


def _erase_contact(request_id: str, address: str, report: ErasureReport) -> None:
    """Anonymise a request whose contact is the person, and everything in its partition."""
    store = repository()
    request = store.get_request(request_id)
    if request is None:
        return
    document = copy.deepcopy(request.document)
    contact = document.get("contact", {})
    scrubber = Scrubber([address, *(str(contact.get(name) or "") for name in CONTACT_FIELDS)])
    for name in CONTACT_FIELDS:
        if name in contact:
            contact[name] = ERASED
    document = scrubber.plain(document)
    if store.replace_contact(request_id, document, document_fingerprint(document)):
        report.changed["request"] += 1
        report.requests.append(request_id)
    changed = store.scrub_partition(request_id, scrubber.text)
    changed.pop("request", None)  # counted once, above
    _count(report, changed)
    _audit(request_id)


def _audit(request_id: str) -> None:
    """Note in the request's trail that data was erased (and nothing about whose)."""
    repository().append_event(
        event(request_id, "personal_data_erased", "operator", 1, public=False)
    )


def _erase_committee(address: str, report: ErasureReport) -> tuple[set[str], list[str]]:
    """Remove the members and officers with this address, and delegations to it.

    Returns the ids of removed members (their vote comments go too) and the values to scrub.
    """
    store = repository()
    wanted = address.strip().lower()
    removed: set[str] = set()
    values: list[str] = []
    for member in store.members():
        delegate = member.delegate
        if member.email.strip().lower() == wanted:
            values += [member.name, member.email]
            removed.add(member.member_id)
            store.remove_member(member.member_id)
            report.changed["member"] += 1
        elif delegate and delegate.email.strip().lower() == wanted:
            values += [delegate.name, delegate.email]
            store.save_member(member._replace(delegate=None))
            report.changed["delegation"] += 1
    for officer in store.officers():
        if officer.email.strip().lower() == wanted:
            values += [officer.name, officer.email]
            store.remove_officer(officer.officer_id)
            report.changed["officer"] += 1
    return removed, values


def _erase_reviewer(removed: set[str], values: list[str], report: ErasureReport) -> None:
    """Clean every request of a removed reviewer's comments and of their name and address."""
    store = repository()
    for status in Status:
        for request in store.requests_in_status(status.value):
            votes = store.partition(request.request_id).votes
            comments = [v.comment for v in votes if v.member_id in removed and v.comment]
            _count(
                report,
                store.scrub_partition(request.request_id, Scrubber([*values, *comments]).text),
            )


def erase_person(address: str) -> ErasureReport:
    """Erase one person's data from every item that holds it; report what changed."""
    report = ErasureReport()
    store = repository()
    for request_id in store.request_ids_by_email_hash(email_hash(address)):
        _erase_contact(request_id, address, report)
    removed, values = _erase_committee(address, report)
    if values:
        _erase_reviewer(removed, values, report)
    if store.unsuppress(email_hash(address)):
        report.changed["suppression"] += 1
    return report
