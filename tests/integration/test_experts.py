"""The Expert Roster under moto: the registration form and API, the focal point's link."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.adapters import links
from functions.adapters.repository import repository
from functions.domain import schemas
from functions.domain.experts import FocalPoint
from functions.services import experts as service
from tests.integration.helpers import (
    JSON,
    Browser,
    form_fields_of,
    mail_to,
    path_of,
    run_workers,
    sent_mail,
)
from tests.support import Stack

FORM = "application/x-www-form-urlencoded"
ACCEPT_JSON = {"Accept": "application/json"}


def registration(**expert: Any) -> dict[str, Any]:
    document = schemas.example("expert.schema.json")
    document.pop("submission_id", None)
    document["expert"].update(expert)
    return document


def register(client: Any, document: dict[str, Any]) -> Any:
    return client.http.post("/experts", body=json.dumps(document), headers=JSON)


def expert_items(stack: Stack) -> list[dict[str, Any]]:
    """The stored registrations, as plain values."""
    from boto3.dynamodb.types import TypeDeserializer

    plain = TypeDeserializer().deserialize
    return [{k: plain(v) for k, v in item.items()} for item in stack.items_of_kind("expert")]


@pytest.fixture
def focal(stack: Stack) -> FocalPoint:
    point = FocalPoint("sgae", "FR", "Jeanne Focal", "jeanne@sgae.example.fr", "fr")
    service.save_focal_point(point)
    return point


@pytest.fixture
def registered(client: Any, stack: Stack, focal: FocalPoint) -> str:
    answer = register(client, registration())
    assert answer.status_code == 201, answer.body
    return str(json.loads(answer.body)["id"])


def form_of(document: dict[str, Any]) -> list[tuple[str, str]]:
    """A registration as the form posts it: repeated groups as ``name.<n>.field``."""
    fields: list[tuple[str, str]] = []
    for name, value in form_fields_of(document):
        if value.startswith("{"):  # an entry of a repeated group, as the helper writes it
            continue
        fields.append((name, value))
    for group in ("expertise.languages", "availability.unavailable"):
        section, _, key = group.partition(".")
        for index, entry in enumerate(document[section].get(key, [])):
            fields.extend((f"{group}.{index}.{k}", str(v)) for k, v in entry.items())
    return fields


def focal_path(expert_id: str) -> str:
    [(_, url)] = service.focal_links(expert_id)
    return path_of(url)


# --- the form and the API ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/experts", "/experts/"])
def test_the_form_is_generated_from_the_schema(client: Any, stack: Stack, path: str) -> None:
    page = client.http.get(path + "?lang=fr")
    body = page.body.decode("utf-8")
    assert page.status_code == 200
    assert '<html lang="fr"' in body
    assert 'action="/experts?lang=fr"' in body
    names = ["expert.member_state", "expertise.topics", "expertise.languages.0.level"]
    names += ["experience.countries", "availability.days_per_year", "expert.gender", "consent"]
    for name in names:
        assert f'name="{name}"' in body, name
    assert "Allemagne" in body  # member states named by CLDR in the page's language
    assert expert_items(stack) == []  # a GET stores nothing


def test_the_arabic_form_is_right_to_left(client: Any, stack: Stack) -> None:
    body = client.http.get("/experts?lang=ar").body.decode("utf-8")
    assert 'dir="rtl"' in body


def test_a_json_registration_is_stored_pending(client: Any, stack: Stack) -> None:
    answer = register(client, registration())
    assert answer.status_code == 201
    body = json.loads(answer.body)
    assert set(body) == {"id", "status"} and body["status"] == "pending"
    [item] = expert_items(stack)
    assert item["expert_status"] == "pending"
    assert item["roster_key"] == "STATE#FR#pending"
    keys_and_indexes = {k: str(v) for k, v in item.items() if k != "document"}
    assert "claire.martin" not in json.dumps(keys_and_indexes)
    assert stack.items_of_kind("expert_topic") == []  # not matched before it is confirmed


def test_a_second_registration_of_an_address_answers_alike_and_stores_nothing(
    client: Any, stack: Stack
) -> None:
    first, second = register(client, registration()), register(client, registration())
    assert first.status_code == second.status_code == 201
    assert json.loads(first.body)["id"] != json.loads(second.body)["id"]
    assert len(expert_items(stack)) == 1


@pytest.mark.parametrize(
    ("change", "path", "code"),
    [
        (lambda d: d["expert"].update(member_state="CH"), "/expert/member_state", "enum"),
        (lambda d: d["expert"].pop("administration"), "/expert/administration", "required"),
        (lambda d: d["expert"].update(email="not an address"), "/expert/email", "format"),
        (lambda d: d["expert"].update(email=".a@x.y"), "/expert/email", "format"),
        (lambda d: d["expert"].update(gender="robot"), "/expert/gender", "enum"),
        (lambda d: d["expert"].update(name="A\u0007B"), "/expert/name", "control_character"),
        (lambda d: d["expertise"].update(topics=[]), "/expertise/topics", "too_few"),
        (lambda d: d["expertise"].update(topics=["cooking"]), "/expertise/topics/0", "enum"),
        (
            lambda d: d["expertise"]["languages"][0].update(level="fluent"),
            "/expertise/languages/0/level",
            "enum",
        ),
        (lambda d: d["experience"].update(countries=["FR"]), "/experience/countries/0", "enum"),
        (
            lambda d: d["availability"].update(days_per_year=0),
            "/availability/days_per_year",
            "too_small",
        ),
        (
            lambda d: d["availability"].update(
                unavailable=[{"from": "2027-08-31", "to": "2027-07-01"}]
            ),
            "/availability/unavailable/0/to",
            "before_start",
        ),
        (lambda d: d.update(consent=False), "/consent", "roster_consent_required"),
        (lambda d: d.update(extra=1), "/extra", "unknown_field"),
    ],
)
def test_every_bad_field_is_refused_at_its_field(
    client: Any, stack: Stack, change: Any, path: str, code: str
) -> None:
    document = registration()
    change(document)
    answer = register(client, document)
    assert answer.status_code == 422, answer.body
    errors = json.loads(answer.body)["errors"]
    assert {"path": path, "code": code} in [{"path": e["path"], "code": e["code"]} for e in errors]
    assert expert_items(stack) == []


def test_a_hostile_registration_is_refused_quickly_and_whole(client: Any, stack: Stack) -> None:
    document = registration(email="a" * 20_000 + "@x.eu")  # within the 64 KiB body limit
    document["expertise"]["topics"] = ["border_management"] * 1000
    answer = register(client, document)
    assert answer.status_code == 422
    paths = {e["path"] for e in json.loads(answer.body)["errors"]}
    assert {"/expert/email", "/expertise/topics"} <= paths
    assert expert_items(stack) == []


def test_the_honeypot_gets_a_decoy(client: Any, stack: Stack) -> None:
    document = registration()
    document["website"] = "http://spam.example"
    assert register(client, document).status_code == 201
    assert expert_items(stack) == []


def test_the_form_posts_with_its_token_and_shows_errors_in_place(client: Any, stack: Stack) -> None:
    browser = Browser(client)
    page = browser.get("/experts?lang=fr")
    token = browser.csrf_from(page)
    fields = [*form_of(registration(name="")), ("_csrf", token), ("_html", "1")]
    answer = browser.client.http.post(
        "/experts?lang=fr",
        body=urlencode(fields),
        headers={**browser._headers({"Content-Type": FORM})},
    )
    body = answer.body.decode("utf-8")
    assert answer.status_code == 422
    assert 'href="#f-expert-name"' in body
    fields = [*form_of(registration()), ("_csrf", token), ("_html", "1")]
    answer = browser.client.http.post(
        "/experts?lang=fr",
        body=urlencode(fields),
        headers={**browser._headers({"Content-Type": FORM})},
    )
    assert answer.status_code == 201, answer.body
    [item] = expert_items(stack)
    assert item["member_state"] == "FR"


def test_a_form_post_without_the_token_is_refused(client: Any, stack: Stack) -> None:
    fields = [*form_of(registration()), ("_html", "1")]
    answer = client.http.post("/experts", body=urlencode(fields), headers={"Content-Type": FORM})
    assert answer.status_code == 403
    assert expert_items(stack) == []


def test_another_sites_post_is_refused(client: Any, stack: Stack) -> None:
    headers = {**JSON, "Sec-Fetch-Site": "cross-site"}
    answer = client.http.post("/experts", body=json.dumps(registration()), headers=headers)
    assert answer.status_code == 403
    assert expert_items(stack) == []


def test_the_schema_is_served(client: Any, stack: Stack) -> None:
    answer = client.http.get("/schemas/expert.json")
    assert json.loads(answer.body)["$id"] == "urn:mieux:schemas:expert"


# --- the focal point's link ----------------------------------------------------------------------


def test_the_focal_point_confirms_by_a_post_only(
    client: Any, stack: Stack, registered: str
) -> None:
    path = focal_path(registered)
    before = stack.items()
    for method in (client.http.get, client.http.head):  # what a mail scanner does
        assert method(path).status_code == 200
    assert stack.items() == before
    browser = Browser(client)
    page = browser.get(path)
    body = page.body.decode("utf-8")
    assert "Claire Martin" in body and "En attente du point focal" in body  # French page
    answer = browser.post(path, {"_csrf": browser.csrf_from(page), "answer": "confirm"})
    assert answer.status_code == 200
    [item] = expert_items(stack)
    assert item["expert_status"] == "active" and item["decided_by"] == "focal:FR:sgae"
    assert len(stack.items_of_kind("expert_topic")) == 2
    again = browser.post(
        path, {"_csrf": browser.csrf_from(page), "answer": "decline", "reason": "x"}
    )
    assert again.status_code == 409  # answered once


def test_a_decline_needs_a_reason(client: Any, stack: Stack, registered: str) -> None:
    path = focal_path(registered)
    browser = Browser(client)
    token = browser.csrf_from(browser.get(path))
    answer = browser.post(path, {"_csrf": token, "answer": "decline", "reason": " "})
    assert answer.status_code == 422
    assert expert_items(stack)[0]["expert_status"] == "pending"
    answer = browser.post(path, {"_csrf": token, "answer": "decline", "reason": "Pas chez nous"})
    assert answer.status_code == 200
    item = expert_items(stack)[0]
    assert (item["expert_status"], item["decline_reason"]) == ("declined", "Pas chez nous")
    assert stack.items_of_kind("expert_topic") == []


def test_an_answer_without_a_choice_or_token_changes_nothing(
    client: Any, stack: Stack, registered: str
) -> None:
    path = focal_path(registered)
    browser = Browser(client)
    token = browser.csrf_from(browser.get(path))
    assert browser.post(path, {"_csrf": token}).status_code == 422
    assert browser.post(path, {"_csrf": "forged", "answer": "confirm"}).status_code == 403
    assert Browser(client).post(path, {"answer": "confirm"}).status_code == 403
    assert expert_items(stack)[0]["expert_status"] == "pending"


def test_a_focal_link_of_another_member_state_or_a_removed_focal_point_is_refused(
    client: Any, stack: Stack, registered: str
) -> None:
    other = links.focal_token(links.FocalLink(registered, "DE", "sgae"))
    assert client.http.get(f"/experts/confirm/{other}").status_code == 403
    service.save_focal_point(FocalPoint("bamf", "DE", "Dieter", "d@bamf.example.de"))
    wrong = links.focal_token(links.FocalLink(registered, "DE", "bamf"))
    assert client.http.get(f"/experts/confirm/{wrong}").status_code == 403
    forged = focal_path(registered).replace("/confirm/", "/confirm/x")
    assert client.http.get(forged).status_code in (400, 403)
    status_token = links.status_token(registered)  # another purpose's token
    assert client.http.get(f"/experts/confirm/{status_token}").status_code in (400, 403)


# --- the expert's own page ------------------------------------------------------------------------


def test_the_experts_page_shows_the_registration_and_changes_nothing(
    client: Any, stack: Stack, registered: str
) -> None:
    path = path_of(service.page_url(registered, "en"))
    before = stack.items()
    for method in (client.http.get, client.http.head):
        assert method(path).status_code == 200
    assert stack.items() == before
    body = client.http.get(path).body.decode("utf-8")
    assert "Waiting for the focal point" in body and "Claire Martin" in body
    assert re.search(r"Trafficking in human beings", body)
    assert client.http.get("/experts/me?token=forged").status_code in (400, 403)


# --- the emails ---------------------------------------------------------------------------------


def test_a_registration_mails_the_expert_and_each_focal_point_once(
    client: Any, stack: Stack, registered: str
) -> None:
    run_workers(client, stack)
    run_workers(client, stack)  # nothing left: nothing sent twice
    [receipt] = mail_to("claire.martin@interieur.example.fr", "expert_receipt")
    assert receipt.language == "fr"
    assert "/experts/me?token=" in receipt.text
    [request] = mail_to("jeanne@sgae.example.fr", "focal_request")
    assert "claire.martin@" not in request.text  # the expert's address stays off the summary
    path = path_of(request.link("/experts/confirm/"))
    browser = Browser(client)
    page = browser.get(path)
    assert page.status_code == 200
    assert (
        browser.post(path, {"_csrf": browser.csrf_from(page), "answer": "confirm"}).status_code
        == 200
    )
    run_workers(client, stack)
    [decided] = mail_to("claire.martin@interieur.example.fr", "expert_decided")
    own_page = client.http.get(path_of(decided.link("/experts/me")))
    assert own_page.status_code == 200
    assert "Confirmé" in own_page.body.decode("utf-8") or "Confirmed" in own_page.body.decode(
        "utf-8"
    )
    assert len(sent_mail()) == 3


def refused(notes: Any) -> None:
    """The notifications queue, down."""
    from functions.domain.errors import Unavailable

    raise Unavailable("the queue is down")


def test_a_registration_whose_mail_the_queue_refused_is_mailed_by_the_sweeper(
    client: Any, stack: Stack, focal: FocalPoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.adapters import queue
    from functions.services.sweep import sweep

    publish = queue.publish_notifications
    monkeypatch.setattr(queue, "publish_notifications", refused)
    answer = register(client, registration())
    assert answer.status_code == 201  # stored: the queue's failure is not the person's
    run_workers(client, stack)
    assert mail_to("claire.martin@interieur.example.fr", "expert_receipt") == []
    assert sweep()["held_mail"] == 0  # still down: kept for the next run
    monkeypatch.setattr(queue, "publish_notifications", publish)
    assert sweep()["held_mail"] == 2  # the receipt and the focal point's request
    assert sweep()["held_mail"] == 0  # once
    run_workers(client, stack)
    assert len(mail_to("claire.martin@interieur.example.fr", "expert_receipt")) == 1
    assert len(mail_to("jeanne@sgae.example.fr", "focal_request")) == 1
    held = [i for i in stack.items() if i["kind"]["S"] == "held_mail"]
    assert held == []


def test_an_invitation_whose_mail_the_queue_refused_is_not_lost(
    client: Any, stack: Stack, training: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.adapters import queue
    from functions.services.sweep import sweep

    publish = queue.publish_notifications
    monkeypatch.setattr(queue, "publish_notifications", refused)
    sent = service.invite("a" * 32, 6, [training[1][0]], "operator").sent
    assert len(sent) == 1  # stored, and the officer is not told of a failure that is repaired
    held = [i for i in stack.items() if i["kind"]["S"] == "held_mail"]
    assert len(held) == 1 and "one@example.fr" not in json.dumps(held)  # ids only
    monkeypatch.setattr(queue, "publish_notifications", publish)
    sweep()
    run_workers(client, stack)
    assert len(mail_to("one@example.fr", "invitation")) == 1


def test_a_registration_with_no_focal_point_still_gets_its_receipt(
    client: Any, stack: Stack
) -> None:
    assert register(client, registration(member_state="MT")).status_code == 201
    run_workers(client, stack)
    assert [m.kind for m in sent_mail()] == ["expert_receipt"]


# --- matching -------------------------------------------------------------------------------------


def test_matching_reads_by_index_the_same_items_whatever_the_roster(stack: Stack) -> None:
    from infra.bench import matching

    counted = []
    written = 0
    for size in (60, 400):
        matching.fill_roster(stack.env["TABLE_NAME"], size - written, written)
        written = size
        with matching.counting() as reads:
            found, reported = repository().active_experts_of_topics([matching.TOPIC])
        counted.append(reads.items)
        assert len(found) == matching.CANDIDATES
        assert reported == reads.items  # the repository's own count is what DynamoDB read
        assert "Scan" not in reads.operations
    assert counted[0] == counted[1] == 2 * matching.CANDIDATES


def _approved_with_action(stack: Stack) -> str:
    from functions.adapters.repository import repository
    from tests.contract import factories as make

    store = repository()
    request = make.request("a" * 32, status="approved", language="en", region="africa")
    store.create_request(request, make.event(request.request_id), None)
    from functions.services.actions import normalised

    plan = normalised(schemas.example("action.schema.json"))
    action = make.action(request.request_id, plan=plan, version=0)
    assert store.save_action(
        action._replace(version=1), make.event(request.request_id, "action"), None
    )
    return request.reference


def test_the_ops_command_ranks_the_experts_for_an_activity_and_says_why(
    client: Any, stack: Stack, focal: FocalPoint
) -> None:
    from click.testing import CliRunner

    from functions.ops.__main__ import cli

    reference = _approved_with_action(stack)
    ghana = registration(email="ghana@example.fr")
    ghana["experience"] = {"countries": ["GH"], "regions": ["africa"]}
    plain = registration(email="plain@example.fr", name="Paul Plain")
    plain["experience"] = {}
    unrelated = registration(email="visa@example.fr", name="Vera Visa")
    unrelated["expertise"]["topics"] = ["visa_and_mobility"]
    ids = [json.loads(register(client, d).body)["id"] for d in (ghana, plain, unrelated)]
    pending = register(client, registration(email="late@example.fr", name="Lea Late"))
    assert pending.status_code == 201
    for expert_id in ids:
        [(_, url)] = service.focal_links(expert_id)
        service.answer_registration(
            links.read_focal_token(url.split("/confirm/")[1].split("?")[0]), True
        )

    result = CliRunner().invoke(cli, ["experts", "match", reference, "5"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        "training" in lines[0] and "2 candidate(s)" in lines[0] and "6 item(s) read" in lines[0]
    )  # 2 x 2 topic entries, 2 profiles
    assert lines[1].startswith("  1.") and "Claire Martin" in lines[1]
    assert "knows the country" in lines[2] and "topic: trafficking_in_human_beings" in lines[2]
    assert "Paul Plain" in lines[4] and "not: " in lines[6] and "knows the country" in lines[6]
    assert "Vera Visa" not in result.output and "Lea Late" not in result.output
    missing = CliRunner().invoke(cli, ["experts", "match", reference, "9"])
    assert missing.exit_code != 0 and "no activity" in missing.output


def test_focal_points_are_managed_by_the_ops_command(stack: Stack) -> None:
    from click.testing import CliRunner

    from functions.ops.__main__ import cli

    ops = CliRunner()
    added = ops.invoke(cli, ["focal", "add", "--member-state", "DE", "--id", "bamf", "--name",
                             "Dieter", "--email", "d@bamf.example.de"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "bamf" in ops.invoke(cli, ["focal", "list", "--member-state", "DE"]).output
    bad = ops.invoke(cli, ["focal", "add", "--member-state", "DE", "--id", "x", "--name", "X",
                           "--email", "not an address"])  # fmt: skip
    assert bad.exit_code != 0 and "address" in bad.output
    assert ops.invoke(cli, ["focal", "add", "--member-state", "CH", "--id", "x", "--name", "X",
                            "--email", "x@x.ch"]).exit_code != 0  # fmt: skip
    assert (
        ops.invoke(cli, ["focal", "remove", "--member-state", "DE", "--id", "bamf"]).exit_code == 0
    )
    assert (
        ops.invoke(cli, ["focal", "remove", "--member-state", "DE", "--id", "bamf"]).exit_code != 0
    )


# --- invitations ----------------------------------------------------------------------------------


def _active_experts(client: Any, *emails: str) -> list[str]:
    ids = []
    for number, email in enumerate(emails):
        document = registration(email=email, name=f"Expert {number}")
        ids.append(json.loads(register(client, document).body)["id"])
    for expert_id in ids:
        [(_, url)] = service.focal_links(expert_id)
        token = url.split("/confirm/")[1].split("?")[0]
        service.answer_registration(links.read_focal_token(token), True)
    return ids


@pytest.fixture
def training(client: Any, stack: Stack, focal: FocalPoint) -> tuple[str, list[str]]:
    """An approved request whose Action's activity 6 (a seminar) needs one expert, and three
    active experts; the Project Officers seeded."""
    from tests.integration.helpers import seed_committee

    seed_committee()
    reference = _approved_with_action(stack)
    ids = _active_experts(client, "one@example.fr", "two@example.fr", "three@example.fr")
    run_workers(client, stack)
    return reference, ids


def invitation_path(address: str) -> str:
    [mail] = mail_to(address, "invitation")[-1:]
    return path_of(mail.link("/experts/invitation/"))


def test_invitations_fill_the_place_first_come_and_a_decline_frees_it(
    client: Any, stack: Stack, training: tuple[str, list[str]]
) -> None:
    from tests.integration.helpers import seed_committee  # noqa: F401 - seeded by the fixture

    request_id = "a" * 32
    one, two, three = training[1]
    result = service.invite(request_id, 6, [one, two], "officer:po-africa")
    assert [i.expert_id for i in result.sent] == [one, two]
    again = service.invite(request_id, 6, [one, "nobody"], "officer:po-africa")
    assert again.sent == [] and again.skipped == {
        one: "invited already",
        "nobody": "no such expert",
    }
    run_workers(client, stack)
    first, second = invitation_path("one@example.fr"), invitation_path("two@example.fr")

    before = stack.items()
    for method in (client.http.get, client.http.head):  # a mail scanner
        assert method(first).status_code == 200
    assert stack.items() == before

    browser = Browser(client)
    page = browser.get(first)
    assert "Places left" in page.body.decode("utf-8") or "Places restantes" in page.body.decode()
    token = browser.csrf_from(page)
    assert browser.post(first, {"_csrf": token, "answer": "decline"}).status_code == 422
    assert (
        browser.post(first, {"_csrf": token, "answer": "decline", "reason": "En congé"}).status_code
        == 200
    )
    assert browser.post(first, {"_csrf": token, "answer": "accept"}).status_code == 409
    run_workers(client, stack)
    [freed] = mail_to("paula@icmpd.example.org", "invitation_freed")
    assert "6" in freed.text

    other = Browser(client)
    token = other.csrf_from(other.get(second))
    assert other.post(second, {"_csrf": token, "answer": "accept"}).status_code == 200
    places, invitations = repository().activity_invitations(request_id, 6)
    assert places is not None and (places.filled, places.places) == (1, 1)
    assert {i.expert_id: i.status for i in invitations} == {one: "declined", two: "accepted"}

    # A third invitation after the place was taken: the acceptance finds it full.
    service.invite(request_id, 6, [three], "officer:po-africa")
    run_workers(client, stack)
    late = invitation_path("three@example.fr")
    third = Browser(client)
    token = third.csrf_from(third.get(late))
    answer = third.post(late, {"_csrf": token, "answer": "accept"})
    assert answer.status_code == 200
    assert repository().get_invitation(request_id, 6, three).status == "full"  # type: ignore[union-attr]

    # The partner's status page lists the confirmed expert, who agreed to it.
    status = client.http.get(path_of(links.status_url(request_id, "en")))
    body = status.body.decode("utf-8")
    assert "Experts taking part" in body and "Expert 1" in body
    assert "Expert 0" not in body and "Expert 2" not in body
    deployed = repository().get_expert(two)
    assert deployed is not None and deployed.deployments == 1


def test_an_expert_who_did_not_agree_is_not_listed_to_the_partner(
    client: Any, stack: Stack, training: tuple[str, list[str]], focal: FocalPoint
) -> None:
    private = registration(email="private@example.fr", name="Pia Private")
    private["share_with_partners"] = False
    [expert_id] = [json.loads(register(client, private).body)["id"]]
    [(_, url)] = service.focal_links(expert_id)
    service.answer_registration(
        links.read_focal_token(url.split("/confirm/")[1].split("?")[0]), True
    )
    service.invite("a" * 32, 6, [expert_id], "operator")
    run_workers(client, stack)
    path = invitation_path("private@example.fr")
    browser = Browser(client)
    assert (
        browser.post(
            path, {"_csrf": browser.csrf_from(browser.get(path)), "answer": "accept"}
        ).status_code
        == 200
    )
    body = client.http.get(path_of(links.status_url("a" * 32, "en"))).body.decode("utf-8")
    assert "Pia Private" not in body
    status = client.http.get(path_of(links.status_url("a" * 32)), headers=ACCEPT_JSON)
    assert json.loads(status.body)["experts"] == []


def test_the_json_status_lists_the_confirmed_experts_as_the_page_does(
    client: Any, stack: Stack, training: tuple[str, list[str]]
) -> None:
    one, two, _ = training[1]
    service.invite("a" * 32, 5, [one, two], "operator")
    service.answer_invitation(links.InvitationLink("a" * 32, 5, one), True)
    service.answer_invitation(links.InvitationLink("a" * 32, 5, two), False, "Busy")
    answer = client.http.get(path_of(links.status_url("a" * 32)), headers=ACCEPT_JSON)
    assert answer.status_code == 200
    assert json.loads(answer.body)["experts"] == [
        {
            "activity": 5,
            "name": "Expert 0",
            "administration": registration()["expert"]["administration"],
            "member_state": "FR",
        }
    ]


def test_silence_past_the_deadline_frees_the_place_after_a_reminder(
    client: Any, stack: Stack, training: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import timedelta

    from functions.domain import clock
    from functions.services.sweep import sweep

    one = training[1][0]
    service.invite("a" * 32, 6, [one], "officer:po-africa")
    run_workers(client, stack)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=6))
    assert sweep()["invitations"] == 1  # the reminder
    assert sweep()["invitations"] == 0  # once
    run_workers(client, stack)
    assert len(mail_to("one@example.fr", "invitation_reminder")) == 1
    path = invitation_path("one@example.fr")
    browser = Browser(client)
    token = browser.csrf_from(browser.get(path))  # the page read before the deadline
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=8))
    assert "answer-accept" not in browser.get(path).body.decode("utf-8")  # closed now
    assert browser.post(path, {"_csrf": token, "answer": "accept"}).status_code == 409  # too late
    assert sweep()["invitations"] == 1  # expired
    run_workers(client, stack)
    assert repository().get_invitation("a" * 32, 6, one).status == "expired"  # type: ignore[union-attr]
    assert len(mail_to("paula@icmpd.example.org", "invitation_freed")) == 1


def test_a_focal_point_that_asks_gets_a_copy_of_each_invitation(
    client: Any, stack: Stack, training: tuple[str, list[str]]
) -> None:
    service.save_focal_point(
        FocalPoint("copy", "FR", "Carla Copy", "carla@sgae.example.fr", "fr", copy_invitations=True)
    )
    service.invite("a" * 32, 6, [training[1][0]], "operator")
    run_workers(client, stack)
    [copy] = mail_to("carla@sgae.example.fr", "invitation")
    assert "/experts/invitation/" not in copy.text  # the copy holds no link to answer
    assert mail_to("jeanne@sgae.example.fr", "invitation") == []  # it did not ask


def test_the_report_shows_deployments_by_member_state_gender_action_and_the_roster(
    client: Any, stack: Stack, training: tuple[str, list[str]], tmp_path: Any
) -> None:
    from click.testing import CliRunner

    from functions.ops.__main__ import cli

    reference, (one, _, _) = training
    male = registration(email="de@example.de", name="Dieter", member_state="DE", gender="male")
    register(client, male)  # pending: counted in the roster, not active
    service.invite("a" * 32, 6, [one], "operator")
    run_workers(client, stack)
    path = invitation_path("one@example.fr")
    browser = Browser(client)
    assert (
        browser.post(
            path, {"_csrf": browser.csrf_from(browser.get(path)), "answer": "accept"}
        ).status_code
        == 200
    )
    out = tmp_path / "report.html"
    accepted = repository().get_invitation("a" * 32, 6, one)
    assert accepted is not None and accepted.responded_at is not None
    year = accepted.responded_at[:4]
    result = CliRunner().invoke(cli, ["report", "--year", year, "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")

    def table(key: str) -> str:
        section = html.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
        return str(section.split("<table>")[1])

    assert "France" in table("experts_member_state") and "Germany" not in table(
        "experts_member_state"
    )
    assert "Female" in table("experts_gender") and "Male" not in table("experts_gender")
    assert reference in table("deployments_action")
    assert "Seminar" in table("deployments_type")
    roster = html.split('<section id="roster">', 1)[1].split("</section>", 1)[0]
    assert "4 registration(s), 3 active (75%)" in roster
    assert "Germany" in roster and "France" in roster


# --- leaving the roster ---------------------------------------------------------------------------


def test_the_expert_leaves_by_a_post_after_being_asked(
    client: Any, stack: Stack, training: tuple[str, list[str]]
) -> None:
    one = training[1][0]
    service.invite("a" * 32, 6, [one], "operator")
    run_workers(client, stack)
    path = invitation_path("one@example.fr")
    browser = Browser(client)
    assert (
        browser.post(
            path, {"_csrf": browser.csrf_from(browser.get(path)), "answer": "accept"}
        ).status_code
        == 200
    )
    own = path_of(service.page_url(one, "en"))
    page = client.http.get(own).body.decode("utf-8")
    assert "Accepted: you take part" in page and "/experts/me/leave?token=" in page
    leave = own.replace("/experts/me?", "/experts/me/leave?")
    before = stack.items()
    for method in (client.http.get, client.http.head):  # asks first, changes nothing
        assert method(leave).status_code == 200
    assert stack.items() == before
    asker = Browser(client)
    token = asker.csrf_from(asker.get(leave))
    assert Browser(client).post(leave, {"_csrf": token}).status_code == 403  # without the cookie
    assert asker.post(leave, {"_csrf": token}).status_code == 200
    assert client.http.get(own).status_code == 404
    assert asker.post(leave, {"_csrf": token}).status_code == 404  # once
    assert service.match("a" * 32, 6).matches[0].expert.expert_id != one  # no longer matched
    from functions.services.sweep import sweep

    assert sweep()["experts_left"] == 1  # the sweeper erases: the API deletes nothing
    assert sweep()["experts_left"] == 0
    left = json.dumps(stack.items())
    assert "one@example.fr" not in left and "Expert 0" not in left
    assert [e["member_state"] for e in stack.items_of_kind("invitation")] == [{"S": "FR"}]


def test_ops_erase_removes_an_expert_by_address(
    client: Any, stack: Stack, training: tuple[str, list[str]]
) -> None:
    from click.testing import CliRunner

    from functions.ops.__main__ import cli

    result = CliRunner().invoke(cli, ["erase", "--email", "two@example.fr", "--yes"])
    assert result.exit_code == 0, result.output
    assert repository().get_expert(training[1][1]) is None
    assert "two@example.fr" not in json.dumps(stack.items())
