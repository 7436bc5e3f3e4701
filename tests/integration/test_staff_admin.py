"""The workspace's administration over HTTP: the committee (members, observers, delegates with
their dates, Project Officers) and the national focal points. Administrators change; everyone
else reads the two lists and gets 403 for the rest; every bad answer comes back at its field
with nothing written; every change is in the administration's trail as ``staff:<sub>``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import pytest

from functions.adapters.repository import repository
from functions.domain.committee import Role
from functions.domain.experts import FocalPoint
from functions.web.staff.area import DECLARED
from tests.integration.helpers import Browser, seed_committee
from tests.integration.staff import csrf_of, signed_in, staff_accounts
from tests.support import Stack

Fields = Mapping[str, str | list[str]]

MEMBER = {
    "member.id": "dg-near-2",
    "member.name": "Nora Neighbour",
    "member.body": "DG NEAR",
    "member.email": "nora@near.example.org",
    "member.role": "voting",
    "member.language": "fr",
}
DELEGATE = {
    "delegate.member": "intpa",
    "delegate.name": "Dora Delegate",
    "delegate.email": "dora@intpa.example.org",
    "delegate.valid_from": "2027-01-04",
    "delegate.valid_until": "2027-01-29",
}
OFFICER: dict[str, str | list[str]] = {
    "officer.id": "po-latam",
    "officer.name": "Luisa Latam",
    "officer.email": "luisa@icmpd.example.org",
    "officer.regions": ["latin_america_caribbean", "africa"],
    "officer.language": "es",
}
FOCAL = {
    "focal_point.member_state": "FR",
    "focal_point.id": "sgae",
    "focal_point.name": "Claire Dubois",
    "focal_point.email": "claire@sgae.example.fr",
    "focal_point.language": "fr",
    "focal_point.copy_invitations": "true",
}


@pytest.fixture
def admin(client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Browser:
    """The committee of the other flows, the demo accounts, and the administrator signed in."""
    seed_committee()
    staff_accounts(stack, monkeypatch)
    return signed_in(client, "demo-admin")


def post(browser: Browser, path: str, fields: Fields, **headers: str) -> Any:
    """A form POST with the page's token (repeated names for checkboxes)."""
    sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}
    body = urlencode(dict(fields), doseq=True)
    return browser._keep(browser.client.http.post(path, body=body, headers=browser._headers(sent)))


def with_token(browser: Browser, form_page: str, fields: Fields) -> dict[str, Any]:
    return {"_csrf": csrf_of(browser.get(form_page)), **fields}


def errors_of(response: Any) -> list[str]:
    """The error summary's links (the fields named)."""
    return re.findall(r'<li><a href="#([^"]+)">', response.body.decode())


def trail() -> list[tuple[str, str, str]]:
    return [(e.action, e.detail["id"], e.actor) for e in repository().admin_events(50)]


# --- the pages and who may use them ------------------------------------------------------------

ADMIN_ROUTES = [
    ("GET", "/staff/committee/members"),
    ("POST", "/staff/committee/members"),
    ("GET", "/staff/committee/members/intpa"),
    ("POST", "/staff/committee/members/intpa"),
    ("GET", "/staff/committee/members/intpa/remove"),
    ("POST", "/staff/committee/members/intpa/remove"),
    ("GET", "/staff/committee/delegates"),
    ("POST", "/staff/committee/delegates"),
    ("POST", "/staff/committee/delegates/intpa/remove"),
    ("GET", "/staff/committee/officers"),
    ("POST", "/staff/committee/officers"),
    ("GET", "/staff/committee/officers/po-asia"),
    ("POST", "/staff/committee/officers/po-asia"),
    ("GET", "/staff/committee/officers/po-asia/remove"),
    ("POST", "/staff/committee/officers/po-asia/remove"),
    ("GET", "/staff/focal-points/add"),
    ("POST", "/staff/focal-points"),
    ("GET", "/staff/focal-points/FR/sgae"),
    ("POST", "/staff/focal-points/FR/sgae"),
    ("GET", "/staff/focal-points/FR/sgae/remove"),
    ("POST", "/staff/focal-points/FR/sgae/remove"),
]


