"""The Expert Roster in the staff workspace under moto: an activity's experts ranked with why,
inviting the chosen ones (editors of the region only, audited, at the field when refused), the
roster by member state and an expert's record. Every GET changes nothing."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.adapters.repository import repository
from functions.domain import schemas
from functions.domain.experts import FocalPoint
from functions.services import experts as service
from tests.integration.helpers import mail_to, run_workers, seed_committee
from tests.integration.staff import csrf_of, signed_in, staff_accounts
from tests.integration.test_experts import _active_experts, register, registration
from tests.support import Stack

FORM = "application/x-www-form-urlencoded"
REQUEST = "a" * 32  # an approved request of Africa (Ghana) with the schema's example Action
OTHER = "b" * 32  # the same in Asia and the Pacific: not po-africa's region
PAGE = f"/staff/requests/{REQUEST}/activities/5/experts"  # the training, three experts


def _with_action(request_id: str, region: str) -> None:
    from functions.services.actions import normalised
    from tests.contract import factories as make

    store = repository()
    request = make.request(request_id, status="approved", language="en", region=region)
    store.create_request(request, make.event(request.request_id), None)
    plan = normalised(schemas.example("action.schema.json"))
    action = make.action(request.request_id, plan=plan, version=0)
    assert store.save_action(
        action._replace(version=1), make.event(request.request_id, "action"), None
    )


@pytest.fixture
def roster(client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The staff's accounts, two approved requests with Actions and four active experts."""
    staff_accounts(stack, monkeypatch)
    seed_committee()
    service.save_focal_point(FocalPoint("sgae", "FR", "Jeanne Focal", "jeanne@sgae.example.fr"))
    _with_action(REQUEST, "africa")
    _with_action(OTHER, "asia_pacific")
    emails = ("one@example.fr", "two@example.fr", "three@example.fr", "four@example.fr")
    ids = _active_experts(client, *emails)
    run_workers(client, stack)
    return ids


def text_of(answer: Any) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", answer.body.decode("utf-8")))


def post(
    browser: Any, path: str, fields: list[tuple[str, str]], headers: dict[str, str] | None = None
) -> Any:
    """A form POST whose fields may repeat (the ticked checkboxes), as a browser sends it."""
    sent = browser._headers({"Content-Type": FORM, **(headers or {})})
    return browser._keep(browser.client.http.post(path, body=urlencode(fields), headers=sent))


def invite(browser: Any, ids: list[str], path: str = PAGE) -> Any:
    page = browser.get(path)
    fields = [("_csrf", csrf_of(page)), *[("experts", expert_id) for expert_id in ids]]
    return post(browser, path + "/invite", fields)


def invitations_of(request_id: str = REQUEST, activity: int = 5) -> dict[str, str]:
    return {
        i.expert_id: i.status for i in repository().activity_invitations(request_id, activity)[1]
    }


def test_the_page_shows_the_need_and_the_ranking_with_why(client: Any, roster: list[str]) -> None:
    browser = signed_in(client, "demo-viewer")
    answer = browser.get(PAGE + "?lang=en")
    assert answer.status_code == 200
    body = answer.body.decode("utf-8")
    words = text_of(answer)
    assert "Experts for activity 5" in words and "Training" in words
    assert "Experts needed" in words and "Places left to invite" in words
    assert re.search(r'id="places-left">\s*(<[^>]+>)?\s*3', body)
    for expert_id in roster:
        assert f'data-expert="{expert_id}"' in body
    # Why each rank: the shared topic and the criteria met, those not met beside them.
    assert "Topic: Trafficking in human beings" in words or "Topic:" in words
    assert "Works in the activity's language" in words and "Knows the region" in words
    assert "Not met" in words
    assert 'name="experts"' not in body  # a viewer reads; no choice to make


def test_the_page_is_translated(client: Any, roster: list[str]) -> None:
    browser = signed_in(client, "po-africa")
    words = text_of(browser.get(PAGE + "?lang=fr"))
    assert "Experts pour l'activité 5" in words.replace("\u2019", "'")
    assert "Inviter les experts choisis" in words


