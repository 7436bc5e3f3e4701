"""Encodings and hostile text in every field: refused with a clear 422, or stored exactly as sent
and escaped in every email and page.

What is stored as sent: NFC and NFD forms (never normalised: the partner's spelling is kept),
zero-width characters, bidi overrides, markup, CR/LF and tabs in free text. What is refused
(``invalid_character``): NUL and the other control characters, lone surrogates (``"\\ud800"`` in
JSON), which DynamoDB cannot store and mail cannot carry. Over-long lines are refused by length.
tests/integration/test_mail.py covers script and header injection in the same outputs.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from typing import Any

import pytest

from functions.domain import schemas
from tests.integration.helpers import (
    PARTNER,
    Browser,
    assert_nothing_stored_or_published,
    mail_to,
    path_of,
    post,
    run_workers,
    seed_committee,
    sent_mail,
    submit,
)
from tests.support import Stack, example_request

MARKUP = '<b id="x">bold</b>&amp;'
ACCEPTED = {
    "nfc": "Ministère de l'Intérieur",
    "nfd": "Ministe\u0300re de l'Inte\u0301rieur",
    "zero_width": "Mini\u200bstry\u200c of\u200d Inte\ufeffrior",
    "bidi_override": "Ministry \u202eyrtsiniM\u202c \u2066isolated\u2069",
    "markup": f"Ministry {MARKUP}",
    "crlf_and_tab": "Ministry\r\nof the\tInterior\rand\nMigration",
}
REFUSED = {
    "nul": "Ministry\x00of Interior",
    "bell": "Ministry\x07of Interior",
    "escape": "Ministry\x1b[31m of Interior",
    "delete": "Ministry\x7f of Interior",
}


def text_fields() -> list[tuple[str, ...]]:
    """Paths of the example's free-text fields (the fields the text rule guards)."""
    found = []

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        for name, child in node.get("properties", {}).items():
            if child.get("x-errors", {}).get("pattern") == "invalid_character":
                found.append((*path, name))
            walk(child, (*path, name))

    walk(schemas.request_schema(), ())
    return [p for p in found if _get(example_request(), p) is not None]


def multiline_fields() -> list[tuple[str, ...]]:
    """The free-text fields of several lines (the others refuse line breaks)."""
    schema = schemas.request_schema()
    return [p for p in text_fields() if _schema_of(schema, p).get("x-text") == "multiline"]