def test_every_administration_route_is_declared_for_administrators_only(client: Any) -> None:
    declared = {
        (verb, path): roles
        for (verb, path), roles in DECLARED.items()
        if path.startswith(("/staff/committee", "/staff/focal-points"))
    }
    readable = {("GET", "/staff/committee"), ("GET", "/staff/focal-points")}
    readable |= {("GET", "/staff/focal-points/{member_state}")}
    for (verb, path), roles in declared.items():
        if (verb, path) in readable or verb == "HEAD":
            continue
        assert {r.value for r in roles} == {"administrator"}, (verb, path)
    assert len([k for k in declared if k[0] != "HEAD"]) == len(ADMIN_ROUTES) + 3


@pytest.mark.parametrize("username", ["demo-coordinator", "po-africa", "demo-viewer"])
def test_other_roles_read_the_lists_and_change_nothing(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch, username: str
) -> None:
    seed_committee()
    staff_accounts(stack, monkeypatch)
    repository().save_focal_point(FocalPoint("sgae", "FR", "Claire Dubois", "c@sgae.example.fr"))
    browser = signed_in(client, username)
    committee = browser.get("/staff/committee")
    assert committee.status_code == 200
    text = committee.body.decode()
    assert "Ana Intpa" in text and "Nils Near" in text and "Paula Africa" in text
    assert "Add a member" not in text and "/remove" not in text
    assert browser.get("/staff/focal-points").status_code == 200
    assert "Claire Dubois" in browser.get("/staff/focal-points/FR").body.decode()
    token = csrf_of(committee)
    for verb, path in ADMIN_ROUTES:
        answer = (
            browser.get(path)
            if verb == "GET"
            else post(browser, path, {"_csrf": token, **MEMBER, **FOCAL})
        )
        assert answer.status_code == 403, (verb, path)
    assert len(repository().members()) == 4 and trail() == []
    assert repository().focal_point("FR", "sgae") is not None


def test_without_a_session_every_route_leads_to_sign_in(client: Any) -> None:
    browser = Browser(client)
    for verb, path in [*ADMIN_ROUTES, ("GET", "/staff/committee"), ("GET", "/staff/focal-points")]:
        answer = browser.get(path) if verb == "GET" else post(browser, path, MEMBER)
        assert answer.status_code == 303, (verb, path)
        assert answer.headers["Location"].startswith("/staff/sign-in")


def test_the_committee_page_shows_members_observers_delegates_and_officers(
    admin: Browser,
) -> None:
    from datetime import date

    intpa = repository().member("intpa")
    assert intpa is not None
    from functions.domain.committee import Delegate

    delegate = Delegate("Dora Delegate", "dora@x.example.org", date(2020, 1, 1), date(2099, 1, 1))
    repository().save_member(intpa._replace(delegate=delegate))
    text = admin.get("/staff/committee?lang=fr").body.decode()
    observers = text.index("Observateurs") if "Observateurs" in text else text.index("Observers")
    assert text.index("Ana Intpa") < observers < text.index("Nils Near")
    assert "Dora Delegate" in text and "2099-01-01" in text
    assert "Paula Africa" in text and 'aria-current="page"' in text


# --- members ---------------------------------------------------------------------------------


