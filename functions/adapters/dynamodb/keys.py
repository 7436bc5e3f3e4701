"""Every key of the table, in one place: the formats items were stored with (and must keep).

A request and all that happens to it share the partition ``REQ#<id>``; the sort key tells the
item apart (docs/architecture.md, "The table"). Numbers in sort keys are zero-padded (a round is
``001``) so that they sort as numbers; ``$`` sorts right after ``#``, which closes a prefix range.
"""

from __future__ import annotations

import base64
import re

from functions.domain.errors import InvalidCursor
from functions.domain.ratelimit import Window

Key = tuple[str, str]  # (pk, sk)

REQUEST_PREFIX = "REQ#"
META = "META"
ACTION = "ACTION"
EVENT_PREFIX = "EVT#"
VOTE_PREFIX = "VOTE#"
MAIL_PREFIX = "MAIL#"
SUBMISSION = "SUB"
COUNTER = "SEQ"
COMMITTEE = "COMMITTEE"
MEMBER_PREFIX = "MEMBER#"
OFFICERS = "OFFICERS"
OFFICER_PREFIX = "OFFICER#"
SUPPRESSION = "SUPPRESS"
EVALUATION_PREFIX = "EVAL#"
RESULTS_PREFIX = "RESULTS#"
RESULTS_ACTION_PREFIX = "ACTION#"
PUBLISHED = "PUBLISHED"
ROOM_COUNT_PREFIX = "EVALROOM#"
DRAFT_PREFIX = "DRAFT#"
DRAFT = "DRAFT"
ATTACHMENT_PREFIX = "ATT#"
# The status-index partition of request attachments whose object the sweeper is to delete,
# sorted by when (a day before the request's items expire).
ATTACHMENT_DELETION_DUE = "ATT#deletion"
# The status-index partition of drafts whose expiry reminder is still to be sent, sorted by the
# time it is due: no request status looks like it, so the sweeper's Query reads those only.
DRAFT_REMINDER_DUE = "DRAFT#reminder"
# The status-index partition of mail records still claimed (``sending``), sorted by the claim's
# time: no request status looks like it, so the sweeper's Query reads claims only.
MAIL_CLAIMED = "MAIL#sending"
SUBMISSION_WINDOW = Window.SUBMISSION.value


def request_pk(request_id: str) -> str:
    """The partition of a request and everything that happens to it: ``REQ#<id>``."""
    return f"{REQUEST_PREFIX}{request_id}"


def request_id_of(pk: str) -> str:
    """The request id a partition key names."""
    return pk.removeprefix(REQUEST_PREFIX)


def request(request_id: str) -> Key:
    """The request itself: ``REQ#<id>`` / ``META``."""
    return request_pk(request_id), META


def event_sk(at: str, action: str, suffix: str = "") -> str:
    """An audit event: ``EVT#<iso time>#<action>[#<suffix>]`` (in time order)."""
    return f"{EVENT_PREFIX}{at}#{action}{'#' + suffix if suffix else ''}"


def round_votes_prefix(round_number: int) -> str:
    """The sort keys of one round's votes begin with ``VOTE#<round:03d>#``."""
    return f"{VOTE_PREFIX}{round_number:03d}#"


def request_and_votes_span(round_number: int) -> tuple[str, str]:
    """The sort keys from ``META`` to ``VOTE#<round:03d>$``: the request and the votes of this
    and earlier rounds (nothing else of a request sorts between them)."""
    return META, f"{VOTE_PREFIX}{round_number:03d}$"


def vote_sk(round_number: int, member_id: str) -> str:
    """A vote: ``VOTE#<round:03d>#<member id>`` (one per member and round)."""
    return f"{round_votes_prefix(round_number)}{member_id}"


def mail_sk(kind: str, round_number: int, recipient: str, key: str = "") -> str:
    """A mail record: ``MAIL#<kind>#<round:03d>#<recipient>[#<key>]``."""
    return f"{MAIL_PREFIX}{kind}#{round_number:03d}#{recipient}{'#' + key if key else ''}"


def mail_key_of(sk: str, kind: str, round_number: int, recipient: str) -> str:
    """The ``key`` part of a mail record's sort key (not stored apart: "" when there is none)."""
    return sk[len(mail_sk(kind, round_number, recipient)) + 1 :]


def submission(submission_id: str) -> Key:
    """A submission marker: ``SUB#<submission id>`` / ``SUB``."""
    return f"{SUBMISSION}#{submission_id}", SUBMISSION


def counter(year: int) -> Key:
    """The reference counter of a year: ``SEQ#<year>`` / ``SEQ``."""
    return f"{COUNTER}#{year}", COUNTER


