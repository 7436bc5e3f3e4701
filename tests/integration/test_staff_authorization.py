"""Who may change what in the staff workspace: roles, regions, and the audit trail's identity.

The routes come from the app (``area.DECLARED``, filled as each blueprint declares its pages):
a route added later is checked here without editing this file.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from functions.adapters.repository import repository
from functions.domain.staff import StaffRole
from tests.integration.helpers import Browser, seed_committee, submit
from tests.integration.staff import csrf_of, signed_in, staff_accounts
from tests.support import Stack


@pytest.fixture
def two_regions(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """A request from Africa (po-africa's region) and one from Asia (po-asia's); by region."""
    staff_accounts(stack, monkeypatch)
    seed_committee()
    africa = submit(client, valid_request)
    asian = copy.deepcopy(valid_request)
    asian["institution"]["country"] = "BD"
    asian["submission_id"] = "0f5c3a52-5f8e-4d6e-9c55-9d1b5a0c2b11"
    asia = submit(client, asian)
    regions = {repository().get_request(i).region: i for i in (africa, asia)}  # type: ignore[union-attr]
    assert set(regions) == {"africa", "asia_pacific"}
    return regions


def staff_posts() -> list[tuple[str, frozenset[StaffRole]]]:
    import app  # noqa: F401  (registers every blueprint)
    from functions.web.staff.area import DECLARED

    return sorted((path, roles) for (verb, path), roles in DECLARED.items() if verb == "POST")


def concrete(path: str, request_id: str) -> str:
    return re.sub(r"\{[^}]+\}", request_id, path)


def notes_of(request_id: str) -> list[Any]:
    return [e for e in repository().partition(request_id).events if e.action == "note"]


def test_an_officer_adds_a_note_in_their_region_with_their_identity(
    client: Any, two_regions: dict[str, str]
) -> None:
    browser = signed_in(client, "po-africa")
    request_id = two_regions["africa"]
    page = browser.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200
    answer = browser.post(
        f"/staff/requests/{request_id}/notes",
        {"_csrf": csrf_of(page), "note": "Called the ministry: the dates move."},
    )
    assert answer.status_code == 200, answer.body
    [note] = notes_of(request_id)
    assert note.actor.startswith("staff:") and len(note.actor) > len("staff:")
    assert note.detail == {"text": "Called the ministry: the dates move.", "username": "po-africa"}
    assert note.public is False
    assert "Called the ministry" in answer.body.decode()


def test_an_officer_cannot_change_another_regions_request(
    client: Any, two_regions: dict[str, str]
) -> None:
    browser = signed_in(client, "po-africa")
    request_id = two_regions["asia_pacific"]
    page = browser.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200  # reads all
    assert 'name="note"' not in page.body.decode()  # no form to change it
    for path, _ in staff_posts():
        if "{request_id}" not in path:
            continue
        answer = browser.post(
            concrete(path, request_id), {"_csrf": csrf_of(page), "note": "Not mine to write."}
        )
        assert answer.status_code == 403, path
        assert "Your role does not allow this" in answer.body.decode()
    assert notes_of(request_id) == []


def test_a_coordinator_changes_every_region(client: Any, two_regions: dict[str, str]) -> None:
    browser = signed_in(client, "demo-coordinator")
    for request_id in two_regions.values():
        page = browser.get(f"/staff/requests/{request_id}")
        answer = browser.post(
            f"/staff/requests/{request_id}/notes", {"_csrf": csrf_of(page), "note": "Seen."}
        )
        assert answer.status_code == 200
        assert len(notes_of(request_id)) == 1


def test_a_viewer_reads_everything_and_changes_nothing(
    client: Any, stack: Stack, two_regions: dict[str, str]
) -> None:
    browser = signed_in(client, "demo-viewer")
    request_id = two_regions["africa"]
    page = browser.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200
    assert browser.get("/staff").status_code == 200
    before = stack.items()
    changing = [(p, r) for p, r in staff_posts() if StaffRole.VIEWER not in r]
    assert changing  # the walk found the workspace's changes
    for path, _ in changing:
        answer = browser.post(concrete(path, request_id), {"_csrf": csrf_of(page), "note": "x"})
        assert answer.status_code == 403, path
    after = stack.items()
    # Nothing but the sign-in's rate counter may have moved.
    assert [i for i in after if i.get("kind", {}).get("S") != "rate"] == [
        i for i in before if i.get("kind", {}).get("S") != "rate"
    ]


@pytest.mark.parametrize(
    "note, code",
    [("", "Write the note"), ("x" * 3001, "3000 characters"), ("bell \x07", "control character")],
)
def test_a_bad_note_is_refused_at_its_field_and_nothing_is_saved(
    client: Any, two_regions: dict[str, str], note: str, code: str
) -> None:
    browser = signed_in(client, "po-africa")
    request_id = two_regions["africa"]
    page = browser.get(f"/staff/requests/{request_id}")
    answer = browser.post(
        f"/staff/requests/{request_id}/notes", {"_csrf": csrf_of(page), "note": note}
    )
    assert answer.status_code == 422
    body = answer.body.decode()
    assert 'href="#note"' in body and code in body
    assert notes_of(request_id) == []


def test_a_dossier_of_no_request_is_not_found(client: Any, two_regions: dict[str, str]) -> None:
    browser = signed_in(client, "demo-admin")
    assert browser.get("/staff/requests/0123456789abcdef0123456789abcdef").status_code == 404


def test_the_queue_shows_a_status_and_a_region(client: Any, two_regions: dict[str, str]) -> None:
    browser = signed_in(client, "po-africa")
    submitted = browser.get("/staff?status=submitted").body.decode()
    stored = [repository().get_request(i) for i in two_regions.values()]
    references = {request.reference for request in stored if request is not None}
    assert len(references) == 2
    assert all(reference in submitted for reference in references)
    mine = browser.get("/staff?status=submitted&mine=1").body.decode()
    africa = repository().get_request(two_regions["africa"])
    asia = repository().get_request(two_regions["asia_pacific"])
    assert africa is not None and asia is not None
    assert africa.reference in mine and asia.reference not in mine
    assert "Paula Africa" in mine  # the region's Project Officer


def test_an_altered_queue_cursor_is_a_clear_error(client: Any, two_regions: dict[str, str]) -> None:
    browser = signed_in(client, "po-africa")
    assert browser.get("/staff?after=not-a-cursor").status_code == 400


# --- every route under /staff, from the app ------------------------------------------------------

# The sign-in itself answers without a session (its steps are the way to get one).
OPEN_WITHOUT_SESSION = frozenset({"/staff/sign-in", "/staff/sign-in/step"})


def staff_routes() -> list[tuple[str, str]]:
    """(method, path) of every route under /staff the app serves (HEAD aside), from app.routes:
    a route added later is walked here without editing this file."""
    import app

    return sorted(
        (method, path)
        for path, methods in app.app.routes.items()
        if path == "/staff" or path.startswith("/staff/")
        for method in methods
        if method != "HEAD"
    )


def filled(path: str, request_id: str) -> str:
    """A route's path with a real request id, and "1" for every other placeholder."""
    return re.sub(r"\{[^}]+\}", "1", path.replace("{request_id}", request_id))