def test_an_administrator_adds_changes_and_removes_a_member(admin: Browser) -> None:
    added = post(
        admin, "/staff/committee/members", with_token(admin, "/staff/committee/members", MEMBER)
    )
    assert added.status_code == 303 and "done=member_added" in added.headers["Location"]
    member = repository().member("dg-near-2")
    assert member is not None and member.language == "fr" and member.role is Role.VOTING
    assert "Nora Neighbour" in admin.get("/staff/committee").body.decode()

    form = admin.get("/staff/committee/members/dg-near-2")
    assert 'value="Nora Neighbour"' in form.body.decode() and "member.id" not in form.body.decode()
    changed = {**MEMBER, "member.role": "observer", "member.id": "ignored"}
    answer = post(admin, "/staff/committee/members/dg-near-2", {"_csrf": csrf_of(form), **changed})
    assert answer.status_code == 303
    stored = repository().member("dg-near-2")
    assert stored is not None and stored.role is Role.OBSERVER
    assert repository().member("ignored") is None

    confirm = admin.get("/staff/committee/members/dg-near-2/remove")
    assert "review links" in confirm.body.decode() and "under review" in confirm.body.decode()
    gone = post(admin, "/staff/committee/members/dg-near-2/remove", {"_csrf": csrf_of(confirm)})
    assert gone.status_code == 303 and repository().member("dg-near-2") is None
    actions = [(a, i) for a, i, _ in trail()]
    assert actions == [
        ("member_removed", "dg-near-2"),
        ("member_changed", "dg-near-2"),
        ("member_added", "dg-near-2"),
    ]
    assert all(actor.startswith("staff:") for _, _, actor in trail())
    [changed_line] = [e for e in repository().admin_events(5) if e.action == "member_changed"]
    assert (
        changed_line.detail["fields"] == ["role"]
        and changed_line.detail["username"] == "demo-admin"
    )
    assert "Nora" not in str([e.detail for e in repository().admin_events(5)])  # ids only


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"member.id": "intpa"}, "f-member-id"),  # taken
        ({"member.id": "Not An Id"}, "f-member-id"),
        ({"member.id": ""}, "f-member-id"),
        ({"member.id": "x" * 40}, "f-member-id"),
        ({"member.name": ""}, "f-member-name"),
        ({"member.name": "N\u0007ra"}, "f-member-name"),
        ({"member.name": "x" * 500}, "f-member-name"),
        ({"member.body": "DG MARE"}, "f-member-body"),
        ({"member.email": "not-an-address"}, "f-member-email"),
        ({"member.email": "a,b@near.example.org"}, "f-member-email"),
        ({"member.email": "ana@intpa.example.org"}, "f-member-email"),  # another member's
        ({"member.email": "x@" + "y" * 300 + ".org"}, "f-member-email"),
        ({"member.role": "chair"}, "f-member-role"),
        ({"member.language": "de"}, "f-member-language"),
    ],
)
def test_a_bad_member_is_refused_at_its_field(
    admin: Browser, change: dict[str, str], field: str
) -> None:
    fields = with_token(admin, "/staff/committee/members", {**MEMBER, **change})
    answer = post(admin, "/staff/committee/members", fields)
    assert answer.status_code == 422
    assert errors_of(answer) == [field]
    assert 'aria-invalid="true"' in answer.body.decode()
    assert len(repository().members()) == 4 and trail() == []


def test_unknown_fields_and_other_parts_are_refused(admin: Browser) -> None:
    fields = with_token(admin, "/staff/committee/members", {**MEMBER, "officer.id": "x"})
    assert post(admin, "/staff/committee/members", fields).status_code == 422
    fields = with_token(admin, "/staff/committee/members", {**MEMBER, "member.extra": "x"})
    assert post(admin, "/staff/committee/members", fields).status_code == 422
    assert repository().member("dg-near-2") is None


def test_the_last_voting_member_is_kept(admin: Browser) -> None:
    for member_id in ("home", "eeas"):
        page = admin.get(f"/staff/committee/members/{member_id}/remove")
        answer = post(
            admin, f"/staff/committee/members/{member_id}/remove", {"_csrf": csrf_of(page)}
        )
        assert answer.status_code == 303
    page = admin.get("/staff/committee/members/intpa/remove")
    refused = post(admin, "/staff/committee/members/intpa/remove", {"_csrf": csrf_of(page)})
    assert refused.status_code == 409 and "last voting member" in refused.body.decode()
    form = admin.get("/staff/committee/members/intpa")
    observer = {**MEMBER, "member.role": "observer", "member.email": "ana@intpa.example.org"}
    answer = post(admin, "/staff/committee/members/intpa", {"_csrf": csrf_of(form), **observer})
    assert answer.status_code == 422 and errors_of(answer) == ["f-member-role"]
    intpa = repository().member("intpa")
    assert intpa is not None and intpa.votes


def test_a_removed_member_s_review_link_stops_and_their_vote_no_longer_counts(
    admin: Browser,
) -> None:
    from functions.domain.voting import Choice, Outcome, decide, parse_rule

    members = repository().members()
    votes = {"home": Choice.REJECT, "intpa": Choice.APPROVE, "eeas": Choice.APPROVE}
    assert decide(parse_rule("unanimous"), members, votes) is Outcome.REJECTED
    page = admin.get("/staff/committee/members/home/remove")
    post(admin, "/staff/committee/members/home/remove", {"_csrf": csrf_of(page)})
    # What the review flow reads: the committee as it is now (no snapshot of the round).
    assert decide(parse_rule("unanimous"), repository().members(), votes) is Outcome.APPROVED


