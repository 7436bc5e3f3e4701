"""Attached files (issue 20) against moto's S3 and DynamoDB: upload, confirmation, the type read
from the bytes, the move to the request, downloads, the scan's quarantine, retention, erasure."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import requests

from functions.adapters import links
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.attachments import MAX_BYTES, FileType, ScanState
from functions.domain.errors import InvalidRequest, LinkError, LinkWrongPurpose
from functions.services import attachments, erasure, retention, sweep
from functions.services import intake as intake_service
from tests.integration.sweeping import FrozenClock
from tests.support import Stack, example_request

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def s3(stack: Stack) -> Any:
    return boto3.client("s3", region_name="eu-west-1")


def objects(stack: Stack) -> list[str]:
    answer = s3(stack).list_objects_v2(Bucket=stack.env["ATTACHMENTS_BUCKET"])
    return sorted(item["Key"] for item in answer.get("Contents", []))


def upload(holder: str, slot: str, data: bytes) -> attachments.Upload:
    """Ask for an upload and post the file to S3 as the browser does (no confirmation yet)."""
    started = attachments.start_upload(holder, slot)
    answer = requests.post(
        started.url, data=started.fields, files={"file": ("any name.pdf", data)}, timeout=5
    )
    assert int(answer.status_code) == 204, answer.text  # moto answers "204", a str
    return started


def attach(holder: str, slot: str, data: bytes) -> Any:
    return attachments.confirm(upload(holder, slot, data).confirm_token)


def test_a_pdf_letter_is_uploaded_straight_to_s3_and_recorded(stack: Stack) -> None:
    holder = attachments.new_holder()
    started = upload(holder, "letter", PDF)
    # The POST's policy: the exact key, 1 byte to 10 MB, encrypted, a short expiry.
    assert started.fields["key"].startswith("attachments/")
    assert started.fields["x-amz-server-side-encryption"] == "AES256"
    assert started.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    recorded = attachments.confirm(started.confirm_token)
    assert recorded.slot == "letter" and recorded.file_type is FileType.PDF
    assert recorded.size == len(PDF) and recorded.in_draft
    assert recorded.scan is ScanState.NOT_REQUIRED  # the test stage does not scan
    assert recorded.file_name == "letter.pdf"  # never the partner's own file name
    assert attachments.of_holder(holder) == [recorded]
    assert attachments.confirm(started.confirm_token) == recorded  # twice: recorded once
    assert objects(stack) == [started.fields["key"]]


def test_office_documents_are_read_from_their_zip(stack: Stack) -> None:
    recorded = attach(attachments.new_holder(), "supporting-1", docx())
    assert recorded.file_type is FileType.DOCX


@pytest.mark.parametrize(
    ("data", "code"),
    [(EXE, "executable"), (b"#!/bin/sh\necho", "executable"), (b"plain text", "file_type")],
)
def test_a_refused_file_is_deleted_and_refused_at_its_field(
    stack: Stack, data: bytes, code: str
) -> None:
    holder = attachments.new_holder()
    started = upload(holder, "letter", data)
    with pytest.raises(InvalidRequest) as refused:
        attachments.confirm(started.confirm_token)
    [error] = refused.value.errors
    assert (error.path, error.code) == ("/attachments/letter", code)
    assert objects(stack) == []
    assert attachments.of_holder(holder) == []


def test_a_file_over_10_mb_is_refused_even_if_s3_let_it_in(stack: Stack) -> None:
    # AWS refuses it at the POST (content-length-range); moto does not: the app checks too.
    started = upload(attachments.new_holder(), "letter", PDF + b"0" * MAX_BYTES)
    with pytest.raises(InvalidRequest) as refused:
        attachments.confirm(started.confirm_token)
    assert refused.value.errors[0].code == "file_too_large"
    assert refused.value.errors[0].params == {"limit": 10}
    assert objects(stack) == []


def test_a_confirmation_without_an_upload_is_refused(stack: Stack) -> None:
    started = attachments.start_upload(attachments.new_holder(), "letter")
    with pytest.raises(InvalidRequest) as refused:
        attachments.confirm(started.confirm_token)
    assert refused.value.errors[0].code == "missing"


def test_tokens_and_slots_are_checked(stack: Stack) -> None:
    holder = attachments.new_holder()
    for slot in ("supporting-5", "../letter", "", "letter\n"):
        with pytest.raises(InvalidRequest):
            attachments.start_upload(holder, slot)
    with pytest.raises(LinkWrongPurpose):  # a draft's link is not an attachments token
        attachments.start_upload(links.draft_token("d1"), "letter")
    with pytest.raises(LinkWrongPurpose):  # nor is the holder's token a confirmation
        attachments.confirm(holder)
    with pytest.raises(LinkError):
        attachments.confirm("forged." + holder)


def test_a_new_file_in_a_slot_replaces_the_old_one_and_its_object(stack: Stack) -> None:
    holder = attachments.new_holder()
    first = attach(holder, "letter", PDF)
    second = attach(holder, "letter", docx())
    assert attachments.of_holder(holder) == [second]
    assert objects(stack) == [second.s3_key] and first.s3_key != second.s3_key
    assert attachments.remove(holder, "letter")
    assert not attachments.remove(holder, "letter")
    assert attachments.of_holder(holder) == [] and objects(stack) == []


def sent_request(holder: str) -> tuple[str, int]:
    """A request submitted with the holder's files attached, as the form's submission does."""
    result = intake_service.submit(example_request())
    stored = repository().get_request(result.id)
    assert stored is not None
    assert attachments.attach_to_request(holder, result.id) >= 0
    return result.id, int(stored.expires_at or 0)


def test_submitting_gives_the_files_to_the_request_with_5_minute_downloads(stack: Stack) -> None:
    holder = attachments.new_holder()
    letter = attach(holder, "letter", PDF)
    request_id, expires_at = sent_request(holder)
    assert attachments.of_holder(holder) == []
    [shown] = attachments.attachments_of(request_id)
    assert shown.attachment.s3_key == letter.s3_key and shown.attachment.expires_at == expires_at
    assert shown.download_url is not None and "X-Amz-Expires=300" in shown.download_url
    answer = requests.get(shown.download_url, timeout=5)
    assert answer.status_code == 200 and answer.content == PDF
    assert answer.headers["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    assert attachments.attach_to_request("not a token", request_id) == 0
    assert attachments.attach_to_request(attachments.new_holder(), "no-such-request") == 0


def test_with_scanning_required_only_clean_files_are_offered(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MALWARE_SCAN_REQUIRED", "true")
    holder = attachments.new_holder()
    letter = attach(holder, "letter", PDF)
    other = attach(holder, "supporting-1", PDF)
    assert letter.scan is ScanState.PENDING
    request_id, _ = sent_request(holder)
    assert [s.download_url for s in attachments.attachments_of(request_id)] == [None, None]
    bucket = stack.env["ATTACHMENTS_BUCKET"]
    for found, verdict in ((letter, "NO_THREATS_FOUND"), (other, "THREATS_FOUND")):
        s3(stack).put_object_tagging(  # what GuardDuty Malware Protection for S3 does
            Bucket=bucket,
            Key=found.s3_key,
            Tagging={"TagSet": [{"Key": "GuardDutyMalwareScanStatus", "Value": verdict}]},
        )
    clean, quarantined = attachments.attachments_of(request_id)
    assert clean.attachment.scan is ScanState.CLEAN and clean.download_url
    assert quarantined.attachment.scan is ScanState.QUARANTINED
    assert quarantined.download_url is None
    # Recorded: the next page reads no tag.
    assert [a.scan for a in repository().attachments(request_id)] == [
        ScanState.CLEAN,
        ScanState.QUARANTINED,
    ]


def test_the_draft_tag_comes_off_when_the_form_is_sent(stack: Stack) -> None:
    holder = attachments.new_holder()
    letter = attach(holder, "letter", PDF)
    bucket = stack.env["ATTACHMENTS_BUCKET"]
    # moto keeps no tag from a POST: put it as AWS would have, with GuardDuty's beside it.
    tags = [
        {"Key": "mieux-owner", "Value": "draft"},
        {"Key": "GuardDutyMalwareScanStatus", "Value": "NO_THREATS_FOUND"},
    ]
    s3(stack).put_object_tagging(Bucket=bucket, Key=letter.s3_key, Tagging={"TagSet": tags})
    sent_request(holder)
    kept = s3(stack).get_object_tagging(Bucket=bucket, Key=letter.s3_key)["TagSet"]
    assert kept == [{"Key": "GuardDutyMalwareScanStatus", "Value": "NO_THREATS_FOUND"}]


def test_the_sweeper_deletes_a_requests_files_a_day_before_it_expires(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    frozen = FrozenClock(monkeypatch)
    holder = attachments.new_holder()
    attach(holder, "letter", PDF)
    attach(holder, "supporting-1", docx())
    request_id, expires_at = sent_request(holder)
    frozen.advance(days=700)
    assert sweep.sweep(clock.now())["attachments_deleted"] == 0
    assert len(objects(stack)) == 2
    # A day before the request's items expire, its files go.
    frozen.at = datetime.fromtimestamp(expires_at - 86000, UTC)
    assert sweep.sweep(clock.now())["attachments_deleted"] == 2
    assert objects(stack) == []
    assert attachments.attachments_of(request_id) == []
    assert sweep.sweep(clock.now())["attachments_deleted"] == 0


def test_retention_moves_the_files_deletion_with_the_request(stack: Stack) -> None:
    holder = attachments.new_holder()
    attach(holder, "letter", PDF)
    request_id, _ = sent_request(holder)
    # Withdrawn now: everything expires RETENTION_DAYS from now, the files a day before.
    from functions.services.partner import withdraw

    withdraw(request_id)
    retention.apply_retention(request_id)
    stored = repository().get_request(request_id)
    assert stored is not None and stored.expires_at is not None
    [attachment] = repository().attachments(request_id)
    assert attachment.expires_at == stored.expires_at
    due = datetime.fromtimestamp(stored.expires_at, UTC) - timedelta(days=1)
    assert attachment.deletion_due == clock.iso(due)


def test_erasure_deletes_the_persons_files(stack: Stack) -> None:
    holder = attachments.new_holder()
    attach(holder, "letter", PDF)
    request_id, _ = sent_request(holder)
    address = example_request()["contact"]["email"]
    report = erasure.erase_person(address)
    assert report.changed["attachment"] == 1
    assert objects(stack) == []
    assert attachments.attachments_of(request_id) == []
