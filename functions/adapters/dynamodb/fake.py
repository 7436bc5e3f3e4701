"""An in-memory :class:`Repository` that keeps DynamoDB's behaviour: for tests and the local demo.

Test code shipped in ``functions/`` only so that service tests and the local demo can install it
(``repository.use(InMemoryRepository())``); no Lambda code path imports it.

Items are kept as DynamoDB keeps them: by partition and sort key (the layout of
``dynamodb/keys.py``), each with its kind and its TTL, so that the answers match the
table's: events come back in sort-key order, conditional writes are all-or-nothing, reads skip
items past their TTL while conditions still see them (DynamoDB deletes expired items late), and
retention and erasure count changed items by kind. Every value is copied on the way in and out,
as a round trip through the table would. One lock makes each call atomic, as each DynamoDB call
is. ``calls`` lists every operation by name, so a service test can count the calls a use case
makes.
"""

from __future__ import annotations

import copy
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from functions.adapters.repository import Repository
from functions.domain import clock
from functions.domain.attachments import Attachment, ScanState, deletion_due
from functions.domain.committee import Member, Officer
from functions.domain.errors import AlreadyVoted, Conflict, RoundClosed
from functions.domain.experts import (
    DECISIONS,
    ROSTER_STATUSES,
    Expert,
    ExpertStatus,
    FocalPoint,
    Invitation,
    InvitationStatus,
    Places,
)
from functions.domain.mail import (
    MailRecord,
    MailState,
    Notification,
    Recipient,
    Role,
    RosterMailRecord,
    RosterNotification,
)
from functions.domain.records import (
    ActionRecord,
    Draft,
    EvaluationAnswer,
    Event,
    Partition,
    PublishedAction,
    QueuePage,
    Request,
    ResultsEntry,
    Submission,
    Vote,
)
from functions.domain.requests import Status, sources_of

Key = tuple[str, str]  # (partition key, sort key)
V = TypeVar("V")

UNDER_REVIEW = Status.UNDER_REVIEW.value
STATUS_FIELDS = frozenset({"round", "document", "open_question", "decided_at", "decision_reason"})
RATE_KEPT = 2 * 3600  # a submission window is kept two hours

# The attributes of each kind that are its keys (in DynamoDB: the partition and sort key), which
# erasure leaves alone.
KEY_FIELDS: dict[str, frozenset[str]] = {
    "request": frozenset({"request_id", "document"}),  # the document is replaced, not scrubbed
    "event": frozenset({"request_id", "at", "action", "suffix"}),
    "vote": frozenset({"request_id", "round", "member_id"}),
    "mail": frozenset({"request_id", "kind", "round", "recipient", "key"}),
    "action": frozenset({"request_id"}),
    "attachment": frozenset({"owner_id", "slot", "s3_key"}),
    "evaluation": frozenset({"request_id", "activity", "respondent"}),
}


@dataclass
class _Item:
    """One stored item: its kind, its value (a domain NamedTuple or a number) and its TTL."""

    kind: str
    value: Any
    expires_at: int | None = None

    def live(self) -> bool:
        """False once its TTL has passed: reads skip it, conditions still see it."""
        return self.expires_at is None or self.expires_at > clock.now().timestamp()


def _request_key(request_id: str) -> str:
    return f"REQ#{request_id}"


def _event_sk(event: Event) -> str:
    return f"EVT#{event.at}#{event.action}{'#' + event.suffix if event.suffix else ''}"


def _vote_sk(round_number: int, member_id: str) -> str:
    return f"VOTE#{round_number:03d}#{member_id}"


def _mail_sk(kind: str, round_number: int, recipient: Recipient, key: str) -> str:
    return f"MAIL#{round_number:03d}#{kind}#{recipient}{'#' + key if key else ''}"


META = "META"
ACTION = "ACTION"
STATUS_COUNTS = "STATUSES"  # the counts of requests per status (dynamodb/keys.py's layout)
STATUS_COUNT_PREFIX = "STATUS#"


def _copied(value: V) -> V:
    """A copy of a stored value: NamedTuples are immutable, but their dicts are not."""
    if isinstance(value, Request):
        return value._replace(document=copy.deepcopy(value.document))
    if isinstance(value, Event):
        return value._replace(detail=copy.deepcopy(value.detail))
    if isinstance(value, ActionRecord):
        return value._replace(plan=copy.deepcopy(value.plan))
    if isinstance(value, ResultsEntry):
        return value._replace(activities=copy.deepcopy(value.activities))
    if isinstance(value, PublishedAction):
        return value._replace(countries=list(value.countries))
    if isinstance(value, Expert):
        return value._replace(document=copy.deepcopy(value.document))
    if isinstance(value, Draft):
        return value._replace(values=copy.deepcopy(value.values))
    return value


