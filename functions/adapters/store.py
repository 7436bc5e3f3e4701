"""The DynamoDB table: pynamodb models of every item and the queries the services need.

One table holds everything (see docs/architecture.md). A request and all that happens to it
share the partition ``REQ#<id>``, so one Query reads a request with its votes, events and mail.
Nothing here scans the table; listings go through the ``status-index`` and ``region-index``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pynamodb.connection.base
from botocore.exceptions import ClientError
from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import AttributeNullError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from functions.adapters import aws
from functions.domain import clock
from functions.runtime.settings import Settings, get_settings

# pynamodb makes a botocore session per connection (one per model class), each parsing the
# endpoint data and the DynamoDB model again on a cold start. Lambda runs one request at a time
# per container, so every connection can share the container's session.
pynamodb.connection.base.get_session = aws.session  # type: ignore[attr-defined]


class StatusIndex(GlobalSecondaryIndex["RequestItem"]):
    """Requests by status, oldest change first: the sweeper's and the listings' entry point."""

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class RegionIndex(GlobalSecondaryIndex["RequestItem"]):
    """Requests by ``<region>#<year>``, in order of submission: reports and listings."""

    class Meta:
        index_name = "region-index"
        projection = AllProjection()

    region_year = UnicodeAttribute(hash_key=True)
    submitted_at = UnicodeAttribute(range_key=True)


class EmailIndex(GlobalSecondaryIndex["RequestItem"]):
    """Requests by a hash of the contact's email address: erasure finds them without a scan."""

    class Meta:
        index_name = "email-index"
        projection = KeysOnlyProjection()

    email_hash = UnicodeAttribute(hash_key=True)


class TableItem(Model):
    """Every item of the table: a partition key, a sort key and a kind."""

    class Meta:
        table_name = "unbound"
        region = "eu-west-1"
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    expires_at = NumberAttribute(null=True)  # the table's TTL attribute


class RequestItem(TableItem, discriminator="request"):
    """A partner's request for assistance and where it stands."""

    request_id = UnicodeAttribute()
    reference = UnicodeAttribute()
    status = UnicodeAttribute()
    status_since = UnicodeAttribute()
    round = NumberAttribute(default=1)
    document = JSONAttribute()
    language = UnicodeAttribute()
    region = UnicodeAttribute()
    region_year = UnicodeAttribute()
    pillar = UnicodeAttribute()
    institution_type = UnicodeAttribute()
    country = UnicodeAttribute(null=True)
    email_hash = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    submission_id = UnicodeAttribute(null=True)
    submitted_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    open_question = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    # What the sweeper has done for this request ("reminder#1#2", "escalation#1", ...): each
    # duty adds its mark in the same conditional write that wins the right to act, so it acts once.
    sweep_marks = UnicodeSetAttribute(null=True)

    status_index = StatusIndex()
    region_index = RegionIndex()
    email_index = EmailIndex()


class SubmissionItem(TableItem, discriminator="submission"):
    """The first answer given for a ``submission_id``: makes a resubmission return it again."""

    request_id = UnicodeAttribute()
    reference = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    created_at = UnicodeAttribute()


class EventItem(TableItem, discriminator="event"):
    """One line of a request's audit trail. Written once, never changed."""

    at = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()  # "partner", "system", "member:<id>", "operator"
    round = NumberAttribute(default=1)
    detail = MapAttribute[str, Any](default=dict)
    public = NumberAttribute(default=1)  # 1: the partner's timeline shows it


class CounterItem(TableItem, discriminator="counter"):
    """An atomic counter: the last reference number given in a year."""

    value = NumberAttribute(default=0)


class RateItem(TableItem, discriminator="rate"):
    """Submissions from one (hashed) address within one hour."""

    hits = NumberAttribute(default=0)  # not "count": that name is Model.count()


class VoteItem(TableItem, discriminator="vote"):
    """A committee member's vote in one review round. At most one per member and round."""

    round = NumberAttribute()
    member_id = UnicodeAttribute()
    choice = UnicodeAttribute()  # approve | reject | more_information
    comment = UnicodeAttribute(null=True)
    cast_by = UnicodeAttribute()  # the member, or their delegate: "delegate:<member id>"
    at = UnicodeAttribute()
    silent = NumberAttribute(default=0)  # 1: counted by positive silence, not cast


