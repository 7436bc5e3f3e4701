"""The repository in DynamoDB: every access pattern of the service, as the table serves it.

The calls are the minimum of each operation (docs/performance.md, figure 3; kept by
tests/integration/test_budgets.py): a new request is one UpdateItem (its number) and one
TransactWriteItems; a vote one TransactWriteItems and one Query (the request with the round's
votes); an email one BatchGetItem (the request with its recipient), one PutItem (the claim) and
one UpdateItem (the outcome). Every model and transaction shares one client (``models.bind``).

Failures: a condition that did not hold is ``False`` or the domain error the contract names;
anything else DynamoDB or botocore raises becomes :class:`Unavailable`, the error as its cause.
Reads skip items past ``expires_at`` (DynamoDB deletes them up to days late; moto never does),
except where they cannot or must not: email-index holds keys only (what it names is read again),
and erasure and retention walk every item still stored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError
from pynamodb.exceptions import PynamoDBException, VerboseClientError
from pynamodb.transactions import TransactWrite

from functions.adapters.dynamodb import keys
from functions.adapters.dynamodb.models import (
    ActionItem,
    AttachmentItem,
    DraftItem,
    EvaluationItem,
    EventItem,
    ExpertAddressItem,
    ExpertItem,
    ExpertMailItem,
    ExpertTopicItem,
    FocalPointItem,
    HeldMailItem,
    InvitationItem,
    Item,
    MailItem,
    MemberItem,
    OfficerItem,
    PlacesItem,
    PublishedItem,
    RequestItem,
    ResultsItem,
    RoomCountItem,
    StatusCountItem,
    SubmissionItem,
    SuppressionItem,
    TableItem,
    VoteItem,
    bind,
    connection,
    serialized,
)
from functions.adapters.repository import Repository
from functions.domain import clock
from functions.domain.attachments import (
    Attachment,
    FileType,
    ScanState,
    deletion_due,
)
from functions.domain.committee import Member, Officer, Role, delegate_from
from functions.domain.errors import AlreadyVoted, Conflict, RoundClosed, Unavailable
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
    MailKind,
    MailRecord,
    MailState,
    Notification,
    Recipient,
    RosterMailRecord,
    RosterNotification,
)
from functions.domain.mail import Role as RecipientRole
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
from functions.runtime.settings import Settings

T = TypeVar("T", bound=TableItem)

_FAILURES = (PynamoDBException, BotoCoreError, ClientError)
_CONDITION_FAILED = "ConditionalCheckFailedException"
# What change_status may set besides the status (the contract's list).
_STATUS_FIELDS = frozenset({"round", "document", "open_question", "decided_at", "decision_reason"})
# Never scrubbed: the keys and the discriminator (and the request's document: replaced whole).
_NOT_TEXT = frozenset({"pk", "sk", "kind"})


@contextmanager
def _dynamodb(operation: str) -> Iterator[None]:
    """Raise :class:`Unavailable` for any failure of DynamoDB (or of reaching it) in the block;
    lost conditions are caught inside the block, before they get here."""
    try:
        yield
    except _FAILURES as error:
        raise Unavailable(f"DynamoDB failed: {operation}") from error


def _cause(error: Exception) -> Any:
    return error.cause if isinstance(error, PynamoDBException) else error


def _lost(error: Exception) -> bool:
    """True when a single-item write failed only because its condition did not hold."""
    code = getattr(_cause(error), "response", {}).get("Error", {}).get("Code")
    return bool(code == _CONDITION_FAILED)


def _cancelled(error: Exception) -> list[str | None]:
    """The reason of each item of a cancelled transaction (None: not a reason), in the order of
    its items; [] when the transaction failed for another cause (throttled, unreachable)."""
    cause = _cause(error)
    response = getattr(cause, "response", {})
    if response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    if isinstance(cause, VerboseClientError):
        return [reason.code if reason else None for reason in cause.cancellation_reasons]
    reasons = response.get("CancellationReasons", [])
    return [None if r.get("Code") in (None, "None") else r["Code"] for r in reasons]


def _condition_failed(reasons: list[str | None], index: int | None = None) -> bool:
    """True if the transaction lost on a condition (that of item ``index``, if given)."""
    if index is None:
        return "ConditionalCheckFailed" in reasons
    return len(reasons) > index and reasons[index] == "ConditionalCheckFailed"


def _conflicted(reasons: list[str | None]) -> bool:
    """True if the transaction was cancelled because another one was writing the same item
    (the status counts are shared by every status change): worth trying again."""
    return "TransactionConflict" in reasons


# A status change or a new request that meets another on a status count tries again this many
# times, after a short random pause (DynamoDB cancels the later of two overlapping transactions).
_CONFLICT_RETRIES = 8


def _pause(attempt: int) -> None:
    import random
    import time

    time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - jitter, not a secret


def _count_update(table: str, status: str, step: int) -> dict[str, Any]:
    """A TransactWriteItems Update moving one status count by ``step`` (created if missing)."""
    pk, sk = keys.status_count(Status(status).value)
    return {
        "Update": {
            "TableName": table,
            "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
            "UpdateExpression": "ADD #count :step SET #kind = :kind",
            "ExpressionAttributeNames": {"#count": "total", "#kind": "kind"},
            "ExpressionAttributeValues": {
                ":step": {"N": str(step)},
                ":kind": {"S": "status_count"},
            },
        }
    }


def _now() -> float:
    return clock.now().timestamp()


def _live(item: T | None, now: float) -> T | None:
    """The item, unless it is past its TTL."""
    if item is None or (item.expires_at is not None and item.expires_at <= now):
        return None
    return item


# --- items to values ------------------------------------------------------------------------


def _request(item: RequestItem) -> Request:
    return Request(
        request_id=item.request_id,
        reference=item.reference,
        status=item.status,
        status_since=item.status_since,
        round=int(item.round),
        document=item.document,
        language=item.language,
        region=item.region,
        pillar=item.pillar,
        institution_type=item.institution_type,
        country=item.country,
        email_hash=item.email_hash,
        fingerprint=item.fingerprint,
        submitted_at=item.submitted_at,
        updated_at=item.updated_at,
        submission_id=item.submission_id,
        decided_at=item.decided_at,
        decision_reason=item.decision_reason,
        open_question=item.open_question,
        version=int(item.version),
        sweep_marks=frozenset(item.sweep_marks or ()),
        expires_at=None if item.expires_at is None else int(item.expires_at),
        answer_by=item.answer_by,
        votes_cast=int(item.votes_cast or 0),
    )


def _event(item: EventItem) -> Event:
    plain = keys.event_sk(item.at, item.action)
    return Event(
        request_id=keys.request_id_of(item.pk),
        at=item.at,
        action=item.action,
        actor=item.actor,
        round=int(item.round),
        detail=item.detail.as_dict() if hasattr(item.detail, "as_dict") else dict(item.detail),
        public=bool(item.public),
        suffix=item.sk[len(plain) + 1 :],
        expires_at=None if item.expires_at is None else int(item.expires_at),
    )


def _vote(item: VoteItem) -> Vote:
    return Vote(
        request_id=keys.request_id_of(item.pk),
        round=int(item.round),
        member_id=item.member_id,
        choice=item.choice,
        cast_by=item.cast_by,
        at=item.at,
        comment=item.comment,
        silent=bool(item.silent),
    )


def _mail(item: MailItem) -> MailRecord:
    round_number = int(item.round)
    return MailRecord(
        request_id=keys.request_id_of(item.pk),
        kind=MailKind(item.mail_kind),
        round=round_number,
        recipient=Recipient.parse(item.recipient),
        key=keys.mail_key_of(item.sk, item.mail_kind, round_number, item.recipient),
        state=MailState(item.state),
        attempts=int(item.attempts),
        at=item.at,
        message_id=item.message_id,
        error=item.error,
    )


def _action(item: ActionItem) -> ActionRecord:
    return ActionRecord(
        request_id=keys.request_id_of(item.pk),
        title=item.title,
        plan=item.plan,
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        published_at=item.published_at,
        updated_at=item.updated_at,
        version=int(item.version or 0),
    )


def _evaluation(item: EvaluationItem) -> EvaluationAnswer:
    return EvaluationAnswer(
        request_id=keys.request_id_of(item.pk),
        activity=int(item.activity),
        respondent=item.respondent,
        satisfaction=int(item.satisfaction),
        changes_work=item.changes_work,
        at=item.at,
        language=item.language,
        most_useful=item.most_useful,
        comment=item.comment,
        expires_at=None if item.expires_at is None else int(item.expires_at),
    )


def _evaluation_item(answer: EvaluationAnswer) -> EvaluationItem:
    return EvaluationItem(
        keys.request_pk(answer.request_id),
        keys.evaluation_sk(answer.activity, answer.respondent),
        activity=answer.activity,
        respondent=answer.respondent,
        satisfaction=answer.satisfaction,
        changes_work=answer.changes_work,
        most_useful=answer.most_useful,
        comment=answer.comment,
        language=answer.language,
        at=answer.at,
        expires_at=answer.expires_at,
    )


def _results(item: ResultsItem) -> ResultsEntry:
    return ResultsEntry(
        request_id=item.request_id,
        region=item.region,
        pillar=item.pillar,
        country=item.country,
        decided_at=item.decided_at,
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        activities=list(item.activities or []),
        expires_at=None if item.expires_at is None else int(item.expires_at),
    )


def _published(item: PublishedItem) -> PublishedAction:
    return PublishedAction(
        request_id=item.request_id,
        title=item.title,
        region=item.region,
        pillar=item.pillar,
        countries=list(item.countries or []),
        starts_on=item.starts_on,
        ends_on=item.ends_on,
        activities_done=int(item.activities_done),
        activities=int(item.activities),
        published_at=item.published_at,
        expires_at=None if item.expires_at is None else int(item.expires_at),
    )


def _submission(item: SubmissionItem) -> Submission:
    return Submission(
        submission_id=item.pk.removeprefix(keys.SUBMISSION + "#"),
        request_id=item.request_id,
        reference=item.reference,
        fingerprint=item.fingerprint,
        created_at=item.created_at,
        expires_at=None if item.expires_at is None else int(item.expires_at),
    )


def _draft(item: DraftItem) -> Draft:
    return Draft(
        draft_id=item.draft_id,
        values={str(k): [str(v) for v in vs] for k, vs in dict(item.values).items()},
        email_hash=item.email_hash or "",
        language=item.language,
        version=int(item.version),
        saved_at=item.saved_at,
        expires_at=int(item.expires_at or 0),
        reminder_due=item.status_since if item.status == keys.DRAFT_REMINDER_DUE else None,
    )


def _attachment(item: AttachmentItem) -> Attachment:
    return Attachment(
        owner_id=item.owner_id,
        slot=item.slot,
        s3_key=item.s3_key,
        size=int(item.size),
        file_type=FileType(item.file_type),
        scan=ScanState(item.scan_state),
        uploaded_at=item.uploaded_at,
        in_draft=item.pk.startswith(keys.DRAFT_PREFIX),
        expires_at=None if item.expires_at is None else int(item.expires_at),
        deletion_due=item.status_since,
    )


def _attachment_item(attachment: Attachment) -> AttachmentItem:
    return AttachmentItem(
        *keys.attachment(attachment.owner_id, attachment.slot, attachment.in_draft),
        owner_id=attachment.owner_id,
        slot=attachment.slot,
        s3_key=attachment.s3_key,
        size=attachment.size,
        file_type=attachment.file_type.value,
        scan_state=attachment.scan.value,
        uploaded_at=attachment.uploaded_at,
        expires_at=attachment.expires_at,
        status=keys.ATTACHMENT_DELETION_DUE if attachment.deletion_due else None,
        status_since=attachment.deletion_due,
    )


def _member(item: TableItem | None) -> Member | None:
    """The member an item holds; None if missing, not a member, or removed."""
    if not isinstance(item, MemberItem) or not item.active:
        return None
    delegate = delegate_from(item.delegate.as_dict()) if item.delegate else None
    return Member(
        item.member_id,
        item.name,
        item.body,
        item.email,
        Role(item.role),
        item.language,
        delegate,
    )


def _officer(item: TableItem | None) -> Officer | None:
    if not isinstance(item, OfficerItem):
        return None
    return Officer(item.officer_id, item.name, item.email, tuple(item.regions or ()), item.language)


# --- values to items ------------------------------------------------------------------------


def _event_values(event: Event) -> dict[str, Any]:
    return {
        "pk": keys.request_pk(event.request_id),
        "sk": keys.event_sk(event.at, event.action, event.suffix),
        "at": event.at,
        "action": event.action,
        "actor": event.actor,
        "round": event.round,
        "detail": dict(event.detail),
        "public": 1 if event.public else 0,
        "expires_at": event.expires_at,
    }


def _event_item(event: Event) -> EventItem:
    values = _event_values(event)
    return EventItem(values.pop("pk"), values.pop("sk"), **values)


def _mail_item(record: MailRecord, **values: Any) -> MailItem:
    recipient = str(record.recipient)
    return MailItem(
        keys.request_pk(record.request_id),
        keys.mail_sk(MailKind(record.kind).value, record.round, recipient, record.key),
        **values,
    )


def _claimed(record: MailRecord) -> dict[str, str]:
    """The status-index entry of a mail record still claimed: none once it is finished."""
    if MailState(record.state) is not MailState.SENDING:
        return {}
    return {"status": keys.MAIL_CLAIMED, "status_since": record.at}


def _notification_key(notification: Notification) -> keys.Key:
    return (
        keys.request_pk(notification.request_id),
        keys.mail_sk(
            MailKind(notification.kind).value,
            notification.round,
            str(notification.recipient),
            notification.key,
        ),
    )


class DynamoRepository(Repository):
    """The table of this stage (``Settings.table_name``), through one shared pynamodb client.

    Nothing is called when it is built: the models are bound (a comparison once bound) on
    every operation, so tests that swap the table or the botocore session are followed.
    """

    def __init__(self, settings: Settings | None = None) -> None:
        self._settings = settings

    # --- plumbing ----------------------------------------------------------------------------

    def _client(self) -> tuple[str, Any]:
        """The table's name and the shared botocore client, for the calls made raw."""
        settings = bind(self._settings)
        return settings.table_name, connection(settings).client

    def _get(self, model: type[T], key: keys.Key) -> T | None:
        """One item by key (strongly consistent), or None when missing or past its TTL."""
        bind(self._settings)
        with _dynamodb(f"GetItem {model.__name__}"):
            try:
                item = model.get(*key, consistent_read=True)
            except model.DoesNotExist:
                return None
        return _live(item, _now())

    def _save_new(self, item: TableItem) -> bool:
        """Put an item that must not exist yet; False if it does."""
        bind(self._settings)
        with _dynamodb(f"PutItem {type(item).__name__}"):
            try:
                item.save(condition=TableItem.pk.does_not_exist())
            except PynamoDBException as error:
                if _lost(error):
                    return False
                raise
        return True

    def _update(self, item: TableItem, actions: list[Any], condition: Any) -> bool:
        """Apply ``actions`` if ``condition`` holds; False if it did not."""
        bind(self._settings)
        with _dynamodb(f"UpdateItem {type(item).__name__}"):
            try:
                item.update(actions=actions, condition=condition)
            except PynamoDBException as error:
                if _lost(error):
                    return False
                raise
        return True

    def _delete_existing(self, item: TableItem) -> bool:
        """Delete an item; False if there was none."""
        bind(self._settings)
        with _dynamodb(f"DeleteItem {type(item).__name__}"):
            try:
                item.delete(condition=TableItem.pk.exists())
            except PynamoDBException as error:
                if _lost(error):
                    return False
                raise
        return True

    def _transaction(
        self, steps: Callable[[TransactWrite], None], conflicts: bool = False
    ) -> list[str | None]:
        """Run one transaction on the shared connection; the cancellation reasons when one of
        its conditions failed (or, with ``conflicts``, when another transaction was writing one
        of its items: the caller retries), [] when it was written."""
        with _dynamodb("TransactWriteItems"):
            try:
                with TransactWrite(connection=connection(self._settings)) as transaction:
                    steps(transaction)
            except PynamoDBException as error:
                reasons = _cancelled(error)
                if _condition_failed(reasons) or (conflicts and _conflicted(reasons)):
                    return reasons
                raise
        return []

    def _live_items(self, items: Iterable[T], operation: str) -> Iterator[T]:
        """The items a (lazily paged) query yields, past-TTL ones left out; a failure on any
        page is :class:`Unavailable`."""
        now = _now()
        with _dynamodb(operation):
            for item in items:
                if _live(item, now) is not None:
                    yield item

    def _raw_partition(self, request_id: str, projection: tuple[str, ...] = ()) -> list[Item]:
        """Every item of a request's partition as DynamoDB returns it, whatever its kind
        (botocore's paginator; strongly consistent)."""
        table, client = self._client()
        arguments: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": keys.request_pk(request_id)}},
            "ConsistentRead": True,
        }
        if projection:
            arguments["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(projection)))
            arguments["ExpressionAttributeNames"] = {f"#a{i}": n for i, n in enumerate(projection)}
        with _dynamodb("Query partition"):
            pages = client.get_paginator("query").paginate(**arguments)
            return [item for page in pages for item in page.get("Items", [])]

    def _set_raw(self, item: Item, values: dict[str, Any]) -> bool:
        """SET top-level attributes (DynamoDB values) of an item that still exists."""
        table, client = self._client()
        names = {f"#s{i}": name for i, name in enumerate(values)}
        with _dynamodb("UpdateItem"):
            try:
                client.update_item(
                    TableName=table,
                    Key={"pk": item["pk"], "sk": item["sk"]},
                    UpdateExpression="SET "
                    + ", ".join(f"{n} = :s{i}" for i, n in enumerate(names)),
                    ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeNames=names,
                    ExpressionAttributeValues={f":s{i}": v for i, v in enumerate(values.values())},
                )
            except ClientError as error:
                if _lost(error):
                    return False  # deleted meanwhile: an update must not bring it back
                raise
        return True

    def _add_one(self, key: keys.Key, counted: str, also_set: dict[str, dict[str, str]]) -> int:
        """ADD 1 to a number attribute (the item is created if missing), SET ``also_set``, and
        return the new count: one UpdateItem.

        Both counters of a submission (the address's rate window, the year's reference) come
        through here on every request, so this talks to the shared client directly: a fixed
        expression instead of ``Model.update`` (building a model instance and its update
        expression, and reading every attribute back) halves the CPU of each.
        """
        table, client = self._client()
        names = {"#count": counted, **{f"#{name}": name for name in also_set}}
        values = {":one": {"N": "1"}, **{f":{name}": value for name, value in also_set.items()}}
        expression = "ADD #count :one" + "".join(
            f"{' SET' if i == 0 else ','} #{name} = :{name}" for i, name in enumerate(also_set)
        )
        with _dynamodb("UpdateItem counter"):
            answer = client.update_item(
                TableName=table,
                Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}},
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="UPDATED_NEW",
            )
        return int(answer["Attributes"][counted]["N"])

    # --- requests ----------------------------------------------------------------------------

    def next_reference_number(self, year: int) -> int:
        """Add one to the year's reference counter and return it (one UpdateItem)."""
        return self._add_one(keys.counter(year), "value", {"kind": {"S": "counter"}})

    def count_attempt(self, purpose: str, address_digest: str, hour_start: int) -> int:
        """Count one POST of ``purpose`` in an address's hour (one UpdateItem); kept two hours."""
        also = {"kind": {"S": "rate"}, "expires_at": {"N": str(hour_start + 2 * 3600)}}
        return self._add_one(keys.rate(address_digest, hour_start, purpose), "hits", also)

    def create_request(
        self, request: Request, event: Event, submission: Submission | None = None
    ) -> None:
        """The request, its first event and its marker in one TransactWriteItems, each on
        condition that it does not exist. Raises :class:`Conflict` if one did (the marker).

        Items serialised without building pynamodb instances, and a fixed condition on the
        shared client: this runs on every submission (``models.serialized``).
        """
        puts = [
            serialized(
                RequestItem,
                pk=keys.request_pk(request.request_id),
                sk=keys.META,
                request_id=request.request_id,
                reference=request.reference,
                status=request.status,
                status_since=request.status_since,
                round=request.round,
                document=request.document,
                language=request.language,
                region=request.region,
                region_year=keys.region_year(request.region, request.submitted_at[:4]),
                pillar=request.pillar,
                institution_type=request.institution_type,
                country=request.country,
                email_hash=request.email_hash,
                fingerprint=request.fingerprint,
                submission_id=request.submission_id,
                submitted_at=request.submitted_at,
                updated_at=request.updated_at,
                decided_at=request.decided_at,
                decision_reason=request.decision_reason,
                open_question=request.open_question,
                version=request.version,
                sweep_marks=set(request.sweep_marks) or None,
                expires_at=request.expires_at,
            ),
            serialized(EventItem, **_event_values(event)),
        ]
        if submission is not None:
            pk, sk = keys.submission(submission.submission_id)
            puts.append(
                serialized(
                    SubmissionItem,
                    pk=pk,
                    sk=sk,
                    request_id=submission.request_id,
                    reference=submission.reference,
                    fingerprint=submission.fingerprint,
                    created_at=submission.created_at,
                    expires_at=submission.expires_at,
                )
            )
        table, client = self._client()
        condition = "attribute_not_exists(pk)"
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": table, "Item": i, "ConditionExpression": condition}} for i in puts
        ]
        items.append(_count_update(table, request.status, 1))
        for attempt in range(_CONFLICT_RETRIES + 1):
            with _dynamodb("TransactWriteItems create_request"):
                try:
                    client.transact_write_items(TransactItems=items)
                    return
                except ClientError as error:
                    reasons = _cancelled(error)
                    if _condition_failed(reasons):
                        raise Conflict("a submission with this id exists") from error
                    if not _conflicted(reasons) or attempt == _CONFLICT_RETRIES:
                        raise
            _pause(attempt)

    def get_request(self, request_id: str) -> Request | None:
        """One GetItem, strongly consistent."""
        item = self._get(RequestItem, keys.request(request_id))
        return None if item is None else _request(item)

    def get_submission(self, submission_id: str) -> Submission | None:
        """One GetItem, strongly consistent."""
        item = self._get(SubmissionItem, keys.submission(submission_id))
        return None if item is None else _submission(item)

    def partition(self, request_id: str) -> Partition:
        """One Query on the partition (pages followed), strongly consistent."""
        bind(self._settings)
        request: Request | None = None
        action: ActionRecord | None = None
        events: list[Event] = []
        votes: list[Vote] = []
        mail: list[MailRecord] = []
        invitations: list[Invitation] = []
        files: list[Attachment] = []
        query = TableItem.query(keys.request_pk(request_id), consistent_read=True)
        for item in self._live_items(query, "Query partition"):
            if isinstance(item, RequestItem):
                request = _request(item)
            elif isinstance(item, EventItem):
                events.append(_event(item))
            elif isinstance(item, VoteItem):
                votes.append(_vote(item))
            elif isinstance(item, MailItem):
                mail.append(_mail(item))
            elif isinstance(item, ActionItem):
                action = _action(item)
            elif isinstance(item, InvitationItem):
                invitations.append(_invitation(item))
            elif isinstance(item, AttachmentItem):
                files.append(_attachment(item))
        return Partition(request, events, votes, mail, action, tuple(invitations), tuple(files))

    def change_status(
        self,
        request_id: str,
        target: str,
        event: Event,
        *,
        round_number: int | None = None,
        **fields: Any,
    ) -> bool:
        """One TransactWriteItems: the update on condition that the status is the one it moves
        from (and the round), the event, and the two status counts moved by one. A target with
        several sources (a withdrawal) first reads which one it is (one GetItem).
        ``status_since`` and ``updated_at`` are the event's time; a staff-extended deadline
        (``answer_by``) and the round's count of votes are removed.

        Another writer's move between the read and the write is read again (it may have moved
        it to another source): the counts can only move from the status the item really had."""
        unknown = fields.keys() - _STATUS_FIELDS
        if unknown:
            raise ValueError(f"change_status cannot set {sorted(unknown)}")
        sources = {status.value for status in sources_of(target)}
        if not sources:
            return False  # nothing may move there
        bind(self._settings)
        attributes = RequestItem.get_attributes()
        actions: list[Any] = [
            RequestItem.status.set(Status(target).value),
            RequestItem.status_since.set(event.at),
            RequestItem.updated_at.set(event.at),
            RequestItem.version.add(1),
            RequestItem.answer_by.remove(),
            RequestItem.votes_cast.remove(),
        ]
        for name, value in fields.items():
            attribute = attributes[name]
            actions.append(attribute.remove() if value is None else attribute.set(value))
        for attempt in range(_CONFLICT_RETRIES + 1):
            if len(sources) == 1:
                [source] = sources  # the only status it may come from: no read needed
            else:  # a withdrawal: read which of its sources the request is in
                stored = self._get(RequestItem, keys.request(request_id))
                if stored is None or stored.status not in sources:
                    return False
                if round_number is not None and int(stored.round) != round_number:
                    return False
                source = stored.status
            condition = RequestItem.status == source
            if round_number is not None:
                condition &= RequestItem.round == round_number
            write = partial(
                self._status_write,
                request_id=request_id,
                moves=((source, -1), (Status(target).value, 1)),
                actions=actions,
                condition=condition,
                event=event,
            )
            reasons = self._transaction(write, conflicts=True)
            if not reasons:
                return True
            if _condition_failed(reasons, 0):
                return False  # the event exists: this change was written already
            if _condition_failed(reasons, 1) and len(sources) > 1:
                _pause(attempt)  # it moved between the read and the write: read it again
                continue
            if not _conflicted(reasons):
                return False
            _pause(attempt)
        raise Unavailable("DynamoDB: a status change kept meeting other transactions")

    @staticmethod
    def _status_write(
        transaction: TransactWrite,
        *,
        request_id: str,
        moves: tuple[tuple[str, int], ...],
        actions: list[Any],
        condition: Any,
        event: Event,
    ) -> None:
        """A status change's items. pynamodb sends puts before updates: [event, request, the
        count it leaves, the count it joins]."""
        transaction.save(_event_item(event), condition=TableItem.pk.does_not_exist())
        request = RequestItem(*keys.request(request_id))
        transaction.update(request, actions=actions, condition=condition)
        for status, step in moves:
            counter = StatusCountItem(*keys.status_count(status))
            kind = TableItem.kind.set(StatusCountItem)  # the discriminator, for a new counter
            transaction.update(counter, actions=[StatusCountItem.total.add(step), kind])

    def requests_in_status(
        self, status: str, since_after: str | None = None, since_before: str | None = None
    ) -> Iterator[Request]:
        """One Query on status-index (pages followed as they are read), eventually consistent."""
        bind(self._settings)
        condition: Any = None
        if since_after is not None and since_before is not None:
            condition = RequestItem.status_since.between(since_after, since_before)
        elif since_after is not None:
            condition = RequestItem.status_since >= since_after
        elif since_before is not None:
            condition = RequestItem.status_since <= since_before
        query = RequestItem.status_index.query(status, condition)
        return (_request(item) for item in self._live_items(query, "Query status-index"))

    def requests_of_region(self, region: str, year: int) -> Iterator[Request]:
        """One Query on region-index (pages followed as they are read)."""
        bind(self._settings)
        query = RequestItem.region_index.query(keys.region_year(region, year))
        return (_request(item) for item in self._live_items(query, "Query region-index"))

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
        """One Query, one page (``Limit`` = the page) on region-index or status-index; the
        other filters are its FilterExpression, so they never read past the page."""
        bind(self._settings)
        after = keys.read_queue_cursor(cursor) if cursor else None
        base = {"pk": {"S": keys.request_pk(after[1])}, "sk": {"S": keys.META}} if after else {}
        index: Any
        start: dict[str, dict[str, Any]] | None = None
        condition: Any = None
        if region is not None and year is not None:
            index, hash_name, sort_name = RequestItem.region_index, "region_year", "submitted_at"
            hash_value = keys.region_year(region, year)
            if status is not None:
                condition = RequestItem.status == status
        elif status is not None and region is None:
            index, hash_name, sort_name = RequestItem.status_index, "status", "status_since"
            hash_value = status
            if regions:
                condition = RequestItem.region.is_in(*regions)
            if year is not None:
                in_year = RequestItem.submitted_at.startswith(f"{year:04d}-")
                condition = in_year if condition is None else condition & in_year
        else:
            raise ValueError("a queue page reads one index: a status, or a region and a year")
        if pillar is not None:
            of_pillar = RequestItem.pillar == pillar
            condition = of_pillar if condition is None else condition & of_pillar
        if after:
            start = {**base, hash_name: {"S": hash_value}, sort_name: {"S": after[0]}}
        query = index.query(
            hash_value,
            filter_condition=condition,
            page_size=limit,
            last_evaluated_key=start,
            scan_index_forward=not newest_first,
        )
        with _dynamodb(f"Query {sort_name} page"):
            page = next(query.page_iter, None)  # one page only: a filter must not read on
        now = _now()
        raw = page.get("Items", []) if page else []
        found = [
            _request(item)
            for item in (RequestItem.from_raw_data(data) for data in raw)
            if _live(item, now) is not None
        ]
        read = int(page.get("ScannedCount", len(raw))) if page else 0
        last = page.get("LastEvaluatedKey") if page else None
        if last:
            continued = keys.queue_cursor(last[sort_name]["S"], keys.request_id_of(last["pk"]["S"]))
            return QueuePage(found, continued, read)
        return QueuePage(found, None, read)

    def status_counts(self) -> dict[str, int]:
        """One Query of the counts' partition (one item per status ever reached)."""
        bind(self._settings)
        query = StatusCountItem.query(keys.STATUS_COUNTS, consistent_read=True)
        counts = {status.value: 0 for status in Status}
        for item in self._live_items(query, "Query status counts"):
            status = item.sk.removeprefix(keys.STATUS_COUNT_PREFIX)
            if status in counts:
                counts[status] = int(item.total)
        return counts

    def recount_statuses(self) -> dict[str, int]:
        """One counting Query (``Select=COUNT``, pages followed) of status-index per status,
        then one PutItem per count: an operator's repair, never a page's."""
        table, client = self._client()
        counts: dict[str, int] = {}
        paginator = client.get_paginator("query")
        now = str(int(_now()))
        for status in Status:
            total = 0
            pages = paginator.paginate(
                TableName=table,
                IndexName="status-index",
                KeyConditionExpression="#status = :status",
                # Requests only (no other kind names a request status) still alive.
                FilterExpression="#kind = :request AND "
                "(attribute_not_exists(expires_at) OR expires_at > :now)",
                ExpressionAttributeNames={"#status": "status", "#kind": "kind"},
                ExpressionAttributeValues={
                    ":status": {"S": status.value},
                    ":request": {"S": "request"},
                    ":now": {"N": now},
                },
                Select="COUNT",
            )
            with _dynamodb("Query status-index count"):
                for page in pages:
                    total += int(page["Count"])
            counts[status.value] = total
        for status_value, total in counts.items():
            pk, sk = keys.status_count(status_value)
            with _dynamodb("PutItem status count"):
                client.put_item(
                    TableName=table,
                    Item={
                        "pk": {"S": pk},
                        "sk": {"S": sk},
                        "kind": {"S": "status_count"},
                        "total": {"N": str(total)},
                    },
                )
        return counts

    def extend_answer_by(
        self, request_id: str, round_number: int, answer_by: str, event: Event
    ) -> bool:
        """One TransactWriteItems: ``answer_by`` set while the request still waits for the
        partner's answer in that round, and the event."""
        bind(self._settings)
        condition = (RequestItem.status == Status.INFORMATION_REQUESTED.value) & (
            RequestItem.round == round_number
        )
        request = RequestItem(*keys.request(request_id))

        def write(transaction: TransactWrite) -> None:
            transaction.save(_event_item(event), condition=TableItem.pk.does_not_exist())
            transaction.update(
                request, actions=[RequestItem.answer_by.set(answer_by)], condition=condition
            )

        return not self._transaction(write)

    def request_ids_by_email_hash(self, digest: str) -> list[str]:
        """One Query on email-index (pages followed). The index holds keys only, so it cannot
        see an expiry: what it names is read again (partition, get_request), which skips it."""
        table, client = self._client()
        with _dynamodb("Query email-index"):
            pages = client.get_paginator("query").paginate(
                TableName=table,
                IndexName="email-index",
                KeyConditionExpression="email_hash = :h",
                ExpressionAttributeValues={":h": {"S": digest}},
            )
            return [
                keys.request_id_of(item["pk"]["S"])
                for page in pages
                for item in page.get("Items", [])
                if item["pk"]["S"].startswith(keys.REQUEST_PREFIX)  # drafts share the index
            ]

    def mark_once(
        self,
        request_id: str,
        mark: str,
        *,
        status: str | None = None,
        round_number: int | None = None,
    ) -> bool:
        """One conditional UpdateItem (ADD to the mark set)."""
        condition = RequestItem.pk.exists() & ~RequestItem.sweep_marks.contains(mark)
        if status is not None:
            condition &= RequestItem.status == status
        if round_number is not None:
            condition &= RequestItem.round == round_number
        request = RequestItem(*keys.request(request_id))
        return self._update(request, [RequestItem.sweep_marks.add({mark})], condition)

    def unmark(self, request_id: str, mark: str) -> None:
        """One UpdateItem (DELETE from the mark set), never on a request that is gone."""
        request = RequestItem(*keys.request(request_id))
        self._update(request, [RequestItem.sweep_marks.delete({mark})], RequestItem.pk.exists())

    def append_event(self, event: Event) -> None:
        """One conditional PutItem. Raises :class:`Conflict` if the same event (time, action,
        suffix) is stored already: the trail is never overwritten."""
        if not self._save_new(_event_item(event)):
            raise Conflict(f"event {event.action} at {event.at} exists")

    # --- votes -------------------------------------------------------------------------------

    def record_vote(self, vote: Vote, event: Event) -> None:
        """One TransactWriteItems: the vote and the event (each new), and the request's count
        of the round's votes moved by one on condition that it is still under review in the
        vote's round."""
        bind(self._settings)
        open_round = (RequestItem.status == Status.UNDER_REVIEW.value) & (
            RequestItem.round == vote.round
        )
        item = VoteItem(
            keys.request_pk(vote.request_id),
            keys.vote_sk(vote.round, vote.member_id),
            round=vote.round,
            member_id=vote.member_id,
            choice=vote.choice,
            comment=vote.comment,
            cast_by=vote.cast_by,
            at=vote.at,
            silent=1 if vote.silent else 0,
        )
        request = RequestItem(*keys.request(vote.request_id))

        def write(transaction: TransactWrite) -> None:
            transaction.save(item, condition=TableItem.pk.does_not_exist())
            transaction.save(_event_item(event), condition=TableItem.pk.does_not_exist())
            transaction.update(
                request, actions=[RequestItem.votes_cast.add(1)], condition=open_round
            )

        # pynamodb sends puts before updates: [vote, event, request]. Members voting at the same
        # moment meet on the request's count: the later transaction tries again.
        for attempt in range(_CONFLICT_RETRIES + 1):
            reasons = self._transaction(write, conflicts=True)
            if not _conflicted(reasons) or _condition_failed(reasons):
                break
            _pause(attempt)
        else:
            raise Unavailable("DynamoDB: a vote kept meeting other transactions")
        if _condition_failed(reasons, 2):
            raise RoundClosed(f"round {vote.round} of {vote.request_id} is not open")
        if _condition_failed(reasons, 0):
            raise AlreadyVoted(f"{vote.member_id} voted in round {vote.round}")
        if reasons:
            raise Conflict(f"event {event.action} at {event.at} exists")

    def round_votes(self, request_id: str, round_number: int) -> dict[str, Vote]:
        """One Query (sort keys ``VOTE#<round>#``), strongly consistent."""
        bind(self._settings)
        query = VoteItem.query(
            keys.request_pk(request_id),
            TableItem.sk.startswith(keys.round_votes_prefix(round_number)),
            consistent_read=True,
        )
        items = self._live_items(query, "Query round votes")
        return {vote.member_id: vote for vote in map(_vote, items)}

    def request_and_round_votes(
        self, request_id: str, round_number: int
    ) -> tuple[Request | None, list[Vote]]:
        """One Query: sort keys ``META`` to ``VOTE#<round>$`` hold the request and the votes of
        this and earlier rounds; earlier rounds are left out here."""
        bind(self._settings)
        prefix = keys.round_votes_prefix(round_number)
        request: Request | None = None
        votes: list[Vote] = []
        span = TableItem.sk.between(*keys.request_and_votes_span(round_number))
        query = TableItem.query(keys.request_pk(request_id), span, consistent_read=True)
        for item in self._live_items(query, "Query request and votes"):
            if isinstance(item, RequestItem):
                request = _request(item)
            elif isinstance(item, VoteItem) and item.sk.startswith(prefix):
                votes.append(_vote(item))
        return request, votes

    # --- mail --------------------------------------------------------------------------------

    def request_and_recipient(
        self, request_id: str, recipient: Recipient
    ) -> tuple[Request | None, Member | Officer | None]:
        """One BatchGetItem (strongly consistent) for a member or an officer; one GetItem for
        the partner (no second item)."""
        if recipient.role is RecipientRole.PARTNER:
            return self.get_request(request_id), None
        request_key = keys.request(request_id)
        if recipient.role is RecipientRole.MEMBER:
            person_key = keys.member(recipient.id)
        else:
            person_key = keys.officer(recipient.id)
        bind(self._settings)
        found: dict[keys.Key, TableItem] = {}
        batch = TableItem.batch_get([request_key, person_key], consistent_read=True)
        for item in self._live_items(batch, "BatchGetItem"):
            found[(item.pk, item.sk)] = item
        request = found.get(request_key)
        person = found.get(person_key)
        value = _request(request) if isinstance(request, RequestItem) else None
        if recipient.role is RecipientRole.MEMBER:
            return value, _member(person)
        return value, _officer(person)

    def claim_mail(self, record: MailRecord, expires_at: int | None = None) -> bool:
        """One conditional PutItem."""
        item = _mail_item(
            record,
            mail_kind=MailKind(record.kind).value,
            round=record.round,
            recipient=str(record.recipient),
            state=MailState(record.state).value,
            attempts=record.attempts,
            at=record.at,
            message_id=record.message_id,
            error=record.error,
            expires_at=expires_at,
            **_claimed(record),
        )
        return self._save_new(item)

    def get_mail(self, notification: Notification) -> MailRecord | None:
        """One GetItem, strongly consistent."""
        item = self._get(MailItem, _notification_key(notification))
        return None if item is None else _mail(item)

    def take_over_mail(self, record: MailRecord, at: str) -> bool:
        """One conditional UpdateItem: still claimed, and still dated ``record.at``."""
        condition = (MailItem.at == record.at) & (MailItem.state == MailState.SENDING.value)
        actions = [MailItem.at.set(at), MailItem.status_since.set(at), MailItem.attempts.add(1)]
        return self._update(_mail_item(record), actions, condition)

    def stale_mail_claims(self, claimed_before: str) -> Iterator[MailRecord]:
        """One Query on status-index (``MAIL#sending``, the claim's time <= the bound), pages
        followed as they are read: it reads the claims in the range, never the table."""
        bind(self._settings)
        condition = MailItem.status_since <= claimed_before
        query = MailItem.claim_index.query(keys.MAIL_CLAIMED, condition)
        found = self._live_items(query, "Query status-index mail claims")
        return (_mail(item) for item in found if isinstance(item, MailItem))

    def finish_mail(
        self,
        record: MailRecord,
        state: MailState,
        message_id: str | None = None,
        error: str | None = None,
    ) -> bool:
        """One conditional UpdateItem: the record must still be claimed (``sending``)."""
        actions: list[Any] = [
            MailItem.state.set(MailState(state).value),
            MailItem.status.remove(),  # out of status-index: no longer a claim
            MailItem.status_since.remove(),
        ]
        if message_id is not None:
            actions.append(MailItem.message_id.set(message_id))
        if error is not None:
            actions.append(MailItem.error.set(error))
        condition = MailItem.state == MailState.SENDING.value
        return self._update(_mail_item(record), actions, condition)

    def release_mail(self, record: MailRecord) -> bool:
        """One conditional DeleteItem: still claimed, and still dated ``record.at``."""
        condition = (MailItem.at == record.at) & (MailItem.state == MailState.SENDING.value)
        bind(self._settings)
        with _dynamodb("DeleteItem mail claim"):
            try:
                _mail_item(record).delete(condition=condition)
            except PynamoDBException as error:
                if _lost(error):
                    return False
                raise
        return True

    def forget_mail(self, record: MailRecord) -> None:
        """One DeleteItem."""
        bind(self._settings)
        with _dynamodb("DeleteItem mail"):
            _mail_item(record).delete()

    # --- Actions -----------------------------------------------------------------------------

    def get_action(self, request_id: str) -> ActionRecord | None:
        """One GetItem, strongly consistent."""
        item = self._get(ActionItem, (keys.request_pk(request_id), keys.ACTION))
        return None if item is None else _action(item)

    def save_action(self, action: ActionRecord, event: Event, previous_version: int | None) -> bool:
        """One TransactWriteItems: the Action, on pynamodb's version condition (the stored
        version is ``previous_version``, or there is none), and its event.

        ``action.version`` must be the version that follows (``previous_version + 1``, or 1):
        the version attribute writes exactly that.
        """
        following = 1 if previous_version is None else previous_version + 1
        if action.version != following:
            raise ValueError(f"version {action.version} does not follow {previous_version}")
        bind(self._settings)
        values: dict[str, Any] = {} if previous_version is None else {"version": previous_version}
        item = ActionItem(
            keys.request_pk(action.request_id),
            keys.ACTION,
            title=action.title,
            plan=action.plan,
            starts_on=action.starts_on,
            ends_on=action.ends_on,
            published_at=action.published_at,
            updated_at=action.updated_at,
            **values,
        )

        def write(transaction: TransactWrite) -> None:
            transaction.save(item)  # the version condition is the attribute's own
            transaction.save(_event_item(event), condition=TableItem.pk.does_not_exist())

        return not self._transaction(write)

    # --- the committee -----------------------------------------------------------------------

    def members(self) -> list[Member]:
        """One Query on the committee's partition; removed members left out."""
        bind(self._settings)
        query = MemberItem.query(keys.COMMITTEE, TableItem.sk.startswith(keys.MEMBER_PREFIX))
        found = (_member(item) for item in self._live_items(query, "Query committee"))
        return [member for member in found if member is not None]

    def member(self, member_id: str) -> Member | None:
        """One GetItem."""
        return _member(self._get(MemberItem, keys.member(member_id)))

    def save_member(self, member: Member) -> None:
        """One PutItem (replaces)."""
        bind(self._settings)
        delegate = None
        if member.delegate is not None:
            delegate = {
                "name": member.delegate.name,
                "email": member.delegate.email,
                "valid_from": member.delegate.valid_from.isoformat(),
                "valid_until": member.delegate.valid_until.isoformat(),
            }
        item = MemberItem(
            *keys.member(member.member_id),
            member_id=member.member_id,
            name=member.name,
            body=member.body,
            email=member.email,
            role=Role(member.role).value,
            language=member.language,
            delegate=delegate,
            active=1,
        )
        with _dynamodb("PutItem member"):
            item.save()

    def remove_member(self, member_id: str) -> bool:
        """One conditional DeleteItem."""
        return self._delete_existing(MemberItem(*keys.member(member_id)))

    def officers(self) -> list[Officer]:
        """One Query on the officers' partition."""
        bind(self._settings)
        query = OfficerItem.query(keys.OFFICERS, TableItem.sk.startswith(keys.OFFICER_PREFIX))
        found = (_officer(item) for item in self._live_items(query, "Query officers"))
        return [officer for officer in found if officer is not None]

    def officer(self, officer_id: str) -> Officer | None:
        """One GetItem."""
        return _officer(self._get(OfficerItem, keys.officer(officer_id)))

    def save_officer(self, officer: Officer) -> None:
        """One PutItem (replaces)."""
        bind(self._settings)
        item = OfficerItem(
            *keys.officer(officer.officer_id),
            officer_id=officer.officer_id,
            name=officer.name,
            email=officer.email,
            regions=list(officer.regions),
            language=officer.language,
        )
        with _dynamodb("PutItem officer"):
            item.save()

    def remove_officer(self, officer_id: str) -> bool:
        """One conditional DeleteItem."""
        return self._delete_existing(OfficerItem(*keys.officer(officer_id)))

    # --- suppression -------------------------------------------------------------------------

    def is_suppressed(self, address_digest: str) -> bool:
        """One GetItem."""
        return self._get(SuppressionItem, keys.suppression(address_digest)) is not None

    def suppress(self, address_digest: str, reason: str, at: str) -> bool:
        """One conditional PutItem: the first reason is kept."""
        item = SuppressionItem(*keys.suppression(address_digest), reason=reason, at=at)
        return self._save_new(item)

    def unsuppress(self, address_digest: str) -> bool:
        """One conditional DeleteItem."""
        return self._delete_existing(SuppressionItem(*keys.suppression(address_digest)))

    # --- retention and erasure ---------------------------------------------------------------

    def expire_partition(self, request_id: str, expires_at: int) -> int:
        """One Query (keys and expiry only), then one UpdateItem per item whose expiry differs,
        the request last. Items of every kind, modelled or not."""
        items = self._raw_partition(request_id, ("pk", "sk", "kind", "expires_at"))
        target = str(expires_at)
        # The request last: once it carries the expiry, everything else already does.
        items.sort(key=lambda item: item["sk"]["S"] == keys.META)
        changed = 0
        for item in items:
            if item.get("expires_at", {}).get("N") != target:
                changed += self._set_raw(item, {"expires_at": {"N": target}})
        return changed

    def scrub_partition(self, request_id: str, scrub: Callable[[str], str]) -> dict[str, int]:
        """One Query, then one UpdateItem per item that changed (its changed attributes only).
        Items of every kind, modelled or not; never the keys, ``kind``, or META's document.
        Expired items too: until DynamoDB deletes them they still hold the person's data."""
        changed: dict[str, int] = {}
        for item in self._raw_partition(request_id):
            meta = item["sk"]["S"] == keys.META
            changes = {}
            for name, value in item.items():
                if name in _NOT_TEXT or (meta and name == "document"):
                    continue
                scrubbed = _scrub_value(value, scrub)
                if scrubbed != value:
                    changes[name] = scrubbed
            if changes and self._set_raw(item, changes):
                kind = item.get("kind", {}).get("S", "item")
                changed[kind] = changed.get(kind, 0) + 1
        return changed

    def replace_contact(self, request_id: str, document: dict[str, Any], fingerprint: str) -> bool:
        """One conditional UpdateItem on the request (which gives back its submission id),
        then one on its submission marker, if it has one that still exists."""
        request = RequestItem(*keys.request(request_id))
        actions = [
            RequestItem.document.set(document),
            RequestItem.fingerprint.set(fingerprint),
            RequestItem.email_hash.remove(),
        ]
        if not self._update(request, actions, RequestItem.pk.exists()):
            return False
        if request.submission_id:
            marker = SubmissionItem(*keys.submission(request.submission_id))
            self._update(
                marker, [SubmissionItem.fingerprint.set(fingerprint)], SubmissionItem.pk.exists()
            )
        return True

    # --- results (issue 19): evaluations ------------------------------------------------------

    def save_evaluation(self, answer: EvaluationAnswer) -> bool:
        """One PutItem, on the condition that the respondent's answer does not exist."""
        return self._save_new(_evaluation_item(answer))

    def save_room_evaluation(self, answer: EvaluationAnswer, cap: int) -> bool:
        """One TransactWriteItems: ADD 1 to the activity's count while it is below ``cap`` (or
        absent), and the answer, new."""
        bind(self._settings)
        count = RoomCountItem(
            keys.request_pk(answer.request_id), keys.room_count_sk(answer.activity)
        )
        below_cap = RoomCountItem.pk.does_not_exist() | (RoomCountItem.answers < cap)
        # An update creates the item: it names its kind itself (a put would have it from the model).
        actions: list[Any] = [RoomCountItem.answers.add(1), TableItem.kind.set(RoomCountItem)]
        if answer.expires_at is not None:
            actions.append(RoomCountItem.expires_at.set(answer.expires_at))

        def write(transaction: TransactWrite) -> None:
            transaction.update(count, actions=actions, condition=below_cap)
            transaction.save(_evaluation_item(answer), condition=TableItem.pk.does_not_exist())

        return not self._transaction(write)

    def get_evaluation(
        self, request_id: str, activity: int, respondent: str
    ) -> EvaluationAnswer | None:
        """One GetItem, strongly consistent."""
        key = (keys.request_pk(request_id), keys.evaluation_sk(activity, respondent))
        item = self._get(EvaluationItem, key)
        return None if item is None else _evaluation(item)

    def evaluations(self, request_id: str) -> list[EvaluationAnswer]:
        """One Query of the partition's ``EVAL#`` range (pages followed), strongly consistent."""
        bind(self._settings)
        query = EvaluationItem.query(
            keys.request_pk(request_id),
            TableItem.sk.startswith(keys.EVALUATION_PREFIX),
            consistent_read=True,
        )
        return [_evaluation(item) for item in self._live_items(query, "Query evaluations")]

    # --- results (issue 19): the report's index and the public pages ---------------------------

    def save_results(self, entry: ResultsEntry, years: list[int], stale: list[int]) -> None:
        """One TransactWriteItems: a Put per year, a Delete per stale year (at most 25 items:
        an Action spans a few years)."""
        bind(self._settings)

        def item(year: int) -> ResultsItem:
            pk, sk = keys.results(year, entry.request_id)
            return ResultsItem(
                pk,
                sk,
                request_id=entry.request_id,
                region=entry.region,
                pillar=entry.pillar,
                country=entry.country,
                decided_at=entry.decided_at,
                starts_on=entry.starts_on,
                ends_on=entry.ends_on,
                activities=entry.activities,
                expires_at=entry.expires_at,
            )

        def write(transaction: TransactWrite) -> None:
            for year in years:
                transaction.save(item(year))
            for year in stale:  # expired now, not deleted: the API deletes nothing (unpublish)
                stale_item = ResultsItem(*keys.results(year, entry.request_id))
                transaction.update(stale_item, actions=[ResultsItem.expires_at.set(int(_now()))])

        if years or stale:
            self._transaction(write)

    def results_of_year(self, year: int) -> list[ResultsEntry]:
        """One Query of the year's index partition (pages followed)."""
        bind(self._settings)
        pk, _ = keys.results(year, "")
        query = ResultsItem.query(pk, TableItem.sk.startswith(keys.RESULTS_ACTION_PREFIX))
        return [_results(item) for item in self._live_items(query, "Query results")]

    def publish(self, action: PublishedAction) -> None:
        """One PutItem."""
        bind(self._settings)
        pk, sk = keys.published(action.request_id)
        item = PublishedItem(
            pk,
            sk,
            request_id=action.request_id,
            title=action.title,
            region=action.region,
            pillar=action.pillar,
            countries=list(action.countries),
            starts_on=action.starts_on,
            ends_on=action.ends_on,
            activities_done=action.activities_done,
            activities=action.activities,
            published_at=action.published_at,
            expires_at=action.expires_at,
        )
        with _dynamodb("PutItem PublishedItem"):
            item.save()

    def unpublish(self, request_id: str) -> bool:
        """One conditional UpdateItem: the item expires now (reads skip it at once, the table's
        TTL deletes it). Not a DeleteItem: the API, which records Actions from the workspace,
        deletes nothing (its policy grants no DeleteItem)."""
        now = int(_now())
        item = PublishedItem(*keys.published(request_id))
        live = PublishedItem.expires_at.does_not_exist() | (PublishedItem.expires_at > now)
        return self._update(
            item, [PublishedItem.expires_at.set(now)], PublishedItem.pk.exists() & live
        )

    def published_actions(self) -> list[PublishedAction]:
        """One Query of the ``PUBLISHED`` partition (pages followed)."""
        bind(self._settings)
        query = PublishedItem.query(keys.PUBLISHED)
        return [_published(item) for item in self._live_items(query, "Query published")]

    # --- experts (the roster; issue 18) ----------------------------------------------------------

    def create_expert(self, expert: Expert) -> None:
        """The registration and its address marker in one TransactWriteItems, each on condition
        that it does not exist. Raises :class:`Conflict` if the address is registered."""
        bind(self._settings)
        profile = _expert_item(expert)
        marker = ExpertAddressItem(
            *keys.expert_address(expert.email_hash), expert_id=expert.expert_id
        )

        def write(transaction: TransactWrite) -> None:
            transaction.save(profile, condition=TableItem.pk.does_not_exist())
            transaction.save(marker, condition=TableItem.pk.does_not_exist())

        if self._transaction(write):
            raise Conflict("this address is registered already")

    def get_expert(self, expert_id: str) -> Expert | None:
        """One GetItem, strongly consistent."""
        item = self._get(ExpertItem, keys.expert(expert_id))
        return None if item is None else _expert(item)

    def decide_expert(
        self, expert_id: str, status: str, by: str, at: str, reason: str | None = None
    ) -> bool:
        """One TransactWriteItems: the registration's status (on condition that it is still
        pending) and, for an activation, one topic entry per topic."""
        target = ExpertStatus(status)
        sources = [s.value for s in DECISIONS[target]]
        stored = self.get_expert(expert_id)
        if stored is None or stored.status not in sources:
            return False
        bind(self._settings)
        # The version read: pynamodb makes the update conditional on it and writes the next one.
        item = ExpertItem(*keys.expert(expert_id), version=stored.version)
        actions: list[Any] = [
            ExpertItem.expert_status.set(target.value),
            ExpertItem.decided_by.set(by),
            ExpertItem.decided_at.set(at),
            ExpertItem.updated_at.set(at),
            ExpertItem.roster_key.set(keys.roster_state(stored.member_state, target.value)),
        ]
        if reason is not None:
            actions.append(ExpertItem.decline_reason.set(reason))
        condition = ExpertItem.expert_status.is_in(*sources)

        def write(transaction: TransactWrite) -> None:
            transaction.update(item, actions=actions, condition=condition)
            if target is ExpertStatus.ACTIVE:
                for topic in stored.topics:
                    transaction.save(_topic_item(expert_id, topic))

        return not self._transaction(write)

    def update_expert(self, updated: Expert, previous: Expert) -> bool:
        """One TransactWriteItems: the profile (conditional on its version and status), the
        topic entries put or deleted."""
        bind(self._settings)
        expert_id = updated.expert_id
        item = ExpertItem(*keys.expert(expert_id), version=previous.version)
        actions: list[Any] = [
            ExpertItem.document.set(updated.document),
            ExpertItem.member_state.set(updated.member_state),
            ExpertItem.expert_status.set(updated.status),
            ExpertItem.updated_at.set(updated.updated_at),
            ExpertItem.roster_key.set(keys.roster_state(updated.member_state, updated.status)),
        ]
        condition = ExpertItem.expert_status == previous.status
        active = updated.status == ExpertStatus.ACTIVE.value
        kept = set(updated.topics) if active else set()
        before = set(previous.topics) if previous.status == ExpertStatus.ACTIVE.value else set()

        def write(transaction: TransactWrite) -> None:
            transaction.update(item, actions=actions, condition=condition)
            for topic in sorted(kept - before):
                transaction.save(_topic_item(expert_id, topic))
            # The API deletes nothing: a dropped entry leaves the index now, the table later.
            dropped: list[Any] = [
                ExpertTopicItem.roster_key.remove(),
                ExpertTopicItem.expires_at.set(int(_now()) + DROPPED_TOPIC_SECONDS),
            ]
            for topic in sorted(before - kept):
                entry = ExpertTopicItem(*keys.expert_topic(expert_id, topic))
                transaction.update(entry, actions=dropped)

        return not self._transaction(write)

    def experts_of_member_state(self, member_state: str, status: str) -> list[Expert]:
        """One Query on roster-index (keys), then the profiles by BatchGetItem."""
        found = self._roster_partitions(keys.roster_state(member_state, status))
        experts = self._experts_by_pk(found)
        ordered = [e for e in experts if e.status == status]
        return sorted(ordered, key=lambda e: (e.registered_at, e.expert_id))

    def roster_page(
        self, member_state: str, status: str, limit: int = 25, cursor: str | None = None
    ) -> tuple[list[Expert], str | None]:
        """One Query on roster-index (``Limit`` entries, keys), then the profiles by
        BatchGetItem; the cursor is the last entry's registration time and id."""
        after = keys.read_queue_cursor(cursor) if cursor else None
        roster_key = keys.roster_state(member_state, status)
        table, client = self._client()
        query: dict[str, Any] = {
            "TableName": table,
            "IndexName": "roster-index",
            "KeyConditionExpression": "roster_key = :k",
            "ExpressionAttributeValues": {":k": {"S": roster_key}},
            "Limit": limit,
        }
        if after is not None:
            query["ExclusiveStartKey"] = {
                "roster_key": {"S": roster_key},
                "roster_sort": {"S": f"{after[0]}#{after[1]}"},
                "pk": {"S": keys.expert_pk(after[1])},
                "sk": {"S": keys.PROFILE},
            }
        with _dynamodb("Query roster-index page"):
            answer = client.query(**query)
        entries = answer.get("Items", [])
        found = self._experts_by_pk([item["pk"]["S"] for item in entries])
        experts = sorted(
            (e for e in found if e.status == status), key=lambda e: (e.registered_at, e.expert_id)
        )
        if answer.get("LastEvaluatedKey") and entries:
            registered_at, _, expert_id = entries[-1]["roster_sort"]["S"].rpartition("#")
            return experts, keys.queue_cursor(registered_at, expert_id)
        return experts, None

    def active_experts_of_topics(self, topics: list[str]) -> tuple[list[Expert], int]:
        """One Query on roster-index per topic (keys only), then the profiles by BatchGetItem
        (100 a call): the items read grow with the candidates, not with the roster."""
        partitions: set[str] = set()
        read = 0
        for topic in dict.fromkeys(topics):
            entries = self._roster_partitions(keys.roster_topic(topic))
            read += len(entries)
            partitions.update(entries)
        experts = self._experts_by_pk(sorted(partitions))
        active = [e for e in experts if e.status == ExpertStatus.ACTIVE.value]
        return sorted(active, key=lambda e: e.expert_id), read + len(experts)

    def _roster_partitions(self, roster_key: str) -> list[str]:
        """The partitions roster-index names under a key, in its order (pages followed). The
        index holds keys only, so it cannot see an expiry: the profiles are read again."""
        table, client = self._client()
        with _dynamodb("Query roster-index"):
            pages = client.get_paginator("query").paginate(
                TableName=table,
                IndexName="roster-index",
                KeyConditionExpression="roster_key = :k",
                ExpressionAttributeValues={":k": {"S": roster_key}},
            )
            return [item["pk"]["S"] for page in pages for item in page.get("Items", [])]

    def _experts_by_pk(self, partitions: list[str]) -> list[Expert]:
        """The profiles of the experts whose partitions are named (BatchGetItem, paged)."""
        if not partitions:
            return []
        wanted = [(pk, keys.PROFILE) for pk in dict.fromkeys(partitions)]
        now = _now()
        with _dynamodb("BatchGetItem experts"):
            items = list(ExpertItem.batch_get(wanted))
        return [_expert(item) for item in items if _live(item, now) is not None]

    def save_focal_point(self, focal_point: FocalPoint) -> None:
        """One PutItem (replaces)."""
        bind(self._settings)
        item = FocalPointItem(
            *keys.focal_point(focal_point.member_state, focal_point.focal_id),
            focal_id=focal_point.focal_id,
            member_state=focal_point.member_state,
            name=focal_point.name,
            email=focal_point.email,
            language=focal_point.language,
            copy_invitations=int(focal_point.copy_invitations),
        )
        with _dynamodb("PutItem focal point"):
            item.save()

    def focal_points(self, member_state: str) -> list[FocalPoint]:
        """One Query on the focal points' partition, the member state's sort keys."""
        bind(self._settings)
        query = FocalPointItem.query(
            keys.FOCAL, TableItem.sk.startswith(keys.focal_prefix(member_state))
        )
        return [_focal(item) for item in self._live_items(query, "Query focal points")]

    def focal_point(self, member_state: str, focal_id: str) -> FocalPoint | None:
        """One GetItem."""
        item = self._get(FocalPointItem, keys.focal_point(member_state, focal_id))
        return None if item is None else _focal(item)

    def remove_focal_point(self, member_state: str, focal_id: str) -> bool:
        """One conditional DeleteItem."""
        return self._delete_existing(FocalPointItem(*keys.focal_point(member_state, focal_id)))

    def hold_mail(self, messages: list[dict[str, object]], at: str) -> str:
        """One PutItem (a new random sort key: never replaces another batch)."""
        import uuid

        from functions.adapters.repository import HELD_MAIL_DAYS

        bind(self._settings)
        key = f"{at}#{uuid.uuid4().hex}"
        item = HeldMailItem(
            keys.HELD_MAIL,
            key,
            messages=messages,
            expires_at=int(_now()) + HELD_MAIL_DAYS * 86400,
        )
        with _dynamodb("PutItem held mail"):
            item.save()
        return key

    def held_mail(self, limit: int = 100) -> list[tuple[str, list[dict[str, object]]]]:
        """One Query of the held batches' partition (``limit`` items)."""
        bind(self._settings)
        query = HeldMailItem.query(keys.HELD_MAIL, limit=limit)
        return [(item.sk, list(item.messages)) for item in self._live_items(query, "Query held")]

    def drop_held_mail(self, key: str) -> None:
        """One DeleteItem."""
        self._delete_existing(HeldMailItem(keys.HELD_MAIL, key))

    def all_focal_points(self) -> list[FocalPoint]:
        """One Query of the focal points' partition (pages followed)."""
        bind(self._settings)
        query = FocalPointItem.query(keys.FOCAL, TableItem.sk.startswith(keys.FOCAL_PREFIX))
        return [_focal(item) for item in self._live_items(query, "Query focal points")]

    def append_admin_event(self, event: Event) -> None:
        """One conditional PutItem in the ``ADMIN`` partition (an event item, kept for good:
        its detail holds ids and field names only)."""
        values = _event_values(event._replace(expires_at=None))
        values.pop("pk")
        item = EventItem(keys.ADMIN, values.pop("sk"), **values)
        if not self._save_new(item):
            raise Conflict(f"event {event.action} at {event.at} exists")

    def admin_events(self, limit: int) -> list[Event]:
        """One Query of the ``ADMIN`` partition, newest first, ``limit`` items."""
        bind(self._settings)
        query = EventItem.query(
            keys.ADMIN,
            TableItem.sk.startswith(keys.EVENT_PREFIX),
            scan_index_forward=False,
            limit=limit,
        )
        found = []
        for item in self._live_items(query, "Query administration trail"):
            plain = keys.event_sk(item.at, item.action)
            found.append(
                Event(
                    request_id="",
                    at=item.at,
                    action=item.action,
                    actor=item.actor,
                    round=int(item.round),
                    detail=dict(
                        item.detail.as_dict() if hasattr(item.detail, "as_dict") else item.detail
                    ),
                    public=False,
                    suffix=item.sk[len(plain) + 1 :],
                )
            )
            if len(found) >= limit:
                break
        return found

    def _roster_mail_item(self, record: RosterMailRecord | RosterNotification) -> ExpertMailItem:
        return ExpertMailItem(
            *keys.expert_mail(record.expert_id, record.kind.value, record.recipient, record.key)
        )

    def claim_roster_mail(self, record: RosterMailRecord) -> bool:
        """One conditional PutItem."""
        bind(self._settings)
        item = self._roster_mail_item(record)
        item.mail_kind = record.kind.value
        item.recipient = record.recipient
        item.state = record.state.value
        item.attempts = record.attempts
        item.at = record.at
        return self._save_new(item)

    def get_roster_mail(self, notification: RosterNotification) -> RosterMailRecord | None:
        """One GetItem, strongly consistent."""
        key = keys.expert_mail(
            notification.expert_id,
            notification.kind.value,
            notification.recipient,
            notification.key,
        )
        item = self._get(ExpertMailItem, key)
        if item is None:
            return None
        return RosterMailRecord(
            notification.expert_id,
            notification.kind,
            notification.recipient,
            notification.key,
            MailState(item.state),
            int(item.attempts),
            item.at,
            item.message_id,
            item.error,
        )

    def take_over_roster_mail(self, record: RosterMailRecord, at: str) -> bool:
        """One conditional UpdateItem: still claimed, still dated ``record.at``."""
        item = self._roster_mail_item(record)
        condition = (ExpertMailItem.state == MailState.SENDING.value) & (
            ExpertMailItem.at == record.at
        )
        actions = [ExpertMailItem.at.set(at), ExpertMailItem.attempts.add(1)]
        return self._update(item, actions, condition)

    def finish_roster_mail(
        self,
        record: RosterMailRecord,
        state: MailState,
        message_id: str | None = None,
        error: str | None = None,
    ) -> bool:
        """One conditional UpdateItem: the claim is still the one taken at ``record.at``."""
        item = self._roster_mail_item(record)
        condition = (ExpertMailItem.state == MailState.SENDING.value) & (
            ExpertMailItem.at == record.at
        )
        actions = [ExpertMailItem.state.set(state.value)]
        if message_id is not None:
            actions.append(ExpertMailItem.message_id.set(message_id))
        if error is not None:
            actions.append(ExpertMailItem.error.set(error))
        return self._update(item, actions, condition)

    # invitations

    def invite(self, invitations: list[Invitation], places: Places) -> list[Invitation]:
        """One PutItem for the places (if new) and one conditional PutItem per invitation."""
        bind(self._settings)
        stored = PlacesItem(
            *keys.places(places.request_id, places.activity),
            activity=places.activity,
            places=places.places,
            filled=0,
        )
        self._save_new(stored)  # False: stored by an earlier invitation, its count stays
        return [i for i in invitations if self._save_new(_invitation_item(i))]

    def get_invitation(self, request_id: str, activity: int, expert_id: str) -> Invitation | None:
        """One GetItem, strongly consistent."""
        item = self._get(InvitationItem, keys.invitation(request_id, activity, expert_id))
        return None if item is None else _invitation(item)

    def activity_invitations(
        self, request_id: str, activity: int
    ) -> tuple[Places | None, list[Invitation]]:
        """One Query: the sort keys ``INVITE#<activity:02d>`` and what follows it."""
        bind(self._settings)
        pk, prefix = keys.places(request_id, activity)
        query = TableItem.query(pk, TableItem.sk.startswith(prefix), consistent_read=True)
        found: Places | None = None
        invitations: list[Invitation] = []
        for item in self._live_items(query, "Query invitations"):
            if isinstance(item, PlacesItem) and item.sk == prefix:
                found = Places(request_id, activity, int(item.places), int(item.filled or 0))
            elif isinstance(item, InvitationItem) and item.sk.startswith(prefix + "#"):
                invitations.append(_invitation(item))
        return found, invitations

    def accept_invitation(self, invitation: Invitation, at: str) -> str:
        """One TransactWriteItems: the invitation (still waiting, deadline not passed), the
        places (one more, below the count) and the expert's deployments. Written on the shared
        client: the expert's item has a version that an acceptance must not change (pynamodb
        would add it to the condition and to the update)."""
        table, client = self._client()
        pk, sk = keys.invitation(invitation.request_id, invitation.activity, invitation.expert_id)
        places_key = keys.places(invitation.request_id, invitation.activity)
        expert_key = keys.expert(invitation.expert_id)

        def key(pair: keys.Key) -> dict[str, Any]:
            return {"pk": {"S": pair[0]}, "sk": {"S": pair[1]}}

        items = [
            {
                "Update": {
                    "TableName": table,
                    "Key": key((pk, sk)),
                    "UpdateExpression": "SET invitation_status = :accepted, responded_at = :at,"
                    " region_year = :deployed, submitted_at = :at REMOVE #status, status_since",
                    "ConditionExpression": "invitation_status = :invited AND respond_by > :at",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": {
                        ":accepted": {"S": InvitationStatus.ACCEPTED.value},
                        ":deployed": {"S": keys.deployed_year(at[:4])},
                        ":invited": {"S": InvitationStatus.INVITED.value},
                        ":at": {"S": at},
                    },
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": key(places_key),
                    "UpdateExpression": "ADD filled :one",
                    "ConditionExpression": "filled < places",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {
                "Update": {
                    "TableName": table,
                    "Key": key(expert_key),
                    "UpdateExpression": "ADD deployments :one",
                    "ConditionExpression": "attribute_exists(pk)",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
        ]
        with _dynamodb("TransactWriteItems accept_invitation"):
            try:
                client.transact_write_items(TransactItems=items)
            except ClientError as error:
                reasons = _cancelled(error)
                if not _condition_failed(reasons):
                    raise
                return "answered" if _condition_failed(reasons, 0) else "full"
        return "accepted"

    def close_invitation(
        self, invitation: Invitation, status: str, at: str, reason: str | None = None
    ) -> bool:
        """One conditional UpdateItem (still waiting)."""
        item = InvitationItem(
            *keys.invitation(invitation.request_id, invitation.activity, invitation.expert_id)
        )
        actions = _answered(InvitationStatus(status), at)
        if reason is not None:
            actions.append(InvitationItem.reason.set(reason))
        waiting = InvitationItem.invitation_status == InvitationStatus.INVITED.value
        return self._update(item, actions, waiting)

    def invitations_due(self, respond_by_before: str) -> Iterator[Invitation]:
        """One Query on status-index (``INVITE#invited``, deadlines up to the time)."""
        bind(self._settings)
        query = InvitationItem.waiting_index.query(
            keys.INVITE_WAITING, InvitationItem.status_since <= respond_by_before
        )
        return (_invitation(i) for i in self._live_items(query, "Query status-index invitations"))

    def mark_invitation_reminded(self, invitation: Invitation) -> bool:
        """One conditional UpdateItem (waiting, not reminded yet)."""
        item = InvitationItem(
            *keys.invitation(invitation.request_id, invitation.activity, invitation.expert_id)
        )
        condition = (InvitationItem.invitation_status == InvitationStatus.INVITED.value) & (
            InvitationItem.reminded == 0
        )
        return self._update(item, [InvitationItem.reminded.set(1)], condition)

    def expert_id_by_email_hash(self, address_digest: str) -> str | None:
        """One GetItem (the address marker)."""
        item = self._get(ExpertAddressItem, keys.expert_address(address_digest))
        return None if item is None else item.expert_id

    def mark_leaving(self, expert_id: str, at: str) -> bool:
        """One conditional UpdateItem on the expert's item, without its version (the version
        guards the profile's content, which leaving does not change)."""
        table, client = self._client()
        pk, sk = keys.expert(expert_id)
        with _dynamodb("UpdateItem expert leaving"):
            try:
                client.update_item(
                    TableName=table,
                    Key={"pk": {"S": pk}, "sk": {"S": sk}},
                    UpdateExpression="SET expert_status = :leaving, #status = :marker,"
                    " status_since = :at, updated_at = :at REMOVE roster_key, roster_sort",
                    ConditionExpression="attribute_exists(pk) AND expert_status <> :leaving",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={
                        ":leaving": {"S": ExpertStatus.LEAVING.value},
                        ":marker": {"S": keys.EXPERT_LEAVING},
                        ":at": {"S": at},
                    },
                )
            except ClientError as error:
                if _lost(error):
                    return False
                raise
        return True

    def experts_leaving(self) -> list[str]:
        """One Query on status-index (``EXPERT#leaving``)."""
        bind(self._settings)
        query = ExpertItem.leaving_index.query(keys.EXPERT_LEAVING)
        return [item.expert_id for item in self._live_items(query, "Query status-index leaving")]

    def erase_expert(self, expert_id: str) -> dict[str, int]:
        """One Query on the expert's partition and a DeleteItem per item (the marker too); the
        invitations' roster-index entries removed, one UpdateItem each."""
        bind(self._settings)
        changed: dict[str, int] = {}
        invitations = self.expert_invitations(expert_id)
        profile = self._get(ExpertItem, keys.expert(expert_id))
        query = TableItem.query(keys.expert_pk(expert_id), consistent_read=True)
        with _dynamodb("Query expert partition"):
            found = list(query)
        if profile is not None:
            marker = ExpertAddressItem(*keys.expert_address(profile.address_hash))
            if self._delete_existing(marker):
                changed["expert_address"] = 1
        for item in found:
            with _dynamodb("DeleteItem expert"):
                TableItem(item.pk, item.sk).delete()
            kind = str(TableItem.kind.serialize(type(item)))  # the stored discriminator
            changed[kind] = changed.get(kind, 0) + 1
        for invitation in invitations:
            entry = InvitationItem(
                *keys.invitation(invitation.request_id, invitation.activity, expert_id)
            )
            actions = [InvitationItem.roster_key.remove(), InvitationItem.roster_sort.remove()]
            if self._update(entry, actions, InvitationItem.pk.exists()):
                changed["invitation"] = changed.get("invitation", 0) + 1
        return changed

    def deployments_of_year(self, year: int) -> list[Invitation]:
        """One Query on region-index (``DEPLOYED#<year>``), pages followed."""
        bind(self._settings)
        query = InvitationItem.deployed_index.query(keys.deployed_year(year))
        return [_invitation(i) for i in self._live_items(query, "Query region-index deployments")]

    def roster_size(self) -> dict[str, dict[str, int]]:
        """One counting Query on roster-index per member state and status (keys only)."""
        from functions.domain.reference import reference_data

        table, client = self._client()
        sizes: dict[str, dict[str, int]] = {}
        for member_state in reference_data().member_states:
            for status in ROSTER_STATUSES:
                with _dynamodb("Query roster-index count"):
                    pages = client.get_paginator("query").paginate(
                        TableName=table,
                        IndexName="roster-index",
                        KeyConditionExpression="roster_key = :k",
                        ExpressionAttributeValues={
                            ":k": {"S": keys.roster_state(member_state, status)}
                        },
                        Select="COUNT",
                    )
                    count = sum(int(page.get("Count", 0)) for page in pages)
                if count:
                    sizes.setdefault(member_state, {})[status] = count
        return sizes

    def expert_invitations(self, expert_id: str) -> list[Invitation]:
        """One Query on roster-index (keys), then the invitations by BatchGetItem."""
        table, client = self._client()
        with _dynamodb("Query roster-index invitations"):
            pages = client.get_paginator("query").paginate(
                TableName=table,
                IndexName="roster-index",
                KeyConditionExpression="roster_key = :k",
                ExpressionAttributeValues={":k": {"S": keys.roster_invited(expert_id)}},
            )
            wanted = [(i["pk"]["S"], i["sk"]["S"]) for page in pages for i in page.get("Items", [])]
        if not wanted:
            return []
        now = _now()
        with _dynamodb("BatchGetItem invitations"):
            items = list(InvitationItem.batch_get(wanted))
        found = [_invitation(i) for i in items if _live(i, now) is not None]
        return sorted(found, key=lambda i: (i.invited_at, i.request_id, i.activity))

    # --- drafts (issue 20: "Save and continue later") ----------------------------------------

    def save_draft(self, draft: Draft, previous_version: int | None) -> bool:
        """One conditional PutItem (the whole draft: its answers replace the stored ones)."""
        bind(self._settings)
        due = draft.reminder_due
        item = DraftItem(
            *keys.draft(draft.draft_id),
            draft_id=draft.draft_id,
            values=draft.values,
            email_hash=draft.email_hash,
            language=draft.language,
            version=draft.version,
            saved_at=draft.saved_at,
            expires_at=draft.expires_at,
            status=keys.DRAFT_REMINDER_DUE if due else None,
            status_since=due,
        )
        if previous_version is None:
            condition = DraftItem.pk.does_not_exist()
        else:
            # An ended draft (sent, erased, past its time) is never saved again.
            condition = (DraftItem.version == previous_version) & (
                DraftItem.expires_at > int(_now())
            )
        with _dynamodb("PutItem draft"):
            try:
                item.save(condition=condition)
            except PynamoDBException as error:
                if _lost(error):
                    return False
                raise
        return True

    def get_draft(self, draft_id: str) -> Draft | None:
        """One GetItem."""
        item = self._get(DraftItem, keys.draft(draft_id))
        return None if item is None else _draft(item)

    def discard_draft(self, draft_id: str) -> bool:
        """One conditional UpdateItem: the answers emptied, the hash and the reminder removed,
        the TTL now (no DeleteItem: the API's role has none)."""
        now = int(_now())
        actions = [
            DraftItem.values.set({}),
            DraftItem.expires_at.set(now),
            DraftItem.email_hash.remove(),
            DraftItem.status.remove(),
            DraftItem.status_since.remove(),
        ]
        condition = DraftItem.pk.exists() & (DraftItem.expires_at > now)
        return self._update(DraftItem(*keys.draft(draft_id)), actions, condition)

    def drafts_due_reminder(self, due_by: str) -> Iterator[Draft]:
        """One Query on status-index (``DRAFT#reminder``, due <= the bound), pages followed as
        they are read: it reads the drafts still to remind, never the table."""
        bind(self._settings)
        query = DraftItem.reminder_index.query(
            keys.DRAFT_REMINDER_DUE, DraftItem.status_since <= due_by
        )
        found = self._live_items(query, "Query status-index drafts")
        return (_draft(item) for item in found if isinstance(item, DraftItem))

    def mark_draft_reminded(self, draft_id: str, version: int) -> bool:
        """One conditional UpdateItem: out of status-index, if still at ``version``."""
        condition = (DraftItem.version == version) & DraftItem.status.exists()
        actions = [DraftItem.status.remove(), DraftItem.status_since.remove()]
        return self._update(DraftItem(*keys.draft(draft_id)), actions, condition)

    def draft_ids_by_email_hash(self, digest: str) -> list[str]:
        """One Query on email-index (pages followed), the drafts' entries only."""
        table, client = self._client()
        with _dynamodb("Query email-index drafts"):
            pages = client.get_paginator("query").paginate(
                TableName=table,
                IndexName="email-index",
                KeyConditionExpression="email_hash = :h",
                ExpressionAttributeValues={":h": {"S": digest}},
            )
            return [
                keys.draft_id_of(item["pk"]["S"])
                for page in pages
                for item in page.get("Items", [])
                if item["pk"]["S"].startswith(keys.DRAFT_PREFIX)
            ]

    # --- attachments (issue 20) --------------------------------------------------------------

    def save_attachment(self, attachment: Attachment) -> None:
        """One PutItem (the slot's item replaced whole)."""
        bind(self._settings)
        with _dynamodb("PutItem attachment"):
            _attachment_item(attachment).save()

    def attachments(
        self, owner_id: str, in_draft: bool = False, ended: bool = False
    ) -> list[Attachment]:
        """One Query on the partition's ``ATT#`` range, strongly consistent."""
        bind(self._settings)
        pk, _ = keys.attachment(owner_id, "", in_draft)
        query = AttachmentItem.query(
            pk, AttachmentItem.sk.startswith(keys.ATTACHMENT_PREFIX), consistent_read=True
        )
        if ended:
            with _dynamodb("Query attachments"):
                found = list(query)
        else:
            found = list(self._live_items(query, "Query attachments"))
        return [_attachment(item) for item in found if isinstance(item, AttachmentItem)]

    def _same_live_object(self, attachment: Attachment) -> Any:
        return (AttachmentItem.s3_key == attachment.s3_key) & (
            AttachmentItem.expires_at.does_not_exist() | (AttachmentItem.expires_at > int(_now()))
        )

    def schedule_attachment_deletion(self, request_id: str, due: str) -> int:
        """One Query of the request's attachments, one conditional UpdateItem per file whose
        time differs."""
        changed = 0
        for attachment in self.attachments(request_id):
            if attachment.deletion_due == due:
                continue
            item = AttachmentItem(*keys.attachment(request_id, attachment.slot, False))
            actions = [
                AttachmentItem.status.set(keys.ATTACHMENT_DELETION_DUE),
                AttachmentItem.status_since.set(due),
            ]
            changed += self._update(item, actions, self._same_live_object(attachment))
        return changed

    def attachments_due_deletion(self, due_by: str) -> Iterator[Attachment]:
        """One Query on status-index (``ATT#deletion``, due <= the bound), pages followed."""
        bind(self._settings)
        query = AttachmentItem.deletion_index.query(
            keys.ATTACHMENT_DELETION_DUE, AttachmentItem.status_since <= due_by
        )
        with _dynamodb("Query status-index attachments"):
            for item in query:
                if isinstance(item, AttachmentItem):
                    yield _attachment(item)

    def set_attachment_scan(self, attachment: Attachment, scan: ScanState) -> bool:
        """One conditional UpdateItem (the same object, not ended)."""
        item = AttachmentItem(
            *keys.attachment(attachment.owner_id, attachment.slot, attachment.in_draft)
        )
        actions = [AttachmentItem.scan_state.set(scan.value)]
        return self._update(item, actions, self._same_live_object(attachment))

    def end_attachment(self, attachment: Attachment) -> bool:
        """One conditional UpdateItem: the TTL now (if not earlier) and out of the deletion
        index (no DeleteItem: the API's role has none)."""
        now = int(_now())
        item = AttachmentItem(
            *keys.attachment(attachment.owner_id, attachment.slot, attachment.in_draft)
        )
        ended = AttachmentItem.expires_at.exists() & (AttachmentItem.expires_at <= now)
        actions = [
            AttachmentItem.expires_at.set(min(attachment.expires_at or now, now)),
            AttachmentItem.status.remove(),
            AttachmentItem.status_since.remove(),
        ]
        live = AttachmentItem.expires_at.does_not_exist() | (AttachmentItem.expires_at > now)
        condition = (AttachmentItem.s3_key == attachment.s3_key) & (
            live | (ended & AttachmentItem.status.exists())
        )
        return self._update(item, actions, condition)

    def move_attachments(
        self, draft_id: str, request_id: str, expires_at: int | None
    ) -> list[Attachment]:
        """One Query of the draft's attachments, then one TransactWriteItems (a Put in the
        request's partition and an Update ending the draft's item, per file); none: no write."""
        found = self.attachments(draft_id, in_draft=True)
        due = None if expires_at is None else deletion_due(expires_at)
        moved = [
            a._replace(owner_id=request_id, in_draft=False, expires_at=expires_at, deletion_due=due)
            for a in found
        ]
        if not moved:
            return []
        now = int(_now())

        def write(transaction: TransactWrite) -> None:
            for old, new in zip(found, moved, strict=True):
                transaction.save(_attachment_item(new))
                transaction.update(
                    AttachmentItem(*keys.attachment(draft_id, old.slot, True)),
                    actions=[AttachmentItem.expires_at.set(now)],
                    condition=self._same_live_object(old),
                )

        if self._transaction(write):
            raise Conflict("the draft's attachments changed meanwhile")
        return moved


def _expert_item(expert: Expert) -> ExpertItem:
    return ExpertItem(
        *keys.expert(expert.expert_id),
        expert_id=expert.expert_id,
        expert_status=expert.status,
        member_state=expert.member_state,
        document=expert.document,
        address_hash=expert.email_hash,
        registered_at=expert.registered_at,
        updated_at=expert.updated_at,
        deployments=expert.deployments,
        decided_by=expert.decided_by,
        decided_at=expert.decided_at,
        decline_reason=expert.decline_reason,
        roster_key=keys.roster_state(expert.member_state, expert.status),
        roster_sort=f"{expert.registered_at}#{expert.expert_id}",
    )


def _expert(item: ExpertItem) -> Expert:
    return Expert(
        expert_id=item.expert_id,
        status=item.expert_status,
        document=item.document,
        registered_at=item.registered_at,
        updated_at=item.updated_at,
        email_hash=item.address_hash,
        deployments=int(item.deployments or 0),
        decided_by=item.decided_by,
        decided_at=item.decided_at,
        decline_reason=item.decline_reason,
        version=int(item.version or 1),
    )


DROPPED_TOPIC_SECONDS = 86400  # a dropped topic entry's life after it left roster-index


def _topic_item(expert_id: str, topic: str) -> ExpertTopicItem:
    return ExpertTopicItem(
        *keys.expert_topic(expert_id, topic),
        expert_id=expert_id,
        roster_key=keys.roster_topic(topic),
        roster_sort=expert_id,
    )


def _focal(item: FocalPointItem) -> FocalPoint:
    return FocalPoint(
        item.focal_id,
        item.member_state,
        item.name,
        item.email,
        item.language,
        bool(item.copy_invitations),
    )


def _invitation_item(invitation: Invitation) -> InvitationItem:
    waiting = invitation.status == InvitationStatus.INVITED.value
    return InvitationItem(
        *keys.invitation(invitation.request_id, invitation.activity, invitation.expert_id),
        request_id=invitation.request_id,
        activity=invitation.activity,
        expert_id=invitation.expert_id,
        invitation_status=invitation.status,
        invited_at=invitation.invited_at,
        respond_by=invitation.respond_by,
        member_state=invitation.member_state,
        gender=invitation.gender,
        invited_by=invitation.invited_by,
        responded_at=invitation.responded_at,
        reason=invitation.reason,
        reminded=int(invitation.reminded),
        activity_type=invitation.activity_type or None,
        reference=invitation.reference or None,
        status=keys.INVITE_WAITING if waiting else None,
        status_since=invitation.respond_by if waiting else None,
        roster_key=keys.roster_invited(invitation.expert_id),
        roster_sort=invitation.invited_at,
    )


def _invitation(item: InvitationItem) -> Invitation:
    return Invitation(
        request_id=item.request_id,
        activity=int(item.activity),
        expert_id=item.expert_id,
        status=item.invitation_status,
        invited_at=item.invited_at,
        respond_by=item.respond_by,
        member_state=item.member_state,
        gender=item.gender,
        invited_by=item.invited_by,
        responded_at=item.responded_at,
        reason=item.reason,
        reminded=bool(item.reminded),
        activity_type=item.activity_type or "",
        reference=item.reference or "",
    )


def _answered(status: InvitationStatus, at: str) -> list[Any]:
    """The actions of an answer: the status, when, and out of status-index."""
    return [
        InvitationItem.invitation_status.set(status.value),
        InvitationItem.responded_at.set(at),
        InvitationItem.status.remove(),
        InvitationItem.status_since.remove(),
    ]


def _scrub_value(value: dict[str, Any], scrub: Callable[[str], str]) -> dict[str, Any]:
    """A DynamoDB attribute value with every string passed through ``scrub``: in maps, lists and
    string sets too, and inside JSON texts (parsed first: their escapes would hide a name)."""
    if "S" in value:
        return {"S": _scrub_text(value["S"], scrub)}
    if "M" in value:
        return {"M": {k: _scrub_value(v, scrub) for k, v in value["M"].items()}}
    if "L" in value:
        return {"L": [_scrub_value(v, scrub) for v in value["L"]]}
    if "SS" in value:
        scrubbed = sorted({scrub(text) for text in value["SS"]})
        return value if scrubbed == sorted(value["SS"]) else {"SS": scrubbed}
    return value


def _scrub_text(text: str, scrub: Callable[[str], str]) -> str:
    if text.startswith(("{", "[")):
        try:
            parsed = json.loads(text, strict=False)
        except ValueError:
            pass
        else:
            scrubbed = _scrub_plain(parsed, scrub)
            # Written again only if a value changed: re-encoding alone must not count as a change.
            return text if scrubbed == parsed else json.dumps(scrubbed)
    return scrub(text)


def _scrub_plain(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_plain(v, scrub) for v in value]
    if isinstance(value, dict):
        return {k: _scrub_plain(v, scrub) for k, v in value.items()}
    return value
