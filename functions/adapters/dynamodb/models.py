"""The pynamodb models of every item of the table, its indexes, and :func:`bind`.

One table holds everything (docs/architecture.md, "The table"); key formats are in
:mod:`functions.adapters.dynamodb.keys`. Every item has a ``kind`` (the discriminator: a query
gives each item back as its own class) and may have ``expires_at``, the table's TTL attribute
(epoch seconds; DynamoDB deletes expired items late, so readers skip them).

Retention (services/retention.py): every item of a request's partition ends with the request's
expiry. Erasure (services/erasure.py): every text of a partition's items is scrubbed except keys,
``kind`` and the request's ``document`` (replaced whole); committee items are deleted.
"""

from __future__ import annotations

from typing import Any

import pynamodb.connection.base
from pynamodb.attributes import (
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import AttributeNullError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from functions.adapters import aws
from functions.runtime.settings import Settings, get_settings

# pynamodb makes a botocore session per connection (one per model class), each parsing the
# endpoint data and the DynamoDB model again on a cold start. Lambda runs one request at a time
# per container, so every connection can share the container's session.
pynamodb.connection.base.get_session = aws.session  # type: ignore[attr-defined]


class StatusIndex(GlobalSecondaryIndex["RequestItem"]):
    """Requests by status, oldest change first: the sweeper's and the listings' entry point.

    ``status`` / ``status_since``; every attribute projected. Eventually consistent.
    """

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class RegionIndex(GlobalSecondaryIndex["RequestItem"]):
    """Requests by ``<region>#<year>``, in order of submission: reports and listings.

    ``region_year`` / ``submitted_at``; every attribute projected.
    """

    class Meta:
        index_name = "region-index"
        projection = AllProjection()

    region_year = UnicodeAttribute(hash_key=True)
    submitted_at = UnicodeAttribute(range_key=True)


class EmailIndex(GlobalSecondaryIndex["RequestItem"]):
    """Requests by a SHA-256 of the contact's address: erasure finds them without a scan.

    ``email_hash``; keys only (so it cannot see ``expires_at``). Erasure removes a request's
    ``email_hash``, and its entry leaves the index with it.
    """

    class Meta:
        index_name = "email-index"
        projection = KeysOnlyProjection()

    email_hash = UnicodeAttribute(hash_key=True)


class MailClaimIndex(GlobalSecondaryIndex["MailItem"]):
    """status-index seen from the mail records: the partition ``MAIL#sending`` holds the claims
    still in progress, by the time each was taken (the sweeper's way to dead workers' claims)."""

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class DraftReminderIndex(GlobalSecondaryIndex["DraftItem"]):
    """status-index seen from the drafts: the partition ``DRAFT#reminder`` holds the drafts
    whose expiry reminder is still to be sent, by the time it is due (the sweeper's Query)."""

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class AttachmentDeletionIndex(GlobalSecondaryIndex["AttachmentItem"]):
    """status-index seen from the attachments: the partition ``ATT#deletion`` holds the files of
    requests by when their objects are to be deleted (the sweeper's Query)."""

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class TableItem(Model):
    """Every item of the table: a partition key, a sort key, a kind and an optional TTL."""

    class Meta:
        table_name = "unbound"
        region = "eu-west-1"
        max_retry_attempts = 3

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    expires_at = NumberAttribute(null=True)  # the table's TTL attribute


class RequestItem(TableItem, discriminator="request"):
    """A partner's request for assistance and where it stands.

    Key: ``REQ#<id>`` / ``META``. In all three indexes. Retention: created with an expiry
    ``retention_days`` after submission; once final, the expiry of its whole partition, written
    last. Erasure: ``document`` is replaced by an anonymised one (new ``fingerprint``),
    ``email_hash`` is removed, every other text is scrubbed.
    """

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
    email_hash = UnicodeAttribute(null=True)  # None once erased
    fingerprint = UnicodeAttribute()
    submission_id = UnicodeAttribute(null=True)
    submitted_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    open_question = UnicodeAttribute(null=True)
    # The partner's question's deadline when staff extended it (ISO time; removed by every
    # status change): the sweeper closes the request only once it has passed.
    answer_by = UnicodeAttribute(null=True)
    # Votes cast in the current round: ADD 1 with each vote, removed by every status change.
    votes_cast = NumberAttribute(null=True)
    version = NumberAttribute(default=1)  # ADD 1 on every status change
    # What the sweeper has done for this request ("reminder#1#2", "escalation#1", ...): each
    # duty adds its mark in the same conditional write that wins the right to act, so it acts once.
    sweep_marks = UnicodeSetAttribute(null=True)

    status_index = StatusIndex()
    region_index = RegionIndex()
    email_index = EmailIndex()


class SubmissionItem(TableItem, discriminator="submission"):
    """The first answer given for a ``submission_id``: makes a resubmission return it again.

    Key: ``SUB#<submission id>`` / ``SUB`` (its own partition, so that the transaction that
    creates a request can check it does not exist). Retention: its own expiry, set at creation.
    Erasure: gets the anonymised document's fingerprint.
    """

    request_id = UnicodeAttribute()
    reference = UnicodeAttribute()
    fingerprint = UnicodeAttribute()
    created_at = UnicodeAttribute()


class EventItem(TableItem, discriminator="event"):
    """One line of a request's audit trail. Written once, never changed.

    Key: ``REQ#<id>`` / ``EVT#<iso time>#<action>[#<suffix>]``. Retention and erasure: those of
    its partition (``detail``'s texts scrubbed). The administration's trail (changes to the
    committee, the officers, the focal points) is the same item under ``ADMIN`` /
    ``EVT#...``: ids and field names only, kept for good.
    """

    at = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()  # "partner", "system", "member:<id>", "operator"
    round = NumberAttribute(default=1)
    detail = MapAttribute[str, Any](default=dict)
    public = NumberAttribute(default=1)  # 1: the partner's timeline shows it


class CounterItem(TableItem, discriminator="counter"):
    """An atomic counter: the last reference number given in a year.

    Key: ``SEQ#<year>`` / ``SEQ``. Kept for good (no personal data).
    """

    value = NumberAttribute(default=0)


class StatusCountItem(TableItem, discriminator="status_count"):
    """How many requests are in one status: the queue's counts, without counting the index.

    Key: ``STATUSES`` / ``STATUS#<status>``. Moved by one in the transaction of every status
    change (and of every new request); ``python -m functions.ops requests recount`` sets them
    again from status-index if they ever drift. Kept for good (no personal data).
    """

    total = NumberAttribute(default=0)  # not ``count``: that is a Model method


class RateItem(TableItem, discriminator="rate"):
    """Submissions from one (keyed-hash) address within one hour.

    Key: ``RATE#<digest>`` / ``H#<hour start, epoch seconds>``. Expires two hours after the
    hour starts; the address cannot be read back from the digest.
    """

    hits = NumberAttribute(default=0)  # not "count": that name is Model.count()


class VoteItem(TableItem, discriminator="vote"):
    """A committee member's vote in one review round. At most one per member and round.

    Key: ``REQ#<id>`` / ``VOTE#<round:03d>#<member id>``. Retention: its partition's. Erasure:
    a removed member's ``comment`` (and its copies elsewhere in the partition) is scrubbed.
    """

    round = NumberAttribute()
    member_id = UnicodeAttribute()
    choice = UnicodeAttribute()  # approve | reject | more_information
    comment = UnicodeAttribute(null=True)
    cast_by = UnicodeAttribute()  # the member, or their delegate: "delegate:<member id>"
    at = UnicodeAttribute()
    silent = NumberAttribute(default=0)  # 1: counted by positive silence, not cast


class MailItem(TableItem, discriminator="mail"):
    """One email the service has sent, or tried to: the mail worker's idempotency record.

    Key: ``REQ#<id>`` / ``MAIL#<kind>#<round:03d>#<recipient>[#<key>]`` (the key is read back
    from the sort key). Holds a recipient id, never an address. Retention: its partition's.
    While claimed (``sending``) it is in status-index as ``status`` ``MAIL#sending`` /
    ``status_since`` the claim's time, so the sweeper finds the claims of dead workers with a
    Query; both are removed when it is finished, and the entry leaves the index.
    """

    mail_kind = UnicodeAttribute()
    round = NumberAttribute(default=1)
    recipient = UnicodeAttribute()  # "partner", "member:<id>", "officer:<id>"
    state = UnicodeAttribute()  # sending | sent | rejected
    attempts = NumberAttribute(default=0)
    message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    status = UnicodeAttribute(null=True)  # keys.MAIL_CLAIMED while claimed, else absent
    status_since = UnicodeAttribute(null=True)  # = at while claimed

    claim_index = MailClaimIndex()


class ActionItem(TableItem, discriminator="action"):
    """The Action an approved request became: its plan of activities.

    Key: ``REQ#<id>`` / ``ACTION``. ``version`` is pynamodb's optimistic lock: a save is
    conditional on the version read and writes the next one. Retention: its ``ends_on`` sets
    the expiry of an approved request's partition. Erasure: the plan's texts are scrubbed.
    """

    title = UnicodeAttribute()
    plan = JSONAttribute()  # the document of schemas/action.schema.json, statuses included
    starts_on = UnicodeAttribute()  # ISO date
    ends_on = UnicodeAttribute()  # ISO date: retention counts from the end of the Action
    published_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    version = VersionAttribute()


class EvaluationItem(TableItem, discriminator="evaluation"):
    """One answer to an activity's evaluation (schemas/evaluation.schema.json).

    Key: ``REQ#<id>`` / ``EVAL#<activity:02d>#<respondent>``: ``host`` and ``expert:<id>`` for
    the personal links (written only if absent: one answer each), ``room:<random id>`` for the
    shared link's anonymous answers. One Query of the partition's ``EVAL#`` range reads an
    Action's answers. No address or name: a respondent id only. Retention: written with its
    request's expiry, and then its partition's (services/retention.py). Erasure: its texts
    (``most_useful``, ``comment``) are scrubbed with the partition's.
    """

    activity = NumberAttribute()
    respondent = UnicodeAttribute()  # host | expert:<id> | room:<random id>
    satisfaction = NumberAttribute()  # 1 to 5
    changes_work = UnicodeAttribute()  # yes | partly | no
    most_useful = UnicodeAttribute(null=True)
    comment = UnicodeAttribute(null=True)
    language = UnicodeAttribute(default="en")
    at = UnicodeAttribute()


class RoomCountItem(TableItem, discriminator="room_count"):
    """How many anonymous answers one activity's shared link has taken (the cap's counter).

    Key: ``REQ#<id>`` / ``EVALROOM#<activity:02d>``; ADD 1 in the transaction that writes each
    anonymous answer, on the condition that the count is below the cap. Retention and erasure:
    its partition's (a number: nothing to scrub).
    """

    answers = NumberAttribute(default=0)


class ResultsItem(TableItem, discriminator="results"):
    """An Action as the yearly report counts it, in the index of each year the Action spans.

    Key: ``RESULTS#<year>`` / ``ACTION#<request id>``: the report reads a year with one Query.
    Codes, dates and numbers only (activity types and countries, participants, deliverable
    kinds): no text a person wrote. Rewritten whenever its Action changes (services/results.py).
    Retention: the expiry its request's partition gets from the Action's end. Erasure: deleted
    with the request (nothing in it names anyone, but it belongs to the request).
    """

    request_id = UnicodeAttribute()
    region = UnicodeAttribute()
    pillar = UnicodeAttribute()
    country = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    starts_on = UnicodeAttribute()
    ends_on = UnicodeAttribute()
    activities = JSONAttribute()


class PublishedItem(TableItem, discriminator="published"):
    """An Action on the public pages (/where-we-work, /activities): its partner agreed.

    Key: ``PUBLISHED`` / ``ACTION#<request id>``: the pages read every published Action with one
    Query. The Action's title, region, thematic area, countries, period and how many activities
    are done: no contact, no name. Written while the partner's consent holds; withdrawn (or on
    erasure), it expires at once (readers skip it, the TTL deletes it: the API deletes nothing).
    Retention: its request's expiry.
    """

    request_id = UnicodeAttribute()
    title = UnicodeAttribute()
    region = UnicodeAttribute()
    pillar = UnicodeAttribute()
    countries = ListAttribute[str]()
    starts_on = UnicodeAttribute()
    ends_on = UnicodeAttribute()
    activities_done = NumberAttribute(default=0)
    activities = NumberAttribute(default=0)
    published_at = UnicodeAttribute()


class MemberItem(TableItem, discriminator="member"):
    """A Steering Committee member (or observer, or veto holder).

    Key: ``COMMITTEE`` / ``MEMBER#<id>`` (the whole committee is one Query). No expiry. Erasure:
    deleted; a delegation to the person is removed.
    """

    member_id = UnicodeAttribute()
    name = UnicodeAttribute()
    body = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()  # voting | observer | veto
    language = UnicodeAttribute(default="en")
    delegate = MapAttribute[str, Any](null=True)  # name, email, valid_from, valid_until
    active = NumberAttribute(default=1)


class OfficerItem(TableItem, discriminator="officer"):
    """A Project Officer and the regions they coordinate.

    Key: ``OFFICERS`` / ``OFFICER#<id>`` (all of them in one Query). No expiry. Erasure: deleted.
    """

    officer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    regions = ListAttribute[str]()
    language = UnicodeAttribute(default="en")


class SuppressionItem(TableItem, discriminator="suppression"):
    """An address that must not be mailed again: why (``bounce`` or ``complaint``), since when.

    Key: ``SUPPRESS#<sha-256 of the lower-cased address>`` / ``SUPPRESS``: the list answers "may
    we mail this address?" without holding the address. No expiry. Erasure: deleted.
    """

    reason = UnicodeAttribute()
    at = UnicodeAttribute()


# --- experts (the roster) ----------------------------------------------------------------------


class RosterIndex(GlobalSecondaryIndex["ExpertItem"]):
    """The roster by ``roster_key``: ``TOPIC#<topic>`` (the topic entries of active experts) or
    ``STATE#<member state>#<status>`` (registrations); ``roster_sort`` orders each partition
    (the expert id, or the registration's time). Keys only: what it names is read by key, so
    matching reads the candidates of the activity's topics, never the whole roster."""

    class Meta:
        index_name = "roster-index"
        projection = KeysOnlyProjection()

    roster_key = UnicodeAttribute(hash_key=True)
    roster_sort = UnicodeAttribute(range_key=True)


class ExpertLeavingIndex(GlobalSecondaryIndex["ExpertItem"]):
    """status-index seen from the experts: ``EXPERT#leaving`` holds those who left the roster,
    by when (the sweeper erases them: the API deletes nothing)."""

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class ExpertItem(TableItem, discriminator="expert"):
    """An expert's registration (schemas/expert.schema.json) and where it stands.

    Key: ``EXPERT#<id>`` / ``PROFILE``; in roster-index as ``STATE#<member state>#<status>`` /
    ``<registered at>#<id>``. ``version`` is pynamodb's optimistic lock. No address in any key:
    ``address_hash`` is the SHA-256 of the address (its marker is an ExpertAddressItem).
    Retention: kept while the expert is on the roster (no expiry). Erasure: the expert leaves
    (``leaving``, in status-index until the sweeper's next run erases them) or ``ops erase``:
    the item, its topic entries, mail records and address marker are deleted; the deployments
    stay as anonymous counts on the activities (member state and gender only).
    """

    expert_id = UnicodeAttribute()
    # Not "status" nor "email_hash": those names would put the item in status-index and
    # email-index, the requests' indexes.
    expert_status = UnicodeAttribute()  # pending | active | declined
    member_state = UnicodeAttribute()
    document = JSONAttribute()
    address_hash = UnicodeAttribute()
    registered_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    deployments = NumberAttribute(default=0)
    decided_by = UnicodeAttribute(null=True)
    decided_at = UnicodeAttribute(null=True)
    decline_reason = UnicodeAttribute(null=True)
    roster_key = UnicodeAttribute(null=True)
    roster_sort = UnicodeAttribute(null=True)
    # Once the expert leaves: in status-index as ``EXPERT#leaving`` / when (the sweeper erases).
    status = UnicodeAttribute(null=True)
    status_since = UnicodeAttribute(null=True)
    version = VersionAttribute()

    roster_index = RosterIndex()
    leaving_index = ExpertLeavingIndex()


class ExpertTopicItem(TableItem, discriminator="expert_topic"):
    """An active expert's entry under one topic: what matching finds by index.

    Key: ``EXPERT#<id>`` / ``TOPIC#<topic>``; in roster-index as ``TOPIC#<topic>`` / ``<id>``.
    Written when the focal point confirms the expert (one per topic). When the expert drops the
    topic (or is no longer active) the API, which deletes nothing, takes the entry out of
    roster-index (``roster_key`` removed) and gives it an expiry of a day: the table's TTL
    deletes it. Retention and erasure: the expert's (deleted with them).
    """

    expert_id = UnicodeAttribute()
    roster_key = UnicodeAttribute(null=True)  # None: dropped, out of the index until it expires
    roster_sort = UnicodeAttribute()


class ExpertAddressItem(TableItem, discriminator="expert_address"):
    """One registration per address: the marker the registration's transaction creates.

    Key: ``EXPADDR#<sha-256 of the lower-cased address>`` / ``EXPADDR``; holds the expert's id.
    Retention and erasure: the expert's (deleted with them).
    """

    expert_id = UnicodeAttribute()


class ExpertMailItem(TableItem, discriminator="expert_mail"):
    """One roster email the service has sent, or tried to: sent at most once.

    Key: ``EXPERT#<id>`` / ``MAIL#<kind>#<recipient>[#<key>]``; holds a recipient id, never an
    address. Not in any index (a claim left by a dead worker is taken over by the next delivery
    after the lease). Retention and erasure: the expert's (deleted with them).
    """

    mail_kind = UnicodeAttribute()
    recipient = UnicodeAttribute()  # "expert" or "focal:<member state>:<id>"
    state = UnicodeAttribute()  # sending | sent | rejected
    attempts = NumberAttribute(default=1)
    at = UnicodeAttribute()
    message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)