class MailItem(TableItem, discriminator="mail"):
    """One email the service has sent, or tried to: the mail worker's idempotency record."""

    mail_kind = UnicodeAttribute()
    round = NumberAttribute(default=1)
    recipient = UnicodeAttribute()  # a role or member id, never the address
    state = UnicodeAttribute()  # sending | sent | rejected
    attempts = NumberAttribute(default=0)
    message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class MemberItem(TableItem, discriminator="member"):
    """A Steering Committee member (or observer, or veto holder)."""

    member_id = UnicodeAttribute()
    name = UnicodeAttribute()
    body = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()  # voting | observer | veto
    language = UnicodeAttribute(default="en")
    delegate = MapAttribute[str, Any](null=True)  # name, email, valid_from, valid_until
    active = NumberAttribute(default=1)


class OfficerItem(TableItem, discriminator="officer"):
    """A Project Officer and the regions they coordinate."""

    officer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    regions = ListAttribute[str]()
    language = UnicodeAttribute(default="en")


class ActionItem(TableItem, discriminator="action"):
    """The Action an approved request became: its plan of activities (sk ``ACTION``)."""

    title = UnicodeAttribute()
    plan = JSONAttribute()  # the document of schemas/action.schema.json, statuses included
    starts_on = UnicodeAttribute()  # ISO date
    ends_on = UnicodeAttribute()  # ISO date: retention counts from the end of the Action
    published_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = NumberAttribute(default=1)


class Conflict(Exception):
    """A conditional write lost: the item exists or changed in the meantime."""


T = TypeVar("T", bound=TableItem)


_bound: list[tuple[str, str, int, int]] = []


def bind(settings: Settings | None = None) -> Settings:
    """Point the models at this stage's table (pynamodb keeps the table name on the class).

    Every model then shares one pynamodb connection, so one DynamoDB client: pynamodb makes a
    connection (and a client, ~10 ms of a cold start each) per model class on first use, and
    transactions took another. Done again only when the table, the region, the botocore session
    (tests reset it) or the set of models changes; otherwise a comparison.
    """
    settings = settings or get_settings()
    models: list[type[TableItem]] = [TableItem, *TableItem.__subclasses__()]
    key = (settings.table_name, settings.region, id(aws.session()), len(models))
    if _bound and _bound[0] == key:
        return settings
    for model in models:
        meta = model.Meta
        meta.table_name = settings.table_name
        meta.region = settings.region
    # The request model's schema has the key and every index: it serves every model's calls.
    RequestItem._connection = None
    shared = RequestItem._get_connection()
    for model in models:
        model._connection = shared
    _bound[:] = [key]
    return settings


def _connection() -> Connection:
    """The connection the models share (bound), for transactions: no client of their own."""
    bind()
    return RequestItem._get_connection().connection


def request_key(request_id: str) -> str:
    """The partition of a request and everything that happens to it."""
    return f"REQ#{request_id}"


def is_expired(item: TableItem) -> bool:
    """True once an item's TTL has passed: DynamoDB deletes it late (and moto never does)."""
    return item.expires_at is not None and item.expires_at <= clock.now().timestamp()


def next_number(counter_key: str) -> int:
    """Add one to a counter and return the new value (one UpdateItem, atomic)."""
    return _add_one(counter_key, "SEQ", "value", {})


def add_hit(pk: str, sk: str, expires_at: int) -> int:
    """Count one more hit on a rate item and return the total (one UpdateItem, atomic)."""
    return _add_one(pk, sk, "hits", {"kind": {"S": "rate"}, "expires_at": {"N": str(expires_at)}})


def _add_one(pk: str, sk: str, counted: str, also_set: dict[str, dict[str, str]]) -> int:
    """ADD 1 to a number attribute (the item is created if missing), SET ``also_set``, and
    return the new count: one UpdateItem.

    Both counters of a submission (the address's rate window, the year's reference) come
    through here on every request, so this talks to the models' shared client directly: a
    fixed expression instead of ``Model.update`` (building a model instance and its update
    expression, and reading every attribute back) halves the CPU of each.
    """
    settings = bind()
    names = {"#count": counted, **{f"#{name}": name for name in also_set}}
    values = {":one": {"N": "1"}, **{f":{name}": value for name, value in also_set.items()}}
    expression = "ADD #count :one" + "".join(
        f"{' SET' if i == 0 else ','} #{name} = :{name}" for i, name in enumerate(also_set)
    )
    answer = _connection().client.update_item(
        TableName=settings.table_name,
        Key={"pk": {"S": pk}, "sk": {"S": sk}},
        UpdateExpression=expression,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="UPDATED_NEW",
    )
    return int(answer["Attributes"][counted]["N"])


Item = dict[str, dict[str, Any]]  # an item as DynamoDB JSON: {"name": {"S": "value"}}


