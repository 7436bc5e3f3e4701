"""The Action recorded, published and edited in the workspace (issue 17, item 3), over HTTP:
the form generated from the schema, every field's bad input at its field with nothing stored,
two staff editing at once, who may, the anti-forgery and origin checks, the partner's email."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from functions.adapters.repository import repository
from functions.domain import schemas
from tests.integration.helpers import (
    MEMBER_EMAIL,
    PARTNER,
    VOTERS,
    Browser,
    mail_to,
    path_of,
    run_workers,
    submit,
)
from tests.integration.staff import csrf_of, signed_in, staff_accounts
from tests.support import Stack

PLAN = schemas.example("action.schema.json")  # six activities, in Ghana and Portugal


@pytest.fixture
def approved(client: Any, stack: Stack, submitted: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A request from Africa (po-africa's region) approved by every voter; the staff's accounts."""
    staff_accounts(stack, monkeypatch)
    for voter in VOTERS:
        [mail] = mail_to(MEMBER_EMAIL[voter], "review_request")[-1:]
        assert Browser(client).vote(path_of(mail.link("/review/")), "approve").status_code == 200
    run_workers(client, stack)
    stored = repository().get_request(submitted)
    assert stored is not None and stored.status == "approved"
    return submitted


def fields_of(plan: dict[str, Any]) -> dict[str, str]:
    """A plan as the form posts it: dotted names, positions in the names, booleans as words."""
    fields: dict[str, str] = {}

    def walk(name: str, node: Any) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                walk(f"{name}.{key}" if name else key, child)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                walk(f"{name}.{index}", child)
        else:
            fields[name] = str(node).lower() if isinstance(node, bool) else str(node)

    walk("", plan)
    return fields


def editor(browser: Browser, request_id: str) -> Any:
    page = browser.get(f"/staff/requests/{request_id}/action")
    assert page.status_code == 200, page.body
    return page


def post_plan(
    browser: Browser, request_id: str, page: Any, fields: dict[str, str], version: str = ""
) -> Any:
    found = re.search(r'name="_version" value="(\d+)"', page.body.decode())
    read_at = version or (found.group(1) if found else "0")
    body = {"_csrf": csrf_of(page), "_version": read_at, **fields}
    return browser.post(f"/staff/requests/{request_id}/action", body)


def action_events(request_id: str) -> list[Any]:
    return [
        e
        for e in repository().partition(request_id).events
        if e.action in ("action_published", "action_updated")
    ]


def test_the_form_is_generated_from_the_schema_with_seven_activity_fieldsets(
    client: Any, approved: str
) -> None:
    body = editor(signed_in(client, "po-africa"), approved).body.decode()
    assert "Record the Action" in body and "Publish the Action" in body
    for name in ("title", "objectives", "starts_on", "ends_on"):
        assert f'name="{name}"' in body
    for position in range(7):  # the schema's maxItems: editable without JavaScript
        for name in ("type", "title", "starts_on", "place.city", "experts.number"):
            assert f'name="activities.{position}.{name}"' in body
    assert 'name="activities.7.title"' not in body
    assert "Activity 7 (optional)" in body and "Activity 6 (optional)" not in body
    assert 'type="date"' in body and "status" not in re.findall(r'name="([^"]+)"', body)
    assert "data-extra" in body  # the script shows one more on "Add another activity"


def test_an_officer_publishes_the_action_and_the_partner_is_emailed_once(
    client: Any, stack: Stack, approved: str
) -> None:
    browser = signed_in(client, "po-africa")
    page = editor(browser, approved)
    answer = post_plan(browser, approved, page, fields_of(PLAN))
    assert answer.status_code == 200, answer.body
    body = answer.body.decode()
    assert "The Action is published." in body and "Edit the Action" in body
    stored = repository().get_action(approved)
    assert stored is not None and stored.version == 1
    assert stored.plan["activities"][3]["place"] == {"city": "Lisbon", "country": "PT"}
    assert [a["status"] for a in stored.plan["activities"]] == ["planned"] * 6
    [event] = action_events(approved)
    assert event.action == "action_published" and event.actor.startswith("staff:")
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "action_published")) == 1
    # Saved again (a change of title): a new version, and no second email.
    edited = {**fields_of(PLAN), "title": "Strengthening the referral mechanism, revised"}
    again = post_plan(browser, approved, answer, edited)
    assert again.status_code == 200 and "The changes are saved." in again.body.decode()
    run_workers(client, stack)
    assert len(mail_to(PARTNER, "action_published")) == 1
    saved = repository().get_action(approved)
    assert saved is not None and saved.version == 2 and saved.title.endswith("revised")
    assert [e.action for e in action_events(approved)] == ["action_published", "action_updated"]
    # The partner's status page shows the new plan.
    [receipt] = mail_to(PARTNER, "receipt")
    status = Browser(client).get(path_of(receipt.link(f"/requests/{approved}")) + "&lang=en")
    assert "revised" in status.body.decode()


