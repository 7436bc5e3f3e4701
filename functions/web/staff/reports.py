"""The report in the workspace: a year's figures for every region or one, and its CSV.

GET /staff/reports?year=&region= shows the yearly report (services/reports.py reads it by
index, never a Scan; presentation/report.py computes it; presentation/charts.py draws each
chart as SVG, with its table under it) in the page's language. GET
/staff/reports/export.csv?year=&region= downloads every chart's table, safe for spreadsheets
(presentation/spreadsheet.py). Every signed-in role reads both. A year or a region that is not
one the report knows is answered with the form and the error at its field (400), before any
read; no filter at all is this year, every region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from chalice.app import Response

from functions.domain import clock
from functions.web.staff.area import StaffArea, StaffContext

if TYPE_CHECKING:
    from functions.presentation.report import Report

reports = StaffArea(__name__)

FIRST_YEAR = 2000  # before the service: nothing to count, and a bound on what is asked
YEARS_OFFERED = 6  # the filter's years: this one and the five before
EVERY_REGION = "all"
MAX_PARAM_CHARS = 60  # a year or a region code is short: anything longer is not one


class Filters(NamedTuple):
    """The report asked for: a year and a region ("all"), and what was wrong with the asking."""

    year: int
    region: str
    errors: list[dict[str, str]]
    asked_year: str
    asked_region: str


def _filters(staff: StaffContext) -> Filters:
    from functions.domain.reference import reference_data

    params = dict(staff.request.query_params or {})
    asked_year = str(params.get("year", "")).strip()[: MAX_PARAM_CHARS + 1]
    asked_region = str(params.get("region", "")).strip()[: MAX_PARAM_CHARS + 1]
    this_year = clock.now().year
    errors: list[dict[str, str]] = []
    year = this_year
    if asked_year:
        # Four ASCII digits ("٢٠٢٦" is digits too, and "02026" no year anyone types).
        four_digits = len(asked_year) == 4 and asked_year.isascii() and asked_year.isdigit()
        if four_digits and FIRST_YEAR <= int(asked_year) <= this_year + 1:
            year = int(asked_year)
        else:
            errors.append({"field": "year", "code": "year"})
    region = asked_region or EVERY_REGION
    if region != EVERY_REGION and region not in reference_data().regions:
        errors.append({"field": "region", "code": "region"})
        region = EVERY_REGION
    return Filters(year, region, errors, asked_year, asked_region)


def _form_context(staff: StaffContext, filters: Filters) -> dict[str, Any]:
    from functions.domain.reference import reference_data

    this_year = clock.now().year
    years = list(range(this_year, this_year - YEARS_OFFERED, -1))
    if filters.year not in years:
        years.insert(0, filters.year)
    return {
        "section": "reports",
        "filters": filters,
        "years": years,
        "regions": reference_data().regions,
        "first_year": FIRST_YEAR,
        "last_year": this_year + 1,
    }


def _refused(staff: StaffContext, filters: Filters) -> Response:
    return staff.render(
        "staff/reports.html",
        status=400,
        errors=filters.errors,
        report=None,
        **_form_context(staff, filters),
    )


def _report(staff: StaffContext, filters: Filters, number_isolation: bool) -> Report:
    from functions.presentation.i18n import gettext_for
    from functions.presentation.render import ltr_isolated
    from functions.presentation.report import localised
    from functions.services.reports import year_report

    region = None if filters.region == EVERY_REGION else filters.region
    found = year_report(filters.year, region, staff.language)
    number = ltr_isolated if number_isolation else str
    return localised(found, gettext_for(staff.language), number)


@reports.page("/staff/reports")
def show_report(staff: StaffContext) -> Response:
    """The report's page: the filters, the key figures, every chart with its table."""
    from functions.presentation.charts import svg

    filters = _filters(staff)
    if filters.errors:
        return _refused(staff, filters)
    return staff.render(
        "staff/reports.html",
        errors=[],
        report=_report(staff, filters, number_isolation=True),
        svg=svg,
        **_form_context(staff, filters),
    )


def export_name(year: int, region: str, language: str) -> str:
    """The download's file name: only the year, a region code and a language code, all checked
    before, so nothing in it needs quoting."""
    return f"mieux-report-{year}-{region}-{language}.csv"


@reports.page("/staff/reports/export.csv")
def export_report(staff: StaffContext) -> Response:
    """Every chart's table of the report as CSV (UTF-8 with a byte-order mark), downloaded."""
    from functions.presentation.report import report_csv
    from functions.web.headers import SECURITY_HEADERS, transport_headers

    filters = _filters(staff)
    if filters.errors:
        return _refused(staff, filters)
    found = _report(staff, filters, number_isolation=False)
    name = export_name(filters.year, filters.region, staff.language)
    headers: dict[str, str | list[str]] = {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        **SECURITY_HEADERS,
        **transport_headers(),
    }
    # The byte-order mark spreadsheet.py's ENCODING writes to a file (utf-8-sig), written here
    # as a character: the answer's text is sent as UTF-8.
    body = "\ufeff" + report_csv(found)
    return Response(body=body, status_code=200, headers=headers)