def test_missing_entries_are_404(admin: Browser) -> None:
    token = csrf_of(admin.get("/staff/committee/members"))
    for path in (
        "/staff/committee/members/nobody",
        "/staff/committee/members/nobody/remove",
        "/staff/committee/officers/nobody",
        "/staff/committee/officers/nobody/remove",
        "/staff/committee/members/" + "x" * 2000,
        "/staff/focal-points/FR/nobody",
        "/staff/focal-points/FR/nobody/remove",
    ):
        assert admin.get(path).status_code == 404, path
        assert post(admin, path, {"_csrf": token, **MEMBER, **FOCAL}).status_code == 404, path
    assert admin.get("/staff/focal-points/XX").status_code == 404
    assert (
        post(admin, "/staff/committee/delegates/home/remove", {"_csrf": token}).status_code == 404
    )
    assert trail() == []


# --- delegates -------------------------------------------------------------------------------


def test_an_administrator_gives_a_member_a_delegate_with_dates_and_ends_it(admin: Browser) -> None:
    form = admin.get("/staff/committee/delegates?member=intpa")
    body = form.body.decode()
    assert (
        '<option value="intpa" selected>' in body and "Nils Near" not in body
    )  # observers vote not
    answer = post(admin, "/staff/committee/delegates", {"_csrf": csrf_of(form), **DELEGATE})
    assert answer.status_code == 303
    intpa = repository().member("intpa")
    assert intpa is not None and intpa.delegate is not None
    assert intpa.delegate.valid_from.isoformat() == "2027-01-04"
    assert intpa.delegate.valid_until.isoformat() == "2027-01-29"
    again = admin.get("/staff/committee/delegates?member=intpa").body.decode()
    assert 'value="Dora Delegate"' in again and 'value="2027-01-29"' in again
    page = admin.get("/staff/committee")
    assert "Dora Delegate" in page.body.decode()
    ended = post(admin, "/staff/committee/delegates/intpa/remove", {"_csrf": csrf_of(page)})
    assert ended.status_code == 303
    intpa = repository().member("intpa")
    assert intpa is not None and intpa.delegate is None
    assert [a for a, _, _ in trail()] == ["delegate_removed", "delegate_saved"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"delegate.member": "nobody"}, "f-delegate-member"),
        ({"delegate.member": "near"}, "f-delegate-member"),  # an observer: no vote to delegate
        ({"delegate.member": ""}, "f-delegate-member"),
        ({"delegate.valid_until": "2027-01-03"}, "f-delegate-valid-until"),  # before the start
        ({"delegate.valid_from": "2027-02-30"}, "f-delegate-valid-from"),
        ({"delegate.valid_from": "04/01/2027"}, "f-delegate-valid-from"),
        ({"delegate.valid_until": ""}, "f-delegate-valid-until"),
        ({"delegate.email": "ana@intpa.example.org"}, "f-delegate-email"),  # the member's own
        ({"delegate.email": "dora"}, "f-delegate-email"),
        ({"delegate.name": ""}, "f-delegate-name"),
    ],
)
def test_a_bad_delegate_is_refused_at_its_field(
    admin: Browser, change: dict[str, str], field: str
) -> None:
    fields = with_token(admin, "/staff/committee/delegates", {**DELEGATE, **change})
    answer = post(admin, "/staff/committee/delegates", fields)
    assert answer.status_code == 422
    assert errors_of(answer) == [field]
    assert all(m.delegate is None for m in repository().members()) and trail() == []


# --- Project Officers ------------------------------------------------------------------------


