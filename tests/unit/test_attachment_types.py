"""The type of an attached file is read from its bytes: what is accepted, what is refused."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from functions.domain.attachments import (
    SLOTS,
    FileType,
    Refusal,
    ScanState,
    detect_type,
    needs_whole_file,
    scan_state_of,
    slot_error,
    valid_slot,
)

OOXML = "application/vnd.openxmlformats-officedocument.{}.main+xml"


def zipped(members: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    """A zip of ``members`` in order (the first stored uncompressed when asked, as ODF does)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(name, data, compress_type=method)
    return buffer.getvalue()


def content_types(*main: str) -> bytes:
    overrides = "".join(
        f'<Override PartName="/part{i}.xml" ContentType="{kind}"/>' for i, kind in enumerate(main)
    )
    return (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    ).encode()


def office(part: str) -> bytes:
    return zipped(
        [("[Content_Types].xml", content_types(OOXML.format(part))), ("word/document.xml", b"<w/>")]
    )


def open_document(media_type: str) -> bytes:
    return zipped([("mimetype", media_type.encode()), ("content.xml", b"<x/>")], True)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", FileType.PDF),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", FileType.PNG),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", FileType.JPEG),
        (office("wordprocessingml.document"), FileType.DOCX),
        (office("spreadsheetml.sheet"), FileType.XLSX),
        (office("presentationml.presentation"), FileType.PPTX),
        (open_document("application/vnd.oasis.opendocument.text"), FileType.ODT),
        (open_document("application/vnd.oasis.opendocument.spreadsheet"), FileType.ODS),
    ],
)
def test_accepted_types_are_read_from_the_bytes(data: bytes, expected: FileType) -> None:
    assert detect_type(data) is expected


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows program renamed letter.pdf
        b"\x7fELF\x02\x01\x01\x00",
        b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
        b"\xca\xfe\xba\xbe\x00\x00\x00\x02",
        b"#!/bin/sh\nrm -rf ~",
    ],
)
def test_programs_under_another_name_are_refused_as_executables(head: bytes) -> None:
    with pytest.raises(Refusal) as refused:
        detect_type(head + b"%PDF-1.7")
    assert refused.value.code == "executable"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello, this is text",
        b" %PDF-1.7",  # not at the start
        b"GIF89a\x01\x00",
        b"PK\x03\x04 not really a zip",
        zipped([("readme.txt", b"hello")]),  # a plain zip
        zipped([("mimetype", b"application/epub+zip")], True),
        zipped([("[Content_Types].xml", content_types())]),  # no main part
        zipped(  # a macro-enabled document is not a DOCX
            [("[Content_Types].xml", content_types(OOXML.format("wordprocessingml.x")))]
        ),
        zipped(  # two main parts: not one document
            [
                (
                    "[Content_Types].xml",
                    content_types(
                        OOXML.format("wordprocessingml.document"),
                        OOXML.format("spreadsheetml.sheet"),
                    ),
                )
            ]
        ),
    ],
)
def test_other_files_are_refused_by_type(data: bytes) -> None:
    with pytest.raises(Refusal) as refused:
        detect_type(data)
    assert refused.value.code == "file_type"


def test_a_zip_bomb_of_a_content_types_member_is_refused_without_inflating_it() -> None:
    bomb = zipped([("[Content_Types].xml", b"<" + b" " * 50_000_000)])
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(Refusal):
        detect_type(bomb)
    assert time.perf_counter() - started < 1  # never a timing target: only "not inflated"


def test_a_truncated_office_document_is_refused() -> None:
    whole = office("wordprocessingml.document")
    with pytest.raises(Refusal):
        detect_type(whole[: len(whole) // 2])


def test_only_a_zips_type_needs_the_whole_file() -> None:
    assert needs_whole_file(office("wordprocessingml.document")[:8])
    assert not needs_whole_file(b"%PDF-1.7")


def test_the_slots_are_the_letter_and_four_supporting_documents() -> None:
    assert SLOTS == ("letter", "supporting-1", "supporting-2", "supporting-3", "supporting-4")
    assert all(valid_slot(slot) for slot in SLOTS)
    for hostile in ("", "supporting-0", "supporting-5", "letter ", "LETTER", "supporting-1\n"):
        assert not valid_slot(hostile)
    assert slot_error("supporting-2", "file_type").path == "/attachments/supporting-2"
    assert slot_error("../x", "slot").path == "/attachments/slot"


def test_guardduty_tags_decide_what_is_offered() -> None:
    assert scan_state_of(None) is ScanState.PENDING
    assert scan_state_of("NO_THREATS_FOUND").downloadable
    assert scan_state_of("THREATS_FOUND") is ScanState.QUARANTINED
    for other in ("UNSUPPORTED", "ACCESS_DENIED", "FAILED", "SOMETHING_NEW"):
        assert scan_state_of(other) is ScanState.UNSCANNABLE
        assert not scan_state_of(other).downloadable
    assert ScanState.NOT_REQUIRED.downloadable and ScanState.NOT_REQUIRED.final
    assert not ScanState.PENDING.final
