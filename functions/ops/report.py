"""``ops report``: a self-contained HTML report of one year, charts as inline SVG, and its CSV.

The figures are read by services/reports.py (the same as the workspace's report page): the
requests through ``region-index`` (one Query per region for the year), the Actions from the
report's index of the year (one Query, ``RESULTS#<year>``), and the evaluations of the Actions
with an activity done that year (one Query each, in the request's partition), the Expert
Roster's deployments of the year (one Query) and its size (one counting Query per member state
and status): never a Scan. The charts are drawn by presentation/charts.py. No script, no
external asset: the file can be mailed, archived and printed as it is. The CSV has every
chart's table (safe for spreadsheets: presentation/spreadsheet.py).
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import click
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from functions.domain import clock
from functions.domain.reference import reference_data
from functions.presentation.charts import svg
from functions.presentation.report import Report, report_csv
from functions.presentation.spreadsheet import ENCODING
from functions.services.reports import year_report

__all__ = ["html", "report", "report_csv", "svg", "yearly_report"]


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


def yearly_report(year: int, progress: bool = False) -> Report:
    """Read a year's requests and compute every figure of the report (services/reports.py)."""
    regions = list(reference_data().regions)
    with click.progressbar(
        regions, label=f"Reading {year}", file=sys.stderr, hidden=not progress
    ) as bar:
        return year_report(year, regions_read=bar)


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