def rate(address_digest: str, hour_start: int, purpose: str = SUBMISSION_WINDOW) -> Key:
    """POSTs of one purpose from one (keyed-hash) address in one hour: ``RATE#<digest>`` /
    ``H#<hour>`` for submissions (the key they always had, so stored windows still count),
    ``RATE#<purpose>#<digest>`` / ``H#<hour>`` for the others (a hex digest has no ``#``)."""
    if purpose == SUBMISSION_WINDOW:
        return f"RATE#{address_digest}", f"H#{hour_start}"
    return f"RATE#{purpose}#{address_digest}", f"H#{hour_start}"


def member(member_id: str) -> Key:
    """A committee member: ``COMMITTEE`` / ``MEMBER#<id>``."""
    return COMMITTEE, f"{MEMBER_PREFIX}{member_id}"


def officer(officer_id: str) -> Key:
    """A Project Officer: ``OFFICERS`` / ``OFFICER#<id>``."""
    return OFFICERS, f"{OFFICER_PREFIX}{officer_id}"


def suppression(address_digest: str) -> Key:
    """A suppressed address, by the SHA-256 of it: ``SUPPRESS#<sha256>`` / ``SUPPRESS``."""
    return f"{SUPPRESSION}#{address_digest}", SUPPRESSION


STATUS_COUNTS = "STATUSES"
STATUS_COUNT_PREFIX = "STATUS#"


def status_count(status: str) -> Key:
    """The count of requests in a status: ``STATUSES`` / ``STATUS#<status>``. Every status
    change moves one between two of them in its own transaction; the queue reads the one
    partition (a handful of items) instead of counting the index."""
    return STATUS_COUNTS, f"{STATUS_COUNT_PREFIX}{status}"


def region_year(region: str, year: int | str) -> str:
    """The region-index's partition: ``<region>#<year>``."""
    return f"{region}#{year}"


def evaluation_sk(activity: int, respondent: str) -> str:
    """An evaluation answer: ``EVAL#<activity:02d>#<respondent>`` (``host``, ``expert:<id>``,
    ``room:<random id>``), in its request's partition: one per personal link."""
    return f"{EVALUATION_PREFIX}{activity:02d}#{respondent}"


def room_count_sk(activity: int) -> str:
    """The count of one activity's anonymous answers: ``EVALROOM#<activity:02d>``."""
    return f"{ROOM_COUNT_PREFIX}{activity:02d}"


def results(year: int, request_id: str) -> Key:
    """An Action in the report's index of one year: ``RESULTS#<year>`` / ``ACTION#<id>``."""
    return f"{RESULTS_PREFIX}{year}", f"{RESULTS_ACTION_PREFIX}{request_id}"


def published(request_id: str) -> Key:
    """A published Action (the public pages): ``PUBLISHED`` / ``ACTION#<id>``."""
    return PUBLISHED, f"{RESULTS_ACTION_PREFIX}{request_id}"


_CURSOR_SORT = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,15}Z\Z")
_CURSOR_ID = re.compile(r"\A[0-9a-zA-Z_-]{1,64}\Z")


def queue_cursor(sort_value: str, request_id: str) -> str:
    """The staff queue's continuation after a request: its index sort value and its id."""
    return base64.urlsafe_b64encode(f"{sort_value}|{request_id}".encode()).decode().rstrip("=")


def read_queue_cursor(cursor: str) -> tuple[str, str]:
    """(sort value, request id) of a cursor; :class:`InvalidCursor` if it is not one of ours
    (it becomes an ExclusiveStartKey: only a well-formed timestamp and id may reach one)."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        sort_value, request_id = text.split("|")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor() from error
    if len(cursor) > 200 or not _CURSOR_SORT.match(sort_value) or not _CURSOR_ID.match(request_id):
        raise InvalidCursor()
    return sort_value, request_id


# --- experts (the roster) ----------------------------------------------------------------------
# An expert and their roster entries share the partition ``EXPERT#<id>``; roster-index (keys
# only) finds them by ``roster_key``: ``TOPIC#<topic>`` (active experts of a topic, one entry
# per topic) or ``STATE#<member state>#<status>`` (a member state's registrations by status).

EXPERT_PREFIX = "EXPERT#"
PROFILE = "PROFILE"
EXPERT_TOPIC_PREFIX = "TOPIC#"
EXPERT_ADDRESS = "EXPADDR"
FOCAL = "FOCAL"
# Notifications whose publish failed, kept for the sweeper: ``HELDMAIL`` / ``<at>#<random>``.
HELD_MAIL = "HELDMAIL"
FOCAL_PREFIX = "FOCAL#"


def expert_pk(expert_id: str) -> str:
    """The partition of an expert and their roster entries: ``EXPERT#<id>``."""
    return f"{EXPERT_PREFIX}{expert_id}"