class InvitationWaitingIndex(GlobalSecondaryIndex["InvitationItem"]):
    """status-index seen from the invitations: the partition ``INVITE#invited`` holds those
    waiting for an answer, by deadline (the sweeper's reminders and expiries)."""

    class Meta:
        index_name = "status-index"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    status_since = UnicodeAttribute(range_key=True)


class DeployedIndex(GlobalSecondaryIndex["InvitationItem"]):
    """region-index seen from the invitations: ``DEPLOYED#<year>`` holds the year's accepted
    invitations, by the time of acceptance (the report's deployments, one Query a year)."""

    class Meta:
        index_name = "region-index"
        projection = AllProjection()

    region_year = UnicodeAttribute(hash_key=True)
    submitted_at = UnicodeAttribute(range_key=True)


class InvitationItem(TableItem, discriminator="invitation"):
    """An expert invited to one activity of a request's Action.

    Key: ``REQ#<id>`` / ``INVITE#<activity:02d>#<expert id>``; in roster-index as
    ``INVITED#<expert id>`` / ``<invited at>``; while ``invited``, in status-index as
    ``INVITE#invited`` / ``respond_by`` (the sweeper's reminders and deadlines), both removed
    when it is answered; once accepted, in region-index as ``DEPLOYED#<year>`` / the time of
    acceptance (the report). No name, no address: the member state and gender are copied so
    that deployments stay countable. Retention: its request's partition's. Erasure of the
    expert: the roster-index entry is removed; the invitation keeps the expert's random id,
    which nothing links to any more (the registration is deleted): the counts stay anonymous.
    """

    request_id = UnicodeAttribute()
    activity = NumberAttribute()
    expert_id = UnicodeAttribute()
    invitation_status = UnicodeAttribute()  # invited | accepted | declined | expired | full
    invited_at = UnicodeAttribute()
    respond_by = UnicodeAttribute()
    member_state = UnicodeAttribute()
    gender = UnicodeAttribute()
    invited_by = UnicodeAttribute()
    responded_at = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    reminded = NumberAttribute(default=0)
    status = UnicodeAttribute(null=True)  # keys.INVITE_WAITING while invited, else absent
    status_since = UnicodeAttribute(null=True)  # = respond_by while invited
    roster_key = UnicodeAttribute(null=True)
    roster_sort = UnicodeAttribute(null=True)
    activity_type = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    # Once accepted, in region-index as ``DEPLOYED#<year>`` / the acceptance's time (the report).
    region_year = UnicodeAttribute(null=True)
    submitted_at = UnicodeAttribute(null=True)

    waiting_index = InvitationWaitingIndex()
    deployed_index = DeployedIndex()


