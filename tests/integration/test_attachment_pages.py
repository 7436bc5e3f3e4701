"""Attached files through the pages and routes (issue 20): the page per file that posts to S3,
the confirmation behind a button, the JSON routes, the form's submission, the review and status
pages' download links. S3 is moto's: the browser's POST to S3 is made with ``requests``."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from functions.adapters import links
from functions.adapters.repository import repository
from tests.integration.helpers import (
    MEMBER_EMAIL,
    Browser,
    form_fields_of,
    mail_to,
    path_of,
    run_workers,
    seed_committee,
)
from tests.integration.test_attachments import EXE, PDF, objects
from tests.integration.test_drafts import hidden_of, post_form
from tests.support import Stack, example_request

HTML = {"Accept": "text/html"}
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}


def text(response: Any) -> str:
    return unescape(response.body.decode("utf-8"))


def upload_link(form_page: str, slot: str) -> str:
    found = re.search(rf'href="(/attachments/upload/{slot}\?[^"]+)"', form_page)
    assert found, f"no upload link for {slot}"
    return found.group(1)


def post_to_s3(page: str, data: bytes) -> str:
    """Post the file page's form to S3 as a browser does; the Location S3 redirects to."""
    action = re.search(r'<form method="post" action="([^"]+)" enctype', page)
    assert action
    fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    answer = requests.post(
        action.group(1),
        data=fields,
        files={"file": ("renamed.pdf", data)},
        allow_redirects=False,
        timeout=5,
    )
    assert int(answer.status_code) == 303, answer.text
    return str(answer.headers["Location"])


def attach_without_script(browser: Browser, form_page: str, slot: str, data: bytes) -> Any:
    """The walk without JavaScript: the file's page, S3, the confirmation page, its button."""
    page = browser.get(upload_link(form_page, slot), HTML)
    assert page.status_code == 200
    assert "form-action 'self' https://" in page.headers["Content-Security-Policy"]
    location = post_to_s3(text(page), data)
    assert location.startswith("https://mieux.example.org/attachments/confirm?")
    confirm = browser.get(path_of(location), HTML)
    assert confirm.status_code == 200
    token = parse_qs(urlsplit(location).query)["token"][0]
    action = re.search(r'<form method="post" action="([^"]+)">', text(confirm))
    assert action and action.group(1).startswith("/attachments/confirm?lang=")
    return browser.post(action.group(1), {"_csrf": browser.csrf_from(confirm), "token": token})


def test_a_letter_attached_without_javascript_goes_with_the_request(
    client: Any, stack: Stack
) -> None:
    seed_committee()
    browser = Browser(client)
    form = browser.get("/?lang=en", HTML)
    page = text(form)
    assert "Official letter from the head of your institution" in page
    # The GET that S3 redirects to changes nothing: only the button's POST attaches.
    done = attach_without_script(browser, page, "letter", PDF)
    assert done.status_code == 200, text(done)[:2000]
    assert "The file is attached" in text(done) and "letter.pdf" in text(done)

    holder = hidden_of(page)["_attachments"]
    again = text(browser.get("/?" + urlencode({"lang": "en"}), HTML))
    assert hidden_of(again)["_attachments"] != holder  # a new form, a new holder
    fields = [(k, v) for k, v in form_fields_of(example_request()) if k != "submission_id"]
    sent = post_form(browser, form, fields, "en", save=False)
    assert sent.status_code == 201, text(sent)[:3000]
    request_id = re.search(r"/requests/([0-9a-f]{32})\?", text(sent))
    assert request_id, text(sent)[:3000]
    request = repository().get_request(request_id.group(1))
    assert request is not None
    [attached] = repository().attachments(request.request_id)
    assert attached.slot == "letter" and attached.expires_at == request.expires_at

    # The committee's review page and the partner's status page offer it for 5 minutes.
    run_workers(client, stack)
    [mail] = mail_to(MEMBER_EMAIL["intpa"], "review_request")[-1:]
    review = text(browser.get(path_of(mail.link("/review/")), HTML))
    download = re.search(r'<a href="([^"]+)" download><bdi dir="ltr">letter\.pdf</bdi></a>', review)
    assert download, review[review.find("Attached files") - 200 :][:1500]
    got = requests.get(unescape(download.group(1)), timeout=5)
    assert got.content == PDF
    assert got.headers["Content-Disposition"] == 'attachment; filename="letter.pdf"'
    status = text(browser.get(path_of(links.status_url(request.request_id)), HTML))
    assert "letter.pdf" in status and "Download links work for 5 minutes" in status


