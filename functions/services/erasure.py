"""Erasure of one person's data on request (GDPR art. 17): what the operator's ``ops erase`` runs.

A person can be in the table as a partner's contact (found through ``email-index``, a hash of the
address), as a committee member or a member's delegate, or as a Project Officer. Their requests
keep their substance (the institution asked for assistance, the committee decided) but lose every
trace of the person: the contact's name, position, address and telephone become ``[erased]``,
and every other text of those requests (the document, events, votes, mail records, the
committee's question and reasons) has them replaced in every writing: the address in any case
(and its local part), the name whatever the case and whitespace and each part of it of three
letters or more ("Mr. Erasable"), the phone by its digits whatever the punctuation, with or
without the country code. What the partner wrote (the answers in ``information_answered``
events) goes whole, since it may hold anything (a new phone number, a third person's address).
The repository walks every text of every item of the request (``scrub_partition``), so an item
kind this module does not know is cleaned too. The address's hash leaves the request (the
email-index entry goes with it) and the suppression list. The submission marker holds ids and
the document's fingerprint, which ``replace_contact`` renews. The rate items hold an HMAC of
the source IP address and an hour (no address, no name) and expire within two hours: nothing
in them leads to the person, so they are left as they are.

Saved drafts of the form (issue 20) that hold the address are deleted whole (found by the
address's hash in ``email-index``). Attached files (the letter, supporting documents) of the
person's requests and drafts are deleted from the bucket and their items ended: a letter names
its writer and cannot be scrubbed.

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
from functions.services import attachments, drafts
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
    """Replaces every occurrence of a person's identifiers in text, ignoring case.

    ``values`` (addresses, positions, a member's comments) match as they are, in any case and
    whatever the whitespace between their words;
    ``names`` also match part by part (each part of three letters or more: "Mr. Erasable"),
    whatever the whitespace between parts; ``phones`` match by their digits, whatever the
    spacing and punctuation, with or without the country code (the last seven digits or more);
    ``texts`` are texts the person wrote, which become ``[erased]`` whole.
    """

    def __init__(
        self,
        values: Iterable[str] = (),
        *,
        names: Iterable[str] = (),
        phones: Iterable[str] = (),
        texts: Iterable[str] = (),
    ) -> None:
        self.texts = {t.strip() for t in texts if t and t.strip()}
        literal = {v.strip() for v in [*values, *self.texts] if v and len(v.strip()) >= 2}
        # Longest first, so that a whole name or text goes as one; any whitespace between words.
        wanted = sorted(literal | {n.strip() for n in names if n.strip()}, key=len, reverse=True)
        alternatives = [r"\s+".join(re.escape(word) for word in v.split()) for v in wanted]
        alternatives += [re.escape(part) for name in names for part in _name_parts(name)]
        alternatives += [p for phone in phones if (p := _phone_pattern(phone))]
        alternatives = list(dict.fromkeys(alternatives))
        self.pattern = (
            re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.I)
            if alternatives
            else None
        )

    def text(self, value: str) -> str:
        """``value`` with the person's values replaced by ``[erased]``."""
        if value.strip() in self.texts:
            return ERASED
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


# Phone digits may be written with these between them: "+221 (33) 999-88.77", "33/999 88 77".
_PHONE_SEPARATORS = r"[\s().\-/]*"
_SHORTEST_PHONE = 7  # digits: a subscriber number without its country code, at the least


def _phone_pattern(phone: str) -> str | None:
    """A pattern for a phone number in any writing: its digits, or its last seven or more
    (the number without its country code, perhaps with a trunk 0), separators anywhere
    between digits (a bracket before the first digit stays, as does one after the last)."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) < _SHORTEST_PHONE:
        return None
    endings = [digits[start:] for start in range(len(digits) - _SHORTEST_PHONE + 1)]
    numbers = "|".join(_PHONE_SEPARATORS.join(ending) for ending in endings)
    return rf"(?:\+|00)?{_PHONE_SEPARATORS}(?:0{_PHONE_SEPARATORS})?(?:{numbers})"


def _name_parts(name: str) -> list[str]:
    """The parts of a name that identify on their own: three letters or more."""
    return [p for p in re.split(r"[\s\-\u2010]+", name) if sum(c.isalpha() for c in p) >= 3]


def local_part(address: str) -> str:
    """An address's part before the @ (if three characters or more, else "")."""
    local = address.strip().partition("@")[0]
    return local if len(local) >= 3 else ""


# The texts a partner wrote, by event: they go whole, whatever they say (a new phone number,
# someone else's address). A correction is recorded there by the field's name, and its text
# before and after: the request's substance, scrubbed like the document.
PARTNER_TEXTS = {"information_answered": ("answer",)}


def _partner_texts(request_id: str) -> list[str]:
    texts = []
    for found in repository().partition(request_id).events:
        for name in PARTNER_TEXTS.get(found.action, ()) if found.actor == "partner" else ():
            value = found.detail.get(name)
            if isinstance(value, str):
                texts.append(value)
    return texts


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
    addresses = {address.strip().lower(), str(contact.get("email") or "").strip().lower()}
    scrubber = Scrubber(
        # The address's local part too ("f.erasable" in text), but only in the person's own
        # requests: a member's ("info") would be cut from every request there is.
        [*addresses, *map(local_part, addresses), str(contact.get("position") or "")],
        names=[str(contact.get("name") or "")],
        phones=[str(contact.get("phone") or "")],
        texts=_partner_texts(request_id),
    )
    for name in CONTACT_FIELDS:
        if name in contact:
            contact[name] = ERASED
    document = scrubber.plain(document)
    # The files go whole: a letter names the person and cannot be scrubbed.
    erased_files = attachments.erase(request_id)
    if erased_files:
        report.changed["attachment"] += erased_files
    if store.replace_contact(request_id, document, document_fingerprint(document)):
        report.changed["request"] += 1
        report.requests.append(request_id)
    changed = store.scrub_partition(request_id, scrubber.text)
    changed.pop("request", None)  # counted once, above
    _count(report, changed)
    # The public pages' copy of the Action is not in the partition: it goes (the report's
    # index holds codes and numbers only, and stays).
    if store.unpublish(request_id):
        report.changed["published"] += 1
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
    expert_id = store.expert_id_by_email_hash(email_hash(address))
    if expert_id is not None:  # an expert of the roster: as if they left it (issue 18)
        report.changed.update(store.erase_expert(expert_id))
    if store.unsuppress(email_hash(address)):
        report.changed["suppression"] += 1
    for draft_id in store.draft_ids_by_email_hash(email_hash(address)):
        erased_files = attachments.erase(draft_id, in_draft=True)
        if erased_files:
            report.changed["attachment"] += erased_files
    deleted = drafts.erase(address)
    if deleted:
        report.changed["draft"] += deleted
    return report
