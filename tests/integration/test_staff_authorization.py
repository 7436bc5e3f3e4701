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
from tests.integration.helpers import seed_committee, submit
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
