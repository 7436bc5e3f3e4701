"""The workspace's results of an Action (issue 19): an activity's outcome recorded in the form
generated from ``$defs/outcome``, every bad field refused at its field, the evaluation figures
and comments, the rooms' QR codes, the publication switch; roles, regions and the anti-forgery
token as on every workspace page."""

from __future__ import annotations

import html
from typing import Any

import pytest

from functions.adapters import links
from functions.adapters.repository import repository
from functions.presentation.formspec import outcome_form
from functions.services import actions, evaluation, results
from tests.integration.helpers import Browser, path_of, run_workers
from tests.integration.staff import csrf_of, signed_in
from tests.integration.test_staff_dossier import (  # noqa: F401 - fixtures
    events,
    reviewed,
    with_action,
)
from tests.support import Stack

GOOD = {
    "participants.women": "12",
    "participants.men": "9",
    "participants.unstated": "1",
    "participants.by_institution.national_government": "15",
    "participants.by_institution.civil_society": "7",
    "deliverables.0.title": "Referral mechanism SOPs",
    "deliverables.0.kind": "sops",
    "deliverables.0.link": "https://example.org/sops.pdf",
    "deliverables.1.title": "Training curriculum for labour inspectors",
    "deliverables.1.kind": "training_curriculum",
    "narrative": "Two days with the ministry's working group.\r\nNext: the pilot.",
}


def outcome_path(request_id: str, number: int | str = 1) -> str:
    return f"/staff/requests/{request_id}/activities/{number}/outcome"


@pytest.fixture
def done(client: Any, stack: Stack, with_action: str) -> str:  # noqa: F811 - the fixture
    """The Action's first activity done (its emails sent)."""
    actions.set_activity_status(with_action, 1, "done")
    run_workers(client, stack)
    return with_action


def plan_of(request_id: str) -> dict[str, Any]:
    action = repository().get_action(request_id)
    assert action is not None
    return action.plan


def test_the_outcome_form_is_generated_from_the_schema(client: Any, done: str) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(outcome_path(done) + "?lang=en")
    assert page.status_code == 200
    body = page.body.decode()
    for spec in outcome_form().fields():
        assert f'name="{spec.name}"' in body, spec.name
    assert "Deliverable 3 (optional)" in body  # several rows on the page without JavaScript
    assert 'name="_csrf"' in body
    french = browser.get(outcome_path(done) + "?lang=fr").body.decode()
    assert "Femmes" in french and "Réalisation 3" in french


def test_an_officer_records_the_outcome_and_edits_it_later(client: Any, done: str) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(outcome_path(done))
    answer = browser.post(outcome_path(done), {"_csrf": csrf_of(page), **GOOD})
    assert answer.status_code == 200, answer.body
    assert "The outcome is recorded" in answer.body.decode()
    outcome = plan_of(done)["activities"][0]["outcome"]
    assert outcome["participants"] == {
        "women": 12,
        "men": 9,
        "unstated": 1,
        "by_institution": {"national_government": 15, "civil_society": 7},
    }
    assert [d["kind"] for d in outcome["deliverables"]] == ["sops", "training_curriculum"]
    assert outcome["narrative"] == "Two days with the ministry's working group.\nNext: the pilot."
    [recorded] = events(done, "outcome_recorded")
    assert recorded.actor.startswith("staff:") and recorded.detail["deliverables"] == 2

    again = browser.get(outcome_path(done)).body.decode()  # pre-filled
    assert 'value="Referral mechanism SOPs"' in again and 'value="12"' in again
    assert '<option value="training_curriculum" selected>' in again
    assert "Save the changes" in again
    changed = {**GOOD, "participants.women": "13", "participants.by_institution.civil_society": "8"}
    changed.pop("deliverables.1.title")
    changed.pop("deliverables.1.kind")
    answer = browser.post(outcome_path(done), {"_csrf": csrf_of(page), **changed})
    assert answer.status_code == 200, answer.body
    outcome = plan_of(done)["activities"][0]["outcome"]
    assert outcome["participants"]["women"] == 13 and len(outcome["deliverables"]) == 1
    assert len(events(done, "outcome_recorded")) == 2
    # The report's index counts it (services/results.py): by sex and by kind.
    digest = results.activity_digest(plan_of(done))[0]
    assert digest["participants"] == {"women": 13, "men": 9, "unstated": 1}
    assert digest["deliverables"] == ["sops"]


