"""Files attached to a request (issue 20): the official letter and up to four supporting files.

The walk: the form asks for an upload (:func:`start_upload`: a fresh S3 key chosen here and a
presigned POST for exactly that key); the browser sends the file straight to S3; then the app
confirms it (:func:`confirm`): reads the object's size and first bytes, decides its type from
the bytes, and records it in its slot, or deletes the object and refuses at the slot's field.
Until the form is sent the files belong to its holder: an id carried by the form's signed
attachments token (the draft's id once the form is saved as a draft), kept in that draft's
partition ``DRAFT_DAYS`` after the upload. Sending the form gives them to the request
(:func:`attach_to_request`).

Offered for download only when the malware scan found nothing (GuardDuty Malware Protection
for S3 tags the object) or scanning is not required (a local stack): :func:`attachments_of`.
Deleted with the request: :func:`delete_due` (the sweeper, a day before the request's items
expire) and :func:`erase`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import NamedTuple

from functions.adapters import files, links
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.attachments import (
    HEAD_BYTES,
    MAX_BYTES,
    MAX_MEGABYTES,
    SCAN_TAG,
    Attachment,
    Refusal,
    ScanState,
    detect_type,
    needs_whole_file,
    scan_state_of,
    slot_error,
    valid_slot,
)
from functions.domain.errors import InvalidRequest
from functions.runtime.settings import get_settings

log = logging.getLogger(__name__)

KEY_PREFIX = "attachments/"


class Upload(NamedTuple):
    """What a browser needs to send one file: where to post, the fields, and the token that
    confirms the upload afterwards."""

    slot: str
    url: str
    fields: dict[str, str]
    confirm_token: str


class Shown(NamedTuple):
    """An attachment as a page lists it: the file, and a download link when it may be offered
    (None while it waits for its scan, or when it is quarantined)."""

    attachment: Attachment
    download_url: str | None


def new_holder() -> str:
    """An attachments token for a form that has none yet (a fresh id: the draft's id if the
    form is later saved)."""
    return links.upload_token(uuid.uuid4().hex)


def holder_of(token: str) -> str:
    """The holder id an attachments token names (raises a link error otherwise)."""
    return links.read_upload_token(token)


def start_upload(holder_token: str, slot: str, redirect_to: str | None = None) -> Upload:
    """A presigned POST for one file in ``slot`` of the holder's form; ``redirect_to`` (a URL
    with ``{token}`` in it) is where S3 sends a browser without JavaScript afterwards.
    Raises :class:`InvalidRequest` for a slot that does not exist. No call is made."""
    holder = holder_of(holder_token)
    if not valid_slot(slot):
        raise InvalidRequest([slot_error(slot, "slot")])
    key = f"{KEY_PREFIX}{uuid.uuid4().hex}"
    token = links.uploaded_token(holder, slot, key)
    target = redirect_to.replace("{token}", token) if redirect_to else None
    post = files.presigned_upload(key, MAX_BYTES, target)
    return Upload(slot, post.url, post.fields, token)


def confirm(confirm_token: str) -> Attachment:
    """Check an uploaded file and record it in its slot (replacing the slot's earlier file),
    or delete it and raise :class:`InvalidRequest` at the slot (``missing``, ``empty``,
    ``too_large``, ``file_type``, ``executable``). Confirming twice records it once.

    Calls: HeadObject, one or two GetObject (a zip is read whole, at most 10 MB), a Query of
    the holder's attachments, a PutItem; for a replaced file an UpdateItem and a DeleteObject.
    """
    holder, slot, key = links.read_uploaded_token(confirm_token)
    store = repository()
    current = {a.slot: a for a in store.attachments(holder, in_draft=True)}
    if slot in current and current[slot].s3_key == key:
        return current[slot]
    size = files.size_of(key)
    if size is None:
        raise InvalidRequest([slot_error(slot, "missing")])
    try:
        if size == 0:
            raise Refusal("empty")
        if size > MAX_BYTES:
            raise Refusal("file_too_large")
        data = files.read(key, HEAD_BYTES)
        if needs_whole_file(data):
            data = files.read(key)
        file_type = detect_type(data)
    except Refusal as refused:
        files.delete(key)
        log.info("attachment refused", extra={"holder": holder, "code": refused.code})
        params = {"limit": MAX_MEGABYTES} if refused.code == "file_too_large" else {}
        raise InvalidRequest([slot_error(slot, refused.code, **params)]) from None
    settings = get_settings()
    moment = clock.now()
    attachment = Attachment(
        owner_id=holder,
        slot=slot,
        s3_key=key,
        size=size,
        file_type=file_type,
        scan=ScanState.PENDING if settings.malware_scan_required else ScanState.NOT_REQUIRED,
        uploaded_at=clock.iso(moment),
        in_draft=True,
        expires_at=int((moment + timedelta(days=settings.draft_days)).timestamp()),
    )
    store.save_attachment(attachment)
    replaced = current.get(slot)
    if replaced is not None:
        files.delete(replaced.s3_key)
    return attachment


def of_holder(holder_token: str) -> list[Attachment]:
    """The files attached so far to the form a token holds (for the form page)."""
    return repository().attachments(holder_of(holder_token), in_draft=True)


def remove(holder_token: str, slot: str) -> bool:
    """Take the file out of a slot of the form (its object deleted); False if there was none."""
    store = repository()
    for attachment in store.attachments(holder_of(holder_token), in_draft=True):
        if attachment.slot == slot and store.end_attachment(attachment):
            files.delete(attachment.s3_key)
            return True
    return False


def attach_to_request(holder_token: str, request_id: str) -> int:
    """Give the form's files to the request it became (with the request's expiry) and take
    the draft's tag off their objects; returns how many. A token no longer valid attaches
    nothing (its files end with their draft).

    Calls: a GetItem (the request's expiry), a Query; with files, a TransactWriteItems and per
    file a GetObjectTagging and a PutObjectTagging (or DeleteObjectTagging)."""
    try:
        holder = holder_of(holder_token)
    except links.LinkError:
        return 0
    store = repository()
    request = store.get_request(request_id)
    if request is None:
        return 0
    moved = store.move_attachments(holder, request_id, request.expires_at)
    for attachment in moved:
        files.untag_draft(attachment.s3_key)
    return len(moved)


def attachments_of(request_id: str) -> list[Shown]:
    """A request's files with a 5-minute download link each, when it may be offered (for the
    staff dossier: one Query; the pages that read the partition anyway use :func:`shown`)."""
    return shown(repository().attachments(request_id))


def shown(found: Iterable[Attachment]) -> list[Shown]:
    """Files already read, each with a 5-minute download link when it may be offered. A file
    still waiting for its scan is looked at again (its object's tag: GetObjectTagging) and its
    outcome recorded; presigning makes no call."""
    shown = []
    for attachment in found:
        current = attachment
        if current.scan is ScanState.PENDING:
            current = _rescanned(current)
        url = None
        if current.scan.downloadable:
            url = files.presigned_download(
                current.s3_key, current.file_name, current.file_type.value
            )
        shown.append(Shown(current, url))
    return shown


def _rescanned(attachment: Attachment) -> Attachment:
    if not get_settings().malware_scan_required:
        state = ScanState.NOT_REQUIRED
    else:
        tags = files.tags_of(attachment.s3_key)
        state = ScanState.UNSCANNABLE if tags is None else scan_state_of(tags.get(SCAN_TAG))
    if state is ScanState.PENDING:
        return attachment
    repository().set_attachment_scan(attachment, state)
    if state is ScanState.QUARANTINED:
        log.warning("attachment quarantined", extra={"owner": attachment.owner_id})
    return attachment._replace(scan=state)


def delete_due(now_iso: str) -> int:
    """Retention (the sweeper): delete the object of every request file whose deletion is due
    (a day before its request's items expire), then end its item, which takes it out of the
    index; returns how many. An object deleted whose item then failed to end is deleted again
    next time (DeleteObject of nothing is no error)."""
    store = repository()
    deleted = 0
    for attachment in store.attachments_due_deletion(now_iso):
        files.delete(attachment.s3_key)
        deleted += store.end_attachment(attachment)
    return deleted


def erase(owner_id: str, in_draft: bool = False) -> int:
    """Erasure: every file of a request (or a draft) deleted and its item ended, those already
    ended too (their objects may still be there); returns how many objects were deleted."""
    store = repository()
    erased = 0
    for attachment in store.attachments(owner_id, in_draft, ended=True):
        files.delete(attachment.s3_key)
        store.end_attachment(attachment)
        erased += 1
    return erased
