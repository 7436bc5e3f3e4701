"""Evaluation by link under moto: the host's personal link mailed when an activity is done, the
participants' shared link with its cap and QR code, scanners, forgery and hostile answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.adapters import links
from functions.services import evaluation as service
from tests.integration.helpers import Browser, mail_to, path_of, run_workers
from tests.integration.test_actions import PARTNER, approve, example_plan, ops, write_plan
from tests.support import Stack

ANSWER = {
    "evaluation.satisfaction": "5",
    "evaluation.changes_work": "partly",
    "evaluation.most_useful": "Les exemples d'autres pays",
    "evaluation.comment": "",
}


@pytest.fixture
def done(client: Any, stack: Stack, submitted: str, tmp_path: Any) -> str:
    """An approved request whose Action's first activity is done (its emails sent)."""
    approve(client, stack, submitted)
    ops("action", "record", "--request", submitted, "--file", write_plan(tmp_path, example_plan()))
    ops("action", "activity", "--request", submitted, "--number", "1", "--status", "done")
    run_workers(client, stack)
    return submitted


def host_path() -> str:
    [mail] = mail_to(PARTNER, "evaluation_host")
    return path_of(mail.link("/evaluate/"))


def answers(stack: Stack) -> list[dict[str, Any]]:
    return stack.items_of_kind("evaluation")


def send(browser: Browser, path: str, fields: dict[str, str] | None = None) -> Any:
    page = browser.get(path)
    assert page.status_code == 200, page.body
    return browser.post(path, {"_csrf": browser.csrf_from(page), **(fields or ANSWER)})


def test_the_host_gets_a_personal_link_once_the_activity_is_done(
    client: Any, stack: Stack, done: str
) -> None:
    [mail] = mail_to(PARTNER, "evaluation_host")
    assert "Assessment of the current referral practice" in mail.text
    assert mail.language == "fr"  # the partner's language, as every email to them
    path = host_path()
    assert path.startswith("/evaluate/") and "lang=fr" in path
    ops("action", "activity", "--request", done, "--number", "1", "--status", "done")
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "evaluation_host")) == 1  # already done: nothing sent again


def test_a_scanners_get_and_head_change_nothing(client: Any, stack: Stack, done: str) -> None:
    path = host_path()
    for _ in range(3):
        assert client.http.get(path).status_code == 200
        assert client.http.request("HEAD", path).status_code == 200
    room = path_of(links.evaluation_url(service.room_link(done, 1)))
    assert client.http.get(room).status_code == 200
    assert answers(stack) == []


def test_the_host_answers_once_in_french(client: Any, stack: Stack, done: str) -> None:
    browser = Browser(client)
    path = host_path()
    page = browser.get(path).body.decode("utf-8")
    assert 'lang="fr"' in page and "Assessment of the current referral practice" in page
    assert 'name="evaluation.satisfaction"' in page and 'type="radio"' in page
    response = send(browser, path)
    assert response.status_code == 201
    [item] = answers(stack)
    assert item["respondent"]["S"] == "host" and item["satisfaction"]["N"] == "5"
    assert item["changes_work"]["S"] == "partly" and "comment" not in item
    posted = Browser(client)
    page_again = posted.get(path)
    assert page_again.status_code == 200 and 'name="_csrf"' not in page_again.body.decode()
    assert len(answers(stack)) == 1
    figures = service.action_figures(done)
    assert figures.action.answers == 1 and figures.activities[1].satisfaction_mean == 5
    assert figures.action.by_role == {"host": 1, "expert": 0, "participant": 0}


def test_a_second_post_of_the_same_form_is_told_it_was_answered(
    client: Any, stack: Stack, done: str
) -> None:
    browser = Browser(client)
    path = host_path()
    token = browser.csrf_from(browser.get(path))
    assert browser.post(path, {"_csrf": token, **ANSWER}).status_code == 201
    second = browser.post(path, {"_csrf": token, **ANSWER})
    assert second.status_code == 409 and len(answers(stack)) == 1