class InMemoryRepository(Repository):
    """The repository contract over a dict keyed like the table, behind one lock."""

    def __init__(self) -> None:
        self._items: dict[Key, _Item] = {}
        # Invitations of erased experts: out of the expert's index (roster-index in the table).
        self._erased_invitations: set[Key] = set()
        self._leaving: dict[str, str] = {}  # expert id -> when they left (status-index's)
        self._lock = threading.RLock()
        self.calls: list[str] = []

    # --- the table ---------------------------------------------------------------------------

    def _call(self, name: str) -> None:
        self.calls.append(name)

    def _live(self, key: Key) -> _Item | None:
        item = self._items.get(key)
        return item if item is not None and item.live() else None

    def _partition(self, request_id: str) -> list[tuple[str, _Item]]:
        """Every item of a request's partition, expired ones too, in sort-key order."""
        pk = _request_key(request_id)
        return sorted((sk, item) for (p, sk), item in self._items.items() if p == pk)

    def _stored_request(self, request_id: str) -> Request | None:
        """The request as stored (conditions see it even past its TTL), or None."""
        item = self._items.get((_request_key(request_id), META))
        return None if item is None else item.value

    def _update_request(self, request: Request) -> None:
        """Replace a stored request's attributes (its TTL stays the item's)."""
        self._items[(_request_key(request.request_id), META)].value = _copied(request)

    @staticmethod
    def _read(item: _Item) -> Any:
        """A stored value as a read returns it: a copy, carrying the item's TTL."""
        value = _copied(item.value)
        timed = (
            Request
            | Event
            | Submission
            | Attachment
            | EvaluationAnswer
            | ResultsEntry
            | PublishedAction
        )
        if isinstance(value, timed):
            value = value._replace(expires_at=item.expires_at)
        return value

    def _read_request(self, request_id: str) -> Request | None:
        item = self._live((_request_key(request_id), META))
        return None if item is None else self._read(item)

    def _requests(self) -> Iterator[Request]:
        for (_, sk), item in list(self._items.items()):
            if sk == META and item.kind == "request" and item.live():
                yield self._read(item)

    def _add_event(self, event: Event) -> Key:
        key = (_request_key(event.request_id), _event_sk(event))
        if key in self._items:
            raise Conflict(f"event {key[1]} exists")
        return key

    def _store_event(self, key: Key, event: Event) -> None:
        self._items[key] = _Item("event", _copied(event), event.expires_at)

    # --- requests ----------------------------------------------------------------------------

    def next_reference_number(self, year: int) -> int:
        """Add one to the year's reference counter and return it (atomic)."""
        with self._lock:
            self._call("next_reference_number")
            key = (f"SEQ#{year}", "SEQ")
            item = self._items.setdefault(key, _Item("counter", 0))
            item.value += 1
            return int(item.value)

    def count_attempt(self, purpose: str, address_digest: str, hour_start: int) -> int:
        """Count one more POST of ``purpose`` from an address in an hour; its hour's total."""
        with self._lock:
            self._call("count_attempt")
            key = (f"RATE#{purpose}#{address_digest}", f"RATE#{hour_start}")
            item = self._items.setdefault(key, _Item("rate", 0))
            item.value += 1
            item.expires_at = hour_start + RATE_KEPT
            return int(item.value)

    def create_request(
        self, request: Request, event: Event, submission: Submission | None = None
    ) -> None:
        """Store a new request with its first event and its submission marker, together."""
        with self._lock:
            self._call("create_request")
            request_key = (_request_key(request.request_id), META)
            event_key = (_request_key(event.request_id), _event_sk(event))
            marker_key = (
                (f"SUB#{submission.submission_id}", "SUB") if submission is not None else None
            )
            if marker_key in self._items:
                raise Conflict("a submission with this id exists")
            if request_key in self._items or event_key in self._items:
                raise Conflict("the request exists")
            self._items[request_key] = _Item("request", _copied(request), request.expires_at)
            self._store_event(event_key, event)
            self._count(request.status, 1)
            if submission is not None and marker_key is not None:
                self._items[marker_key] = _Item("submission", submission, submission.expires_at)

    def get_request(self, request_id: str) -> Request | None:
        """One request (strongly consistent), or None."""
        with self._lock:
            self._call("get_request")
            return self._read_request(request_id)

    def get_submission(self, submission_id: str) -> Submission | None:
        """The marker of a submission id, or None."""
        with self._lock:
            self._call("get_submission")
            item = self._live((f"SUB#{submission_id}", "SUB"))
            return None if item is None else self._read(item)

    def partition(self, request_id: str) -> Partition:
        """The request with its events (in order), votes, mail records and Action."""
        with self._lock:
            self._call("partition")
            found: dict[str, list[Any]] = {}
            for _, item in self._partition(request_id):
                if item.live():
                    found.setdefault(item.kind, []).append(self._read(item))
            return Partition(
                request=(found.get("request") or [None])[0],
                events=found.get("event", []),
                votes=found.get("vote", []),
                mail=found.get("mail", []),
                action=(found.get("action") or [None])[0],
                invitations=tuple(found.get("invitation", [])),
                attachments=tuple(found.get("attachment", [])),
            )

    def change_status(
        self,
        request_id: str,
        target: str,
        event: Event,
        *,
        round_number: int | None = None,
        **fields: Any,
    ) -> bool:
        """Move a request to ``target`` if its status and round allow it; write ``event``."""
        unknown = fields.keys() - STATUS_FIELDS
        if unknown:
            raise ValueError(f"a status change cannot set {sorted(unknown)}")
        with self._lock:
            self._call("change_status")
            stored = self._stored_request(request_id)
            if stored is None or stored.status not in sources_of(target):
                return False
            if round_number is not None and stored.round != round_number:
                return False
            event_key = (_request_key(event.request_id), _event_sk(event))
            if event_key in self._items:
                return False
            at = clock.iso(clock.now())
            changes: dict[str, Any] = {
                "status": target,
                "status_since": at,
                "updated_at": at,
                "version": stored.version + 1,
                **fields,
            }
            self._update_request(stored._replace(**changes, answer_by=None, votes_cast=0))
            self._store_event(event_key, event)
            self._count(stored.status, -1)
            self._count(target, 1)
            return True

    def requests_in_status(
        self, status: str, since_after: str | None = None, since_before: str | None = None
    ) -> Iterator[Request]:
        """Requests in ``status`` with ``status_since`` in the (inclusive) range, oldest first."""
        with self._lock:
            self._call("requests_in_status")
            found = [
                request
                for request in self._requests()
                if request.status == status
                and (since_after is None or request.status_since >= since_after)
                and (since_before is None or request.status_since <= since_before)
            ]
        return iter(sorted(found, key=lambda request: request.status_since))

    def queue_page(
        self,
        *,
        status: str | None = None,
        region: str | None = None,
        year: int | None = None,
        regions: tuple[str, ...] = (),
        pillar: str | None = None,
        limit: int = 25,
        cursor: str | None = None,
        newest_first: bool = False,
    ) -> QueuePage:
        """The same page as the index would give: its order, ``limit`` items read, the
        filters applied to those only, the cursor after the last item read."""
        from functions.adapters.dynamodb import keys

        after = keys.read_queue_cursor(cursor) if cursor else None
        with self._lock:
            self._call("queue_page")
            if region is not None and year is not None:
                found = [
                    r
                    for r in self._requests()
                    if r.region == region and r.submitted_at[:4] == str(year)
                ]
                sort: Callable[[Request], str] = lambda r: r.submitted_at  # noqa: E731

                def kept(r: Request) -> bool:
                    return status is None or r.status == status

            elif status is not None and region is None:
                found = [r for r in self._requests() if r.status == status]
                sort = lambda r: r.status_since  # noqa: E731
                year_prefix = f"{year:04d}-" if year is not None else ""

                def kept(r: Request) -> bool:
                    in_regions = not regions or r.region in regions
                    return in_regions and r.submitted_at.startswith(year_prefix)

            else:
                raise ValueError("a queue page reads one index: a status, or a region and a year")
        ordered = sorted(found, key=lambda r: (sort(r), r.request_id), reverse=newest_first)
        if after is not None:
            position = (after[0], after[1])
            ordered = [
                r
                for r in ordered
                if (
                    (sort(r), r.request_id) < position
                    if newest_first
                    else (sort(r), r.request_id) > position
                )
            ]
        read = ordered[:limit]
        page = [r for r in read if kept(r) and (pillar is None or r.pillar == pillar)]
        more = len(ordered) > limit
        cursor_out = (
            keys.queue_cursor(sort(read[-1]), read[-1].request_id) if more and read else None
        )
        return QueuePage(page, cursor_out, len(read))

    def status_counts(self) -> dict[str, int]:
        """The counters every status change moves (never counted from the requests)."""
        with self._lock:
            self._call("status_counts")
            counts = {status.value: 0 for status in Status}
            for (pk, sk), item in self._items.items():
                if pk == STATUS_COUNTS and item.kind == "status_count":
                    status = sk.removeprefix(STATUS_COUNT_PREFIX)
                    if status in counts:
                        counts[status] = int(item.value)
            return counts

    def recount_statuses(self) -> dict[str, int]:
        """Count the live requests of each status and set the counters to it."""
        with self._lock:
            self._call("recount_statuses")
            counts = {status.value: 0 for status in Status}
            for request in self._requests():
                counts[request.status] = counts.get(request.status, 0) + 1
            for status, total in counts.items():
                self._items[(STATUS_COUNTS, STATUS_COUNT_PREFIX + status)] = _Item(
                    "status_count", total
                )
            return counts

    def _count(self, status: str, step: int) -> None:
        """Move a status's counter by ``step`` (under the lock, with the change it counts)."""
        key = (STATUS_COUNTS, STATUS_COUNT_PREFIX + status)
        item = self._items.get(key)
        self._items[key] = _Item("status_count", (int(item.value) if item else 0) + step)

    def extend_answer_by(
        self, request_id: str, round_number: int, answer_by: str, event: Event
    ) -> bool:
        """Set ``answer_by`` and write ``event`` if the request waits for information in that
        round."""
        with self._lock:
            self._call("extend_answer_by")
            stored = self._stored_request(request_id)
            if stored is None or stored.status != Status.INFORMATION_REQUESTED:
                return False
            if stored.round != round_number:
                return False
            event_key = (_request_key(event.request_id), _event_sk(event))
            if event_key in self._items:
                return False
            self._update_request(stored._replace(answer_by=answer_by))
            self._store_event(event_key, event)
            return True

    def requests_of_region(self, region: str, year: int) -> Iterator[Request]:
        """Requests of a region submitted in a year, in order of submission."""
        with self._lock:
            self._call("requests_of_region")
            found = [
                request
                for request in self._requests()
                if request.region == region and request.submitted_at[:4] == f"{year:04d}"
            ]
        return iter(sorted(found, key=lambda request: request.submitted_at))

    def request_ids_by_email_hash(self, digest: str) -> list[str]:
        """The ids of the requests whose contact's address hashes to ``digest``.

        The email index projects keys only, so (as in DynamoDB) expired requests are found too:
        erasure must reach data the table has not deleted yet.
        """
        with self._lock:
            self._call("request_ids_by_email_hash")
            return [
                item.value.request_id
                for (_, sk), item in self._items.items()
                if sk == META and item.kind == "request" and item.value.email_hash == digest
            ]

    def mark_once(
        self,
        request_id: str,
        mark: str,
        *,
        status: str | None = None,
        round_number: int | None = None,
    ) -> bool:
        """Add ``mark`` to the request's sweep marks unless there (and status, round hold)."""
        with self._lock:
            self._call("mark_once")
            stored = self._stored_request(request_id)
            if stored is None or mark in stored.sweep_marks:
                return False
            if status is not None and stored.status != status:
                return False
            if round_number is not None and stored.round != round_number:
                return False
            self._update_request(stored._replace(sweep_marks=stored.sweep_marks | {mark}))
            return True

    def unmark(self, request_id: str, mark: str) -> None:
        """Take a sweep mark back."""
        with self._lock:
            self._call("unmark")
            stored = self._stored_request(request_id)
            if stored is not None:
                self._update_request(stored._replace(sweep_marks=stored.sweep_marks - {mark}))

    def append_event(self, event: Event) -> None:
        """Add one line to a request's audit trail (Conflict if that very line exists)."""
        with self._lock:
            self._call("append_event")
            self._store_event(self._add_event(event), event)

    # --- votes -------------------------------------------------------------------------------

    def record_vote(self, vote: Vote, event: Event) -> None:
        """Write a vote and its event together, while the request is under review in its round."""
        with self._lock:
            self._call("record_vote")
            stored = self._stored_request(vote.request_id)
            if stored is None or stored.status != UNDER_REVIEW or stored.round != vote.round:
                raise RoundClosed(f"round {vote.round} of {vote.request_id} is not open")
            vote_key = (_request_key(vote.request_id), _vote_sk(vote.round, vote.member_id))
            if vote_key in self._items:
                raise AlreadyVoted(f"{vote.member_id} voted in round {vote.round}")
            event_key = self._add_event(event)
            self._items[vote_key] = _Item("vote", vote)
            self._store_event(event_key, event)
            self._update_request(stored._replace(votes_cast=stored.votes_cast + 1))

    def _votes(self, request_id: str, round_number: int) -> list[Vote]:
        prefix = _vote_sk(round_number, "")
        return [
            item.value
            for sk, item in self._partition(request_id)
            if sk.startswith(prefix) and item.live()
        ]

    def round_votes(self, request_id: str, round_number: int) -> dict[str, Vote]:
        """The votes of one round, by member id."""
        with self._lock:
            self._call("round_votes")
            return {vote.member_id: vote for vote in self._votes(request_id, round_number)}

    def request_and_round_votes(
        self, request_id: str, round_number: int
    ) -> tuple[Request | None, list[Vote]]:
        """A request and the votes of one round, read together."""
        with self._lock:
            self._call("request_and_round_votes")
            return self._read_request(request_id), self._votes(request_id, round_number)

    # --- mail --------------------------------------------------------------------------------

    def request_and_recipient(
        self, request_id: str, recipient: Recipient
    ) -> tuple[Request | None, Member | Officer | None]:
        """A request and the member or officer an email goes to, read together."""
        with self._lock:
            self._call("request_and_recipient")
            person: Member | Officer | None = None
            if recipient.role is Role.MEMBER:
                person = self._member(recipient.id)
            elif recipient.role is Role.OFFICER:
                person = self._officer(recipient.id)
            return self._read_request(request_id), person

    def _person(self, key: Key) -> Any:
        item = self._live(key)
        return None if item is None else item.value

    def _member(self, member_id: str) -> Member | None:
        found: Member | None = self._person(("COMMITTEE", f"MEMBER#{member_id}"))
        return found

    def _officer(self, officer_id: str) -> Officer | None:
        found: Officer | None = self._person(("OFFICERS", f"OFFICER#{officer_id}"))
        return found

    @staticmethod
    def _mail_key(record: MailRecord | Notification) -> Key:
        return (
            _request_key(record.request_id),
            _mail_sk(record.kind.value, record.round, record.recipient, record.key),
        )

    def claim_mail(self, record: MailRecord, expires_at: int | None = None) -> bool:
        """Store a first claim on sending an email; False if a record exists already."""
        with self._lock:
            self._call("claim_mail")
            key = self._mail_key(record)
            if key in self._items:
                return False
            self._items[key] = _Item("mail", record, expires_at)
            return True

    def get_mail(self, notification: Notification) -> MailRecord | None:
        """The record of the email a notification asks for, or None."""
        with self._lock:
            self._call("get_mail")
            item = self._live(self._mail_key(notification))
            return None if item is None else item.value

    def take_over_mail(self, record: MailRecord, at: str) -> bool:
        """Take over a claim still dated ``record.at``; False if another worker did first."""
        with self._lock:
            self._call("take_over_mail")
            item = self._items.get(self._mail_key(record))
            if item is None:
                return False
            stored: MailRecord = item.value
            if stored.state is not MailState.SENDING or stored.at != record.at:
                return False
            item.value = stored._replace(at=at, attempts=stored.attempts + 1)
            return True

    def stale_mail_claims(self, claimed_before: str) -> Iterator[MailRecord]:
        """Claims (``sending``) taken at or before ``claimed_before``, oldest first."""
        with self._lock:
            self._call("stale_mail_claims")
            claims = [
                item.value
                for item in self._items.values()
                if item.kind == "mail"
                and item.live()
                and item.value.state is MailState.SENDING
                and item.value.at <= claimed_before
            ]
        return iter(sorted(claims, key=lambda claim: claim.at))

    def finish_mail(
        self,
        record: MailRecord,
        state: MailState,
        message_id: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Record that a claimed email was sent or refused; False if it is no longer claimed."""
        with self._lock:
            self._call("finish_mail")
            item = self._items.get(self._mail_key(record))
            if item is None or item.value.state is not MailState.SENDING:
                return False
            changes: dict[str, Any] = {"state": state}
            if message_id is not None:
                changes["message_id"] = message_id
            if error is not None:
                changes["error"] = error
            item.value = item.value._replace(**changes)
            return True

    def release_mail(self, record: MailRecord) -> bool:
        """Delete a claim still dated ``record.at``; False if it is no longer that claim."""
        with self._lock:
            self._call("release_mail")
            item = self._items.get(self._mail_key(record))
            if item is None:
                return False
            stored: MailRecord = item.value
            if stored.state is not MailState.SENDING or stored.at != record.at:
                return False
            del self._items[self._mail_key(record)]
            return True

    def forget_mail(self, record: MailRecord) -> None:
        """Delete a mail record."""
        with self._lock:
            self._call("forget_mail")
            self._items.pop(self._mail_key(record), None)

    # --- Actions -----------------------------------------------------------------------------

    def get_action(self, request_id: str) -> ActionRecord | None:
        """The request's Action, or None before one is recorded."""
        with self._lock:
            self._call("get_action")
            item = self._live((_request_key(request_id), ACTION))
            return None if item is None else self._read(item)

    def save_action(self, action: ActionRecord, event: Event, previous_version: int | None) -> bool:
        """Write an Action and its event, if the stored Action is at ``previous_version``."""
        with self._lock:
            self._call("save_action")
            key = (_request_key(action.request_id), ACTION)
            stored = self._items.get(key)
            if previous_version is None and stored is not None:
                return False
            if previous_version is not None and (
                stored is None or not stored.live() or stored.value.version != previous_version
            ):
                return False
            event_key = (_request_key(event.request_id), _event_sk(event))
            if event_key in self._items:
                return False
            # A Put, as in the table: the new Action has no expiry until retention gives it one
            # again (whoever saves an Action applies retention after it).
            self._items[key] = _Item("action", _copied(action))
            self._store_event(event_key, event)
            return True

    # --- the committee -----------------------------------------------------------------------
    # (the results section, with the other engineers' sections, is at the end of the class)

    def _all(self, pk: str) -> list[Any]:
        return [item.value for (p, _), item in sorted(self._items.items()) if p == pk]

    def members(self) -> list[Member]:
        """Every member of the Steering Committee, in id order."""
        with self._lock:
            self._call("members")
            return self._all("COMMITTEE")

    def member(self, member_id: str) -> Member | None:
        """One member, or None."""
        with self._lock:
            self._call("member")
            return self._member(member_id)

    def save_member(self, member: Member) -> None:
        """Create or replace a member."""
        with self._lock:
            self._call("save_member")
            self._items[("COMMITTEE", f"MEMBER#{member.member_id}")] = _Item("member", member)

    def remove_member(self, member_id: str) -> bool:
        """Take a member off the committee (their votes stay); False if there was none."""
        with self._lock:
            self._call("remove_member")
            return self._items.pop(("COMMITTEE", f"MEMBER#{member_id}"), None) is not None

    def officers(self) -> list[Officer]:
        """Every Project Officer, in id order."""
        with self._lock:
            self._call("officers")
            return self._all("OFFICERS")

    def officer(self, officer_id: str) -> Officer | None:
        """One Project Officer, or None."""
        with self._lock:
            self._call("officer")
            return self._officer(officer_id)

    def save_officer(self, officer: Officer) -> None:
        """Create or replace a Project Officer."""
        with self._lock:
            self._call("save_officer")
            self._items[("OFFICERS", f"OFFICER#{officer.officer_id}")] = _Item("officer", officer)

    def remove_officer(self, officer_id: str) -> bool:
        """Remove a Project Officer; False if there was none."""
        with self._lock:
            self._call("remove_officer")
            return self._items.pop(("OFFICERS", f"OFFICER#{officer_id}"), None) is not None

    # --- suppression -------------------------------------------------------------------------

    def is_suppressed(self, address_digest: str) -> bool:
        """True if the address must not be mailed again."""
        with self._lock:
            self._call("is_suppressed")
            return self._live((f"SUPPRESS#{address_digest}", "SUPPRESS")) is not None

    def suppress(self, address_digest: str, reason: str, at: str) -> bool:
        """Suppress an address; False if it already was (the first reason is kept)."""
        with self._lock:
            self._call("suppress")
            key = (f"SUPPRESS#{address_digest}", "SUPPRESS")
            if key in self._items:
                return False
            self._items[key] = _Item("suppression", (reason, at))
            return True

    def unsuppress(self, address_digest: str) -> bool:
        """Remove an address from the suppression list; False if it was not on it."""
        with self._lock:
            self._call("unsuppress")
            key = (f"SUPPRESS#{address_digest}", "SUPPRESS")
            return self._items.pop(key, None) is not None

    # --- retention and erasure ---------------------------------------------------------------

    def expire_partition(self, request_id: str, expires_at: int) -> int:
        """Give every item of a request the expiry, the request last; returns the items changed."""
        with self._lock:
            self._call("expire_partition")
            changed = 0
            # The request last: once it carries the expiry, everything else does.
            for _sk, item in sorted(self._partition(request_id), key=lambda pair: pair[0] == META):
                if item.expires_at != expires_at:
                    item.expires_at = expires_at
                    if "expires_at" in getattr(item.value, "_fields", ()):
                        item.value = item.value._replace(expires_at=expires_at)
                    changed += 1
            return changed

    def scrub_partition(self, request_id: str, scrub: Callable[[str], str]) -> dict[str, int]:
        """Pass every text of every item of a request through ``scrub`` (not the request's
        document or keys); returns the items changed, by kind."""
        with self._lock:
            self._call("scrub_partition")
            changed: Counter[str] = Counter()
            for _, item in self._partition(request_id):
                value = item.value
                if not hasattr(value, "_asdict"):  # a count (room_count): no text in it
                    continue
                keep = KEY_FIELDS.get(item.kind, frozenset())
                changes = {
                    name: scrubbed
                    for name, field in value._asdict().items()
                    if name not in keep and (scrubbed := _scrubbed(field, scrub)) != field
                }
                if changes:
                    item.value = value._replace(**changes)
                    changed[item.kind] += 1
            return dict(changed)

    def replace_contact(self, request_id: str, document: dict[str, Any], fingerprint: str) -> bool:
        """Store an anonymised document and fingerprint, drop the address hash, and give the
        submission marker the new fingerprint. False if the request is gone."""
        with self._lock:
            self._call("replace_contact")
            stored = self._stored_request(request_id)
            if stored is None:
                return False
            self._update_request(
                stored._replace(document=document, fingerprint=fingerprint, email_hash=None)
            )
            if stored.submission_id is not None:
                marker = self._items.get((f"SUB#{stored.submission_id}", "SUB"))
                if marker is not None:
                    marker.value = marker.value._replace(fingerprint=fingerprint)
            return True

    # --- results (issue 19): evaluations ------------------------------------------------------

    def save_evaluation(self, answer: EvaluationAnswer) -> bool:
        """Store a personal link's answer unless that respondent answered already."""
        with self._lock:
            self._call("save_evaluation")
            key = (_request_key(answer.request_id), _evaluation_sk(answer))
            if key in self._items:
                return False
            self._items[key] = _Item("evaluation", answer, answer.expires_at)
            return True

    def save_room_evaluation(self, answer: EvaluationAnswer, cap: int) -> bool:
        """Store an anonymous answer and count it, while the activity has fewer than ``cap``."""
        with self._lock:
            self._call("save_room_evaluation")
            pk = _request_key(answer.request_id)
            count_key = (pk, f"EVALROOM#{answer.activity:02d}")
            key = (pk, _evaluation_sk(answer))
            counted = self._items.get(count_key)
            if (counted is not None and counted.value >= cap) or key in self._items:
                return False
            if counted is None:
                counted = self._items[count_key] = _Item("room_count", 0, answer.expires_at)
            counted.value += 1
            self._items[key] = _Item("evaluation", answer, answer.expires_at)
            return True

    def get_evaluation(
        self, request_id: str, activity: int, respondent: str
    ) -> EvaluationAnswer | None:
        """One respondent's answer for one activity, or None."""
        with self._lock:
            self._call("get_evaluation")
            sk = f"EVAL#{activity:02d}#{respondent}"
            item = self._live((_request_key(request_id), sk))
            return None if item is None else self._read(item)

    def evaluations(self, request_id: str) -> list[EvaluationAnswer]:
        """Every answer of a request's evaluations, in sort-key order (by activity)."""
        with self._lock:
            self._call("evaluations")
            return [
                self._read(item)
                for sk, item in self._partition(request_id)
                if sk.startswith("EVAL#") and item.live()
            ]

    def save_results(self, entry: ResultsEntry, years: list[int], stale: list[int]) -> None:
        """Put the entry in each year's index and take it out of the stale years, together."""
        with self._lock:
            self._call("save_results")
            for year in stale:  # expired now, as in the table (an update creates it if absent)
                stale_item = self._items.get((f"RESULTS#{year}", f"ACTION#{entry.request_id}"))
                if stale_item is not None:
                    stale_item.expires_at = int(clock.now().timestamp())
            for year in years:
                key = (f"RESULTS#{year}", f"ACTION#{entry.request_id}")
                self._items[key] = _Item("results", _copied(entry), entry.expires_at)

    def results_of_year(self, year: int) -> list[ResultsEntry]:
        """The year's index: one partition, by request id."""
        with self._lock:
            self._call("results_of_year")
            pk = f"RESULTS#{year}"
            found = sorted((sk, item) for (p, sk), item in self._items.items() if p == pk)
            return [self._read(item) for _, item in found if item.live()]

    def publish(self, action: PublishedAction) -> None:
        """Create or replace an Action on the public pages."""
        with self._lock:
            self._call("publish")
            key = ("PUBLISHED", f"ACTION#{action.request_id}")
            self._items[key] = _Item("published", _copied(action), action.expires_at)

    def unpublish(self, request_id: str) -> bool:
        """Take an Action off the public pages; False if it was not on them."""
        with self._lock:
            self._call("unpublish")
            item = self._items.get(("PUBLISHED", f"ACTION#{request_id}"))
            if item is None or not item.live():
                return False
            item.expires_at = int(clock.now().timestamp())  # expires now, as in the table
            return True

    def published_actions(self) -> list[PublishedAction]:
        """Every published Action, by request id."""
        with self._lock:
            self._call("published_actions")
            found = sorted((sk, item) for (p, sk), item in self._items.items() if p == "PUBLISHED")
            return [self._read(item) for _, item in found if item.live()]

    # --- experts (the roster; issue 18) ----------------------------------------------------------

    def create_expert(self, expert: Expert) -> None:
        """Store a new registration with its address marker, together."""
        with self._lock:
            self._call("create_expert")
            profile = (f"EXPERT#{expert.expert_id}", "PROFILE")
            marker = (f"EXPADDR#{expert.email_hash}", "EXPADDR")
            if profile in self._items or marker in self._items:
                raise Conflict("this address is registered already")
            self._items[profile] = _Item("expert", _copied(expert))
            self._items[marker] = _Item("expert_address", expert.expert_id)

    def _stored_expert(self, expert_id: str) -> Expert | None:
        item = self._live((f"EXPERT#{expert_id}", "PROFILE"))
        return None if item is None else _copied(item.value)

    def get_expert(self, expert_id: str) -> Expert | None:
        """One expert, or None."""
        with self._lock:
            self._call("get_expert")
            return self._stored_expert(expert_id)

    def decide_expert(
        self, expert_id: str, status: str, by: str, at: str, reason: str | None = None
    ) -> bool:
        """Decide a pending registration once; an activation adds its topic entries."""
        with self._lock:
            self._call("decide_expert")
            target = ExpertStatus(status)
            stored = self._stored_expert(expert_id)
            if stored is None or stored.status not in {s.value for s in DECISIONS[target]}:
                return False
            decided = stored._replace(
                status=target.value,
                decided_by=by,
                decided_at=at,
                updated_at=at,
                decline_reason=reason if reason is not None else stored.decline_reason,
                version=stored.version + 1,
            )
            self._items[(f"EXPERT#{expert_id}", "PROFILE")] = _Item("expert", decided)
            if target is ExpertStatus.ACTIVE:
                for topic in stored.topics:
                    self._items[(f"EXPERT#{expert_id}", f"TOPIC#{topic}")] = _Item(
                        "expert_topic", topic
                    )
            return True

    def update_expert(self, updated: Expert, previous: Expert) -> bool:
        """Replace the registration if it is still at the version read; re-index its topics."""
        with self._lock:
            self._call("update_expert")
            expert_id = updated.expert_id
            stored = self._stored_expert(expert_id)
            if (
                stored is None
                or stored.version != previous.version
                or stored.status != previous.status
            ):
                return False
            saved = stored._replace(
                document=copy.deepcopy(updated.document),
                status=updated.status,
                updated_at=updated.updated_at,
                version=stored.version + 1,
            )
            self._items[(f"EXPERT#{expert_id}", "PROFILE")] = _Item("expert", saved)
            for key in [k for k in self._items if k[0] == f"EXPERT#{expert_id}"]:
                if key[1].startswith("TOPIC#"):
                    del self._items[key]
            if saved.status == ExpertStatus.ACTIVE.value:
                for topic in saved.topics:
                    self._items[(f"EXPERT#{expert_id}", f"TOPIC#{topic}")] = _Item(
                        "expert_topic", topic
                    )
            return True

    def _experts(self) -> Iterator[Expert]:
        for (_, sk), item in sorted(self._items.items()):
            if sk == "PROFILE" and item.kind == "expert" and item.live():
                yield _copied(item.value)

    def experts_of_member_state(self, member_state: str, status: str) -> list[Expert]:
        """A member state's registrations in a status, in order of registration."""
        with self._lock:
            self._call("experts_of_member_state")
            found = [
                e for e in self._experts() if e.member_state == member_state and e.status == status
            ]
            return sorted(found, key=lambda e: (e.registered_at, e.expert_id))

    def roster_page(
        self, member_state: str, status: str, limit: int = 25, cursor: str | None = None
    ) -> tuple[list[Expert], str | None]:
        """The same page as the index would give: its order, ``limit`` entries, the cursor."""
        from functions.adapters.dynamodb import keys

        after = keys.read_queue_cursor(cursor) if cursor else None
        with self._lock:
            self._call("roster_page")
            found = [
                e for e in self._experts() if e.member_state == member_state and e.status == status
            ]
        ordered = sorted(found, key=lambda e: (e.registered_at, e.expert_id))
        if after is not None:
            ordered = [e for e in ordered if (e.registered_at, e.expert_id) > after]
        page = ordered[:limit]
        if len(ordered) > limit:
            return page, keys.queue_cursor(page[-1].registered_at, page[-1].expert_id)
        return page, None

    def active_experts_of_topics(self, topics: list[str]) -> tuple[list[Expert], int]:
        """The active experts of any of the topics, and the items the table would read: the
        topic entries found, then one profile per candidate."""
        with self._lock:
            self._call("active_experts_of_topics")
            wanted = {f"TOPIC#{t}" for t in topics}
            entries = [
                pk
                for (pk, sk), item in self._items.items()
                if sk in wanted and item.kind == "expert_topic" and item.live()
            ]
            candidates = sorted(set(entries))
            experts = [
                e
                for e in (self._stored_expert(pk.removeprefix("EXPERT#")) for pk in candidates)
                if e is not None
            ]
            active = [e for e in experts if e.status == ExpertStatus.ACTIVE.value]
            return sorted(active, key=lambda e: e.expert_id), len(entries) + len(experts)

    def save_focal_point(self, focal_point: FocalPoint) -> None:
        """Create or replace a national focal point."""
        with self._lock:
            self._call("save_focal_point")
            key = ("FOCAL", f"FOCAL#{focal_point.member_state}#{focal_point.focal_id}")
            self._items[key] = _Item("focal_point", focal_point)

    def focal_points(self, member_state: str) -> list[FocalPoint]:
        """A member state's focal points, in id order."""
        with self._lock:
            self._call("focal_points")
            prefix = f"FOCAL#{member_state}#"
            return [
                item.value
                for (pk, sk), item in sorted(self._items.items())
                if pk == "FOCAL" and sk.startswith(prefix)
            ]

    def focal_point(self, member_state: str, focal_id: str) -> FocalPoint | None:
        """One focal point, or None."""
        with self._lock:
            self._call("focal_point")
            item = self._live(("FOCAL", f"FOCAL#{member_state}#{focal_id}"))
            return None if item is None else item.value

    def remove_focal_point(self, member_state: str, focal_id: str) -> bool:
        """Remove a focal point; False if there was none."""
        with self._lock:
            self._call("remove_focal_point")
            key = ("FOCAL", f"FOCAL#{member_state}#{focal_id}")
            return self._items.pop(key, None) is not None

    def hold_mail(self, messages: list[dict[str, object]], at: str) -> str:
        """Keep the messages under a new key (never replaces another batch)."""
        import uuid

        from functions.adapters.repository import HELD_MAIL_DAYS

        with self._lock:
            self._call("hold_mail")
            key = f"{at}#{uuid.uuid4().hex}"
            expires = int(clock.now().timestamp()) + HELD_MAIL_DAYS * 86400
            self._items[("HELDMAIL", key)] = _Item("held_mail", copy.deepcopy(messages), expires)
            return key

    def held_mail(self, limit: int = 100) -> list[tuple[str, list[dict[str, object]]]]:
        """The held batches, oldest first."""
        with self._lock:
            self._call("held_mail")
            found = [
                (sk, copy.deepcopy(item.value))
                for (pk, sk), item in sorted(self._items.items())
                if pk == "HELDMAIL" and item.live()
            ]
            return found[:limit]

    def drop_held_mail(self, key: str) -> None:
        """Forget a held batch."""
        with self._lock:
            self._call("drop_held_mail")
            self._items.pop(("HELDMAIL", key), None)

    def all_focal_points(self) -> list[FocalPoint]:
        """Every member state's focal points, by member state then id."""
        with self._lock:
            self._call("all_focal_points")
            found = sorted((sk, item) for (pk, sk), item in self._items.items() if pk == "FOCAL")
            return [item.value for _, item in found]

    def append_admin_event(self, event: Event) -> None:
        """Add one line to the administration's trail (Conflict if that very line exists)."""
        with self._lock:
            self._call("append_admin_event")
            suffix = f"#{event.suffix}" if event.suffix else ""
            key = ("ADMIN", f"EVT#{event.at}#{event.action}{suffix}")
            if key in self._items:
                raise Conflict(f"event {event.action} at {event.at} exists")
            self._items[key] = _Item("admin_event", _copied(event._replace(request_id="")))

    def admin_events(self, limit: int) -> list[Event]:
        """The administration's trail, newest first."""
        with self._lock:
            self._call("admin_events")
            found = sorted((sk, item) for (pk, sk), item in self._items.items() if pk == "ADMIN")
            return [_copied(item.value) for _, item in reversed(found)][:limit]

    @staticmethod
    def _roster_mail_key(record: RosterMailRecord | RosterNotification) -> Key:
        suffix = "#" + record.key if record.key else ""
        return (
            f"EXPERT#{record.expert_id}",
            f"MAIL#{record.kind.value}#{record.recipient}{suffix}",
        )

    def claim_roster_mail(self, record: RosterMailRecord) -> bool:
        """Store a first claim on sending a roster email; False if a record exists already."""
        with self._lock:
            self._call("claim_roster_mail")
            key = self._roster_mail_key(record)
            if key in self._items:
                return False
            self._items[key] = _Item("expert_mail", record)
            return True

    def get_roster_mail(self, notification: RosterNotification) -> RosterMailRecord | None:
        """The record of the roster email a notification asks for, or None."""
        with self._lock:
            self._call("get_roster_mail")
            item = self._live(self._roster_mail_key(notification))
            return None if item is None else item.value

    def _claimed_roster_mail(self, record: RosterMailRecord) -> _Item | None:
        item = self._items.get(self._roster_mail_key(record))
        if item is None or item.value.state is not MailState.SENDING or item.value.at != record.at:
            return None
        return item

    def take_over_roster_mail(self, record: RosterMailRecord, at: str) -> bool:
        """Take over a dead worker's claim; False if another worker did first."""
        with self._lock:
            self._call("take_over_roster_mail")
            item = self._claimed_roster_mail(record)
            if item is None:
                return False
            item.value = item.value._replace(at=at, attempts=item.value.attempts + 1)
            return True

    def finish_roster_mail(
        self,
        record: RosterMailRecord,
        state: MailState,
        message_id: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Record the outcome of a claimed roster email; False if no longer claimed."""
        with self._lock:
            self._call("finish_roster_mail")
            item = self._claimed_roster_mail(record)
            if item is None:
                return False
            item.value = item.value._replace(
                state=state,
                message_id=message_id or item.value.message_id,
                error=error or item.value.error,
            )
            return True

    # invitations

    @staticmethod
    def _invitation_key(request_id: str, activity: int, expert_id: str) -> Key:
        return (f"REQ#{request_id}", f"INVITE#{activity:02d}#{expert_id}")

    def invite(self, invitations: list[Invitation], places: Places) -> list[Invitation]:
        """Store new invitations and, if new, the activity's places."""
        with self._lock:
            self._call("invite")
            places_key = (f"REQ#{places.request_id}", f"INVITE#{places.activity:02d}")
            if places_key not in self._items:
                self._items[places_key] = _Item("places", places._replace(filled=0))
            stored = []
            for invitation in invitations:
                key = self._invitation_key(
                    invitation.request_id, invitation.activity, invitation.expert_id
                )
                if key not in self._items:
                    self._items[key] = _Item("invitation", invitation)
                    stored.append(invitation)
            return stored

    def get_invitation(self, request_id: str, activity: int, expert_id: str) -> Invitation | None:
        """One invitation, or None."""
        with self._lock:
            self._call("get_invitation")
            item = self._live(self._invitation_key(request_id, activity, expert_id))
            return None if item is None else item.value

    def activity_invitations(
        self, request_id: str, activity: int
    ) -> tuple[Places | None, list[Invitation]]:
        """An activity's places and its invitations, in expert id order."""
        with self._lock:
            self._call("activity_invitations")
            prefix = f"INVITE#{activity:02d}"
            places: Places | None = None
            found: list[Invitation] = []
            for sk, item in self._partition(request_id):
                if not item.live():
                    continue
                if sk == prefix and item.kind == "places":
                    places = item.value
                elif sk.startswith(prefix + "#") and item.kind == "invitation":
                    found.append(item.value)
            return places, found

    def _waiting(self, invitation: Invitation) -> _Item | None:
        item = self._items.get(
            self._invitation_key(invitation.request_id, invitation.activity, invitation.expert_id)
        )
        if item is None or item.value.status != InvitationStatus.INVITED.value:
            return None
        return item

    def accept_invitation(self, invitation: Invitation, at: str) -> str:
        """Accept, take a place and count the deployment together; or say why not."""
        with self._lock:
            self._call("accept_invitation")
            item = self._waiting(invitation)
            if item is None or item.value.respond_by <= at:
                return "answered"
            places = self._items.get(
                (f"REQ#{invitation.request_id}", f"INVITE#{invitation.activity:02d}")
            )
            if places is None or places.value.filled >= places.value.places:
                return "full"
            expert = self._items.get((f"EXPERT#{invitation.expert_id}", "PROFILE"))
            if expert is None:
                return "full"  # as the table's transaction: its third condition failed
            places.value = places.value._replace(filled=places.value.filled + 1)
            expert.value = expert.value._replace(deployments=expert.value.deployments + 1)
            item.value = item.value._replace(
                status=InvitationStatus.ACCEPTED.value, responded_at=at
            )
            return "accepted"

    def close_invitation(
        self, invitation: Invitation, status: str, at: str, reason: str | None = None
    ) -> bool:
        """Move a waiting invitation to its final status; False if it was not waiting."""
        with self._lock:
            self._call("close_invitation")
            item = self._waiting(invitation)
            if item is None:
                return False
            item.value = item.value._replace(
                status=InvitationStatus(status).value,
                responded_at=at,
                reason=reason if reason is not None else item.value.reason,
            )
            return True

    def invitations_due(self, respond_by_before: str) -> Iterator[Invitation]:
        """Waiting invitations with a deadline at or before the time, earliest first."""
        with self._lock:
            self._call("invitations_due")
            due = [
                item.value
                for item in self._items.values()
                if item.kind == "invitation"
                and item.live()
                and item.value.status == InvitationStatus.INVITED.value
                and item.value.respond_by <= respond_by_before
            ]
        return iter(sorted(due, key=lambda i: (i.respond_by, i.request_id, i.expert_id)))

    def mark_invitation_reminded(self, invitation: Invitation) -> bool:
        """Mark a waiting invitation reminded, once."""
        with self._lock:
            self._call("mark_invitation_reminded")
            item = self._waiting(invitation)
            if item is None or item.value.reminded:
                return False
            item.value = item.value._replace(reminded=True)
            return True

    def expert_id_by_email_hash(self, address_digest: str) -> str | None:
        """The expert registered with an address, or None."""
        with self._lock:
            self._call("expert_id_by_email_hash")
            item = self._live((f"EXPADDR#{address_digest}", "EXPADDR"))
            return None if item is None else str(item.value)

    def mark_leaving(self, expert_id: str, at: str) -> bool:
        """The expert left: no longer matched or shown, erased by the sweeper's next run."""
        with self._lock:
            self._call("mark_leaving")
            item = self._items.get((f"EXPERT#{expert_id}", "PROFILE"))
            if item is None or item.value.status == ExpertStatus.LEAVING.value:
                return False
            item.value = item.value._replace(status=ExpertStatus.LEAVING.value, updated_at=at)
            self._leaving[expert_id] = at
            return True

    def experts_leaving(self) -> list[str]:
        """The experts who left and are not erased yet, earliest first."""
        with self._lock:
            self._call("experts_leaving")
            return sorted(self._leaving, key=lambda e: (self._leaving[e], e))

    def erase_expert(self, expert_id: str) -> dict[str, int]:
        """Delete the expert's items and marker; their invitations leave the expert's index
        (the fake keeps no index: it counts them, as the table changes them)."""
        with self._lock:
            self._call("erase_expert")
            changed: dict[str, int] = {}
            profile = self._items.get((f"EXPERT#{expert_id}", "PROFILE"))
            if profile is not None:
                marker = (f"EXPADDR#{profile.value.email_hash}", "EXPADDR")
                if self._items.pop(marker, None) is not None:
                    changed["expert_address"] = 1
            self._leaving.pop(expert_id, None)
            for key in [k for k in self._items if k[0] == f"EXPERT#{expert_id}"]:
                kind = self._items.pop(key).kind
                changed[kind] = changed.get(kind, 0) + 1
            erased = [
                key
                for key, item in self._items.items()
                if item.kind == "invitation"
                and item.value.expert_id == expert_id
                and key not in self._erased_invitations
            ]
            for key in erased:
                self._erased_invitations.add(key)
            if erased:
                changed["invitation"] = len(erased)
            return changed

    def deployments_of_year(self, year: int) -> list[Invitation]:
        """The invitations accepted in a year, in order of acceptance."""
        with self._lock:
            self._call("deployments_of_year")
            found = [
                item.value
                for item in self._items.values()
                if item.kind == "invitation"
                and item.live()
                and item.value.status == InvitationStatus.ACCEPTED.value
                and (item.value.responded_at or "").startswith(str(year))
            ]
            return sorted(found, key=lambda i: (i.responded_at, i.request_id, i.expert_id))

    def roster_size(self) -> dict[str, dict[str, int]]:
        """The registrations counted by member state and status."""
        with self._lock:
            self._call("roster_size")
            sizes: dict[str, dict[str, int]] = {}
            for expert in self._experts():
                if expert.status not in ROSTER_STATUSES:
                    continue
                counts = sizes.setdefault(expert.member_state, {})
                counts[expert.status] = counts.get(expert.status, 0) + 1
            return sizes

    def expert_invitations(self, expert_id: str) -> list[Invitation]:
        """An expert's invitations, oldest first (none once the expert was erased)."""
        with self._lock:
            self._call("expert_invitations")
            found = [
                item.value
                for key, item in self._items.items()
                if item.kind == "invitation"
                and item.live()
                and item.value.expert_id == expert_id
                and key not in self._erased_invitations
            ]
            return sorted(found, key=lambda i: (i.invited_at, i.request_id, i.activity))

    # --- drafts (issue 20: "Save and continue later") ----------------------------------------

    @staticmethod
    def _draft_key(draft_id: str) -> Key:
        return f"DRAFT#{draft_id}", "DRAFT"

    def save_draft(self, draft: Draft, previous_version: int | None) -> bool:
        """Store a draft if the stored one is still at ``previous_version`` (None: none yet)."""
        with self._lock:
            self._call("save_draft")
            key = self._draft_key(draft.draft_id)
            stored = self._items.get(key)  # conditions see an expired draft too
            if previous_version is None and stored is not None:
                return False
            if previous_version is not None and (
                stored is None or not stored.live() or stored.value.version != previous_version
            ):
                return False
            self._items[key] = _Item("draft", _copied(draft), draft.expires_at)
            return True

    def get_draft(self, draft_id: str) -> Draft | None:
        """One draft, or None."""
        with self._lock:
            self._call("get_draft")
            item = self._live(self._draft_key(draft_id))
            return None if item is None else self._read(item)

    def discard_draft(self, draft_id: str) -> bool:
        """End a draft now: answers and hash removed, TTL now; False if none (or ended)."""
        with self._lock:
            self._call("discard_draft")
            item = self._items.get(self._draft_key(draft_id))
            if item is None or not item.live():
                return False
            now = int(clock.now().timestamp())
            item.value = item.value._replace(
                values={}, email_hash="", reminder_due=None, expires_at=now
            )
            item.expires_at = now
            return True

    def drafts_due_reminder(self, due_by: str) -> Iterator[Draft]:
        """Drafts not yet reminded whose reminder is due by ``due_by``, soonest first."""
        with self._lock:
            self._call("drafts_due_reminder")
            due = [
                self._read(item)
                for item in self._items.values()
                if item.kind == "draft"
                and item.live()
                and item.value.reminder_due is not None
                and item.value.reminder_due <= due_by
            ]
        return iter(sorted(due, key=lambda draft: draft.reminder_due))

    def mark_draft_reminded(self, draft_id: str, version: int) -> bool:
        """Mark a draft reminded if still at ``version`` and not reminded yet."""
        with self._lock:
            self._call("mark_draft_reminded")
            item = self._items.get(self._draft_key(draft_id))
            if item is None or item.value.version != version or item.value.reminder_due is None:
                return False
            item.value = item.value._replace(reminder_due=None)
            return True

    def draft_ids_by_email_hash(self, digest: str) -> list[str]:
        """The ids of the drafts whose address hashes to ``digest`` (expired ones too)."""
        with self._lock:
            self._call("draft_ids_by_email_hash")
            return [
                item.value.draft_id
                for item in self._items.values()
                if item.kind == "draft" and item.value.email_hash == digest
            ]

    # --- attachments (issue 20) --------------------------------------------------------------

    @staticmethod
    def _attachment_key(owner_id: str, slot: str, in_draft: bool) -> Key:
        return f"{'DRAFT' if in_draft else 'REQ'}#{owner_id}", f"ATT#{slot}"

    def save_attachment(self, attachment: Attachment) -> None:
        """Store an attachment in its slot (replacing whatever the slot held)."""
        with self._lock:
            self._call("save_attachment")
            key = self._attachment_key(attachment.owner_id, attachment.slot, attachment.in_draft)
            self._items[key] = _Item("attachment", attachment, attachment.expires_at)

    def attachments(
        self, owner_id: str, in_draft: bool = False, ended: bool = False
    ) -> list[Attachment]:
        """The attachments of a request (or a draft), in slot order."""
        with self._lock:
            self._call("attachments")
            pk, _ = self._attachment_key(owner_id, "", in_draft)
            return [
                self._read(item)
                for (p, sk), item in sorted(self._items.items(), key=lambda pair: pair[0])
                if p == pk and sk.startswith("ATT#") and (ended or item.live())
            ]

    def _same_live_object(self, attachment: Attachment) -> _Item | None:
        key = self._attachment_key(attachment.owner_id, attachment.slot, attachment.in_draft)
        item = self._items.get(key)
        if item is None or not item.live() or item.value.s3_key != attachment.s3_key:
            return None
        return item

    def set_attachment_scan(self, attachment: Attachment, scan: ScanState) -> bool:
        """Record a scan's outcome, if the slot still holds that object, not ended."""
        with self._lock:
            self._call("set_attachment_scan")
            item = self._same_live_object(attachment)
            if item is None:
                return False
            item.value = item.value._replace(scan=scan)
            return True

    def end_attachment(self, attachment: Attachment) -> bool:
        """End an attachment now (its TTL now, if not earlier) and take it out of the deletion
        index; False if the slot holds another object or it was ended and out already."""
        with self._lock:
            self._call("end_attachment")
            now = int(clock.now().timestamp())
            key = self._attachment_key(attachment.owner_id, attachment.slot, attachment.in_draft)
            item = self._items.get(key)
            if item is None or item.value.s3_key != attachment.s3_key:
                return False
            if not item.live() and item.value.deletion_due is None:
                return False
            if item.live():
                item.expires_at = now
            item.value = item.value._replace(expires_at=item.expires_at, deletion_due=None)
            return True

    def schedule_attachment_deletion(self, request_id: str, due: str) -> int:
        """Set when the objects of a request's live attachments are to be deleted."""
        with self._lock:
            self._call("schedule_attachment_deletion")
            changed = 0
            for found in self.attachments(request_id):
                if found.deletion_due != due:
                    item = self._items[self._attachment_key(request_id, found.slot, False)]
                    item.value = item.value._replace(deletion_due=due)
                    changed += 1
            return changed

    def attachments_due_deletion(self, due_by: str) -> Iterator[Attachment]:
        """Request attachments whose deletion is due by ``due_by``, soonest first."""
        with self._lock:
            self._call("attachments_due_deletion")
            due = [
                self._read(item)
                for item in self._items.values()
                if item.kind == "attachment"
                and item.value.deletion_due is not None
                and item.value.deletion_due <= due_by
            ]
        return iter(sorted(due, key=lambda attachment: attachment.deletion_due))

    def move_attachments(
        self, draft_id: str, request_id: str, expires_at: int | None
    ) -> list[Attachment]:
        """Give a draft's attachments to its request and end the draft's items, together."""
        with self._lock:
            self._call("move_attachments")
            moved = []
            now = int(clock.now().timestamp())
            for found in self.attachments(draft_id, in_draft=True):
                new = found._replace(
                    owner_id=request_id,
                    in_draft=False,
                    expires_at=expires_at,
                    deletion_due=None if expires_at is None else deletion_due(expires_at),
                )
                key = self._attachment_key(request_id, found.slot, False)
                self._items[key] = _Item("attachment", new, expires_at)
                old = self._items[self._attachment_key(draft_id, found.slot, True)]
                old.expires_at = now
                old.value = old.value._replace(expires_at=now)
                moved.append(new)
            return moved


def _evaluation_sk(answer: EvaluationAnswer) -> str:
    return f"EVAL#{answer.activity:02d}#{answer.respondent}"


def _scrubbed(value: Any, scrub: Callable[[str], str]) -> Any:
    """``value`` with every text in it scrubbed: nested maps and lists, JSON texts parsed."""
    if isinstance(value, Enum):
        return value  # a state or a kind: a name of the code, not a text of a person
    if isinstance(value, str):
        if value.startswith(("{", "[")):
            try:
                parsed = json.loads(value, strict=False)
            except ValueError:
                pass
            else:
                cleaned = _scrubbed(parsed, scrub)
                return value if cleaned == parsed else json.dumps(cleaned)
        return scrub(value)
    if isinstance(value, dict):
        return {key: _scrubbed(inner, scrub) for key, inner in value.items()}
    if isinstance(value, list):
        return [_scrubbed(inner, scrub) for inner in value]
    if isinstance(value, tuple):
        inner_values = [_scrubbed(inner, scrub) for inner in value]
        return type(value)(*inner_values) if hasattr(value, "_fields") else tuple(inner_values)
    if isinstance(value, frozenset):
        return frozenset(_scrubbed(inner, scrub) for inner in value)
    return value