def test_the_form_is_filled_in_with_the_current_plan_and_keeps_the_activities_status(
    client: Any, approved: str
) -> None:
    from functions.services import actions

    actions.record_action(approved, copy.deepcopy(PLAN))
    actions.set_activity_status(approved, 2, "done")
    browser = signed_in(client, "demo-coordinator")
    page = editor(browser, approved)
    body = page.body.decode()
    assert 'value="Validation workshop of the assessment"' in body
    assert 'Version <bdi dir="ltr">2</bdi>' in body
    assert re.search(r'<option value="study_visit" selected>', body)
    # The form posts what it shows: the plan comes back unchanged, activity 2 still done.
    shown = dict(
        re.findall(r'<input class="input[^"]*" id="[^"]+" name="([^"]+)" value="([^"]*)"', body)
    )
    shown.update(re.findall(r'<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', body))
    for number in range(6):
        shown[f"activities.{number}.type"] = PLAN["activities"][number]["type"]
    answer = post_plan(
        browser, approved, page, {k: v.replace("&#39;", "'") for k, v in shown.items()}
    )
    assert answer.status_code == 200, answer.body
    stored = repository().get_action(approved)
    assert stored is not None and stored.version == 3
    assert stored.plan["activities"][1]["status"] == "done"
    assert stored.plan["title"] == PLAN["title"]


def test_empty_activity_fieldsets_are_left_out_and_the_rest_close_up(
    client: Any, approved: str
) -> None:
    fields = fields_of(PLAN)
    # The sixth activity typed into the seventh fieldset, the sixth left empty.
    for name in [n for n in fields if n.startswith("activities.5.")]:
        fields[name.replace("activities.5.", "activities.6.")] = fields.pop(name)
    browser = signed_in(client, "po-africa")
    answer = post_plan(browser, approved, editor(browser, approved), fields)
    assert answer.status_code == 200, answer.body
    stored = repository().get_action(approved)
    assert stored is not None and len(stored.plan["activities"]) == 6
    assert stored.plan["activities"][5]["title"] == "Closing seminar and adoption"


# (what, the fields changed (None: left out), the field's anchor, what its message says)
BAD_FIELDS: list[tuple[str, dict[str, str | None], str, str]] = [
    ("missing title", {"title": None}, "f-title", "Enter or choose: Title of the Action"),
    ("short title", {"title": "Plan"}, "f-title", "at least 5 characters"),
    ("long title", {"title": "x" * 201}, "f-title", "200 characters or fewer"),
    ("title of lines", {"title": "Two\nlines"}, "f-title", "must be on one line"),
    (
        "control character",
        {"objectives": "Objectives\u0007 of the plan"},
        "f-objectives",
        "invisible control character",
    ),
    ("short objectives", {"objectives": "Few"}, "f-objectives", "at least 10 characters"),
    (
        "consent not yes or no",
        {"publication_consent": "maybe"},
        "f-publication-consent",
        "wrong kind of value",
    ),
    ("not a date", {"starts_on": "8 March 2027"}, "f-starts-on", "not in the expected format"),
    (
        "Action starts late",
        {"starts_on": "2027-04-01"},
        "f-starts-on",
        "after the first activity starts (2027-03-08)",
    ),
    (
        "Action ends early",
        {"ends_on": "2027-11-30"},
        "f-ends-on",
        "before the last activity ends (2027-12-07)",
    ),
    (
        "dates reversed",
        {"activities.0.ends_on": "2027-03-01"},
        "f-activities-0-ends-on",
        "Activity 1: Last day must not be before the start",
    ),
    (
        "unknown type",
        {"activities.1.type": "party"},
        "f-activities-1-type",
        "Activity 2: Choose Type of activity from the list",
    ),
    (
        "missing activity title",
        {"activities.2.title": ""},
        "f-activities-2-title",
        "Activity 3: Enter or choose: Title of the activity",
    ),
    (
        "bad country",
        {"activities.3.place.country": "pt"},
        "f-activities-3-place-country",
        "Country code is not in the expected format",
    ),
    (
        "long country",
        {"activities.3.place.country": "P" * 5000},
        "f-activities-3-place-country",
        "2 characters or fewer",
    ),
    (
        "experts not a number",
        {"activities.4.experts.number": "two"},
        "f-activities-4-experts-number",
        "wrong kind of value",
    ),
    (
        "too many experts",
        {"activities.4.experts.number": "21"},
        "f-activities-4-experts-number",
        "must be 20 or less",
    ),
    (
        "huge number",
        {"activities.4.experts.number": "9" * 5000},
        "f-activities-4-experts-number",
        "wrong kind of value",
    ),
    (
        "missing city",
        {"activities.5.place.city": ""},
        "f-activities-5-place-city",
        "Enter or choose: City",
    ),
    (
        "script in the profile",
        {"activities.0.experts.profile": "<script>alert(1)</script>" * 30},
        "f-activities-0-experts-profile",
        "500 characters or fewer",
    ),
]


