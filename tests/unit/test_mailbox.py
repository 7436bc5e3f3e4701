"""The local mailbox: moto's record of sent mail, parsed, and shown without running its content."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

from functions.adapters import mailbox
from functions.presentation.render import render

EVIL = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


def raw_message() -> str:
    message = EmailMessage()
    message["Subject"] = "Décision: approuvée"
    message["From"] = "MIEUX <mieux@example.org>"
    message["To"] = "Aminata Diallo <a.diallo@example.org>"
    message["Date"] = format_datetime(datetime(2026, 11, 27, 10, 0, tzinfo=UTC))
    message.set_content("Voir http://localhost:8000/requests/abc?token=x.y\nMerci.")
    message.add_alternative(
        '<p>Voir <a href="http://localhost:8000/requests/abc">ici</a></p>', subtype="html"
    )
    return message.as_string()


def records() -> dict[str, Any]:
    """The answer of the local moto server's GET /_mieux/mail (infra/local/moto_server.py):
    newest first, each email as moto 5.2.5 keeps it, with its place in send order."""
    return {
        "total": 3,
        "mail": [
            {
                "kind": "raw",
                "id": "raw-1",
                "sequence": 3,
                "source": "mieux@example.org",
                # moto lists the header addresses again, RFC 2047-encoded
                "destinations": [
                    "a.diallo@example.org",
                    "Aminata Diallo <a.diallo@example.org>",
                ],
                "raw_data": raw_message(),
            },
            {
                "kind": "simple",
                "id": "simple-2",
                "sequence": 2,
                "source": "mieux@example.org",
                "subject": "HTML only",
                "body": '<p><a href="https://example.org/x">x</a> <a href="javascript:y">y</a>',
                "destinations": {"ToAddresses": ["m2@example.org"]},
            },
            {
                "kind": "simple",
                "id": "simple-1",
                "sequence": 1,
                "source": "mieux@example.org",
                "subject": "Review request",
                "body": "Please review http://localhost:8000/review/t1 now",
                "destinations": {
                    "ToAddresses": ["m1@example.org"],
                    "CcAddresses": ["c@example.org"],
                },
            },
        ],
    }


def test_every_kind_of_sent_mail_is_read_newest_first() -> None:
    page = mailbox.page_of(records(), 1, 25)
    assert (page.total, page.pages, page.has_newer, page.has_older) == (3, 1, False, False)
    mail = page.mail
    assert [m.id for m in mail] == ["raw-1", "simple-2", "simple-1"]
    assert [m.sequence for m in mail] == [3, 2, 1]
    by_id = {m.id: m for m in mail}

    simple = by_id["simple-1"]
    assert simple.recipients == ("m1@example.org", "c@example.org")
    assert simple.text.startswith("Please review") and simple.html == ""
    assert simple.links == ("http://localhost:8000/review/t1",)

    html_only = by_id["simple-2"]
    assert html_only.text == "" and html_only.html.startswith("<p>")
    assert html_only.links == ("https://example.org/x",)  # javascript: is never a link

    raw = by_id["raw-1"]
    assert raw.subject == "Décision: approuvée"
    assert raw.recipients == ("a.diallo@example.org",)
    assert "http://localhost:8000/requests/abc?token=x.y" in raw.text
    assert raw.html.startswith("<p>Voir")
    assert raw.date.startswith("Fri, 27 Nov 2026 10:00:00")
    assert raw.when() == raw.date
    assert raw.links == (
        "http://localhost:8000/requests/abc?token=x.y",
        "http://localhost:8000/requests/abc",
    )


def test_a_message_is_parsed_once_however_often_its_page_is_read() -> None:
    answer = records()
    for record in answer["mail"]:
        record["id"] += "-once"
    before = mailbox.stats["parsed"]
    first = mailbox.page_of(answer, 1, 25)
    second = mailbox.page_of(answer, 1, 25)
    assert mailbox.stats["parsed"] - before == 3
    assert first == second


def test_pages_count_from_the_newest() -> None:
    page = mailbox.Page(mail=[], number=2, per_page=25, total=51)
    assert (page.pages, page.has_newer, page.has_older) == (3, True, True)
    last = mailbox.Page(mail=[], number=3, per_page=25, total=51)
    assert (last.has_newer, last.has_older) == (True, False)
    assert mailbox.Page(mail=[], number=1, per_page=25, total=0).pages == 1


def test_text_is_cut_into_escapable_pieces_and_links() -> None:
    assert mailbox.linkified("see http://a.example/x?y=1&z=2. then <b>") == [
        ("see ", False),
        ("http://a.example/x?y=1&z=2", True),
        (". then <b>", False),
    ]


def test_the_page_escapes_every_field_and_sandboxes_the_html_body() -> None:
    mail = mailbox.SentMail(
        id="evil",
        sequence=1,
        sender="x@example.org",
        recipients=(f"{EVIL}@example.org",),
        subject=EVIL,
        date="",
        seen_at=0.0,
        text=f'{EVIL} http://localhost:8000/a"onmouseover=alert(3)',
        html=f"<p>{EVIL}</p>",
        links=('http://localhost:8000/a"onmouseover=alert(3)',),
    )
    page = render(
        "dev/mail.html",
        "en",
        page=mailbox.Page(mail=[mail], number=2, per_page=1, total=3),
        mail=[mail],
        newer="/_dev/mail?page=1&per_page=1",
        older="/_dev/mail?page=3&per_page=1",
        linkified=mailbox.linkified,
    )
    assert "<script>" not in page and "<img" not in page
    assert 'href="http://localhost:8000/a&#34;onmouseover' in page
    assert '<iframe title="HTML body of #1" sandbox="allow-popups' in page
    assert 'srcdoc="&lt;base target=&#34;_top&#34;&gt;&lt;p&gt;&lt;script&gt;' in page
    assert "allow-scripts" not in page and "allow-same-origin" not in page
    assert page.count('<a href="/_dev/mail?page=3&amp;per_page=1" rel="next">Older') == 2
    assert page.count('<a href="/_dev/mail?page=1&amp;per_page=1" rel="prev">') == 2
