"""The local stack's mailbox: every email sent through SES, read from moto's record of it.

Local stage only. The local stack's moto server (``infra/local/moto_server.py``) serves SES's list
of sent mail a page at a time at ``/_mieux/mail?offset=&limit=``, newest first: SES v1
``SendEmail`` and SES v2 Simple content as moto keeps them (one body: the HTML one if there was
one, else the text, ``kind`` "simple"), ``SendRawEmail`` and SES v2 Raw content whole (the MIME
message: both bodies, the headers, ``kind`` "raw"), each with its position in send order. Only
the page shown is parsed, and a parsed message is kept by id (moto never changes a sent one), so
a page costs the same with 10 or 10,000 emails. (moto's ``/moto-api/data.json`` serialises every
object of every service and took seconds after a few requests: it is not read.) moto records no
send time: the mailbox shows when it first saw a message without a Date header.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from collections import OrderedDict
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

PER_PAGE = 25  # emails on a page
MAX_PER_PAGE = 100  # the most ``per_page`` may ask for
CACHE_SIZE = 2000  # parsed messages kept (the newest used)

_lock = threading.Lock()
_parsed: OrderedDict[str, SentMail] = OrderedDict()  # message id -> the message, parsed
stats = {"parsed": 0}  # messages parsed since the process started (tests read it)


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


@dataclass(frozen=True)
class Page:
    """One page of the mailbox, newest first: page 1 holds the newest ``per_page`` emails."""

    mail: list[SentMail]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_newer(self) -> bool:
        return self.number > 1

    @property
    def has_older(self) -> bool:
        return self.number * self.per_page < self.total


def fetch_records(
    endpoint_url: str, offset: int, limit: int, timeout: float = 5.0
) -> dict[str, Any]:
    """``limit`` sent emails after the ``offset`` newest, as moto recorded them, over HTTP."""
    if not endpoint_url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        # The mailbox reads a local moto server and nothing else.
        raise MailboxUnavailable("AWS_ENDPOINT_URL is not a local moto server")
    url = f"{endpoint_url.rstrip('/')}/_mieux/mail?offset={int(offset)}&limit={int(limit)}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (loopback only)
            data: dict[str, Any] = json.loads(answer.read())
    except (OSError, ValueError) as error:
        raise MailboxUnavailable(f"moto did not answer at {url}") from error
    return data


def mail_page(endpoint_url: str, number: int = 1, per_page: int = PER_PAGE) -> Page:
    """Page ``number`` (from 1) of the mailbox, newest first, only its emails read and parsed."""
    number, per_page = max(1, number), min(MAX_PER_PAGE, max(1, per_page))
    return page_of(fetch_records(endpoint_url, (number - 1) * per_page, per_page), number, per_page)


def page_of(answer: dict[str, Any], number: int, per_page: int) -> Page:
    """The page from the moto server's answer (``total`` and the page's records)."""
    mail = [parsed(record) for record in answer.get("mail", [])]
    return Page(mail=mail, number=number, per_page=per_page, total=int(answer.get("total", 0)))


def parsed(record: dict[str, Any]) -> SentMail:
    """One record as a SentMail, parsed once per message id."""
    key = str(record.get("id", ""))
    with _lock:
        cached = _parsed.get(key)
        if cached is not None and cached.sequence == int(record.get("sequence", 0)):
            _parsed.move_to_end(key)
            return cached
    mail = _from_raw(record) if record.get("kind") == "raw" else _from_simple(record)
    with _lock:
        stats["parsed"] += 1
        _parsed[key] = mail
        while len(_parsed) > CACHE_SIZE:
            _parsed.popitem(last=False)
    return mail


def _from_simple(record: dict[str, Any]) -> SentMail:
    body = str(record.get("body") or "")
    is_html = bool(_HTML_START.match(body))
    destinations = record.get("destinations") or {}
    recipients = [
        address
        for key in ("ToAddresses", "CcAddresses", "BccAddresses")
        for address in destinations.get(key, [])
    ]
    text, html = ("", body) if is_html else (body, "")
    return SentMail(
        id=str(record.get("id", "")),
        sequence=int(record.get("sequence", 0)),
        sender=str(record.get("source") or ""),
        recipients=_unique(recipients),
        subject=str(record.get("subject") or ""),
        date="",
        seen_at=time.time(),
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
    return SentMail(
        id=str(record.get("id", "")),
        sequence=int(record.get("sequence", 0)),
        sender=str(message.get("From") or record.get("source") or ""),
        recipients=_unique(recipients),
        subject=str(message.get("Subject") or ""),
        date=str(message.get("Date") or ""),
        seen_at=time.time(),
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