def serialized(model: type[TableItem], **values: Any) -> Item:
    """The item ``model(**values).serialize()`` would give, without building the instance.

    The same attributes, defaults, discriminator, serialisers and required-attribute checks as
    pynamodb (tests compare the two for every model). Made for the submission, which writes
    three new items on every request: building pynamodb instances (a descriptor call per
    attribute set and read, defaults, container bookkeeping) took a third of the handler's CPU.
    """
    attributes = model.get_attributes()
    unknown = values.keys() - attributes.keys()
    if unknown:
        raise ValueError(f"{model.__name__} has no attribute {sorted(unknown)}")
    item: Item = {}
    for name, attribute in attributes.items():
        if isinstance(attribute, DiscriminatorAttribute):
            value: Any = model
        elif name in values:
            value = values[name]
        else:
            value = _default(attribute)
        if isinstance(attribute, ListAttribute | MapAttribute):
            stored = None if value is None else attribute.serialize(value, null_check=True)
        else:
            stored = None if value is None else attribute.serialize(value)
        if stored is None:
            if not attribute.null:
                raise AttributeNullError(name)
            continue
        item[attribute.attr_name] = {attribute.attr_type: stored}
    return item


def _default(attribute: Any) -> Any:
    """An attribute's default for a new item, as pynamodb sets it."""
    default = attribute.default_for_new
    if default is None:
        default = attribute.default
    return default() if callable(default) else default


def create_with_marker(items: list[Item], marker: Item | None) -> None:
    """Write a new request's items (see :func:`serialized`) in one transaction; the marker
    must not exist yet.

    Raises :class:`Conflict` if a request with the same submission id was stored first.
    The transaction goes to the models' shared client directly, with a fixed condition: this
    runs on every submission, and pynamodb's ``TransactWrite`` builds each condition expression
    and its names anew per item.
    """
    settings = bind()
    puts = [*items, marker] if marker is not None else items
    try:
        _connection().client.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": settings.table_name,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for item in puts
            ]
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
            raise Conflict("a submission with this id exists") from error
        raise


def get(model: type[T], pk: str, sk: str) -> T | None:
    """One item by key, or None when missing or past its TTL (strongly consistent)."""
    bind()
    try:
        item = model.get(pk, sk, consistent_read=True)
    except model.DoesNotExist:
        return None
    return None if is_expired(item) else item


def get_many(keys: list[tuple[str, str]]) -> dict[tuple[str, str], TableItem]:
    """Items by key, read together (one BatchGetItem, strongly consistent); missing and expired
    items are left out. Each comes back as its own kind (the discriminator picks the class)."""
    bind()
    found: dict[tuple[str, str], TableItem] = {}
    for item in TableItem.batch_get(list(dict.fromkeys(keys)), consistent_read=True):
        if not is_expired(item):
            found[(item.pk, item.sk)] = item
    return found


def request_and_votes(
    request_id: str, round_number: int
) -> tuple[RequestItem | None, list[VoteItem]]:
    """A request and the votes of one round, in one Query.

    The sort keys from ``META`` to ``VOTE#<round>$`` hold the request and the votes of this and
    earlier rounds (``$`` sorts right after ``#``; nothing else sorts between them), so deciding
    a round needs no second read of the request. Votes of earlier rounds are left out here.
    """
    bind()
    prefix = f"VOTE#{round_number:03d}#"
    request: RequestItem | None = None
    votes: list[VoteItem] = []
    span = TableItem.sk.between("META", f"VOTE#{round_number:03d}$")
    for item in TableItem.query(request_key(request_id), span, consistent_read=True):
        if isinstance(item, RequestItem):
            request = None if is_expired(item) else item
        elif isinstance(item, VoteItem) and item.sk.startswith(prefix):
            votes.append(item)
    return request, votes


def partition(request_id: str) -> Iterator[TableItem]:
    """Every live item of one request: the request, votes, events, mail (one Query)."""
    bind()
    for item in TableItem.query(request_key(request_id), consistent_read=True):
        if not is_expired(item):
            yield item


def requests_of_region(region: str, year: int) -> Iterator[RequestItem]:
    """Live requests of one region submitted in one year, oldest first (Query on region-index)."""
    bind()
    for item in RequestItem.region_index.query(f"{region}#{year}"):
        if not is_expired(item):
            yield item


def requests_in_status(status: str) -> Iterator[RequestItem]:
    """Live requests in one status, longest there first (Query on status-index)."""
    bind()
    for item in RequestItem.status_index.query(status):
        if not is_expired(item):
            yield item