class PlacesItem(TableItem, discriminator="places"):
    """An activity's places: how many experts it needs, how many accepted.

    Key: ``REQ#<id>`` / ``INVITE#<activity:02d>``. ``filled`` grows only in the transaction of
    an acceptance, on condition that it is below ``places``: the first acceptances fill them.
    Retention and erasure: its request's partition's (no personal data).
    """

    activity = NumberAttribute()
    places = NumberAttribute()
    filled = NumberAttribute(default=0)


class FocalPointItem(TableItem, discriminator="focal_point"):
    """A national focal point, who confirms the registrations of one member state's experts.

    Key: ``FOCAL`` / ``FOCAL#<member state>#<id>`` (a member state's focal points are one Query).
    No expiry (managed by the ops CLI, later the workspace). Erasure: deleted.
    """

    focal_id = UnicodeAttribute()
    member_state = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    language = UnicodeAttribute(default="en")
    copy_invitations = NumberAttribute(default=0)  # 1: copied on its experts' invitations


class HeldMailItem(TableItem, discriminator="held_mail"):
    """Notifications whose publish failed (the queue refused or was down), kept so that the
    sweeper queues them again: nothing is lost between a stored change and its email.

    Key: ``HELDMAIL`` / ``<held at>#<random>`` (one Query, oldest first). ``messages`` are the
    queue messages, ids only: nothing personal. Retention: expires HELD_MAIL_DAYS after it
    was held (the sweeper deletes it once queued). Erasure: nothing personal to erase.
    """

    messages = JSONAttribute()


