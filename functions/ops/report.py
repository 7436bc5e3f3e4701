"""``ops report``: a self-contained HTML report of one year, charts as inline SVG, and its CSV.

The requests are read through ``region-index`` (one Query per region for the year), the Actions
from the report's index of the year (one Query, ``RESULTS#<year>``), and the evaluations of the
Actions with an activity done that year (one Query each, in the request's partition), the
Expert Roster's deployments of the year (one Query) and its size (one counting Query per member
state and status): never a Scan. No script, no external asset: the file can be mailed, archived
and printed as it is. The CSV has every chart's table (safe for spreadsheets:
presentation/spreadsheet.py).
"""

from __future__ import annotations

import sys
import textwrap
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import click
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.reference import country_names, reference_data
from functions.presentation.report import (
    Bar,
    Chart,
    Deployment,
    Report,
    Results,
    Roster,
    Row,
    build,
    done_in,
    expert_charts,
)
from functions.presentation.spreadsheet import ENCODING, csv_text

WIDTH = 720
INK = "#0b0c0c"
BLUE = "#003399"


def rows_of_year(year: int, progress: bool = False) -> list[Row]:
    """The year's requests, one region-index Query per region."""
    regions = list(reference_data().regions)
    rows: list[Row] = []
    with click.progressbar(
        regions, label=f"Reading {year}", file=sys.stderr, hidden=not progress
    ) as bar:
        for region in bar:
            for item in repository().requests_of_region(region, year):
                decided = clock.parse_iso(item.decided_at) if item.decided_at else None
                rows.append(
                    Row(
                        item.reference,
                        item.region,
                        item.pillar,
                        item.institution_type,
                        item.status,
                        clock.parse_iso(item.submitted_at),
                        decided,
                    )
                )
    return rows


def results_of_year(year: int) -> Results:
    """The year's Actions (one Query of the report's index) and the evaluations of those with
    an activity done that year (one Query each)."""
    store = repository()
    entries = store.results_of_year(year)
    evaluated = sorted({entry.request_id for entry, _ in done_in(year, entries)})
    answers = [answer for request_id in evaluated for answer in store.evaluations(request_id)]
    return Results(entries, answers, country_names("en"))


def report_csv(report: Report) -> str:
    """Every chart's table as one CSV: chart, label, value, shown as, and the second column."""
    columns = ["chart", "title", "label", "value", "shown", "extra_header", "extra"]
    rows = [
        {
            "chart": chart.key,
            "title": chart.title,
            "label": bar.label,
            "value": bar.value,
            "shown": bar.text,
            "extra_header": chart.extra_header,
            "extra": chart.extra[index] if chart.extra else "",
        }
        for chart in report.charts
        for index, bar in enumerate(chart.bars)
    ]
    return csv_text(rows, columns)


def _patterns(key: str) -> str:
    """The fills of one chart: print in black and white stays readable without colour."""
    return (
        "<defs>"
        f'<pattern id="{key}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#dbe3f4"/><line x1="0" y1="0" x2="0" y2="6" '
        f'stroke="{BLUE}" stroke-width="3"/></pattern>'
        f'<pattern id="{key}-cross" width="8" height="8" patternUnits="userSpaceOnUse">'
        f'<rect width="8" height="8" fill="#ffffff"/><path d="M0 0L8 8M8 0L0 8" '
        f'stroke="{INK}" stroke-width="1.5"/></pattern>'
        f'<pattern id="{key}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#ffffff"/><circle cx="3" cy="3" r="1.6" '
        f'fill="{INK}"/></pattern>'
        "</defs>"
    )


def _fill(key: str, bar: Bar) -> str:
    return BLUE if bar.pattern == "solid" else f"url(#{key}-{bar.pattern})"