def delete(item: TableItem) -> None:
    """Remove one item (an operator's action: a mail record before sending it again)."""
    bind()
    item.delete()


def save_new(item: TableItem) -> bool:
    """Write an item that must not exist yet; False if it already did (an idempotent create)."""
    bind()
    try:
        item.save(condition=TableItem.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def conditional_update(item: TableItem, actions: list[Any], condition: Any) -> bool:
    """Apply ``actions`` only if ``condition`` holds; False if another writer got there first."""
    bind()
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


class VoteRefused(Exception):
    """A vote that the table refused: ``reason`` is ``closed`` or ``already_voted``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def event_item(
    request_id: str,
    action: str,
    actor: str,
    round_number: int,
    detail: dict[str, Any] | None = None,
    public: bool = True,
    suffix: str = "",
) -> EventItem:
    """A new audit event (not yet written). ``suffix`` keeps simultaneous events apart."""
    at = clock.iso(clock.now())
    return EventItem(
        request_key(request_id),
        f"EVT#{at}#{action}{'#' + suffix if suffix else ''}",
        at=at,
        action=action,
        actor=actor,
        round=round_number,
        detail=detail or {},
        public=1 if public else 0,
    )


def record_vote(vote: VoteItem, event: EventItem, open_status: str) -> None:
    """Write a vote and its audit event in one transaction, while the round is open.

    The transaction checks that the request is still in ``open_status`` and in the vote's round,
    and that this member has not voted in this round. Raises :class:`VoteRefused` otherwise.
    """
    bind()
    request_id = vote.pk
    condition = (RequestItem.status == open_status) & (RequestItem.round == vote.round)
    try:
        with TransactWrite(connection=_connection()) as transaction:
            transaction.condition_check(RequestItem, request_id, "META", condition=condition)
            transaction.save(vote, condition=TableItem.pk.does_not_exist())
            transaction.save(event, condition=TableItem.pk.does_not_exist())
    except TransactWriteError as error:
        reasons = [reason.code if reason else None for reason in error.cancellation_reasons]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise VoteRefused("closed") from error
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise VoteRefused("already_voted") from error
        raise


def change_status(
    request: RequestItem,
    allowed_from: list[str],
    target: str,
    event: EventItem,
    round_number: int | None = None,
    **fields: Any,
) -> bool:
    """Move a request to ``target`` if its status (and round) still allow it; audit it.

    One transaction: the conditional update and the event. Only one concurrent caller can win;
    the others get False and must do nothing more (that is how a decision is made once).
    """
    bind()
    at = clock.iso(clock.now())
    condition = RequestItem.status.is_in(*allowed_from)
    if round_number is not None:
        condition &= RequestItem.round == round_number
    actions: list[Action] = [
        RequestItem.status.set(target),
        RequestItem.status_since.set(at),
        RequestItem.updated_at.set(at),
        RequestItem.version.add(1),
    ]
    for name, value in fields.items():
        attribute = getattr(RequestItem, name)
        actions.append(attribute.remove() if value is None else attribute.set(value))

    def write(transaction: TransactWrite) -> None:
        transaction.update(request, actions=actions, condition=condition)
        transaction.save(event, condition=TableItem.pk.does_not_exist())

    return _all_or_nothing(write)


def _all_or_nothing(steps: Callable[[TransactWrite], None]) -> bool:
    """Run one transaction; False when one of its conditions failed (another writer won)."""
    try:
        with TransactWrite(connection=_connection()) as transaction:
            steps(transaction)
    except TransactWriteError as error:
        if error.cause_response_code == "TransactionCanceledException":
            return False
        raise
    return True


def append_event(event: EventItem) -> None:
    """Add one line to a request's audit trail."""
    bind()
    event.save(condition=TableItem.pk.does_not_exist())


def by_status(
    status: str, since_after: str | None = None, since_before: str | None = None
) -> Iterator[RequestItem]:
    """Live requests in ``status`` whose ``status_since`` lies in the range (status-index Query).

    Bounds are ISO timestamps (``clock.iso``), both inclusive; either may be left open. The index
    is eventually consistent; every action taken on what it returns is a conditional write.
    """
    bind()
    condition: Any = None
    if since_after is not None and since_before is not None:
        condition = RequestItem.status_since.between(since_after, since_before)
    elif since_after is not None:
        condition = RequestItem.status_since >= since_after
    elif since_before is not None:
        condition = RequestItem.status_since <= since_before
    for item in RequestItem.status_index.query(status, condition):
        if not is_expired(item):
            yield item


def mark_once(request: RequestItem, mark: str, condition: Any = None) -> bool:
    """Add ``mark`` to the request's sweep marks unless it is there (and ``condition`` holds).

    True for the one caller that added it: that caller does the work the mark stands for.
    """
    bind()
    guard = RequestItem.pk.exists() & ~RequestItem.sweep_marks.contains(mark)
    if condition is not None:
        guard &= condition
    return conditional_update(request, [RequestItem.sweep_marks.add({mark})], guard)


def raw_partition(request_id: str, attributes: str | None = None) -> list[dict[str, Any]]:
    """Every item of a request's partition as DynamoDB returned it, whatever its kind.

    Used where code must touch items it does not model (an Action written by another part of the
    service): retention and erasure. ``attributes`` is a projection expression (names only).
    """
    settings = bind()
    dynamodb = aws.client("dynamodb", settings.region)
    arguments: dict[str, Any] = {
        "TableName": settings.table_name,
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": request_key(request_id)}},
        "ConsistentRead": True,
    }
    if attributes:
        names = [name.strip() for name in attributes.split(",")]
        arguments["ProjectionExpression"] = ", ".join(f"#a{i}" for i in range(len(names)))
        arguments["ExpressionAttributeNames"] = {f"#a{i}": name for i, name in enumerate(names)}
    items: list[dict[str, Any]] = []
    while True:
        answer = dynamodb.query(**arguments)
        items.extend(answer.get("Items", []))
        if "LastEvaluatedKey" not in answer:
            return items
        arguments["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def set_raw_attributes(
    key: dict[str, Any], values: dict[str, Any], remove: tuple[str, ...] = ()
) -> bool:
    """Set (and remove) top-level attributes of an existing item, given as DynamoDB values.

    False if the item no longer exists (an update must not resurrect a deleted item).
    """
    settings = bind()
    names = {f"#s{i}": name for i, name in enumerate(values)}
    names.update({f"#r{i}": name for i, name in enumerate(remove)})
    sets = [f"#s{i} = :s{i}" for i in range(len(values))]
    expression = ("SET " + ", ".join(sets)) if sets else ""
    if remove:
        expression += " REMOVE " + ", ".join(f"#r{i}" for i in range(len(remove)))
    arguments: dict[str, Any] = {
        "TableName": settings.table_name,
        "Key": {"pk": key["pk"], "sk": key["sk"]},
        "UpdateExpression": expression.strip(),
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": names,
    }
    if values:
        arguments["ExpressionAttributeValues"] = {
            f":s{i}": value for i, value in enumerate(values.values())
        }
    try:
        aws.client("dynamodb", settings.region).update_item(**arguments)
    except aws.client("dynamodb", settings.region).exceptions.ConditionalCheckFailedException:
        return False
    return True


def delete_raw(key: dict[str, Any]) -> None:
    """Delete one item by its raw key."""
    settings = bind()
    aws.client("dynamodb", settings.region).delete_item(
        TableName=settings.table_name, Key={"pk": key["pk"], "sk": key["sk"]}
    )


def keys_by_email_hash(digest: str) -> list[str]:
    """The ids of the requests whose contact's address hashes to ``digest`` (email-index)."""
    settings = bind()
    dynamodb = aws.client("dynamodb", settings.region)
    arguments: dict[str, Any] = {
        "TableName": settings.table_name,
        "IndexName": "email-index",
        "KeyConditionExpression": "email_hash = :h",
        "ExpressionAttributeValues": {":h": {"S": digest}},
    }
    found: list[str] = []
    while True:
        answer = dynamodb.query(**arguments)
        found += [item["pk"]["S"].removeprefix("REQ#") for item in answer.get("Items", [])]
        if "LastEvaluatedKey" not in answer:
            return found
        arguments["ExclusiveStartKey"] = answer["LastEvaluatedKey"]


def unmark(request: RequestItem, mark: str) -> None:
    """Take a sweep mark back (the work it stood for could not be handed on)."""
    bind()
    request.update(actions=[RequestItem.sweep_marks.delete({mark})])


def save_with_event(item: TableItem, condition: Any, event: EventItem) -> bool:
    """Write ``item`` if ``condition`` holds, and its audit event, in one transaction.

    False (and nothing written) when the condition failed: another writer got there first.
    """
    bind()

    def write(transaction: TransactWrite) -> None:
        transaction.save(item, condition=condition)
        transaction.save(event, condition=TableItem.pk.does_not_exist())

    return _all_or_nothing(write)
