"""Driving the review flow in tests: seed a committee, run the queue workers, read the mail."""

from __future__ import annotations

import email
import email.policy
import json
import re
import uuid
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.support import Stack, observe_api_calls

FORM = "application/x-www-form-urlencoded"

COMMITTEE: dict[str, Any] = {
    "members": [
        {"id": "intpa", "name": "Ana Intpa", "body": "DG INTPA", "email": "ana@intpa.example.org"},
        {
            "id": "home",
            "name": "Hugo Home",
            "body": "DG HOME",
            "email": "hugo@home.example.org",
            "language": "fr",
        },
        {"id": "eeas", "name": "Eva Eeas", "body": "EEAS", "email": "eva@eeas.example.org"},
        {
            "id": "near",
            "name": "Nils Near",
            "body": "DG NEAR",
            "email": "nils@near.example.org",
            "role": "observer",
        },
    ],
    "officers": [
        {
            "id": "po-africa",
            "name": "Paula Africa",
            "email": "paula@icmpd.example.org",
            "regions": ["africa"],
        },
        {
            "id": "po-asia",
            "name": "Pavel Asia",
            "email": "pavel@icmpd.example.org",
            "regions": ["asia_pacific"],
        },
    ],
}
VOTERS = ("intpa", "home", "eeas")
MEMBER_EMAIL = {
    "intpa": "ana@intpa.example.org",
    "home": "hugo@home.example.org",
    "eeas": "eva@eeas.example.org",
}
PARTNER = "a.diallo@interieur.example.sn"  # the example request's contact
JSON = {"Content-Type": "application/json"}


def post(client: Any, body: Any, headers: dict[str, str] | None = None) -> Any:
    """POST a request (a document, or raw text or bytes) as it comes."""
    payload = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.http.post("/requests", body=payload, headers=headers or JSON)


def assert_nothing_stored_or_published(stack: Stack) -> None:
    assert stack.items_of_kind("request") == []
    assert stack.items_of_kind("event") == []
    assert stack.review_tasks() == []


def request_item(stack: Stack) -> dict[str, Any]:
    """The one request item in the table."""
    [item] = stack.items_of_kind("request")
    return item


def review_path(member: str) -> str:
    """The path of the latest review link mailed to a member."""
    [mail] = mail_to(MEMBER_EMAIL[member], "review_request")[-1:]
    return path_of(mail.link("/review/"))


