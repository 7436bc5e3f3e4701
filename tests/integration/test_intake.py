"""POST /requests through Chalice's test client, against the moto stack built from stack.yaml."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.integration.helpers import (
    JSON,
    assert_nothing_stored_or_published,
    form_fields_of,
    post,
)
from tests.support import Stack


def test_a_valid_request_is_stored_and_queued(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    answer = post(client, valid_request)
    assert answer.status_code == 201, answer.body
    body = json.loads(answer.body)
    assert set(body) == {"id", "reference", "status", "status_url"}
    assert body["reference"].startswith("MX-20") and body["reference"].endswith("-0001")
    assert body["status"] == "submitted"
    assert body["status_url"].startswith(f"https://mieux.example.org/requests/{body['id']}?token=")
    assert body["status_url"].endswith("&lang=fr")  # the request's language, as in its emails

    [item] = stack.items_of_kind("request")
    assert item["pk"]["S"] == f"REQ#{body['id']}" and item["sk"]["S"] == "META"
    assert item["status"]["S"] == "submitted"
    assert item["reference"]["S"] == body["reference"]
    assert json.loads(item["document"]["S"]) == valid_request
    assert item["region"]["S"] == "africa" and item["language"]["S"] == "fr"
    assert int(item["expires_at"]["N"]) > 0
    assert "a.diallo" not in item["email_hash"]["S"]
    [event] = stack.items_of_kind("event")
    assert event["action"]["S"] == "submitted"

    # The review task carries ids only: nothing personal travels through the queue.
    assert stack.review_tasks() == [{"type": "review_task", "request_id": body["id"], "round": 1}]


@pytest.mark.parametrize("language", ["en", "fr", "es", "ar", "ru"])
def test_the_status_link_opens_the_status_page_in_the_requests_language(
    client: Any, stack: Stack, valid_request: dict[str, Any], language: str
) -> None:
    valid_request["contact"]["preferred_language"] = language
    body = json.loads(post(client, valid_request).body)
    assert body["status_url"].endswith(f"&lang={language}")
    path = body["status_url"].removeprefix("https://mieux.example.org")
    page = client.http.get(path).body.decode("utf-8")  # no Accept-Language: the link decides
    assert f'<html lang="{language}"' in page
    english = client.http.get(path, headers={"Accept-Language": "en"}).body.decode("utf-8")
    assert f'<html lang="{language}"' in english  # the link's language beats the browser's


@pytest.mark.parametrize("asked", ["xx", "fr&token=forged", 7, None])
def test_the_honeypots_link_carries_only_a_language_of_ours(
    client: Any, stack: Stack, valid_request: dict[str, Any], asked: Any
) -> None:
    valid_request["website"] = "http://spam.example"
    valid_request["contact"]["preferred_language"] = asked
    body = json.loads(post(client, valid_request).body)
    assert "lang=" not in body["status_url"] and "forged" not in body["status_url"]
    assert_nothing_stored_or_published(stack)


def test_references_count_up_within_a_year(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    references = []
    for n in range(3):
        valid_request["submission_id"] = f"submission-{n:04d}"
        references.append(json.loads(post(client, valid_request).body)["reference"])
    assert [r[-4:] for r in references] == ["0001", "0002", "0003"]


def test_every_error_comes_back_with_path_code_and_message(client: Any, stack: Stack) -> None:
    answer = post(client, {"institution": {"name": "M", "type": "national_government"}})
    assert answer.status_code == 422
    errors = json.loads(answer.body)["errors"]
    paths = [error["path"] for error in errors]
    assert paths == [
        "/institution/name",
        "/institution/country",
        "/contact",
        "/request",
        "/consent",
    ]
    assert errors[0] == {
        "path": "/institution/name",
        "code": "too_short",
        "message": "Name of the institution must be at least 2 characters long",
        "params": {"limit": 2},
    }
    assert_nothing_stored_or_published(stack)


def test_an_ineligible_country_is_refused(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    valid_request["institution"]["country"] = "DE"
    answer = post(client, valid_request)
    assert answer.status_code == 422
    assert json.loads(answer.body)["errors"][0]["code"] == "not_eligible"
    assert_nothing_stored_or_published(stack)


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ("{not json", JSON, 400, "malformed_json"),
        (b"\xff\xfe", JSON, 400, "bad_encoding"),
        ("x" * (64 * 1024 + 1), JSON, 413, "too_large"),
        ("<request/>", {"Content-Type": "application/xml"}, 415, "unsupported_media_type"),
        ("title=x", {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
    ],
)
def test_unreadable_bodies_get_a_json_error(
    client: Any, stack: Stack, body: Any, headers: dict[str, str], status: int, code: str
) -> None:
    answer = post(client, body, headers)
    assert answer.status_code == status
    assert answer.headers["Content-Type"].startswith("application/json")
    [error] = json.loads(answer.body)["errors"]
    assert error["code"] == code and error["message"]
    assert_nothing_stored_or_published(stack)


def test_the_same_submission_twice_stores_one_request(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    first = post(client, valid_request)
    second = post(client, valid_request)
    assert first.status_code == second.status_code == 201
    one, two = json.loads(first.body), json.loads(second.body)
    # The same request; the status link is freshly signed (its timestamp differs), equally valid.
    assert {k: one[k] for k in ("id", "reference", "status")} == {
        k: two[k] for k in ("id", "reference", "status")
    }
    assert two["status_url"].split("?")[0] == one["status_url"].split("?")[0]
    assert two["status_url"].endswith("&lang=fr")  # the stored request's language
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert len(stack.items_of_kind("request")) == 1
    assert len(stack.review_tasks()) == 1


def test_the_same_submission_id_with_other_content_is_a_conflict(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    assert post(client, valid_request).status_code == 201
    valid_request["request"]["title"] = "A different request entirely"
    answer = post(client, valid_request)
    assert answer.status_code == 409
    assert json.loads(answer.body)["errors"][0]["path"] == "/submission_id"
    assert len(stack.items_of_kind("request")) == 1
    assert len(stack.review_tasks()) == 1


def test_the_honeypot_looks_like_success_and_stores_nothing(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    valid_request["website"] = "http://spam.example"
    answer = post(client, valid_request)
    assert answer.status_code == 201
    body = json.loads(answer.body)
    assert set(body) == {"id", "reference", "status", "status_url"}
    assert body["status_url"].endswith("&lang=fr")  # shaped like a real answer
    assert_nothing_stored_or_published(stack)


def test_the_form_encoding_is_accepted_with_the_forms_token(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    """A form-encoded POST is a browser's form: it needs the form's anti-forgery token and
    cookie, whatever it asks for (tests/integration/test_cross_site.py has the refusals)."""
    form = client.http.get("/")
    cookie = form.headers["Set-Cookie"].split(";")[0]
    [token] = re.findall(r'name="_csrf" value="([^"]+)"', form.body.decode("utf-8"))
    fields: list[tuple[str, str]] = [("_csrf", token), *form_fields_of(valid_request)]
    fields.append(("website", ""))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    answer = post(client, urlencode(fields), headers)
    assert answer.status_code == 201, answer.body
    [item] = stack.items_of_kind("request")
    assert json.loads(item["document"]["S"]) == valid_request


def test_a_failed_publish_leaves_the_request_for_the_sweeper(
    client: Any, stack: Stack, valid_request: dict[str, Any]
) -> None:
    from functions.adapters import aws

    sqs = aws.client("sqs", "eu-west-1")

    def refuse(**_: Any) -> None:
        raise RuntimeError("SQS is down")

    sqs.meta.events.register_first("before-send.sqs.SendMessage", refuse)
    answer = post(client, valid_request)
    assert answer.status_code == 201
    [item] = stack.items_of_kind("request")
    assert item["status"]["S"] == "submitted"
    assert stack.review_tasks() == []

    from functions.adapters.repository import repository

    stuck = list(repository().requests_in_status("submitted"))
    assert [r.request_id for r in stuck] == [json.loads(answer.body)["id"]]


def test_the_schema_and_health_are_served(client: Any, stack: Stack) -> None:
    schema = client.http.get("/schemas/request.json")
    assert schema.status_code == 200
    assert json.loads(schema.body)["$id"] == "urn:mieux:schemas:request"
    health = client.http.get("/health")
    assert json.loads(health.body) == {"status": "ok"}