def test_an_officer_invites_the_chosen_experts_and_it_is_audited(
    client: Any, stack: Stack, roster: list[str]
) -> None:
    one, two, *_ = roster
    browser = signed_in(client, "po-africa")
    answer = invite(browser, [one, two])
    assert answer.status_code == 200, answer.body
    assert re.search(r"Invitations sent by email:\s*2\s*\.", text_of(answer))
    assert invitations_of() == {one: "invited", two: "invited"}
    [event] = [e for e in repository().partition(REQUEST).events if e.action == "experts_invited"]
    assert event.actor.startswith("staff:") and event.public is False
    assert event.detail == {"activity": 5, "experts": [one, two], "username": "po-africa"}
    run_workers(client, stack)
    assert len(mail_to("one@example.fr", "invitation")) == 1
    # The page now lists them, waiting, and one place left.
    body = browser.get(PAGE).body.decode("utf-8")
    assert body.count("Invited: waiting for the answer") == 2
    assert re.search(r'id="places-left">\s*(<[^>]+>)?\s*1', body)


@pytest.mark.parametrize(
    ("choice", "code_text"),
    [
        (lambda ids: [], "Choose at least one expert to invite"),
        (lambda ids: ids, "You chose more experts than the places left"),
        (lambda ids: [ids[0], "f" * 32], "no longer active on the roster"),
        (lambda ids: [ids[0], "<script>"], "no longer active on the roster"),
    ],
)
def test_a_bad_choice_is_refused_at_the_field_and_nothing_is_sent(
    client: Any, stack: Stack, roster: list[str], choice: Any, code_text: str
) -> None:
    browser = signed_in(client, "demo-coordinator")
    answer = invite(browser, choice(roster))
    assert answer.status_code == 422
    body = answer.body.decode("utf-8")
    assert code_text in text_of(answer)
    assert 'id="experts-error"' in body and 'href="#experts"' in body
    assert "<script>" not in body
    assert invitations_of() == {}
    run_workers(client, stack)
    assert mail_to("one@example.fr", "invitation") == []


def test_an_expert_who_is_no_longer_active_or_invited_already_is_refused(
    client: Any, stack: Stack, roster: list[str]
) -> None:
    one, two, three, _ = roster
    browser = signed_in(client, "po-africa")
    assert invite(browser, [one]).status_code == 200
    again = invite(browser, [one, two])
    assert again.status_code == 422 and "invited to this activity already" in text_of(again)
    service.leave_roster(three)
    left = invite(browser, [three])
    assert left.status_code == 422 and "no longer active" in text_of(left)
    pending = register(client, registration(email="late@example.fr", name="Lea Late"))
    late = invite(browser, [str(json.loads(pending.body)["id"])])
    assert late.status_code == 422 and "no longer active" in text_of(late)
    assert invitations_of() == {one: "invited"}


def test_a_declined_place_is_refilled(client: Any, stack: Stack, roster: list[str]) -> None:
    from functions.adapters import links

    one, two, *_ = roster
    path = f"/staff/requests/{REQUEST}/activities/6/experts"  # the seminar: one expert
    browser = signed_in(client, "po-africa")
    assert invite(browser, [one], path).status_code == 200
    full = invite(browser, [two], path)
    assert full.status_code == 422 and "more experts than the places left" in text_of(full)
    service.answer_invitation(links.InvitationLink(REQUEST, 6, one), False, "En mission")
    assert invite(browser, [two], path).status_code == 200
    body = browser.get(path).body.decode("utf-8")
    assert "Declined" in body and "En mission" in body
    assert invitations_of(activity=6) == {one: "declined", two: "invited"}


@pytest.mark.parametrize("username", ["demo-viewer"])
def test_a_viewer_cannot_invite(client: Any, roster: list[str], username: str) -> None:
    browser = signed_in(client, username)
    page = browser.get(PAGE)
    answer = post(browser, PAGE + "/invite", [("_csrf", csrf_of(page)), ("experts", roster[0])])
    assert answer.status_code == 403
    assert invitations_of() == {}


def test_an_officer_cannot_invite_to_another_regions_activity(
    client: Any, roster: list[str]
) -> None:
    path = f"/staff/requests/{OTHER}/activities/5/experts"
    browser = signed_in(client, "po-africa")
    page = browser.get(path)
    assert page.status_code == 200 and 'name="experts"' not in page.body.decode("utf-8")
    answer = post(browser, path + "/invite", [("_csrf", csrf_of(page)), ("experts", roster[0])])
    assert answer.status_code == 403
    assert invitations_of(OTHER) == {}


