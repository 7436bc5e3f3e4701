"""The local stack's mailbox: every email sent through SES, read from moto's record of it.

Local stage only. moto keeps what SES "sent" and serves it at ``/moto-api/data.json``:
``["ses"]["Message"]`` for SES v1 ``SendEmail`` and SES v2 ``SendEmail`` with Simple content
(one body kept: the HTML one if there was one, else the text), and ``["ses"]["RawMessage"]``
for ``SendRawEmail`` and SES v2 Raw content (the whole MIME message: both bodies, the headers).
moto records no send time and keeps the two kinds in separate lists, each in send order; the
mailbox numbers messages in the order it first sees them, which is the send order for one kind
(the mail worker uses one) and close to it across both.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from email import message_from_string, policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import Any

# A URL ends before whitespace, quotes or brackets, and never on sentence punctuation.
URL = re.compile(r"https?://[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]")
_HTML_START = re.compile(r"^\s*<(!doctype|html|head|body|p|div|table|a|h\d|br|span)\b", re.I)

_lock = threading.Lock()
_seen: dict[str, tuple[int, float]] = {}  # message id -> (sequence number, first seen)


class MailboxUnavailable(RuntimeError):
    """moto's record could not be read (no endpoint, or the server did not answer)."""


@dataclass(frozen=True)
class SentMail:
    """One email as the recipients would get it."""

    id: str
    sequence: int
    sender: str
    recipients: tuple[str, ...]
    subject: str
    date: str
    seen_at: float
    text: str
    html: str
    links: tuple[str, ...] = field(default=())

    def when(self) -> str:
        """The Date header, or when the mailbox first saw the message (moto records no time)."""
        if self.date:
            return self.date
        return time.strftime("first seen %Y-%m-%d %H:%M:%S UTC", time.gmtime(self.seen_at))

    def as_json(self) -> dict[str, Any]:
        """The fields tests and tools read from ``/_dev/mail.json``."""
        return {
            "id": self.id,
            "sequence": self.sequence,
            "from": self.sender,
            "to": list(self.recipients),
            "subject": self.subject,
            "date": self.date,
            "text": self.text,
            "html": self.html,
            "links": list(self.links),
        }


def fetch_moto_data(endpoint_url: str, timeout: float = 5.0) -> dict[str, Any]:
    """moto's model data (every service), over HTTP."""
    if not endpoint_url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        # The mailbox reads a local moto server and nothing else.
        raise MailboxUnavailable("AWS_ENDPOINT_URL is not a local moto server")
    url = endpoint_url.rstrip("/") + "/moto-api/data.json"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (loopback only)
            data: dict[str, Any] = json.loads(answer.read())
    except (OSError, ValueError) as error:
        raise MailboxUnavailable(f"moto did not answer at {url}") from error
    return data


def sent_mail(data: dict[str, Any]) -> list[SentMail]:
    """Every sent email in moto's data, newest first."""
    ses = data.get("ses", {})
    parsed = [_from_simple(m) for m in ses.get("Message", [])]
    parsed += [_from_raw(m) for m in ses.get("RawMessage", [])]
    return sorted(parsed, key=lambda mail: mail.sequence, reverse=True)


def _sequence(message_id: str) -> tuple[int, float]:
    with _lock:
        if message_id not in _seen:
            _seen[message_id] = (len(_seen) + 1, time.time())
        return _seen[message_id]


def _from_simple(record: dict[str, Any]) -> SentMail:
    body = str(record.get("body") or "")
    is_html = bool(_HTML_START.match(body))
    destinations = record.get("destinations") or {}
    recipients = [
        address
        for key in ("ToAddresses", "CcAddresses", "BccAddresses")
        for address in destinations.get(key, [])
    ]
    sequence, seen_at = _sequence(str(record.get("id", "")))
    text, html = ("", body) if is_html else (body, "")
    return SentMail(
        id=str(record.get("id", "")),
        sequence=sequence,
        sender=str(record.get("source") or ""),
        recipients=_unique(recipients),
        subject=str(record.get("subject") or ""),
        date="",
        seen_at=seen_at,
        text=text,
        html=html,
        links=links_in(text, html),
    )


def _from_raw(record: dict[str, Any]) -> SentMail:
    message = message_from_string(str(record.get("raw_data") or ""), policy=policy.default)
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage objects
    text = _part(message, "plain")
    html = _part(message, "html")
    recipients = [str(a) for a in record.get("destinations") or []]
    sequence, seen_at = _sequence(str(record.get("id", "")))
    return SentMail(
        id=str(record.get("id", "")),
        sequence=sequence,
        sender=str(message.get("From") or record.get("source") or ""),
        recipients=_unique(recipients),
        subject=str(message.get("Subject") or ""),
        date=str(message.get("Date") or ""),
        seen_at=seen_at,
        text=text,
        html=html,
        links=links_in(text, html),
    )


def _part(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    if part is None or part.get_content_subtype() != subtype:
        return ""
    return str(part.get_content())


def _unique(addresses: list[str]) -> tuple[str, ...]:
    """Addresses once each, display names decoded (moto lists raw ones twice, encoded)."""
    result: dict[str, str] = {}
    for name, address in getaddresses(addresses):
        decoded = str(Address(display_name=_decode(name), addr_spec=address)) if name else address
        result.setdefault(address.lower(), decoded)
    return tuple(result.values())


def _decode(name: str) -> str:
    return str(make_header(decode_header(name)))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.hrefs.append(href)


def links_in(text: str, html: str) -> tuple[str, ...]:
    """The http(s) links of a message, text body first, each once."""
    anchors = _Anchors()
    anchors.feed(html)
    found = URL.findall(text) + anchors.hrefs
    return tuple(dict.fromkeys(found))


def linkified(text: str) -> list[tuple[str, bool]]:
    """The text cut into (piece, is_link) so a template can escape each and link the URLs."""
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in URL.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(0), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces
