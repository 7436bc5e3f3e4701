"""Files attached to a request (issue 20): the official letter and supporting documents.

What a file is, is decided from its bytes, never from its name or the type the browser claims:
a PDF, an office document (DOCX/XLSX/PPTX: a zip whose ``[Content_Types].xml`` names the main
part; ODT/ODS: a zip whose first member ``mimetype`` says so), a PNG or a JPEG. Anything else
is refused at its field; a program under another name (a Windows or Linux executable, a Mach-O
binary, a script) is refused with its own code, so the page can say so plainly.

Reading is bounded: the head of the file is a few bytes, and a zip is read from its central
directory (``zipfile`` on the bytes), the one member it needs read at most ``_MEMBER_LIMIT``
bytes, so a zip bomb or a hostile directory costs a few milliseconds.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from datetime import UTC, datetime
from enum import Enum
from typing import NamedTuple

from functions.domain import clock
from functions.domain.errors import FieldError

MAX_FILES = 5  # the letter and up to four supporting documents
MAX_MEGABYTES = 10
MAX_BYTES = MAX_MEGABYTES * 1024 * 1024  # each file
LETTER = "letter"  # the official letter from the head of the institution
SUPPORTING_PREFIX = "supporting-"
SLOTS = (LETTER, *(f"{SUPPORTING_PREFIX}{n}" for n in range(1, MAX_FILES)))
HEAD_BYTES = 8  # what :func:`detect_type` needs to see first (all but zips decide on it)

_MEMBER_LIMIT = 64 * 1024  # [Content_Types].xml and mimetype are a few hundred bytes
_MAX_MEMBERS = 10_000  # a real office document has dozens


class FileType(Enum):
    """A type of file accepted as an attachment; the value is its media type."""

    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ODT = "application/vnd.oasis.opendocument.text"
    ODS = "application/vnd.oasis.opendocument.spreadsheet"
    PNG = "image/png"
    JPEG = "image/jpeg"

    @property
    def extension(self) -> str:
        """The file name's ending a download gets (``letter.pdf``)."""
        return self.name.lower().replace("jpeg", "jpg")


class ScanState(Enum):
    """Where a stored file stands with the malware scan (GuardDuty Malware Protection for S3
    tags each object ``GuardDutyMalwareScanStatus``); only ``CLEAN`` and ``NOT_REQUIRED`` are
    offered for download."""

    PENDING = "pending"  # stored, not scanned yet
    CLEAN = "clean"  # NO_THREATS_FOUND
    QUARANTINED = "quarantined"  # THREATS_FOUND: never offered again
    UNSCANNABLE = "unscannable"  # UNSUPPORTED, ACCESS_DENIED, FAILED: not offered
    NOT_REQUIRED = "not_required"  # scanning is off (a local stack, a stage without GuardDuty)

    @property
    def downloadable(self) -> bool:
        """True when the file may be offered for download."""
        return self in (ScanState.CLEAN, ScanState.NOT_REQUIRED)

    @property
    def final(self) -> bool:
        """True when no later scan result can change it."""
        return self is not ScanState.PENDING


# GuardDuty's tag values (docs: "S3 object tagging", GuardDutyMalwareScanStatus).
_SCAN_TAGS = {
    "NO_THREATS_FOUND": ScanState.CLEAN,
    "THREATS_FOUND": ScanState.QUARANTINED,
    "UNSUPPORTED": ScanState.UNSCANNABLE,
    "ACCESS_DENIED": ScanState.UNSCANNABLE,
    "FAILED": ScanState.UNSCANNABLE,
}
SCAN_TAG = "GuardDutyMalwareScanStatus"


def scan_state_of(tag_value: str | None) -> ScanState:
    """The scan state an object's ``GuardDutyMalwareScanStatus`` tag says (no tag: pending)."""
    if tag_value is None:
        return ScanState.PENDING
    return _SCAN_TAGS.get(tag_value, ScanState.UNSCANNABLE)