def test_an_invitation_without_the_token_or_from_another_site_is_refused(
    client: Any, roster: list[str]
) -> None:
    browser = signed_in(client, "po-africa")
    browser.get(PAGE)
    assert post(browser, PAGE + "/invite", [("experts", roster[0])]).status_code == 403
    forged = post(browser, PAGE + "/invite", [("_csrf", "forged"), ("experts", roster[0])])
    assert forged.status_code == 403
    page = browser.get(PAGE)
    cross = post(
        browser,
        PAGE + "/invite",
        [("_csrf", csrf_of(page)), ("experts", roster[0])],
        headers={"Origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert invitations_of() == {}


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/requests/{REQUEST}/activities/9/experts",
        f"/staff/requests/{REQUEST}/activities/0/experts",
        f"/staff/requests/{REQUEST}/activities/{'9' * 40}/experts",
        f"/staff/requests/{'c' * 32}/activities/1/experts",
        "/staff/experts/nobody",
        f"/staff/experts/{'f' * 32}",
    ],
)
def test_nothing_there_is_not_found(client: Any, roster: list[str], path: str) -> None:
    assert signed_in(client, "demo-viewer").get(path).status_code == 404


def test_without_a_session_every_new_page_asks_to_sign_in(client: Any, roster: list[str]) -> None:
    from tests.integration.helpers import Browser

    for path in (PAGE, "/staff/experts", f"/staff/experts/{roster[0]}"):
        answer = Browser(client).get(path)
        assert answer.status_code == 303 and "/staff/sign-in" in answer.headers["Location"]


def test_the_roster_counts_by_member_state_and_pages_by_index(
    client: Any, stack: Stack, roster: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    register(client, registration(email="late@example.fr", name="Lea Late"))
    browser = signed_in(client, "demo-viewer")
    counts = browser.get("/staff/experts?lang=en")
    assert counts.status_code == 200
    body = counts.body.decode("utf-8")
    assert 'aria-current="page"' in body and ">Experts<" in body  # the nav entry
    row = body.split('data-member-state="FR"')[1].split("</tr>")[0]
    assert re.findall(r">\s*(\d+)\s*<", row) == ["4", "1"]  # active, awaiting confirmation

    monkeypatch.setattr(service, "ROSTER_PAGE", 3)
    first = browser.get("/staff/experts?member_state=FR&status=active")
    names = re.findall(r"/staff/experts/([0-9a-f]{32})\?", first.body.decode("utf-8"))
    assert len(names) == 3
    following = re.search(r'href="([^"]+)" rel="next"', first.body.decode("utf-8"))
    assert following
    rest = browser.get(html.unescape(following.group(1)))
    more = re.findall(r"/staff/experts/([0-9a-f]{32})\?", rest.body.decode("utf-8"))
    assert sorted(names + more) == sorted(roster)
    assert 'rel="next"' not in rest.body.decode("utf-8")
    pending = browser.get("/staff/experts?member_state=FR&status=pending")
    assert "Lea Late" in pending.body.decode("utf-8")
    # Hostile filters fall back, a forged cursor is refused: never a 500.
    assert browser.get("/staff/experts?member_state=<x>&status=drop").status_code == 200
    assert browser.get("/staff/experts?member_state=FR&after=bm90").status_code == 400


def test_an_experts_record_reads_the_registration_and_invitations(
    client: Any, roster: list[str]
) -> None:
    browser = signed_in(client, "po-africa")
    invite(browser, [roster[0]])
    answer = browser.get(f"/staff/experts/{roster[0]}?lang=en")
    assert answer.status_code == 200
    words = text_of(answer)
    assert "Expert 0" in words and "Ministère de l'Intérieur" in words  # read from the schema
    assert "Invited: waiting for the answer" in words
    assert f"/staff/requests/{REQUEST}/activities/5/experts" in answer.body.decode("utf-8")
    service.leave_roster(roster[0])
    assert browser.get(f"/staff/experts/{roster[0]}").status_code == 404


def test_a_scanner_fetching_every_new_page_changes_nothing(
    client: Any, stack: Stack, roster: list[str]
) -> None:
    browser = signed_in(client, "po-africa")
    before = stack.items()
    pages = (PAGE, "/staff/experts", "/staff/experts?member_state=FR")
    for path in (*pages, f"/staff/experts/{roster[0]}"):
        assert browser.get(path).status_code == 200
        head = browser.client.http.request("HEAD", path, headers=browser._headers())
        assert head.status_code == 200
    assert stack.items() == before


def test_the_dossier_links_each_activity_to_its_experts(client: Any, roster: list[str]) -> None:
    body = signed_in(client, "demo-viewer").get(f"/staff/requests/{REQUEST}").body.decode("utf-8")
    assert f"/staff/requests/{REQUEST}/activities/5/experts" in body
