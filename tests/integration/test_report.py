"""The yearly report under moto: every chart and its table, with the right figures, no Scan."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from functions.ops.__main__ import cli
from infra.local.sample_data import Sample, clock_at, seed
from tests.integration.helpers import record_operations, seed_committee
from tests.support import Stack


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(hour=10, tzinfo=UTC)


GOV = "national_government"
BORDERS = ("irregular_migration", "border_management")
POLICY = "migration_policy_development"
SEEDED = [
    # country, institution type, pillar, topic, submitted, outcome, days to decision
    ("SN", GOV, *BORDERS, "2026-01-10", "approved", 10),
    ("SN", "judiciary", "legal_migration", "labour_migration", "2026-01-20", "rejected", 20),
    ("BD", "parliament", "horizontal", POLICY, "2026-03-05", "approved", 30),
    ("BD", GOV, *BORDERS, "2026-03-15", "under_review", 0),
    ("AR", GOV, "international_protection", "asylum_systems", "2026-06-01", "withdrawn", 3),
    ("EG", "local_authority", *BORDERS, "2026-11-20", "submitted", 0),
    ("GE", GOV, "horizontal", POLICY, "2025-12-30", "approved", 5),
]  # fmt: skip
NOW = day("2026-12-01")
# The report as written, and the (operation, index) of every AWS call made to write it.
ReportHtml = tuple[str, list[tuple[str, str]]]


@pytest.fixture
def seeded(stack: Stack) -> None:
    seed_committee()
    seed(
        [
            Sample(c, t, p, topic, day(at), outcome, timedelta(days=days))
            for c, t, p, topic, at, outcome, days in SEEDED
        ]
    )


def table_of(html: str, key: str) -> dict[str, list[str]]:
    section = html.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', section)
    return {label: re.findall(r'<td class="number">(.*?)</td>', cells) for label, cells in rows}


@pytest.fixture
def report_html(seeded: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ReportHtml:
    calls = record_operations(monkeypatch)
    out = tmp_path / "report.html"
    with clock_at(NOW):
        result = CliRunner().invoke(cli, ["report", "--year", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "6 request(s)" in result.output
    return out.read_text(encoding="utf-8"), calls


def test_the_report_reads_one_query_per_region_and_never_scans(report_html: ReportHtml) -> None:
    _, calls = report_html
    # The year's requests by region, then the year's Actions (the report's index, on the
    # table): no Action here has an activity done, so no evaluation is read. Then one for the
    # year's expert deployments, and one counting Query on roster-index per member state and
    # registration status.
    assert calls[:6] == [("Query", "region-index")] * 5 + [("Query", "")]
    assert calls[6:7] == [("Query", "region-index")]
    assert calls[7:] == [("Query", "roster-index")] * 27 * 3


def test_the_report_has_every_chart_with_its_table(report_html: ReportHtml) -> None:
    html, _ = report_html
    keys = ["region", "pillar", "institution_type", "month", "approval", "median_days", "open_age"]
    keys += ["experts_member_state", "experts_gender", "deployments_action", "deployments_type"]
    keys += ["roster"]
    for key in keys:
        section = html.split(f'<section id="{key}">', 1)[1].split("</section>", 1)[0]
        assert section.count("<svg") == 1 and "<table>" in section, key
    # with the outcomes and the Actions' eight (tests/integration/test_results_report.py)
    assert html.count("<svg") == 21


def test_the_report_is_self_contained_and_printable(report_html: ReportHtml) -> None:
    html, _ = report_html
    assert "<script" not in html and "src=" not in html and "<link" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "@media print" in html and 'pattern id="approval-cross"' in html


def test_the_report_counts_requests_by_region_pillar_type_and_month(
    report_html: ReportHtml,
) -> None:
    html, _ = report_html
    assert table_of(html, "region") == {
        "Sub-Saharan Africa": ["2", "33%"],
        "Asia and the Pacific": ["2", "33%"],
        "Eastern Europe and Central Asia": ["0", "0%"],
        "Latin America and the Caribbean": ["1", "17%"],
        "Middle East and North Africa": ["1", "17%"],
    }
    pillars = {label: cells[0] for label, cells in table_of(html, "pillar").items()}
    assert sorted(pillars.values()) == ["0", "1", "1", "1", "3"]
    types = {label: cells[0] for label, cells in table_of(html, "institution_type").items()}
    assert sorted(v for v in types.values() if v != "0") == ["1", "1", "1", "3"]
    months = {label: cells[0] for label, cells in table_of(html, "month").items()}
    assert months == {
        "Jan": "2", "Feb": "0", "Mar": "2", "Apr": "0", "May": "0", "Jun": "1",
        "Jul": "0", "Aug": "0", "Sep": "0", "Oct": "0", "Nov": "1", "Dec": "0",
    }  # fmt: skip


def test_the_report_gives_approval_rate_median_days_and_open_ages(report_html: ReportHtml) -> None:
    html, _ = report_html
    assert table_of(html, "approval") == {"Approved": ["2 (67%)"], "Rejected": ["1 (33%)"]}
    assert "Approval rate: 67% of 3 decided request(s)" in html
    median = table_of(html, "median_days")
    assert median["Sub-Saharan Africa"] == ["15.0", "2"]
    assert median["Asia and the Pacific"] == ["30.0", "1"]
    assert median["Latin America and the Caribbean"] == ["-", "0"]
    assert "Median days from submission to decision: 20.0 (3 decision(s))" in html
    assert table_of(html, "open_age") == {
        "0-7 days": ["0"],
        "8-30 days": ["1"],
        "31-90 days": ["0"],
        "over 90 days": ["1"],
    }
    assert "2 request(s) still open on 2026-12-01" in html


def test_text_in_the_report_is_escaped() -> None:
    from functions.ops.report import svg
    from functions.presentation.report import Bar, Chart

    chart = Chart("x", "<b>title</b>", "Requests", [Bar("<script>", 1, "1 & 2")])
    drawn = str(svg(chart))
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn and "1 &amp; 2" in drawn