@pytest.mark.parametrize(
    "changes, anchor, message",
    [case[1:] for case in BAD_FIELDS],
    ids=[case[0] for case in BAD_FIELDS],
)
def test_a_bad_answer_is_shown_at_its_field_and_nothing_is_stored(
    client: Any,
    stack: Stack,
    approved: str,
    changes: dict[str, str | None],
    anchor: str,
    message: str,
) -> None:
    browser = signed_in(client, "po-africa")
    fields = fields_of(PLAN)
    for name, value in changes.items():
        if value is None:
            fields.pop(name)
        else:
            fields[name] = value
    answer = post_plan(browser, approved, editor(browser, approved), fields)
    assert answer.status_code == 422, answer.body
    body = answer.body.decode()
    assert f'href="#{anchor}"' in body, body
    assert message in body
    assert f'id="{anchor}-error"' in body and 'aria-invalid="true"' in body
    assert "<script>alert" not in body  # hostile text comes back escaped
    assert repository().get_action(approved) is None and action_events(approved) == []
    run_workers(client, stack)
    assert mail_to(PARTNER, "action_published") == []


def test_six_activities_at_least_and_seven_at_most(client: Any, approved: str) -> None:
    browser = signed_in(client, "po-africa")
    five = {k: v for k, v in fields_of(PLAN).items() if not k.startswith("activities.5.")}
    answer = post_plan(browser, approved, editor(browser, approved), five)
    assert answer.status_code == 422 and "Choose at least 6: Activities" in answer.body.decode()
    eight = copy.deepcopy(PLAN)
    eight["activities"] += copy.deepcopy(PLAN["activities"][:2])
    answer = post_plan(browser, approved, answer, fields_of(eight))
    assert answer.status_code == 422 and "Choose no more than 7: Activities" in answer.body.decode()
    none = post_plan(browser, approved, answer, {"title": PLAN["title"]})
    assert none.status_code == 422 and "Enter or choose: Activities" in none.body.decode()
    assert repository().get_action(approved) is None


def test_unknown_and_positional_tricks_are_refused(client: Any, approved: str) -> None:
    browser = signed_in(client, "po-africa")
    fields = {**fields_of(PLAN), "activities.0.status": "done", "surprise": "x"}
    fields["activities.99999999999.title"] = "A far away activity"
    fields["activities.0.outcome.participants.women"] = "5"
    answer = post_plan(browser, approved, editor(browser, approved), fields)
    assert answer.status_code == 422
    assert repository().get_action(approved) is None


def test_an_oversized_body_is_refused_without_storing(client: Any, approved: str) -> None:
    browser = signed_in(client, "po-africa")
    page = editor(browser, approved)
    answer = post_plan(browser, approved, page, {**fields_of(PLAN), "objectives": "x" * 400_000})
    assert answer.status_code in (413, 422)
    assert answer.status_code != 500
    assert repository().get_action(approved) is None


def test_two_staff_editing_at_once_the_second_is_told_and_loses_nothing(
    client: Any, stack: Stack, approved: str
) -> None:
    officer = signed_in(client, "po-africa")
    coordinator = signed_in(client, "demo-coordinator")
    first = post_plan(officer, approved, editor(officer, approved), fields_of(PLAN))
    assert first.status_code == 200
    page_officer = editor(officer, approved)
    page_coordinator = editor(coordinator, approved)  # both read version 1
    mine = {**fields_of(PLAN), "title": "The officer's title of the plan"}
    theirs = {**fields_of(PLAN), "title": "The coordinator's title of the plan"}
    assert post_plan(officer, approved, page_officer, mine).status_code == 200
    late = post_plan(coordinator, approved, page_coordinator, theirs)
    assert late.status_code == 409
    body = late.body.decode()
    assert "Someone else saved this Action while you were editing it." in body
    assert 'value="The coordinator&#39;s title of the plan"' in body  # their answers kept
    stored = repository().get_action(approved)
    assert stored is not None and stored.title == "The officer's title of the plan"
    # Saving again from that page is a choice: it replaces the officer's plan.
    again = post_plan(coordinator, approved, late, theirs)
    assert again.status_code == 200
    assert repository().get_action(approved).title.startswith("The coordinator")  # type: ignore[union-attr]
    forged = post_plan(coordinator, approved, again, theirs, version="x" * 50)
    assert forged.status_code == 409