def without_rate(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in items if i.get("kind", {}).get("S") != "rate"]


def test_the_walk_finds_the_workspace(client: Any) -> None:
    routes = staff_routes()
    assert ("GET", "/staff") in routes and ("POST", "/staff/requests/{request_id}/notes") in routes
    assert ("POST", "/staff/requests/{request_id}/deadline") in routes
    assert len([r for r in routes if r[1] not in OPEN_WITHOUT_SESSION]) >= 8


def test_no_workspace_route_answers_without_a_session(
    client: Any, stack: Stack, two_regions: dict[str, str]
) -> None:
    request_id = two_regions["africa"]
    before = without_rate(stack.items())
    stranger = Browser(client)
    walked = 0
    for method, path in staff_routes():
        if path in OPEN_WITHOUT_SESSION:
            continue
        url = filled(path, request_id)
        if method == "GET":
            answer = stranger.get(url)
            assert answer.status_code == 303, (method, path, answer.status_code)
            assert answer.headers["Location"].startswith("/staff/sign-in"), path
        else:
            fields = {"note": "x", "reason": "x", "status": "done", "answer_by": "2099-01-01"}
            answer = stranger.post(url, {**fields, "_csrf": "forged"})
            assert answer.status_code in (303, 403), (method, path, answer.status_code)
            if answer.status_code == 303:
                assert answer.headers["Location"].startswith("/staff/sign-in"), path
        assert request_id not in answer.body.decode(errors="replace"), path
        walked += 1
    assert walked >= 8
    assert without_rate(stack.items()) == before  # nothing written, not even an audit line


def test_a_forged_session_cookie_is_no_session(client: Any, two_regions: dict[str, str]) -> None:
    browser = Browser(client)
    # An unsigned token ("alg": "none") claiming the administrators' group, and a renewal
    # token the pool never issued, under both spellings of the session's cookies.
    forged = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwiY29nbml0bzpncm91cHMiOlsiYWRtaW4iXX0."
    browser.cookies = {
        name: value
        for base, value in (("mieux_staff", forged), ("mieux_staff_renew", "not-a-token"))
        for name in (base, f"__Host-{base}")
    }
    for method, path in staff_routes():
        if method == "GET" and path not in OPEN_WITHOUT_SESSION:
            answer = browser.get(filled(path, two_regions["africa"]))
            assert answer.status_code == 303, path


def test_a_viewer_is_refused_every_post_route(
    client: Any, stack: Stack, two_regions: dict[str, str]
) -> None:
    browser = signed_in(client, "demo-viewer")
    request_id = two_regions["africa"]
    page = browser.get(f"/staff/requests/{request_id}")
    before = without_rate(stack.items())
    posts = [p for m, p in staff_routes() if m == "POST" and p not in OPEN_WITHOUT_SESSION]
    posts = [p for p in posts if p != "/staff/sign-out"]  # a viewer may end their own session
    assert len(posts) >= 6
    for path in posts:
        fields = {"_csrf": csrf_of(page), "note": "x", "reason": "x", "status": "done"}
        answer = browser.post(filled(path, request_id), {**fields, "answer_by": "2099-01-01"})
        assert answer.status_code == 403, path
    assert without_rate(stack.items()) == before


def test_an_officer_is_refused_every_post_route_on_another_regions_request(
    client: Any, stack: Stack, two_regions: dict[str, str]
) -> None:
    browser = signed_in(client, "po-africa")
    request_id = two_regions["asia_pacific"]
    page = browser.get(f"/staff/requests/{request_id}")
    before = without_rate(stack.items())
    posts = [p for m, p in staff_routes() if m == "POST" and "{request_id}" in p]
    assert len(posts) >= 6
    for path in posts:
        fields = {"_csrf": csrf_of(page), "note": "x", "reason": "x", "status": "done"}
        answer = browser.post(filled(path, request_id), {**fields, "answer_by": "2099-01-01"})
        assert answer.status_code == 403, path
    assert without_rate(stack.items()) == before