# --- drafts ---------------------------------------------------------------------------------


class DraftItem(TableItem, discriminator="draft"):
    """A request form saved half-way ("Save and continue later"), by someone with no account.

    Key: ``DRAFT#<id>`` / ``DRAFT`` (its own partition: no request listing, index or partition
    query of a request can reach it, so staff and the committee never see a draft). ``values``
    holds the form's answers as posted (JSON: field name -> values), personal data included.
    ``email_hash`` (SHA-256 of the lower-cased address) puts it in email-index, next to the
    requests, so erasure finds it without a scan. Until its expiry reminder is sent it is in
    status-index as ``status`` ``DRAFT#reminder`` / ``status_since`` the time it is due; the
    sweeper removes both when it sends the reminder, and the entry leaves the index.

    Retention: ``expires_at`` is ``DRAFT_DAYS`` after the last save (each save moves it); it is
    ended when the form is sent as a request (its ``values`` and ``email_hash`` removed, its
    expiry set to that moment: the API deletes no item, the TTL does). The emails about a draft
    (the link, the reminder) keep their idempotency records under ``REQ#<draft id>`` /
    ``MAIL#...`` (ids only, no address; a draft id is a fresh uuid, never a request's) with the
    draft's expiry.
    Erasure: ended the same way (services/erasure.py, found by the address's hash).
    """

    draft_id = UnicodeAttribute()
    values = JSONAttribute()
    email_hash = UnicodeAttribute(null=True)  # removed when the draft ends
    language = UnicodeAttribute()
    version = NumberAttribute(default=1)
    saved_at = UnicodeAttribute()
    status = UnicodeAttribute(null=True)  # keys.DRAFT_REMINDER_DUE until reminded, else absent
    status_since = UnicodeAttribute(null=True)  # when the reminder is due

    reminder_index = DraftReminderIndex()


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