def test_participants_answer_anonymously_in_arabic_up_to_the_cap(
    client: Any, stack: Stack, done: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "ROOM_CAP", 2)
    room = path_of(links.evaluation_url(service.room_link(done, 1), "ar"))
    page = Browser(client).get(room).body.decode("utf-8")
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    for _ in range(2):
        assert send(Browser(client), room).status_code == 201
    full = send(Browser(client), room)
    assert full.status_code == 409
    stored = answers(stack)
    assert len(stored) == 2 and all(i["respondent"]["S"].startswith("room:") for i in stored)
    assert {i["language"]["S"] for i in stored} == {"ar"}
    [count] = stack.items_of_kind("room_count")
    assert count["answers"]["N"] == "2"


def test_the_qr_code_route_does_not_exist_in_the_lambda(
    client: Any, stack: Stack, done: str
) -> None:
    token = links.evaluation_token(service.room_link(done, 1))
    assert client.http.get(f"/evaluate/room/{token}/qr.svg").status_code in (403, 404)


def test_an_answer_with_errors_comes_back_at_its_fields_and_nothing_is_stored(
    client: Any, stack: Stack, done: str
) -> None:
    browser = Browser(client)
    path = host_path()
    response = send(browser, path, {"evaluation.satisfaction": "9", "evaluation.comment": "x"})
    assert response.status_code == 422
    body = response.body.decode("utf-8")
    assert 'href="#f-evaluation-satisfaction"' in body
    assert 'href="#f-evaluation-changes-work"' in body
    assert answers(stack) == []
    hostile = {**ANSWER, "evaluation.comment": "x" * 5000, "evaluation.extra": "1"}
    assert send(Browser(client), path, hostile).status_code == 422
    control = {**ANSWER, "evaluation.most_useful": "bad\u0007bell"}
    assert send(Browser(client), path, control).status_code == 422
    assert answers(stack) == []


def test_the_honeypot_gets_a_decoy_thank_you(client: Any, stack: Stack, done: str) -> None:
    response = send(Browser(client), host_path(), {**ANSWER, "website": "http://spam.example"})
    assert response.status_code == 201 and answers(stack) == []


def test_a_post_without_the_pages_token_or_from_another_site_is_refused(
    client: Any, stack: Stack, done: str
) -> None:
    path = host_path()
    browser = Browser(client)
    browser.get(path)
    assert browser.post(path, dict(ANSWER)).status_code == 403
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"}
    assert client.http.post(path, body="a=1", headers=headers).status_code == 403
    assert answers(stack) == []


def test_links_are_bound_to_their_purpose_and_their_activity(
    client: Any, stack: Stack, done: str
) -> None:
    personal = links.evaluation_token(service.host_link(done, 1))
    room = links.evaluation_token(service.room_link(done, 1))
    assert client.http.get(f"/evaluate/room/{personal}").status_code == 403
    assert client.http.get(f"/evaluate/{room}").status_code == 403
    assert client.http.get(f"/evaluate/{personal[:-3]}abc").status_code == 400
    planned = links.evaluation_token(service.host_link(done, 2))
    response = client.http.get(f"/evaluate/{planned}")  # activity 2 is not done
    assert response.status_code == 409 and 'name="_csrf"' not in response.body.decode()
    missing = links.evaluation_token(service.host_link(done, 9))
    assert client.http.get(f"/evaluate/{missing}").status_code == 404
    review = links.status_token(done)
    assert client.http.get(f"/evaluate/{review}").status_code == 403


def test_the_ops_command_prints_the_figures_and_writes_the_qr_code(
    client: Any, stack: Stack, done: str, tmp_path: Any
) -> None:
    send(Browser(client), host_path())
    result = ops("evaluation", "figures", "--request", done, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["action"]["answers"] == 1 and figures["activities"]["1"]["changes_share"] == 1
    svg = tmp_path / "room.svg"
    result = ops("evaluation", "room", "--request", done, "--number", "1", "--qr", str(svg))
    assert result.exit_code == 0 and "/evaluate/room/" in result.output
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    result = ops("evaluation", "room", "--request", done, "--number", "2")
    assert result.exit_code == 1 and "not done" in result.output
