"""Requests another website makes a visitor's browser send.

Issue 14, item 2: every form-encoded POST needs the anti-forgery token, whatever it asks for;
a browser's cross-site POST (``Origin`` of another site, ``Sec-Fetch-Site: cross-site`` or
``same-site``) is refused before anything is read or written (tests/integration/
test_csrf_cookie.py has the cookie, item 13).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.helpers import (
    FORM,
    PARTNER,
    Browser,
    form_fields_of,
    mail_to,
    path_of,
    record_operations,
    review_path,
)
from tests.support import Stack

SITE = "https://mieux.example.org"  # the test stage's PUBLIC_BASE_URL
CROSS_SITE: dict[str, dict[str, str]] = {
    "another origin": {"Origin": "https://attacker.example"},
    "an opaque origin": {"Origin": "null"},
    "the same host on http": {"Origin": "http://mieux.example.org"},
    "fetch metadata: cross-site": {"Sec-Fetch-Site": "cross-site"},
    "fetch metadata: same-site": {"Sec-Fetch-Site": "same-site", "Origin": SITE},
    "fetch metadata decides": {"Sec-Fetch-Site": "cross-site", "Origin": SITE},
}
SAME_ORIGIN: dict[str, dict[str, str]] = {
    "fetch metadata and origin": {"Origin": SITE, "Sec-Fetch-Site": "same-origin"},
    # Chromium's own form posts under Referrer-Policy: no-referrer (checked in Chromium 156).
    "fetch metadata, opaque origin": {"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    "typed or bookmarked": {"Sec-Fetch-Site": "none"},
    "an older browser": {"Origin": f"{SITE}:443"},
    "a server-side client": {},
}


def status_path() -> str:
    [receipt] = mail_to(PARTNER, "receipt")
    return path_of(receipt.link("/requests/"))


@pytest.mark.parametrize("accept", ["*/*", "application/json", ""])
def test_a_form_post_needs_the_anti_forgery_token_whatever_it_asks_for(
    client: Any, stack: Stack, valid_request: dict[str, Any], accept: str
) -> None:
    """A page elsewhere can post a form from its visitors' browsers, with ``Accept: */*``."""
    headers = {"Content-Type": FORM, **({"Accept": accept} if accept else {})}
    body = urlencode([("website", ""), *form_fields_of(valid_request)])
    answer = client.http.post("/requests", body=body, headers=headers)
    assert answer.status_code == 403
    assert stack.items_of_kind("request") == [] and stack.review_tasks() == []
    if accept != "*/*":
        assert json.loads(answer.body)["errors"][0]["code"] == "forbidden"


def test_a_form_post_with_the_token_may_still_ask_for_json(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    browser = Browser(client)
    token = browser.csrf_from(browser.get("/"))
    fields = [("_csrf", token), ("website", ""), *form_fields_of(valid_request)]
    headers = browser._headers({"Content-Type": FORM, "Accept": "application/json"})
    answer = client.http.post("/requests", body=urlencode(fields), headers=headers)
    assert answer.status_code == 201, answer.body
    assert json.loads(answer.body)["reference"]


@pytest.mark.parametrize("headers", list(CROSS_SITE.values()), ids=list(CROSS_SITE))
def test_a_cross_site_submission_is_refused_before_anything_is_read_or_written(
    client: Any,
    stack: Stack,
    valid_request: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, str],
) -> None:
    calls = record_operations(monkeypatch)
    answer = client.http.post(
        "/requests",
        body=json.dumps(valid_request),
        headers={"Content-Type": "application/json", **headers},
    )
    assert answer.status_code == 403
    assert json.loads(answer.body)["errors"][0]["code"] == "forbidden"
    assert calls == []  # not even the rate window's counter
    assert stack.items_of_kind("request") == []


def test_a_cross_site_form_post_gets_the_error_page(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    token = browser.csrf_from(browser.get("/"))
    headers = browser._headers(
        {"Content-Type": FORM, "Accept": "text/html", "Origin": "https://attacker.example"}
    )
    body = urlencode({"_csrf": token})
    answer = client.http.post("/requests?lang=fr", body=body, headers=headers)
    assert answer.status_code == 403
    assert answer.headers["Content-Type"].startswith("text/html")
    assert 'lang="fr"' in answer.body.decode("utf-8")


@pytest.mark.parametrize("headers", list(CROSS_SITE.values()), ids=list(CROSS_SITE))
def test_a_cross_site_vote_answer_or_withdrawal_is_refused(
    client: Any,
    stack: Stack,
    submitted: str,
    monkeypatch: pytest.MonkeyPatch,
    headers: dict[str, str],
) -> None:
    member, partner = Browser(client), Browser(client)
    vote_path, status = review_path("intpa"), status_path()
    ballot = {"_csrf": member.csrf_from(member.get(vote_path)), "choice": "approve"}
    request_path, query = status.split("?")
    token = partner.csrf_from(partner.get(f"{request_path}/withdraw?{query}"))  # status: scope
    before = len(stack.items())
    calls = record_operations(monkeypatch)
    posts = [
        (member, vote_path, ballot),
        (partner, f"{request_path}/answer?{query}", {"_csrf": token, "answer": "Yes."}),
        (partner, f"{request_path}/withdraw?{query}", {"_csrf": token}),
    ]
    for browser, path, fields in posts:
        sent = browser._headers({"Content-Type": FORM, **headers})
        answer = client.http.post(path, body=urlencode(fields), headers=sent)
        assert answer.status_code == 403, path
        assert "text/html" in answer.headers["Content-Type"]
    assert calls == []
    assert len(stack.items()) == before


def test_same_origin_browsers_and_server_side_clients_pass(
    client: Any, stack: Stack, valid_request: dict[str, Any], submitted: str
) -> None:
    same_origin = SAME_ORIGIN["fetch metadata, opaque origin"]
    member = Browser(client)
    path = review_path("intpa")
    ballot = {"_csrf": member.csrf_from(member.get(path)), "choice": "approve"}
    sent = member._headers({"Content-Type": FORM, **same_origin})
    assert client.http.post(path, body=urlencode(ballot), headers=sent).status_code == 200
    for case, headers in SAME_ORIGIN.items():
        document = {**valid_request, "submission_id": str(uuid.uuid4())}
        answer = client.http.post(
            "/requests",
            body=json.dumps(document),
            headers={"Content-Type": "application/json", **headers},
        )
        assert answer.status_code == 201, (case, answer.body)
