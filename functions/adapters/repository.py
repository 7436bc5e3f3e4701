"""The storage seam: every read and write the services make, behind one abstract class.

Services call :func:`repository` and get domain values back (functions/domain/records.py,
functions/domain/mail.py, functions/domain/committee.py); they never see a key, a pynamodb model
or a condition expression. Two implementations keep the same contract (tests/contract/ runs one
suite against both): :class:`functions.adapters.dynamodb.repository.DynamoRepository`, the table
in AWS (or moto), and :class:`functions.adapters.dynamodb.fake.InMemoryRepository`, for service
tests that run in milliseconds.

Failures follow the domain's taxonomy: a lost conditional write is ``False`` where losing is a
normal outcome of a race (the sweeper's marks, a decision made once), and a domain error where
the caller must tell someone (:class:`AlreadyVoted`, :class:`RoundClosed`, :class:`Conflict`);
a dependency that fails raises :class:`Unavailable` with the original error as its cause.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

from functions.domain.attachments import Attachment, ScanState
from functions.domain.committee import Member, Officer
from functions.domain.experts import Expert, FocalPoint, Invitation, Places
from functions.domain.mail import (
    MailRecord,
    MailState,
    Notification,
    Recipient,
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

# How long notifications whose publish failed are kept for the sweeper (which queues them
# again within minutes): long enough for any queue outage, short enough to hold nothing stale.
HELD_MAIL_DAYS = 14


class Repository(ABC):
    """Every access pattern of the service. Reads skip items past their TTL (``expires_at``):
    DynamoDB deletes expired items late (and moto never does)."""

    # --- requests --------------------------------------------------------------------------

    @abstractmethod
    def next_reference_number(self, year: int) -> int:
        """Add one to the year's reference counter and return it (atomic)."""

    @abstractmethod
    def count_attempt(self, purpose: str, address_digest: str, hour_start: int) -> int:
        """Count one more POST of ``purpose`` (``submission``, ``vote``, ...) from a (keyed-hash)
        address in the hour starting at ``hour_start`` (epoch seconds); return the hour's total
        for that purpose (one atomic write, kept two hours)."""

    @abstractmethod
    def create_request(
        self, request: Request, event: Event, submission: Submission | None = None
    ) -> None:
        """Store a new request with its first event and its submission marker, together.

        Raises :class:`Conflict` (nothing stored) if the submission marker exists already.
        """

    @abstractmethod
    def get_request(self, request_id: str) -> Request | None:
        """One request (strongly consistent), or None."""

    @abstractmethod
    def get_submission(self, submission_id: str) -> Submission | None:
        """The marker of a submission id, or None."""

    @abstractmethod
    def partition(self, request_id: str) -> Partition:
        """The request with its events (in order), votes, mail records and Action."""

    @abstractmethod
    def change_status(
        self,
        request_id: str,
        target: str,
        event: Event,
        *,
        round_number: int | None = None,
        **fields: Any,
    ) -> bool:
        """Move a request to ``target`` if its stored status may move there (the domain's
        transition table: ``requests.sources_of``) and, if given, it is still in round
        ``round_number``; set ``fields`` (None removes one) and write ``event``, together.

        Returns False (nothing written) when another writer moved it first: only one caller
        wins a decision. Fields: round, document, open_question, decided_at, decision_reason.
        """

    @abstractmethod
    def requests_in_status(
        self, status: str, since_after: str | None = None, since_before: str | None = None
    ) -> Iterator[Request]:
        """Requests in ``status`` whose ``status_since`` lies in the range (both inclusive,
        ISO timestamps, either open), longest there first. Eventually consistent: act on what it
        returns only through conditional writes."""

    @abstractmethod
    def requests_of_region(self, region: str, year: int) -> Iterator[Request]:
        """Requests of a region submitted in a year, in order of submission."""

    @abstractmethod
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
        """One page of the staff queue from one index, reading ``limit`` items at most.

        ``region`` and ``year``: region-index (by submission), ``status`` then filters it;
        else ``status``: status-index (by time in the status: longest first, or newest),
        ``regions`` (any of) and ``year`` (of submission) filter it. ``pillar`` filters
        either. Filters apply within the ``limit`` items read, so a page may show fewer
        (``QueuePage.read`` says how many were read) and still have a cursor. ``cursor`` (from
        the previous page) continues after the last item read; a cursor that is not one of
        ours raises :class:`InvalidCursor`."""

    @abstractmethod
    def status_counts(self) -> dict[str, int]:
        """How many requests are in each status (every status named, 0 if none), read from
        counters that every status change moves in its own write: never counted from the
        requests, so its cost does not grow with them."""

    @abstractmethod
    def recount_statuses(self) -> dict[str, int]:
        """Count each status's requests again from status-index and set the counters to it
        (an operator's repair after drift, e.g. requests deleted by their TTL); the counts.
        Status changes made while it runs may be lost from the counts: run it when quiet."""

    @abstractmethod
    def extend_answer_by(
        self, request_id: str, round_number: int, answer_by: str, event: Event
    ) -> bool:
        """Set the deadline of the partner's answer (``Request.answer_by``) and write
        ``event``, together, if the request still waits for information in that round;
        False (nothing written) otherwise."""

    @abstractmethod
    def request_ids_by_email_hash(self, digest: str) -> list[str]:
        """The ids of the requests whose contact's address hashes to ``digest``."""

    @abstractmethod
    def mark_once(
        self,
        request_id: str,
        mark: str,
        *,
        status: str | None = None,
        round_number: int | None = None,
    ) -> bool:
        """Add ``mark`` to the request's sweep marks unless it is there (and the request is
        still in ``status`` and round ``round_number``, if given). True for the one caller that
        added it: that caller does the work the mark stands for."""

    @abstractmethod
    def unmark(self, request_id: str, mark: str) -> None:
        """Take a sweep mark back (the work it stood for could not be handed on)."""

    @abstractmethod
    def append_event(self, event: Event) -> None:
        """Add one line to a request's audit trail."""

    # --- votes -----------------------------------------------------------------------------

    @abstractmethod
    def record_vote(self, vote: Vote, event: Event) -> None:
        """Write a vote and its event together, while the request is under review in the vote's
        round. Raises :class:`RoundClosed` or :class:`AlreadyVoted` (nothing written)."""

    @abstractmethod
    def round_votes(self, request_id: str, round_number: int) -> dict[str, Vote]:
        """The votes of one round, by member id."""

    @abstractmethod
    def request_and_round_votes(
        self, request_id: str, round_number: int
    ) -> tuple[Request | None, list[Vote]]:
        """A request and the votes of one round, read together (one Query)."""

    # --- mail --------------------------------------------------------------------------------

    @abstractmethod
    def request_and_recipient(
        self, request_id: str, recipient: Recipient
    ) -> tuple[Request | None, Member | Officer | None]:
        """A request and the member or officer an email goes to, read together (one
        BatchGetItem; the partner needs no second item). A removed member reads as None."""

    @abstractmethod
    def claim_mail(self, record: MailRecord, expires_at: int | None = None) -> bool:
        """Store a first claim on sending an email; False if a record exists already."""

    @abstractmethod
    def get_mail(self, notification: Notification) -> MailRecord | None:
        """The record of the email a notification asks for, or None."""

    @abstractmethod
    def take_over_mail(self, record: MailRecord, at: str) -> bool:
        """Take over a claim left by a worker that died (the claim still dated ``record.at``):
        the claim is dated ``at`` and its attempts counted. False if another worker did first."""

    @abstractmethod
    def stale_mail_claims(self, claimed_before: str) -> Iterator[MailRecord]:
        """Mail records still claimed (``sending``) whose claim was taken at or before
        ``claimed_before`` (an ISO timestamp), oldest first: the claims of workers that died.
        Read by index, eventually consistent: act on them only through conditional writes."""

    @abstractmethod
    def finish_mail(
        self,
        record: MailRecord,
        state: MailState,
        message_id: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Record that a claimed email was sent or refused; False if it is no longer claimed."""

    @abstractmethod
    def release_mail(self, record: MailRecord) -> bool:
        """Give up a claim this worker holds (still ``sending``, still dated ``record.at``): the
        record is deleted, so the next delivery claims the email afresh, its attempts not
        counted (SES refused the whole account: the email is not at fault). False if the
        claim is no longer this one."""

    @abstractmethod
    def forget_mail(self, record: MailRecord) -> None:
        """Delete a mail record (an operator sends the email again)."""

    # --- Actions -------------------------------------------------------------------------------

    @abstractmethod
    def get_action(self, request_id: str) -> ActionRecord | None:
        """The request's Action, or None before one is recorded."""

    @abstractmethod
    def save_action(self, action: ActionRecord, event: Event, previous_version: int | None) -> bool:
        """Write an Action and its event together, if the stored Action is still at
        ``previous_version`` (None: there must be none yet). False when it changed meanwhile."""

    # --- the committee ---------------------------------------------------------------------------

    @abstractmethod
    def members(self) -> list[Member]:
        """Every member of the Steering Committee, in id order."""

    @abstractmethod
    def member(self, member_id: str) -> Member | None:
        """One member, or None."""

    @abstractmethod
    def save_member(self, member: Member) -> None:
        """Create or replace a member."""

    @abstractmethod
    def remove_member(self, member_id: str) -> bool:
        """Take a member off the committee (their votes stay); False if there was none."""

    @abstractmethod
    def officers(self) -> list[Officer]:
        """Every Project Officer, in id order."""

    @abstractmethod
    def officer(self, officer_id: str) -> Officer | None:
        """One Project Officer, or None."""

    @abstractmethod
    def save_officer(self, officer: Officer) -> None:
        """Create or replace a Project Officer."""

    @abstractmethod
    def remove_officer(self, officer_id: str) -> bool:
        """Remove a Project Officer; False if there was none."""

    # --- suppression ------------------------------------------------------------------------------

    @abstractmethod
    def is_suppressed(self, address_digest: str) -> bool:
        """True if the address (SHA-256 of it, lower-cased) must not be mailed again."""

    @abstractmethod
    def suppress(self, address_digest: str, reason: str, at: str) -> bool:
        """Suppress an address; False if it already was (the first reason is kept)."""

    @abstractmethod
    def unsuppress(self, address_digest: str) -> bool:
        """Remove an address from the suppression list; False if it was not on it."""

    # --- retention and erasure -------------------------------------------------------------------

    @abstractmethod
    def expire_partition(self, request_id: str, expires_at: int) -> int:
        """Give every item of a request the expiry ``expires_at`` (the request itself last, so
        that once it carries the expiry everything else does); returns the items changed."""

    @abstractmethod
    def scrub_partition(self, request_id: str, scrub: Callable[[str], str]) -> dict[str, int]:
        """Pass every text of every item of a request (every kind, known or not; JSON texts
        parsed first) through ``scrub`` and write the items that changed, except the request's
        document and keys. Returns the items changed, by kind."""

    @abstractmethod
    def replace_contact(self, request_id: str, document: dict[str, Any], fingerprint: str) -> bool:
        """Store an anonymised document and its fingerprint on a request, drop its address hash,
        and give its submission marker the new fingerprint. False if the request is gone."""

    # --- results (issue 19): evaluations ------------------------------------------------------

    @abstractmethod
    def save_evaluation(self, answer: EvaluationAnswer) -> bool:
        """Store a personal link's answer (``host``, ``expert:<id>``) unless that respondent
        answered this activity already: False then (nothing written)."""

    @abstractmethod
    def save_room_evaluation(self, answer: EvaluationAnswer, cap: int) -> bool:
        """Store an anonymous answer of an activity's shared link and count it, together, while
        the activity has fewer than ``cap`` of them: False once it has ``cap`` (nothing written)."""

    @abstractmethod
    def get_evaluation(
        self, request_id: str, activity: int, respondent: str
    ) -> EvaluationAnswer | None:
        """One respondent's answer for one activity, or None (strongly consistent)."""

    @abstractmethod
    def evaluations(self, request_id: str) -> list[EvaluationAnswer]:
        """Every answer to the evaluations of a request's Action, by activity (one Query)."""

    # --- results (issue 19): the report's index and the public pages ---------------------------

    @abstractmethod
    def save_results(self, entry: ResultsEntry, years: list[int], stale: list[int]) -> None:
        """Put an Action's entry in the report's index of each of ``years`` and take it out of
        the ``stale`` years (those its earlier plan spanned), together."""

    @abstractmethod
    def results_of_year(self, year: int) -> list[ResultsEntry]:
        """The Actions the report's index holds for a year (one Query), by request id."""

    @abstractmethod
    def publish(self, action: PublishedAction) -> None:
        """Create or replace an Action on the public pages."""

    @abstractmethod
    def unpublish(self, request_id: str) -> bool:
        """Take an Action off the public pages; False if it was not on them."""

    @abstractmethod
    def published_actions(self) -> list[PublishedAction]:
        """Every Action on the public pages (one Query), by request id."""

    # --- experts (the roster; issue 18) ----------------------------------------------------------

    @abstractmethod
    def create_expert(self, expert: Expert) -> None:
        """Store a new registration (``pending``) with its address marker, together. Raises
        :class:`Conflict` (nothing stored) if the address is registered already."""

    @abstractmethod
    def get_expert(self, expert_id: str) -> Expert | None:
        """One expert (strongly consistent), or None."""

    @abstractmethod
    def decide_expert(
        self, expert_id: str, status: str, by: str, at: str, reason: str | None = None
    ) -> bool:
        """Move a ``pending`` registration to ``status`` (``active`` or ``declined``: the
        domain's DECISIONS), recording who decided, when and why; an activation writes the
        expert's topic entries in the same transaction. False (nothing written) if it was not
        pending any more: a registration is decided once."""

    @abstractmethod
    def update_expert(self, updated: Expert, previous: Expert) -> bool:
        """Replace a registration's document (and status, updated time) with ``updated``'s,
        on condition that it is still at ``previous.version`` and has not left the roster,
        re-indexing it together: roster-index's ``STATE#<member state>#<status>`` entry, and
        the topic entries (those of the new topics, for an active expert only; the others
        deleted). False (nothing written) if it changed meanwhile or left."""

    @abstractmethod
    def experts_of_member_state(self, member_state: str, status: str) -> list[Expert]:
        """A member state's registrations in a status, in order of registration (by index)."""

    @abstractmethod
    def roster_page(
        self, member_state: str, status: str, limit: int = 25, cursor: str | None = None
    ) -> tuple[list[Expert], str | None]:
        """One page of a member state's registrations in a status, in order of registration
        (roster-index, ``limit`` entries), and the cursor of the next page (None at the end).
        Raises :class:`InvalidCursor` for a cursor that is not one of ours."""

    @abstractmethod
    def active_experts_of_topics(self, topics: list[str]) -> tuple[list[Expert], int]:
        """The active experts who have any of ``topics``, each once, in id order, and the
        number of items read to find them (index entries and profiles): by index, never the
        whole roster. Eventually consistent (an index)."""

    @abstractmethod
    def save_focal_point(self, focal_point: FocalPoint) -> None:
        """Create or replace a national focal point."""

    @abstractmethod
    def focal_points(self, member_state: str) -> list[FocalPoint]:
        """A member state's focal points, in id order."""

    @abstractmethod
    def focal_point(self, member_state: str, focal_id: str) -> FocalPoint | None:
        """One focal point, or None."""

    @abstractmethod
    def remove_focal_point(self, member_state: str, focal_id: str) -> bool:
        """Remove a focal point; False if there was none."""

    @abstractmethod
    def all_focal_points(self) -> list[FocalPoint]:
        """Every member state's focal points, by member state then id (one partition)."""

    # --- the administration's trail (committee, officers, focal points) -------------------------

    @abstractmethod
    def append_admin_event(self, event: Event) -> None:
        """Add one line to the administration's trail: a change to the committee, the
        officers or the focal points, which belongs to no request (``event.request_id`` is
        ignored). :class:`Conflict` if that very line exists."""

    @abstractmethod
    def admin_events(self, limit: int) -> list[Event]:
        """The administration's trail, newest first, ``limit`` lines at most (one Query)."""

    @abstractmethod
    def claim_roster_mail(self, record: RosterMailRecord) -> bool:
        """Store a first claim on sending a roster email; False if a record exists already."""

    @abstractmethod
    def get_roster_mail(self, notification: RosterNotification) -> RosterMailRecord | None:
        """The record of the roster email a notification asks for, or None."""

    @abstractmethod
    def take_over_roster_mail(self, record: RosterMailRecord, at: str) -> bool:
        """Take over a claim left by a worker that died (still dated ``record.at``): dated
        ``at``, its attempts counted. False if another worker did first."""

    @abstractmethod
    def finish_roster_mail(
        self,
        record: RosterMailRecord,
        state: MailState,
        message_id: str | None = None,
        error: str | None = None,
    ) -> bool:
        """Record that a claimed roster email was sent or refused; False if no longer claimed."""

    @abstractmethod
    def hold_mail(self, messages: list[dict[str, object]], at: str) -> str:
        """Keep notifications (their queue messages: ids only) whose publish failed, so that
        the sweeper queues them again; the held batch's key. Expires after HELD_MAIL_DAYS."""

    @abstractmethod
    def held_mail(self, limit: int = 100) -> list[tuple[str, list[dict[str, object]]]]:
        """The held batches, oldest first, at most ``limit`` (one Query of their partition)."""

    @abstractmethod
    def drop_held_mail(self, key: str) -> None:
        """Forget a held batch once it is queued again (no error if it is gone already)."""

    @abstractmethod
    def invite(self, invitations: list[Invitation], places: Places) -> list[Invitation]:
        """Store new invitations to one activity, each on condition that the expert was not
        invited to it yet, and the activity's places if they are not stored yet (the first
        invitation's count stays). Returns the invitations stored (the others existed)."""

    @abstractmethod
    def get_invitation(self, request_id: str, activity: int, expert_id: str) -> Invitation | None:
        """One invitation (strongly consistent), or None."""

    @abstractmethod
    def activity_invitations(
        self, request_id: str, activity: int
    ) -> tuple[Places | None, list[Invitation]]:
        """An activity's places and its invitations, in expert id order (one Query)."""

    @abstractmethod
    def accept_invitation(self, invitation: Invitation, at: str) -> str:
        """Accept a waiting invitation, taking one of the activity's places and counting the
        expert's deployment, together. Returns ``accepted``; ``full`` (nothing written) when
        the places are all taken; ``answered`` (nothing written) when it is not waiting any
        more (answered, or past its deadline): the first acceptances fill the places."""

    @abstractmethod
    def close_invitation(
        self, invitation: Invitation, status: str, at: str, reason: str | None = None
    ) -> bool:
        """Move a waiting invitation to ``declined``, ``expired`` or ``full``; False (nothing
        written) if it was not waiting any more."""

    @abstractmethod
    def invitations_due(self, respond_by_before: str) -> Iterator[Invitation]:
        """Waiting invitations whose deadline is at or before the ISO time, earliest first
        (status-index: reads only those). Eventually consistent: act through conditions."""

    @abstractmethod
    def mark_invitation_reminded(self, invitation: Invitation) -> bool:
        """Mark a waiting invitation reminded; True for the one caller that marked it."""

    @abstractmethod
    def expert_id_by_email_hash(self, address_digest: str) -> str | None:
        """The expert registered with an address (its marker), or None: erasure's way in."""

    @abstractmethod
    def mark_leaving(self, expert_id: str, at: str) -> bool:
        """The expert left the roster: no longer matched or shown, to be erased by the sweeper.
        False if there is no such expert, or they left already."""

    @abstractmethod
    def experts_leaving(self) -> list[str]:
        """The ids of the experts who left and are not erased yet, earliest first (by index)."""

    @abstractmethod
    def erase_expert(self, expert_id: str) -> dict[str, int]:
        """Delete an expert's registration, topic entries, mail records and address marker, and
        take their invitations out of roster-index (the invitations stay, with the member state
        and gender only, as anonymous counts). Returns the items changed, by kind."""

    @abstractmethod
    def deployments_of_year(self, year: int) -> list[Invitation]:
        """The invitations accepted in a year, in order of acceptance (the report's; by index)."""

    @abstractmethod
    def roster_size(self) -> dict[str, dict[str, int]]:
        """The roster's registrations counted by member state and status (pending, active,
        declined; member states with none left out): the report's roster size and active share."""

    @abstractmethod
    def expert_invitations(self, expert_id: str) -> list[Invitation]:
        """An expert's invitations, oldest first (roster-index, then the items by key)."""

    # --- drafts (issue 20: "Save and continue later") ----------------------------------------
    # A draft lives in its own partition: nothing above reads requests can see one.

    @abstractmethod
    def save_draft(self, draft: Draft, previous_version: int | None) -> bool:
        """Store a draft if the stored one is still at ``previous_version`` and has not ended
        (None: there must be none yet); False when another save came first or the draft ended
        (nothing written)."""

    @abstractmethod
    def get_draft(self, draft_id: str) -> Draft | None:
        """One draft (strongly consistent), or None (never saved, deleted, or past its TTL)."""

    @abstractmethod
    def discard_draft(self, draft_id: str) -> bool:
        """End a draft now (sent as a request, or erased): its answers and address hash are
        removed at once and it reads as gone; the table deletes the rest at its TTL (the API
        deletes no item). False if there was none (or it had ended)."""

    @abstractmethod
    def drafts_due_reminder(self, due_by: str) -> Iterator[Draft]:
        """Drafts whose expiry reminder is due at or before ``due_by`` (ISO) and not yet sent,
        soonest first. By index, eventually consistent: act through :meth:`mark_draft_reminded`."""

    @abstractmethod
    def mark_draft_reminded(self, draft_id: str, version: int) -> bool:
        """Record that a draft's expiry reminder is sent, if the draft is still at ``version``
        and not reminded yet. True for the one caller that marked it: that caller sends it."""

    @abstractmethod
    def draft_ids_by_email_hash(self, digest: str) -> list[str]:
        """The ids of the drafts whose address hashes to ``digest`` (expired ones too)."""

    # --- attachments (issue 20: the official letter and supporting documents) ----------------
    # One item per slot, in the request's partition (or the draft's until the form is sent).
    # The API ends items (TTL now), it deletes none; the S3 objects are the services' to delete.

    @abstractmethod
    def save_attachment(self, attachment: Attachment) -> None:
        """Store an attachment in its slot (replacing whatever the slot held)."""

    @abstractmethod
    def attachments(
        self, owner_id: str, in_draft: bool = False, ended: bool = False
    ) -> list[Attachment]:
        """The attachments of a request (or a draft), in slot order (strongly consistent);
        ``ended``: also those past their TTL and still stored (their objects to delete)."""

    @abstractmethod
    def set_attachment_scan(self, attachment: Attachment, scan: ScanState) -> bool:
        """Record a scan's outcome, if the slot still holds that object and has not ended."""

    @abstractmethod
    def end_attachment(self, attachment: Attachment) -> bool:
        """End an attachment now (its object deleted or about to be): it reads as gone, leaves
        the deletion index, and the table deletes it at its TTL. False if the slot holds another
        object, or the item has left the index and ended already."""

    @abstractmethod
    def schedule_attachment_deletion(self, request_id: str, due: str) -> int:
        """Set when the objects of a request's live attachments are to be deleted (ISO);
        returns how many items changed."""

    @abstractmethod
    def attachments_due_deletion(self, due_by: str) -> Iterator[Attachment]:
        """Request attachments whose deletion is due at or before ``due_by`` (ISO), soonest
        first, past their TTL too (still stored). By index, eventually consistent: act through
        :meth:`end_attachment`, which takes an item out of the index."""

    @abstractmethod
    def move_attachments(
        self, draft_id: str, request_id: str, expires_at: int | None
    ) -> list[Attachment]:
        """Give a draft's attachments to the request it became (with the request's expiry, and
        their deletion due a day before it) and end the draft's items; returns the request's
        attachments. The draft's and the request's items change together (one transaction)."""


_current: Repository | None = None


def repository() -> Repository:
    """The container's repository: DynamoDB (built on first use), unless a test installed one."""
    global _current
    if _current is None:
        from functions.adapters.dynamodb.repository import DynamoRepository

        _current = DynamoRepository()
    return _current


def use(replacement: Repository | None) -> None:
    """Install a repository (an in-memory fake in service tests); None goes back to DynamoDB."""
    global _current
    _current = replacement