def test_an_administrator_adds_changes_and_removes_a_project_officer(admin: Browser) -> None:
    answer = post(
        admin, "/staff/committee/officers", with_token(admin, "/staff/committee/officers", OFFICER)
    )
    assert answer.status_code == 303
    officer = repository().officer("po-latam")
    assert officer is not None and officer.regions == ("latin_america_caribbean", "africa")
    form = admin.get("/staff/committee/officers/po-latam")
    assert form.body.decode().count(" checked") >= 2
    fewer = {**OFFICER, "officer.regions": ["asia_pacific"]}
    post(admin, "/staff/committee/officers/po-latam", {"_csrf": csrf_of(form), **fewer})
    officer = repository().officer("po-latam")
    assert officer is not None and officer.regions == ("asia_pacific",)
    confirm = admin.get("/staff/committee/officers/po-latam/remove")
    post(admin, "/staff/committee/officers/po-latam/remove", {"_csrf": csrf_of(confirm)})
    assert repository().officer("po-latam") is None
    assert [a for a, _, _ in trail()] == ["officer_removed", "officer_changed", "officer_added"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"officer.id": "po-africa"}, "f-officer-id"),  # taken
        ({"officer.id": "PO Latam"}, "f-officer-id"),
        ({"officer.regions": ["atlantis"]}, "f-officer-regions"),
        ({"officer.regions": []}, "f-officer-regions"),
        ({"officer.regions": ["africa", "africa"]}, "f-officer-regions"),
        ({"officer.email": "luisa@"}, "f-officer-email"),
        ({"officer.name": "L"}, "f-officer-name"),
        ({"officer.language": "pt"}, "f-officer-language"),
        ({"officer.regions": ["africa"] * 200}, "f-officer-regions"),  # bounded before the schema
        ({"officer.email": "a" * 60_000 + "@x.org"}, "f-officer-email"),
    ],
)
def test_a_bad_project_officer_is_refused_at_its_field(
    admin: Browser, change: dict[str, Any], field: str
) -> None:
    fields = with_token(admin, "/staff/committee/officers", {**OFFICER, **change})
    answer = post(admin, "/staff/committee/officers", fields)
    assert answer.status_code == 422
    assert errors_of(answer) == [field]
    assert repository().officer("po-latam") is None and trail() == []


# --- focal points ----------------------------------------------------------------------------


def test_an_administrator_adds_changes_and_removes_a_focal_point(admin: Browser) -> None:
    overview = admin.get("/staff/focal-points").body.decode()
    assert overview.count('<th scope="row">') == 27
    answer = post(admin, "/staff/focal-points", with_token(admin, "/staff/focal-points/add", FOCAL))
    assert answer.status_code == 303 and answer.headers["Location"].startswith(
        "/staff/focal-points/FR"
    )
    assert repository().focal_point("FR", "sgae") == FocalPoint(
        "sgae", "FR", "Claire Dubois", "claire@sgae.example.fr", "fr", True
    )
    state = admin.get("/staff/focal-points/FR").body.decode()
    assert "Claire Dubois" in state and "claire@sgae.example.fr" in state
    form = admin.get("/staff/focal-points/FR/sgae")
    assert 'value="Claire Dubois"' in form.body.decode()
    changed = {**FOCAL, "focal_point.copy_invitations": "false", "focal_point.member_state": "DE"}
    post(admin, "/staff/focal-points/FR/sgae", {"_csrf": csrf_of(form), **changed})
    point = repository().focal_point("FR", "sgae")
    assert point is not None and point.copy_invitations is False
    assert repository().focal_points("DE") == []  # the member state is the URL's
    confirm = admin.get("/staff/focal-points/FR/sgae/remove")
    post(admin, "/staff/focal-points/FR/sgae/remove", {"_csrf": csrf_of(confirm)})
    assert repository().focal_point("FR", "sgae") is None
    assert [(a, i) for a, i, _ in trail()] == [
        ("focal_point_removed", "FR:sgae"),
        ("focal_point_changed", "FR:sgae"),
        ("focal_point_added", "FR:sgae"),
    ]
    assert "Focal point added" in admin.get("/staff/committee").body.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"focal_point.member_state": "GB"}, "f-focal-point-member-state"),
        ({"focal_point.member_state": ""}, "f-focal-point-member-state"),
        ({"focal_point.id": "Bad Id"}, "f-focal-point-id"),
        ({"focal_point.name": ""}, "f-focal-point-name"),
        ({"focal_point.email": "claire"}, "f-focal-point-email"),
        ({"focal_point.language": "it"}, "f-focal-point-language"),
        ({"focal_point.copy_invitations": "maybe"}, "f-focal-point-copy-invitations"),
    ],
)
def test_a_bad_focal_point_is_refused_at_its_field(
    admin: Browser, change: dict[str, str], field: str
) -> None:
    fields = with_token(admin, "/staff/focal-points/add", {**FOCAL, **change})
    answer = post(admin, "/staff/focal-points", fields)
    assert answer.status_code == 422
    assert errors_of(answer) == [field]
    assert repository().all_focal_points() == [] and trail() == []


def test_a_focal_point_id_is_taken_within_its_member_state_only(admin: Browser) -> None:
    post(admin, "/staff/focal-points", with_token(admin, "/staff/focal-points/add", FOCAL))
    again = post(admin, "/staff/focal-points", with_token(admin, "/staff/focal-points/add", FOCAL))
    assert again.status_code == 422 and errors_of(again) == ["f-focal-point-id"]
    german = {**FOCAL, "focal_point.member_state": "DE"}
    assert (
        post(
            admin, "/staff/focal-points", with_token(admin, "/staff/focal-points/add", german)
        ).status_code
        == 303
    )
    assert len(repository().all_focal_points()) == 2