def submit(client: Any, document: dict[str, Any]) -> str:
    """POST a request document; return its id."""
    answer = client.http.post(
        "/requests", body=json.dumps(document), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 201, answer.body
    return str(json.loads(answer.body)["id"])


def seed_committee(data: dict[str, Any] | None = None) -> None:
    from functions.services.committee import seed_demo

    seed_demo(data or COMMITTEE)


def sqs_event(queue_url: str, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """A Lambda-shaped SQS event with its own message id per record (the local workers' own
    builder, fed messages as SQS would return them)."""
    from infra.local.workers import sqs_event as lambda_event

    name = queue_url.rsplit("/", 1)[-1]
    received = [
        {
            "MessageId": str(uuid.uuid4()),
            "ReceiptHandle": str(uuid.uuid4()),
            "Body": json.dumps(body),
            "Attributes": {"ApproximateReceiveCount": "1"},
        }
        for body in bodies
    ]
    return lambda_event(received, f"arn:aws:sqs:eu-west-1:123456789012:{name}", "eu-west-1")


def run_workers(client: Any, stack: Stack, rounds: int = 5) -> int:
    """Deliver every queued message to its worker, one per invocation, until none is left."""
    delivered = 0
    for _ in range(rounds):
        tasks = stack.review_tasks()
        for body in tasks:
            client.lambda_.invoke("review_tasks", sqs_event(stack.env["REVIEW_QUEUE_URL"], [body]))
        notes = stack.notifications()
        for body in notes:
            client.lambda_.invoke("notifications", sqs_event(stack.env["NOTIFY_QUEUE_URL"], [body]))
        delivered += len(tasks) + len(notes)
        if not tasks and not notes:
            break
    return delivered


@dataclass
class Mail:
    """One email moto recorded, parsed."""

    to: list[str]
    subject: str
    text: str
    html: str
    kind: str
    language: str
    raw: str

    def link(self, path: str) -> str:
        """The first link in the text body whose path starts with ``path``."""
        match = re.search(r"https?://[^\s]+" + re.escape(path) + r"[^\s]*", self.text)
        assert match, f"no {path} link in {self.subject!r}"
        return match.group(0)


def _decoded(part: Message) -> str:
    """A non-multipart part's body, its transfer encoding undone, as UTF-8 text."""
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes), part.get_content_type()
    return payload.decode("utf-8")


def sent_mail() -> list[Mail]:
    """Every email moto's SES recorded, oldest first."""
    from moto.ses.models import ses_backends

    backend = ses_backends["123456789012"]["eu-west-1"]
    mails = []
    for sent in backend.sent_messages:
        parsed: Message = email.message_from_string(sent.raw_data, policy=email.policy.default)
        parts = {part.get_content_type(): part for part in parsed.walk()}
        text, html = _decoded(parts["text/plain"]), _decoded(parts["text/html"])
        subject = str(parsed["Subject"])  # decoded and unfolded by the default policy
        kind, language = parsed["X-MIEUX-Kind"], parsed["Content-Language"]
        mails.append(Mail([parsed["To"]], subject, text, html, kind, language, sent.raw_data))
    return mails


def mail_to(address: str, kind: str | None = None) -> list[Mail]:
    return [m for m in sent_mail() if address in m.to and (kind is None or m.kind == kind)]


def path_of(url: str) -> str:
    """The path and query of an absolute link, for the test client."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class Browser:
    """A person with a cookie jar using the pages through Chalice's test client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookies: dict[str, str] = {}
        self.last_csrf = ""

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response: Any) -> Any:
        header = response.headers.get("Set-Cookie")
        # Several cookies come as a list (Chalice's multiValueHeaders); Max-Age=0 deletes one.
        for value in header if isinstance(header, list) else [header] if header else []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict[str, str] | None = None) -> Any:
        return self._keep(self.client.http.get(path, headers=self._headers(headers)))

    def post(self, path: str, fields: dict[str, str]) -> Any:
        headers = self._headers({"Content-Type": "application/x-www-form-urlencoded"})
        return self._keep(self.client.http.post(path, body=urlencode(fields), headers=headers))

    def csrf_from(self, response: Any) -> str:
        """The form's token on this page, or the last one seen (a page without a form)."""
        match = re.search(r'name="_csrf" value="([^"]+)"', response.body.decode("utf-8"))
        if match:
            self.last_csrf = match.group(1)
        assert self.last_csrf, "no anti-forgery token on the page"
        return self.last_csrf

    def vote(self, review_path: str, choice: str, comment: str = "") -> Any:
        page = self.get(review_path)
        fields = {"_csrf": self.csrf_from(page), "choice": choice, "comment": comment}
        return self.post(review_path, fields)


def record_operations(monkeypatch: Any) -> list[tuple[str, str]]:
    """From now to the end of the test: every AWS operation made, with the index it queried."""
    calls: list[tuple[str, str]] = []
    observe_api_calls(
        monkeypatch,
        lambda _client, operation, params, _answer: calls.append(
            (operation, params.get("IndexName", ""))
        ),
    )
    return calls


def form_fields_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    """A request document as the hosted form posts it: dotted names, one field per list item,
    booleans as the form writes them."""
    fields: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(f"{prefix}.{key}" if prefix else key, child)
        elif isinstance(value, list):
            fields.extend((prefix, str(v)) for v in value)
        else:
            fields.append((prefix, str(value).lower() if isinstance(value, bool) else str(value)))

    walk("", document)
    return fields