def label_lines(label: str, width: int = 38, most: int = 2) -> list[str]:
    """A label cut into lines that fit beside the bars; the table under the chart has it whole."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > most:
        lines = [
            *lines[: most - 1],
            textwrap.shorten(" ".join(lines[most - 1 :]), width, placeholder=" ..."),
        ]
    return lines


def horizontal_svg(chart: Chart) -> str:
    """Horizontal bars, one per row: label (one or two lines), bar, value (right of the bar)."""
    label_width, value_width = 270, 90
    labels = [label_lines(bar.label) for bar in chart.bars]
    row_height = 16 + 14 * max((len(lines) for lines in labels), default=1)
    area = WIDTH - label_width - value_width
    top = max((bar.value for bar in chart.bars), default=0) or 1
    height = row_height * len(chart.bars) + 10
    parts = [_open_svg(chart, height), _patterns(chart.key)]
    for i, (bar, lines) in enumerate(zip(chart.bars, labels, strict=True)):
        y = 5 + i * row_height
        middle = y + row_height / 2
        length = area * bar.value / top
        first = middle + 4 - 7 * (len(lines) - 1)
        spans = "".join(
            f'<tspan x="{label_width - 8}" y="{first + 14 * n:.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(f'<text text-anchor="end">{spans}</text>')
        if length > 0:
            parts.append(
                f'<rect x="{label_width}" y="{middle - 10:.1f}" width="{length:.1f}" height="20" '
                f'fill="{_fill(chart.key, bar)}" stroke="{INK}" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{label_width + length + 6:.1f}" y="{middle + 4:.1f}" class="value">'
            f"{escape(bar.text)}</text>"
        )
    parts.append(
        f'<line x1="{label_width}" y1="2" x2="{label_width}" y2="{height - 2}" stroke="{INK}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def vertical_svg(chart: Chart) -> str:
    """Vertical bars (months): value above each bar, label under it."""
    height, base, top_margin = 240, 200, 24
    column = (WIDTH - 20) / max(len(chart.bars), 1)
    top = max((bar.value for bar in chart.bars), default=0) or 1
    parts = [_open_svg(chart, height), _patterns(chart.key)]
    for i, bar in enumerate(chart.bars):
        x = 10 + i * column
        length = (base - top_margin) * bar.value / top
        centre = x + column / 2
        if length > 0:
            parts.append(
                f'<rect x="{x + 8:.1f}" y="{base - length:.1f}" width="{column - 16:.1f}" '
                f'height="{length:.1f}" fill="{_fill(chart.key, bar)}" stroke="{INK}"/>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{base - length - 6:.1f}" text-anchor="middle" '
            f'class="value">{escape(bar.text)}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{base + 20}" text-anchor="middle">'
            f"{escape(bar.label)}</text>"
        )
    parts.append(f'<line x1="10" y1="{base}" x2="{WIDTH - 10}" y2="{base}" stroke="{INK}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _open_svg(chart: Chart, height: int) -> str:
    title = escape(chart.title)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby={quoteattr(chart.key)}>'
        f"<title id={quoteattr(chart.key)}>{title}</title>"
    )


def svg(chart: Chart) -> Markup:
    """The chart as inline SVG (every text in it escaped here)."""
    return Markup(vertical_svg(chart) if chart.vertical else horizontal_svg(chart))  # noqa: S704


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(report: Report) -> str:
    """The report as one HTML document: inline CSS, inline SVG, no script."""
    return _environment().get_template("report.html").render(report=report, svg=svg)


def expert_figures(year: int) -> list[Chart]:
    """The Expert Roster's charts: the year's deployments (one region-index Query) and the
    roster's size (one counting roster-index Query per member state and status)."""
    from functions.domain.reference import ACTIVITY_TYPES

    reference = reference_data()
    store = repository()
    deployments = [
        Deployment(i.member_state, i.gender, i.reference, i.activity, i.activity_type)
        for i in store.deployments_of_year(year)
    ]
    roster = Roster(
        store.roster_size(), reference.member_states, reference.genders, dict(ACTIVITY_TYPES)
    )
    return expert_charts(deployments, roster)


def yearly_report(year: int, progress: bool = False) -> Report:
    """Read a year's requests and compute every figure of the report."""
    reference = reference_data()
    return build(
        year,
        rows_of_year(year, progress),
        clock.now(),
        reference.regions,
        reference.pillars,
        reference.institution_types,
        results_of_year(year),
        more=expert_figures(year),
    )


@click.command("report")
@click.option("--year", type=int, default=lambda: clock.now().year, help="Default: this year.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The HTML file to write.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write every chart's table to this CSV file (opens safely in a spreadsheet).",
)
def report(year: int, out: Path, csv_path: Path | None) -> None:
    """A self-contained HTML report of one year: charts (SVG) and the table behind each."""
    result = yearly_report(year, progress=True)
    out.write_text(html(result), encoding="utf-8")
    click.echo(f"report of {year}: {result.total} request(s), written to {out}")
    if csv_path is not None:
        csv_path.write_text(report_csv(result), encoding=ENCODING)
        click.echo(f"tables written to {csv_path}")