def test_a_renamed_executable_is_refused_at_its_field(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    page = text(browser.get("/?lang=fr", HTML))
    refused = attach_without_script(browser, page, "letter", EXE)
    assert refused.status_code == 422
    body = text(refused)
    assert 'id="f-file-error"' in body and "programme" in body  # in the page's language
    assert 'href="#f-file"' in body  # the error summary links to the field
    assert objects(stack) == []  # deleted, never offered


def test_the_confirmation_page_needs_its_button_and_its_token(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    page = text(browser.get("/?lang=en", HTML))
    holder = hidden_of(page)["_attachments"]
    started = browser.client.http.post(
        "/attachments/uploads",
        body=json.dumps({"holder": holder, "slot": "letter"}),
        headers=JSON_HEADERS,
    )
    token = json.loads(started.body)["confirm_token"]
    shown = browser.get(f"/attachments/confirm?token={token}&lang=en", HTML)
    assert (
        shown.status_code == 200
        and repository().attachments(links.read_upload_token(holder), in_draft=True) == []
    )
    # Without the anti-forgery token, or with a forged upload token: refused, nothing stored.
    assert browser.post("/attachments/confirm", {"token": token}).status_code == 403
    csrf = browser.csrf_from(shown)
    assert browser.post("/attachments/confirm", {"_csrf": csrf, "token": "x"}).status_code == 400
    # Confirmed before anything was uploaded: the file's page again, saying so.
    missing = browser.post("/attachments/confirm", {"_csrf": csrf, "token": token})
    assert missing.status_code == 422 and "did not arrive" in text(missing)
    assert browser.get("/attachments/confirm?token=forged", HTML).status_code == 400
    assert browser.get(f"/attachments/upload/letter?holder={token}", HTML).status_code == 403
    assert browser.get("/attachments/upload/supporting-9?holder=" + holder, HTML).status_code in (
        422,
    )


def test_the_json_routes_upload_in_place(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    holder = hidden_of(text(browser.get("/", HTML)))["_attachments"]
    started = browser.client.http.post(
        "/attachments/uploads",
        body=json.dumps({"holder": holder, "slot": "supporting-2"}),
        headers=JSON_HEADERS,
    )
    assert started.status_code == 200
    answer = json.loads(started.body)
    assert set(answer) == {"url", "fields", "confirm_token"}
    posted = requests.post(
        answer["url"], data=answer["fields"], files={"file": ("a", PDF)}, timeout=5
    )
    assert int(posted.status_code) == 204
    confirmed = browser.client.http.post(
        "/attachments/confirmations",
        body=json.dumps({"token": answer["confirm_token"]}),
        headers=JSON_HEADERS,
    )
    assert confirmed.status_code == 200
    assert json.loads(confirmed.body) == {
        "slot": "supporting-2",
        "file_name": "supporting-2.pdf",
        "media_type": "application/pdf",
        "size": len(PDF),
    }
    # The form shows it, and a page of the form in a new tab keeps the holder's files.
    page = text(browser.get("/?" + urlencode({"lang": "en"}), HTML))
    assert "supporting-2.pdf" not in page  # a new form: its own holder


def test_the_json_routes_refuse_bad_input_at_its_field(client: Any, stack: Stack) -> None:
    http = Browser(client).client.http
    holder = hidden_of(text(Browser(client).get("/", HTML)))["_attachments"]
    bad_slot = http.post(
        "/attachments/uploads",
        body=json.dumps({"holder": holder, "slot": "supporting-7"}),
        headers=JSON_HEADERS,
    )
    assert bad_slot.status_code == 422
    assert json.loads(bad_slot.body)["errors"][0]["path"] == "/attachments/slot"
    for body in ("[]", "{", json.dumps({"holder": "forged", "slot": "letter"})):
        answer = http.post("/attachments/uploads", body=body, headers=JSON_HEADERS)
        assert answer.status_code in (400, 422), body
    cross_site = http.post(
        "/attachments/uploads",
        body=json.dumps({"holder": holder, "slot": "letter"}),
        headers={**JSON_HEADERS, "Origin": "https://evil.example"},
    )
    assert cross_site.status_code == 403
    forged = http.post(
        "/attachments/confirmations", body=json.dumps({"token": holder}), headers=JSON_HEADERS
    )
    assert forged.status_code == 403  # an attachments token is not a confirmation
    assert objects(stack) == []


def test_a_saved_draft_keeps_its_files(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    form = browser.get("/?lang=es", HTML)
    page = text(form)
    attach_without_script(browser, page, "letter", PDF)
    document = example_request()
    half = form_fields_of({k: document[k] for k in ("institution", "contact")})
    half = [(k, v) for k, v in half if k != "contact.preferred_language"]
    saved = post_form(browser, form, half, "es", save=True)
    assert saved.status_code == 200
    run_workers(client, stack)
    [mail] = mail_to(document["contact"]["email"], "draft_saved")
    continued = text(Browser(client).get(path_of(mail.link("/drafts/")), HTML))
    assert "letter.pdf" in continued  # listed on the continued form