def test_a_member_state_page_lists_the_registrations_awaiting_confirmation(
    admin: Browser, client: Any
) -> None:
    from functions.domain import schemas
    from functions.services import experts

    document = schemas.example("expert.schema.json")
    document["expert"]["member_state"] = "FR"
    experts.register(document)
    text = admin.get("/staff/focal-points/FR").body.decode()
    assert document["expert"]["name"] in text
    assert document["expert"]["name"] not in admin.get("/staff/focal-points/DE").body.decode()


# --- the POST checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/staff/committee/members", MEMBER),
        ("/staff/committee/delegates", DELEGATE),
        ("/staff/committee/officers", OFFICER),
        ("/staff/committee/members/intpa/remove", {}),
        ("/staff/focal-points", FOCAL),
    ],
)
def test_a_post_without_the_token_or_from_another_site_changes_nothing(
    admin: Browser, path: str, fields: Fields
) -> None:
    assert post(admin, path, fields).status_code == 403
    assert post(admin, path, {**fields, "_csrf": "forged"}).status_code == 403
    token = csrf_of(admin.get("/staff/committee"))
    crossed = post(admin, path, {**fields, "_csrf": token}, Origin="https://evil.example")
    assert crossed.status_code == 403
    fetched = post(admin, path, {**fields, "_csrf": token}, **{"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    assert trail() == [] and len(repository().members()) == 4


def test_another_staff_member_s_token_is_refused(admin: Browser, client: Any) -> None:
    other = signed_in(client, "demo-coordinator")
    token = csrf_of(other.get("/staff/committee"))
    assert post(admin, "/staff/committee/members", {**MEMBER, "_csrf": token}).status_code == 403


def test_hostile_answers_are_refused_quickly_and_at_their_fields(admin: Browser) -> None:
    hostile: dict[str, str | list[str]] = {
        **MEMBER,
        "member.name": "\u202e" + "x" * 100_000,
        "member.email": "@" * 50_000,
        "member.id": "\u0000",
        "member." + "deep." * 500 + "x": "1",
        "member.role": ["voting"] * 500,
    }
    answer = post(
        admin, "/staff/committee/members", with_token(admin, "/staff/committee/members", hostile)
    )
    assert answer.status_code in (400, 413, 422)
    many = {**OFFICER, "officer.regions": ["africa"] * 2000}
    answer = post(
        admin, "/staff/committee/officers", with_token(admin, "/staff/committee/officers", many)
    )
    assert answer.status_code in (400, 413, 422)
    assert repository().member("dg-near-2") is None and trail() == []
    assert repository().officer("po-latam") is None


def test_the_pages_speak_french(admin: Browser) -> None:
    text = admin.get("/staff/committee/delegates?lang=fr").body.decode()
    assert 'lang="fr"' in text
    assert "Premier jour de la délégation" in text
    answer = post(
        admin,
        "/staff/committee/delegates?lang=fr",
        with_token(
            admin,
            "/staff/committee/delegates?lang=fr",
            {**DELEGATE, "delegate.valid_until": "2027-01-01"},
        ),
    )
    assert answer.status_code == 422 and "Dernier jour de la délégation" in answer.body.decode()


def test_removing_the_member_a_round_waits_for_decides_it_and_mails_once(
    client: Any, stack: Stack, submitted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.helpers import PARTNER, mail_to, review_path, run_workers

    staff_accounts(stack, monkeypatch)
    for member in ("intpa", "eeas"):
        assert Browser(client).vote(review_path(member), "approve").status_code == 200
    request = repository().get_request(submitted)
    assert request is not None and request.status == "under_review"
    old_link = review_path("home")
    admin = signed_in(client, "demo-admin")
    page = admin.get("/staff/committee/members/home/remove")
    assert "1 request is under review now." in page.body.decode()
    assert (
        post(admin, "/staff/committee/members/home/remove", {"_csrf": csrf_of(page)}).status_code
        == 303
    )
    request = repository().get_request(submitted)
    assert request is not None and request.status == "approved"
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "decision_partner")) == 1
    assert Browser(client).get(old_link).status_code == 403  # the removed member's link