def expert(expert_id: str) -> Key:
    """An expert's registration: ``EXPERT#<id>`` / ``PROFILE``."""
    return expert_pk(expert_id), PROFILE


def expert_topic(expert_id: str, topic: str) -> Key:
    """An active expert's entry for one topic: ``EXPERT#<id>`` / ``TOPIC#<topic>``."""
    return expert_pk(expert_id), f"{EXPERT_TOPIC_PREFIX}{topic}"


def expert_address(address_digest: str) -> Key:
    """One registration per address: ``EXPADDR#<sha-256 of the address>`` / ``EXPADDR``."""
    return f"{EXPERT_ADDRESS}#{address_digest}", EXPERT_ADDRESS


def roster_topic(topic: str) -> str:
    """roster-index's partition of the active experts of a topic: ``TOPIC#<topic>``."""
    return f"{EXPERT_TOPIC_PREFIX}{topic}"


def roster_state(member_state: str, status: str) -> str:
    """roster-index's partition of a member state's registrations in a status."""
    return f"STATE#{member_state}#{status}"


def focal_point(member_state: str, focal_id: str) -> Key:
    """A national focal point: ``FOCAL`` / ``FOCAL#<member state>#<id>``."""
    return FOCAL, f"{FOCAL_PREFIX}{member_state}#{focal_id}"


ADMIN = "ADMIN"  # the administration's trail: ``ADMIN`` / ``EVT#<iso time>#<action>[#<suffix>]``


def focal_prefix(member_state: str) -> str:
    """The sort keys of one member state's focal points."""
    return f"{FOCAL_PREFIX}{member_state}#"


def expert_mail(expert_id: str, kind: str, recipient: str, key: str = "") -> Key:
    """A roster email's record: ``EXPERT#<id>`` / ``MAIL#<kind>#<recipient>[#<key>]``."""
    return expert_pk(expert_id), f"{MAIL_PREFIX}{kind}#{recipient}{'#' + key if key else ''}"


# An activity's invitations live in its request's partition (they end with it): the places
# ``INVITE#<activity:02d>`` and each invitation ``INVITE#<activity:02d>#<expert id>`` (one Query
# by prefix reads both). While waiting for an answer an invitation is in status-index as
# ``INVITE#invited`` / its deadline (the sweeper's); always in roster-index as
# ``INVITED#<expert id>`` (the expert's own page).
INVITE_PREFIX = "INVITE#"
INVITE_WAITING = "INVITE#invited"


def places(request_id: str, activity: int) -> Key:
    """An activity's places: ``REQ#<id>`` / ``INVITE#<activity:02d>``."""
    return request_pk(request_id), f"{INVITE_PREFIX}{activity:02d}"


def invitation(request_id: str, activity: int, expert_id: str) -> Key:
    """An invitation: ``REQ#<id>`` / ``INVITE#<activity:02d>#<expert id>``."""
    return request_pk(request_id), f"{INVITE_PREFIX}{activity:02d}#{expert_id}"


def roster_invited(expert_id: str) -> str:
    """roster-index's partition of an expert's invitations."""
    return f"INVITED#{expert_id}"


def deployed_year(year: int | str) -> str:
    """region-index's partition of the year's deployments (accepted invitations), by when they
    were accepted: ``DEPLOYED#<year>`` (no region is named so)."""
    return f"DEPLOYED#{year}"


# status-index's partition of the experts who left the roster, by when: the sweeper erases them
# (the API deletes nothing: tests/integration/test_policy.py).
EXPERT_LEAVING = "EXPERT#leaving"


def draft(draft_id: str) -> Key:
    """A saved draft of the form: ``DRAFT#<id>`` / ``DRAFT`` (its own partition)."""
    return f"{DRAFT_PREFIX}{draft_id}", DRAFT


def draft_id_of(pk: str) -> str:
    """The draft id a partition key names."""
    return pk.removeprefix(DRAFT_PREFIX)


def attachment(owner_id: str, slot: str, in_draft: bool) -> Key:
    """An attached file: ``REQ#<id>`` / ``ATT#<slot>`` in its request's partition, or
    ``DRAFT#<id>`` / ``ATT#<slot>`` in its draft's until the form is sent."""
    pk = f"{DRAFT_PREFIX}{owner_id}" if in_draft else request_pk(owner_id)
    return pk, f"{ATTACHMENT_PREFIX}{slot}"