def connection(settings: Settings | None = None) -> Connection:
    """The connection the models share, bound: transactions and raw calls use its client."""
    bind(settings)
    return RequestItem._get_connection().connection


Item = dict[str, dict[str, Any]]  # an item as DynamoDB JSON: {"name": {"S": "value"}}


def serialized(model: type[TableItem], **values: Any) -> Item:
    """The item ``model(**values).serialize()`` would give, without building the instance.

    The same attributes, defaults, discriminator, serialisers and required-attribute checks as
    pynamodb (tests/unit/test_models_serialized.py compares the two for every model). Made for
    the submission, which writes three new items on every request: building pynamodb instances
    (a descriptor call per attribute set and read, defaults, container bookkeeping) took a third
    of the handler's CPU.
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


# --- attachments ----------------------------------------------------------------------------


class AttachmentItem(TableItem, discriminator="attachment"):
    """A file attached to a request (the official letter, or a supporting document).

    Key: ``REQ#<request id>`` / ``ATT#<slot>`` (``letter``, ``supporting-1`` .. ``-4``), in the
    request's partition, so the partition's one Query reads it with the rest; while the form is
    still a draft, ``DRAFT#<draft id>`` / ``ATT#<slot>`` (the draft's partition: nothing of
    requests reads it). One item per slot: a new file in a slot replaces the item. The file
    itself is the S3 object ``s3_key`` (``attachments/<uuid>``: chosen by the server, no name
    of the partner's); ``file_type`` is the type read from its bytes, ``scan_state`` the malware
    scan's state (functions/domain/attachments.py). No personal data but the file's content.

    Retention: in a request's partition it ends with the request (``expire_partition`` gives it
    the request's expiry like every item there); in a draft's, ``DRAFT_DAYS`` after its upload.
    The S3 object: a request's is deleted by the sweeper a day before the request's expiry (the
    bucket's lifecycle cannot follow each request's expiry): the item is in status-index as
    ``status`` ``ATT#deletion`` / ``status_since`` that time, moved whenever the request's
    expiry is (services/retention.py), and leaves the index when the sweeper has deleted the
    object and ended the item; a draft's carries a tag the bucket's lifecycle deletes it by
    (infra/stack.yaml), taken off when the form is sent. When the form is sent the draft's items
    are copied into the request's partition and ended (TTL now; the object stays: its key names
    no owner). Erasure: the objects are deleted and the items ended (services/erasure.py).
    """

    owner_id = UnicodeAttribute()
    slot = UnicodeAttribute()
    s3_key = UnicodeAttribute()
    size = NumberAttribute()
    file_type = UnicodeAttribute()
    scan_state = UnicodeAttribute()  # not "scan": that is the Model's Scan
    uploaded_at = UnicodeAttribute()
    status = UnicodeAttribute(null=True)  # keys.ATTACHMENT_DELETION_DUE in a request, else absent
    status_since = UnicodeAttribute(null=True)  # when the object is to be deleted

    deletion_index = AttachmentDeletionIndex()