@pytest.mark.parametrize(
    ("field", "value", "anchor"),
    [
        ("participants.women", "-3", "f-participants-women"),
        ("participants.women", str(10**9), "f-participants-women"),
        ("participants.women", "douze", "f-participants-women"),
        ("participants.women", "1.5", "f-participants-women"),
        ("participants.women", "9" * 5000, "f-participants-women"),
        ("participants.women", "", "f-participants-women"),
        ("participants.men", "٣", "f-participants-men"),
        (
            "participants.by_institution.other",
            "5",
            "f-participants-by-institution-national-government",
        ),
        ("deliverables.0.kind", "poem", "f-deliverables-0-kind"),
        ("deliverables.0.kind", "", "f-deliverables-0-kind"),
        ("deliverables.0.link", "javascript:alert(1)", "f-deliverables-0-link"),
        ("deliverables.0.link", "http://example.org/x", "f-deliverables-0-link"),
        ("deliverables.0.link", 'https://x.org/"><script>', "f-deliverables-0-link"),
        ("deliverables.0.title", "ab", "f-deliverables-0-title"),
        ("deliverables.0.title", "SOPs\u0007", "f-deliverables-0-title"),
        ("deliverables.1.title", "referral MECHANISM sops ", "f-deliverables-1-title"),
        ("narrative", "x" * 2001, "f-narrative"),
        ("narrative", "Bell \u0007 here", "f-narrative"),
    ],
)
def test_a_bad_field_is_refused_at_the_field_and_nothing_changes(
    client: Any, done: str, field: str, value: str, anchor: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(outcome_path(done))
    before = repository().get_action(done)
    answer = browser.post(outcome_path(done), {"_csrf": csrf_of(page), **GOOD, field: value})
    assert answer.status_code == 422, (field, value)
    body = answer.body.decode()
    assert f'href="#{anchor}"' in body, body[body.find("error-summary") :][:600]
    assert 'aria-invalid="true"' in body
    assert "<script>" not in body.split("</header>", 1)[-1]  # every answer escaped
    assert repository().get_action(done) == before
    assert events(done, "outcome_recorded") == []


def test_fields_no_form_has_are_refused(client: Any, done: str) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(outcome_path(done))
    for extra in ({"participants.children": "3"}, {"budget": "100"}):
        answer = browser.post(outcome_path(done), {"_csrf": csrf_of(page), **GOOD, **extra})
        assert answer.status_code == 422, extra
    assert events(done, "outcome_recorded") == []


def test_hostile_text_is_stored_as_text_and_shown_escaped(client: Any, done: str) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(outcome_path(done))
    hostile = {
        **GOOD,
        "deliverables.0.title": "<script>alert('t')</script>",
        "narrative": "<img src=x onerror=alert(1)> & \u202egnp.exe",
    }
    assert browser.post(outcome_path(done), {"_csrf": csrf_of(page), **hostile}).status_code == 200
    for path in (outcome_path(done), f"/staff/requests/{done}/evaluation"):
        body = browser.get(path).body.decode()
        assert "<script>alert" not in body and "<img src=x" not in body
        assert html.escape("<script>alert('t')</script>", quote=True)[:20] in body


def test_an_activity_not_done_has_no_outcome(client: Any, with_action: str) -> None:  # noqa: F811
    browser = signed_in(client, "po-africa")
    page = browser.get(outcome_path(with_action))
    assert page.status_code == 200
    assert (
        "not done yet" in page.body.decode()
        and 'name="participants.women"' not in page.body.decode()
    )
    token = csrf_of(browser.get(f"/staff/requests/{with_action}"))
    answer = browser.post(outcome_path(with_action), {"_csrf": token, **GOOD})
    assert answer.status_code == 409
    assert "outcome" not in plan_of(with_action)["activities"][0]


@pytest.mark.parametrize("number", ["0", "7", "99", "x" * 40, "1x", "¹", str(10**9)])
def test_no_such_activity_is_not_found(client: Any, done: str, number: str) -> None:
    browser = signed_in(client, "po-africa")
    assert browser.get(outcome_path(done, number)).status_code == 404
    token = csrf_of(browser.get(outcome_path(done)))
    assert browser.post(outcome_path(done, number), {"_csrf": token, **GOOD}).status_code == 404


def test_viewers_read_the_results_and_change_nothing(client: Any, done: str) -> None:
    viewer = signed_in(client, "demo-viewer")
    assert viewer.get(outcome_path(done)).status_code == 403
    page = viewer.get(f"/staff/requests/{done}/evaluation")
    assert page.status_code == 200
    body = page.body.decode()
    assert "<svg" not in body and "/evaluate/room/" not in body  # the rooms' links: editors'
    assert 'name="public"' not in body
    token = csrf_of(page)
    assert viewer.post(outcome_path(done), {"_csrf": token, **GOOD}).status_code == 403
    answer = viewer.post(f"/staff/requests/{done}/publication", {"_csrf": token, "public": "yes"})
    assert answer.status_code == 403
    assert events(done, "outcome_recorded") == [] and events(done, "publication_changed") == []


def test_a_post_without_the_token_or_from_another_site_is_refused(client: Any, done: str) -> None:
    browser = signed_in(client, "po-africa")
    assert browser.post(outcome_path(done), GOOD).status_code == 403
    assert browser.post(outcome_path(done), {"_csrf": "forged", **GOOD}).status_code == 403
    token = csrf_of(browser.get(outcome_path(done)))
    from urllib.parse import urlencode

    headers = browser._headers(
        {"Content-Type": "application/x-www-form-urlencoded", "Origin": "https://evil.example"}
    )
    answer = client.http.post(
        outcome_path(done), body=urlencode({"_csrf": token, **GOOD}), headers=headers
    )
    assert answer.status_code == 403
    assert events(done, "outcome_recorded") == []
    signed_out = Browser(client).get(outcome_path(done))
    assert signed_out.status_code == 303 and "/staff/sign-in" in signed_out.headers["Location"]


def _answer(client: Any, url: str, fields: dict[str, str]) -> None:
    browser = Browser(client)
    page = browser.get(path_of(url))
    assert page.status_code == 200
    answer = browser.post(path_of(url), {"_csrf": browser.csrf_from(page), **fields})
    assert answer.status_code == 201, answer.body


def test_the_evaluation_page_shows_the_figures_comments_and_room_code(
    client: Any, done: str
) -> None:
    host = links.evaluation_url(evaluation.host_link(done, 1), "fr")
    room = links.evaluation_url(evaluation.room_link(done, 1), "ar")
    _answer(
        client,
        host,
        {
            "evaluation.satisfaction": "5",
            "evaluation.changes_work": "yes",
            "evaluation.comment": "<b>Très</b> utile",
        },
    )
    _answer(client, room, {"evaluation.satisfaction": "3", "evaluation.changes_work": "no"})
    _answer(
        client,
        room,
        {
            "evaluation.satisfaction": "4",
            "evaluation.changes_work": "partly",
            "evaluation.most_useful": "الأمثلة",
        },
    )
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{done}/evaluation?lang=en")
    assert page.status_code == 200
    body = page.body.decode()
    assert "&lt;b&gt;Très&lt;/b&gt; utile" in body and "<b>Très" not in body
    assert "الأمثلة" in body
    assert "4.0" in body  # (5 + 3 + 4) / 3
    assert "67 %" in body  # yes or partly: 2 of 3
    assert "Host institution" in body and "Participants" in body
    assert '<svg role="img" aria-label="QR code of the evaluation link of activity 1"' in body
    assert "/evaluate/room/" in body
    # The link shown opens the room's form.
    start = body.index("data-room-link>") + len("data-room-link>")
    shown = html.unescape(body[start : body.index("</a>", start)])
    assert Browser(client).get(path_of(shown)).status_code == 200
    dossier = browser.get(f"/staff/requests/{done}").body.decode()
    assert f"/staff/requests/{done}/activities/1/outcome" in dossier
    assert f"/staff/requests/{done}/evaluation" in dossier


def test_the_officer_switches_the_publication_and_the_public_pages_follow(
    client: Any, done: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{done}/evaluation")
    public = {a.request_id for a in results.public_actions()}
    was = done in public
    for choice, shown in (("no", False), ("yes", True), ("no", False)):
        answer = browser.post(
            f"/staff/requests/{done}/publication", {"_csrf": csrf_of(page), "public": choice}
        )
        assert answer.status_code == 200
        assert (done in {a.request_id for a in results.public_actions()}) is shown
        assert f'data-public="{choice}"' in answer.body.decode()
        listed = client.http.get("/activities?lang=en").body.decode()
        assert (plan_of(done)["title"] in listed) is shown
    changes = events(done, "publication_changed")
    assert [e.detail["public"] for e in changes] == ([False, True, False] if was else [True, False])
    assert all(e.actor.startswith("staff:") for e in changes)
    again = browser.post(
        f"/staff/requests/{done}/publication", {"_csrf": csrf_of(page), "public": "no"}
    )
    assert "nothing changed" in again.body.decode()
    for bad in ("", "maybe", "YES"):
        answer = browser.post(
            f"/staff/requests/{done}/publication", {"_csrf": csrf_of(page), "public": bad}
        )
        assert answer.status_code == 422
    assert len(events(done, "publication_changed")) == len(changes)


def test_a_request_without_an_action_has_no_results_page(client: Any, reviewed: str) -> None:  # noqa: F811
    browser = signed_in(client, "po-africa")
    assert browser.get(f"/staff/requests/{reviewed}/evaluation").status_code == 404
    assert browser.get(f"/staff/requests/{'f' * 32}/evaluation").status_code == 404


def test_each_deployed_expert_gets_a_personal_evaluation_link_once_in_their_language(
    client: Any, stack: Stack
) -> None:
    from functions.domain.experts import FocalPoint
    from functions.services import experts
    from tests.integration.helpers import mail_to, seed_committee
    from tests.integration.test_experts import _active_experts, _approved_with_action, registration

    experts.save_focal_point(
        FocalPoint("sgae", "FR", "Jeanne Focal", "jeanne@sgae.example.fr", "fr")
    )
    seed_committee()
    _approved_with_action(stack)
    request_id = "a" * 32
    one, two = _active_experts(client, "one@example.fr", "two@example.fr")
    spanish = registration(email="tres@example.es", name="Experta Tres", preferred_language="es")
    from tests.integration.test_experts import register

    three = str(__import__("json").loads(register(client, spanish).body)["id"])
    [(_, url)] = experts.focal_links(three)
    experts.answer_registration(
        links.read_focal_token(url.split("/confirm/")[1].split("?")[0]), True
    )
    # Activity 2 (a workshop) needs experts: one declines, two accept.
    places = repository().activity_invitations(request_id, 2)[0]
    experts.invite(request_id, 2, [one, two, three], "officer:po-africa")
    run_workers(client, stack)
    for expert_id, accept in ((one, False), (two, True), (three, True)):
        link = links.InvitationLink(request_id, 2, expert_id)
        experts.answer_invitation(link, accept, "" if accept else "En congé")
    assert places is None or places.places >= 2
    accepted = {
        i.expert_id
        for i in repository().activity_invitations(request_id, 2)[1]
        if i.status == "accepted"
    }
    assert accepted == {two, three}

    actions.set_activity_status(request_id, 2, "done")
    run_workers(client, stack)
    assert mail_to("one@example.fr", "evaluation_expert") == []  # declined: not deployed
    [french] = mail_to("two@example.fr", "evaluation_expert")
    [spanish_mail] = mail_to("tres@example.es", "evaluation_expert")
    assert "Merci d'avoir participé" in french.text and "Comment s'est passée" in french.subject
    assert "Gracias por participar" in spanish_mail.text
    # The link is the expert's own: one answer, counted as an expert's.
    path = path_of(french.link("/evaluate/"))
    assert "/evaluate/room/" not in path
    _answer(
        client,
        french.link("/evaluate/"),
        {"evaluation.satisfaction": "4", "evaluation.changes_work": "yes"},
    )
    again = Browser(client)
    assert "already" in again.get(path + "&lang=en").body.decode().lower()
    assert evaluation.action_figures(request_id).activities[2].by_role["expert"] == 1

    # Done again after a mistake: nobody is mailed twice.
    actions.set_activity_status(request_id, 2, "confirmed")
    actions.set_activity_status(request_id, 2, "done")
    run_workers(client, stack)
    assert len(mail_to("two@example.fr", "evaluation_expert")) == 1
    assert len(mail_to("tres@example.es", "evaluation_expert")) == 1