def test_a_request_that_is_not_approved_gets_no_action(
    client: Any, stack: Stack, submitted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_accounts(stack, monkeypatch)
    browser = signed_in(client, "po-africa")
    page = browser.get(f"/staff/requests/{submitted}/action")
    assert page.status_code == 200
    assert "Only an approved request gets an Action" in page.body.decode()
    assert 'name="activities.0.title"' not in page.body.decode()
    answer = post_plan(browser, submitted, page, fields_of(PLAN))
    assert answer.status_code == 409
    assert repository().get_action(submitted) is None


def test_who_may_record_the_action(
    client: Any, stack: Stack, approved: str, valid_request: dict[str, Any]
) -> None:
    path = f"/staff/requests/{approved}/action"
    viewer = signed_in(client, "demo-viewer")
    assert viewer.get(path).status_code == 403
    dossier = viewer.get(f"/staff/requests/{approved}")
    assert path not in dossier.body.decode()  # no link for a viewer
    refused = viewer.post(path, {"_csrf": csrf_of(dossier), **fields_of(PLAN)})
    assert refused.status_code == 403
    # An officer of Africa, a request from Asia.
    asian = copy.deepcopy(valid_request)
    asian["institution"]["country"] = "BD"
    asian["submission_id"] = "0f5c3a52-5f8e-4d6e-9c55-9d1b5a0c2b12"
    asia = submit(client, asian)
    officer = signed_in(client, "po-africa")
    assert officer.get(f"/staff/requests/{asia}/action").status_code == 403
    page = officer.get(f"/staff/requests/{approved}")
    assert path in page.body.decode()  # the dossier's link, for those who may
    other = officer.post(
        f"/staff/requests/{asia}/action", {"_csrf": csrf_of(page), **fields_of(PLAN)}
    )
    assert other.status_code == 403
    # Without a session: the sign-in page, for the GET and the POST.
    anonymous = Browser(client)
    for answer in (anonymous.get(path), anonymous.post(path, fields_of(PLAN))):
        assert answer.status_code == 303
        assert answer.headers["Location"].startswith("/staff/sign-in")
    assert repository().get_action(approved) is None and repository().get_action(asia) is None
    assert client.http.get("/staff/requests/nope/action", headers={}).status_code == 303
    assert officer.get("/staff/requests/no-such-request/action").status_code == 404


def test_a_forged_or_cross_site_post_is_refused(client: Any, approved: str) -> None:
    browser = signed_in(client, "po-africa")
    page = editor(browser, approved)
    path = f"/staff/requests/{approved}/action"
    no_token = browser.post(path, {"_version": "0", **fields_of(PLAN)})
    assert no_token.status_code == 403
    wrong = browser.post(path, {"_csrf": "forged", "_version": "0", **fields_of(PLAN)})
    assert wrong.status_code == 403
    # Another staff member's token is not this one's.
    coordinator = signed_in(client, "demo-coordinator")
    theirs = csrf_of(editor(coordinator, approved))
    assert browser.post(path, {"_csrf": theirs, **fields_of(PLAN)}).status_code == 403
    from urllib.parse import urlencode

    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        "Origin": "https://evil.example",
        "Sec-Fetch-Site": "cross-site",
    }
    body = urlencode({"_csrf": csrf_of(page), "_version": "0", **fields_of(PLAN)})
    cross = client.http.post(path, body=body, headers=headers)
    assert cross.status_code == 403
    assert repository().get_action(approved) is None and action_events(approved) == []


def test_the_page_in_every_language(client: Any, approved: str) -> None:
    browser = signed_in(client, "po-africa")
    titles = {
        "fr": "Enregistrer l'action",
        "es": "Registrar la acción",
        "ar": "تسجيل المبادرة",
        "ru": "Записать программу",
    }
    for language, title in titles.items():
        body = browser.get(f"/staff/requests/{approved}/action?lang={language}").body.decode()
        assert title in body.replace("&#39;", "'"), language
        assert "Record the Action" not in body