def _schema_of(node: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    for name in path:
        node = node["properties"][name]
    return node


def normalised(document: Any) -> Any:
    """The document as stored: line breaks of multi-line fields as LF (functions/domain/text.py)."""
    text = json.dumps(document).replace("\\r\\n", "\\n").replace("\\r", "\\n")
    return json.loads(text)


def string_fields(document: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every string-valued field of a document, as key paths (list items excluded)."""
    if isinstance(document, dict):
        return [p for k, v in document.items() for p in string_fields(v, (*path, k))]
    return [path] if isinstance(document, str) and path else []


def _get(document: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        document = document.get(name) if isinstance(document, dict) else None
    return document


def _set(document: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    *parents, last = path
    for name in parents:
        document = document[name]
    document[last] = value


def with_text(text: str, paths: list[tuple[str, ...]] | None = None) -> dict[str, Any]:
    """The example with ``text`` added to every free-text field (lengths kept valid)."""
    document = example_request()
    for path in text_fields() if paths is None else paths:
        original = _get(document, path)
        limit = _node_limit(path)
        _set(document, path, (text + " " + original)[:limit])
    return document


def _node_limit(path: tuple[str, ...]) -> int:
    node: dict[str, Any] = schemas.request_schema()
    for name in path:
        node = node["properties"][name]
    return int(node["maxLength"])


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_control_characters_are_refused_at_every_text_field(
    client: Any, stack: Stack, name: str
) -> None:
    answer = post(client, with_text(REFUSED[name]))
    assert answer.status_code == 422
    errors = {(e["path"], e["code"]) for e in json.loads(answer.body)["errors"]}
    assert errors == {("/" + "/".join(p), "control_character") for p in text_fields()}
    assert_nothing_stored_or_published(stack)


def test_a_lone_surrogate_is_refused_not_a_server_error(client: Any, stack: Stack) -> None:
    body = json.dumps(example_request()).replace('"Aminata Diallo"', '"Aminata \\ud800 Diallo"')
    assert "\\ud800" in body
    answer = post(client, body)
    assert answer.status_code == 422
    [error] = json.loads(answer.body)["errors"]
    assert (error["path"], error["code"]) == ("/contact/name", "invalid_character")
    assert_nothing_stored_or_published(stack)


def test_a_ten_thousand_character_line_is_refused_by_length(client: Any, stack: Stack) -> None:
    document = example_request()
    document["request"]["background"] = "x" * 10_000
    answer = post(client, document)
    assert answer.status_code == 422
    [error] = json.loads(answer.body)["errors"]
    assert (error["path"], error["code"]) == ("/request/background", "too_long")
    assert_nothing_stored_or_published(stack)


@pytest.mark.parametrize("path", string_fields(example_request()), ids="/".join)
def test_cr_lf_in_each_field_is_kept_in_free_text_and_refused_elsewhere(
    client: Any, stack: Stack, path: tuple[str, ...]
) -> None:
    document = example_request()
    _set(document, path, _get(document, path) + "\r\nBcc: victim@example.org")
    answer = post(client, document)
    if path in multiline_fields():  # kept, as LF
        assert answer.status_code == 201, answer.body
        [item] = stack.items_of_kind("request")
        stored = json.loads(item["document"]["S"])
        assert stored == normalised(document)
        assert _get(stored, path).endswith("\nBcc: victim@example.org")
    else:  # a name, a title, an address...: one line (issue 14: a `Bcc:` line in the email)
        assert answer.status_code == 422, answer.body
        errors = [(e["path"], e["code"]) for e in json.loads(answer.body)["errors"]]
        [(where, code)] = errors
        assert where == "/" + "/".join(path)
        if path in text_fields():
            assert code == "line_break", code
        assert_nothing_stored_or_published(stack)


def all_outputs(client: Any, stack: Stack) -> list[tuple[str, str]]:
    """Every email (raw and both parts) and every page the partner's text appears on."""
    outputs = []
    for mail in sent_mail():
        outputs += [(f"{mail.kind} html", mail.html), (f"{mail.kind} text", mail.text)]
    [receipt] = mail_to(PARTNER, "receipt")
    status = client.http.get(path_of(receipt.link("/requests/")))
    review = mail_to("ana@intpa.example.org", "review_request")[0]
    page = client.http.get(path_of(review.link("/review/")))
    json_status = client.http.get(
        path_of(receipt.link("/requests/")), headers={"Accept": "application/json"}
    )
    outputs += [
        ("status page", status.body.decode("utf-8")),
        ("review page", page.body.decode("utf-8")),
        ("status json", json_status.body.decode("utf-8")),
    ]
    return outputs


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_accepted_text_is_stored_as_sent_and_escaped_in_every_email_and_page(
    client: Any, stack: Stack, name: str
) -> None:
    seed_committee()
    line_breaks = name == "crlf_and_tab"  # only where the field has several lines
    document = with_text(ACCEPTED[name], multiline_fields() if line_breaks else None)
    submit(client, document)
    [item] = stack.items_of_kind("request")
    # Nothing dropped; the only normalisation is line breaks to LF.
    assert json.loads(item["document"]["S"]) == normalised(document)
    run_workers(client, stack)
    [review] = mail_to("ana@intpa.example.org", "review_request")
    assert (
        Browser(client).vote(path_of(review.link("/review/")), "reject", ACCEPTED[name]).status_code
        == 200
    )
    run_workers(client, stack)
    assert len(sent_mail()) >= 8  # receipt, reviews, and the decision to everyone
    for mail in sent_mail():
        parsed = email.message_from_string(mail.raw, policy=email.policy.default)
        names = [k.lower() for k in parsed.keys()]  # noqa: SIM118 (every header, repeats too)
        assert names.count("to") == 1 and "bcc" not in names
        assert "\r" not in mail.subject and "\n" not in mail.subject
    for where, text in all_outputs(client, stack):
        if where.endswith(("html", "page")):  # plain text and JSON carry the text as sent
            assert '<b id="x">' not in text, where
            if name == "markup":
                assert "&lt;b id=" in text, where
        if name == "bidi_override" and not where.endswith("json"):
            assert not overrides_outside_isolates(where, text), where


def overrides_outside_isolates(where: str, text: str) -> bool:
    """Whether a direction override in someone's text could reach the text around it: every
    one must sit inside <bdi> (HTML) or between FIRST STRONG ISOLATE and its POP (plain text)."""
    assert "\u202e" in text, where  # the partner's text is there at all
    outside = re.sub(r"<bdi>.*?</bdi>", "", text, flags=re.DOTALL)  # HTML's isolates
    # Plain text's (subjects, HTML <title>, .txt): FSI ... PDI, around the partner's LRI ... PDI.
    plain_isolate = "\u2068[^\u2068\u2069]*(\u2066[^\u2069]*\u2069[^\u2069]*)?\u2069"
    outside = re.sub(plain_isolate, "", outside)
    return "\u202e" in outside