class Attachment(NamedTuple):
    """One stored file: whose it is (a request, or a draft until the form is sent), its slot,
    the S3 key the server chose, its size, the type read from its bytes and its scan state."""

    owner_id: str  # a request id, or a draft id while ``in_draft``
    slot: str  # "letter" or "supporting-N"
    s3_key: str
    size: int
    file_type: FileType
    scan: ScanState
    uploaded_at: str
    in_draft: bool = False
    expires_at: int | None = None
    # When the sweeper deletes its object (ISO): a day before its request's items expire, so
    # the object goes before the item that names it (DynamoDB's TTL deletes items late, but
    # may also delete them early in the day); None in a draft (the bucket's lifecycle).
    deletion_due: str | None = None

    @property
    def file_name(self) -> str:
        """The name a download is saved under: the slot and the type (never the partner's
        own file name, which may hold a name and is not kept)."""
        return f"{self.slot}.{self.file_type.extension}"


DELETION_LEAD_SECONDS = 86400  # a request's objects go this long before its items expire


def deletion_due(expires_at: int) -> str:
    """When the object of a request's file is to be deleted: a day before the request's items
    expire (ISO)."""
    return clock.iso(datetime.fromtimestamp(expires_at - DELETION_LEAD_SECONDS, UTC))


class Refusal(Exception):
    """A file refused for what it is: ``code`` is the field error's code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_SLOT = re.compile(r"letter|supporting-[1-4]")


def valid_slot(slot: str) -> bool:
    """True for ``letter`` and ``supporting-1`` .. ``supporting-4``."""
    return _SLOT.fullmatch(slot) is not None


def slot_error(slot: str, code: str, **params: object) -> FieldError:
    """A field error at the slot's field of the form (``attachments.<slot>``)."""
    return FieldError(f"/attachments/{slot if valid_slot(slot) else 'slot'}", code, dict(params))


# Programs under another name. Mach-O: 32/64-bit, both byte orders, and the universal binary
# (0xCAFEBABE, which Java classes share: both are refused).
_EXECUTABLES = (
    b"MZ",
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)
_ZIP = b"PK\x03\x04"
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileType.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileType.XLSX,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        FileType.PPTX
    ),
}
_ODF = {FileType.ODT.value: FileType.ODT, FileType.ODS.value: FileType.ODS}
_OVERRIDE = re.compile(rb'ContentType="([^"]{1,200})"')


def needs_whole_file(head: bytes) -> bool:
    """True when the head is a zip's: its type is in the central directory, at the end."""
    return head.startswith(_ZIP)


def detect_type(data: bytes) -> FileType:
    """The type of a file from its bytes (its head, or all of it for a zip: see
    :func:`needs_whole_file`). Raises :class:`Refusal` (``executable``, ``file_type``)."""
    if data.startswith(_EXECUTABLES):
        raise Refusal("executable")
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if data.startswith(_ZIP):
        return _zip_type(data)
    raise Refusal("file_type")


def _zip_type(data: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if not members or len(members) > _MAX_MEMBERS:
                raise Refusal("file_type")
            first = members[0]
            if first.filename == "mimetype":
                # ODF: stored first, uncompressed, holding the media type and nothing else.
                kind = _ODF.get(_read_member(archive, first).decode("ascii", "replace").strip())
                if kind is None:
                    raise Refusal("file_type")
                return kind
            for member in members:
                if member.filename == "[Content_Types].xml":
                    found = {
                        _OOXML_MAIN.get(value.decode("ascii", "replace"))
                        for value in _OVERRIDE.findall(_read_member(archive, member))
                    }
                    found.discard(None)
                    if len(found) == 1:
                        return found.pop()  # type: ignore[return-value]
                    break
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError):
        raise Refusal("file_type") from None
    except (NotImplementedError, RuntimeError):  # an unknown compression, an encrypted member
        raise Refusal("file_type") from None
    raise Refusal("file_type")


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A small member's bytes; a member that says (or turns out) larger is refused."""
    if member.file_size > _MEMBER_LIMIT:
        raise Refusal("file_type")
    with archive.open(member) as opened:
        data = opened.read(_MEMBER_LIMIT + 1)
    if len(data) > _MEMBER_LIMIT:
        raise Refusal("file_type")
    return data
