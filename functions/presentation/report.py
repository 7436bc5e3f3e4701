"""The figures of the yearly report, from plain rows: no AWS, no HTML.

Every chart of the report is a :class:`Chart` (bars with their numbers); the same bars are the
table printed under it, so a chart never shows a figure its table does not.

The report is built in English, whose texts are the catalogs' message ids; a summary keeps its
message id and its values beside the English sentence, so that :func:`localised` can give the
whole report in another language (the workspace page, its CSV) and isolate the numbers in it.
"""

from __future__ import annotations

import calendar
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from functions.domain.evaluation import figures
from functions.domain.records import EvaluationAnswer, ResultsEntry
from functions.domain.reference import (
    ACTIVITY_TYPES,
    CHANGE_ANSWERS,
    DELIVERABLE_KINDS,
    PARTICIPANT_SEXES,
    SATISFACTION_SCALE,
)
from functions.domain.requests import Status
from functions.domain.words import N_
from functions.presentation.spreadsheet import csv_text

# Every English text the report shows (its titles, headers, labels and summaries), marked for
# ``make i18n-extract``: :func:`localised` translates them (tests/unit/test_report_words.py
# checks that a built report holds no other text of its own and that every catalog has them).
WORDS = (
    N_("Requests by region"),
    N_("Requests by thematic area (pillar)"),
    N_("Requests by type of institution"),
    N_("Requests by month of submission"),
    N_("Decisions: approval rate"),
    N_("Median days from submission to decision, by region"),
    N_("Open requests by age"),
    N_("Requests approved, rejected and withdrawn"),
    N_("Actions started and completed"),
    N_("Activities done, by type"),
    N_("Activities done, by country"),
    N_("Participants, by sex"),
    N_("Deliverables, by kind"),
    N_("Satisfaction with the activities (evaluations)"),
    N_("Will it change how you work? (evaluations)"),
    N_("Median days from decision to the first activity, by region"),
    N_("Experts deployed by member state"),
    N_("Experts deployed by gender"),
    N_("Expert deployments per Action"),
    N_("Expert deployments by type of activity"),
    N_("Expert Roster by member state"),
    N_("Requests"),
    N_("Share"),
    N_("Median days"),
    N_("Decisions"),
    N_("Actions"),
    N_("Activities"),
    N_("Participants"),
    N_("Deliverables"),
    N_("Answers"),
    N_("Deployments"),
    N_("Registrations"),
    N_("Active share"),
    N_("Approved"),
    N_("Rejected"),
    N_("Withdrawn"),
    N_("Started"),
    N_("Completed"),
    N_("0-7 days"),
    N_("8-30 days"),
    N_("31-90 days"),
    N_("over 90 days"),
    N_("Not given"),
    N_("no decision yet"),
    N_("Busiest month: %(month)s (%(count)s)"),
    N_("Approval rate: %(rate)s of %(count)s decided request(s)"),
    N_("Median days from submission to decision: %(days)s (%(count)s decision(s))"),
    N_("Median days from submission to decision: no decision yet"),
    N_("%(count)s request(s) still open on %(date)s"),
    N_("%(started)s Action(s) started, %(completed)s completed in %(year)s"),
    N_("Mean satisfaction: %(mean)s of 5 (%(count)s answer(s))"),
    N_("Mean satisfaction: no answer yet"),
    N_("It will change how they work: %(share)s (yes or partly)"),
    N_("It will change how they work: no answer yet"),
    N_("Median days from decision to the first activity: %(days)s (%(count)s Action(s))"),
    N_("Median days from decision to the first activity: no Action started"),
    N_("%(count)s expert deployment(s) accepted in the year"),
    N_("Roster: %(count)s registration(s), %(active)s active (%(share)s)"),
    N_("Roster: no registration yet"),
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
    N_("January"),
    N_("February"),
    N_("March"),
    N_("April"),
    N_("June"),
    N_("July"),
    N_("August"),
    N_("September"),
    N_("October"),
    N_("November"),
    N_("December"),
)

OPEN = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED)
DECIDED = (Status.APPROVED, Status.REJECTED)
AGE_BUCKETS = ((0, 7, "0-7 days"), (8, 30, "8-30 days"), (31, 90, "31-90 days"))
OLDEST_BUCKET = "over 90 days"


@dataclass(frozen=True)
class Row:
    """One request as the report sees it."""

    reference: str
    region: str
    pillar: str
    institution_type: str
    status: str
    submitted_at: datetime
    decided_at: datetime | None = None

    @property
    def days_to_decision(self) -> float | None:
        """Days from submission to the committee's decision (approved or rejected only)."""
        if self.decided_at is None or self.status not in DECIDED:
            return None
        return (self.decided_at - self.submitted_at).total_seconds() / 86400


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value, the text shown for it, and a fill for print."""

    label: str
    value: float
    text: str
    pattern: str = "hatch"  # hatch | cross | dots | solid: not colour alone


@dataclass(frozen=True)
class Chart:
    """A chart and the table behind it."""

    key: str
    title: str
    value_header: str
    bars: list[Bar]
    summary: str = ""
    vertical: bool = False
    extra_header: str = ""
    extra: list[str] = field(default_factory=list)  # a second column of the table
    said: str = ""  # the summary's message id (``summary`` is it in English, with its values)
    said_values: dict[str, str] = field(default_factory=dict)


def said(message: str, **values: object) -> dict[str, Any]:
    """A chart's summary: the English sentence, its message id and its values (Chart's fields)."""
    texts = {name: str(value) for name, value in values.items()}
    return {"summary": message % texts if texts else message, "said": message, "said_values": texts}


@dataclass(frozen=True)
class Results:
    """What the report counts beyond the requests: the Actions of the year's index
    (``ResultsEntry``) and the evaluation answers of their activities."""

    entries: list[ResultsEntry]
    answers: list[EvaluationAnswer]
    countries: dict[str, str]  # ISO code -> name, for the activities' countries


@dataclass(frozen=True)
class Report:
    """Everything the report shows for one year."""

    year: int
    generated_at: datetime
    total: int
    charts: list[Chart]


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def _counts(key: str, title: str, rows: list[Row], attribute: str, labels: dict[str, str]) -> Chart:
    counts = Counter(getattr(row, attribute) for row in rows)
    order = list(labels) + sorted(set(counts) - set(labels))
    bars = [Bar(str(labels.get(code, code)), counts[code], str(counts[code])) for code in order]
    shares = [_share(counts[code], len(rows)) for code in order]
    return Chart(key, title, "Requests", bars, extra_header="Share", extra=shares)


def _months(rows: list[Row]) -> Chart:
    counts = Counter(row.submitted_at.month for row in rows)
    bars = [Bar(calendar.month_abbr[m], counts[m], str(counts[m])) for m in range(1, 13)]
    busiest = max(range(1, 13), key=lambda m: (counts[m], -m))
    summary = (
        said(
            "Busiest month: %(month)s (%(count)s)",
            month=calendar.month_name[busiest],
            count=counts[busiest],
        )
        if rows
        else {}
    )
    return Chart(
        "month", "Requests by month of submission", "Requests", bars, vertical=True, **summary
    )


def _approval(rows: list[Row]) -> Chart:
    approved = sum(row.status == Status.APPROVED for row in rows)
    rejected = sum(row.status == Status.REJECTED for row in rows)
    decided = approved + rejected
    rate = f"{approved / decided:.0%}" if decided else "no decision yet"
    bars = [
        Bar("Approved", approved, f"{approved} ({_share(approved, decided)})", "hatch"),
        Bar("Rejected", rejected, f"{rejected} ({_share(rejected, decided)})", "cross"),
    ]
    summary = said(
        "Approval rate: %(rate)s of %(count)s decided request(s)", rate=rate, count=decided
    )
    return Chart("approval", "Decisions: approval rate", "Requests", bars, **summary)


def _median_days(rows: list[Row], regions: dict[str, str]) -> Chart:
    days = {row.reference: row.days_to_decision for row in rows}
    overall = [d for d in days.values() if d is not None]
    bars, counted = [], []
    for code, label in regions.items():
        found = [d for r in rows if r.region == code and (d := r.days_to_decision) is not None]
        median = statistics.median(found) if found else 0.0
        bars.append(Bar(label, median, f"{median:.1f}" if found else "-"))
        counted.append(str(len(found)))
    summary = (
        said(
            "Median days from submission to decision: %(days)s (%(count)s decision(s))",
            days=f"{statistics.median(overall):.1f}",
            count=len(overall),
        )
        if overall
        else said("Median days from submission to decision: no decision yet")
    )
    return Chart(
        "median_days",
        "Median days from submission to decision, by region",
        "Median days",
        bars,
        extra_header="Decisions",
        extra=counted,
        **summary,
    )


def age_bucket(days: int) -> str:
    """The age group of an open request, by whole days since submission."""
    for low, high, label in AGE_BUCKETS:
        if low <= days <= high:
            return label
    return OLDEST_BUCKET


def _open_by_age(rows: list[Row], now: datetime) -> Chart:
    still_open = [row for row in rows if row.status in OPEN]
    counts = Counter(age_bucket((now - row.submitted_at).days) for row in still_open)
    labels = [label for _, _, label in AGE_BUCKETS] + [OLDEST_BUCKET]
    patterns = ["dots", "hatch", "cross", "solid"]
    bars = [
        Bar(label, counts[label], str(counts[label]), pattern)
        for label, pattern in zip(labels, patterns, strict=True)
    ]
    summary = said(
        "%(count)s request(s) still open on %(date)s",
        count=len(still_open),
        date=now.date().isoformat(),
    )
    return Chart("open_age", "Open requests by age", "Requests", bars, **summary)


def _outcomes(rows: list[Row]) -> Chart:
    counts = Counter(row.status for row in rows)
    kinds = [("Approved", Status.APPROVED), ("Rejected", Status.REJECTED)]
    kinds.append(("Withdrawn", Status.WITHDRAWN))
    patterns = ["hatch", "cross", "dots"]
    bars = [
        Bar(label, counts[status], str(counts[status]), pattern)
        for (label, status), pattern in zip(kinds, patterns, strict=True)
    ]
    return Chart("outcomes", "Requests approved, rejected and withdrawn", "Requests", bars)


def done_in(year: int, entries: list[ResultsEntry]) -> list[tuple[ResultsEntry, dict[str, Any]]]:
    """The activities done that ended in ``year``, with their Action's entry."""
    return [
        (entry, activity)
        for entry in entries
        for activity in entry.activities
        if activity["status"] == "done" and str(activity["ends_on"]).startswith(str(year))
    ]


def _actions(year: int, entries: list[ResultsEntry], now: datetime) -> Chart:
    started = sum(e.starts_on.startswith(str(year)) for e in entries)
    ended = [e for e in entries if e.ends_on.startswith(str(year))]
    completed = sum(e.ends_on < now.date().isoformat() for e in ended)
    bars = [
        Bar("Started", started, str(started), "hatch"),
        Bar("Completed", completed, str(completed), "solid"),
    ]
    summary = said(
        "%(started)s Action(s) started, %(completed)s completed in %(year)s",
        started=started,
        completed=completed,
        year=year,
    )
    return Chart("actions", "Actions started and completed", "Actions", bars, **summary)


def _tally(
    key: str, title: str, header: str, counts: Counter[str], labels: dict[str, str]
) -> Chart:
    order = list(labels) + sorted(set(counts) - set(labels))
    total = sum(counts.values())
    bars = [Bar(str(labels.get(code, code)), counts[code], str(counts[code])) for code in order]
    shares = [_share(counts[code], total) for code in order]
    return Chart(key, title, header, bars, extra_header="Share", extra=shares)


def _evaluation_charts(answers: list[EvaluationAnswer]) -> list[Chart]:
    found = figures(answers)
    scale = [
        Bar(SATISFACTION_SCALE[str(score)], count, str(count))
        for score, count in found.satisfaction.items()
    ]
    mean = (
        said(
            "Mean satisfaction: %(mean)s of 5 (%(count)s answer(s))",
            mean=f"{found.satisfaction_mean:.2f}",
            count=found.answers,
        )
        if found.satisfaction_mean is not None
        else said("Mean satisfaction: no answer yet")
    )
    patterns = {"yes": "solid", "partly": "hatch", "no": "cross"}
    changes = [
        Bar(
            CHANGE_ANSWERS[code], count, f"{count} ({_share(count, found.answers)})", patterns[code]
        )
        for code, count in found.changes_work.items()
    ]
    share = (
        said(
            "It will change how they work: %(share)s (yes or partly)",
            share=f"{found.changes_share:.0%}",
        )
        if found.changes_share is not None
        else said("It will change how they work: no answer yet")
    )
    return [
        Chart(
            "satisfaction",
            "Satisfaction with the activities (evaluations)",
            "Answers",
            scale,
            **mean,
        ),
        Chart(
            "changes_work",
            "Will it change how you work? (evaluations)",
            "Answers",
            changes,
            **share,
        ),
    ]


def _median_to_activity(year: int, entries: list[ResultsEntry], regions: dict[str, str]) -> Chart:
    def days(entry: ResultsEntry) -> float | None:
        if not entry.decided_at:
            return None
        decided = datetime.fromisoformat(entry.decided_at.replace("Z", "+00:00"))
        first = datetime.fromisoformat(entry.starts_on).replace(tzinfo=decided.tzinfo)
        return (first - decided).total_seconds() / 86400

    started = [e for e in entries if e.starts_on.startswith(str(year))]
    bars, counted, overall = [], [], []
    for code, label in regions.items():
        found = [d for e in started if e.region == code and (d := days(e)) is not None]
        overall.extend(found)
        median = statistics.median(found) if found else 0.0
        bars.append(Bar(label, median, f"{median:.1f}" if found else "-"))
        counted.append(str(len(found)))
    summary = (
        said(
            "Median days from decision to the first activity: %(days)s (%(count)s Action(s))",
            days=f"{statistics.median(overall):.1f}",
            count=len(overall),
        )
        if overall
        else said("Median days from decision to the first activity: no Action started")
    )
    return Chart(
        "median_to_activity",
        "Median days from decision to the first activity, by region",
        "Median days",
        bars,
        extra_header="Actions",
        extra=counted,
        **summary,
    )


def results_charts(
    year: int, results: Results, now: datetime, regions: dict[str, str]
) -> list[Chart]:
    """The Actions' indicators: started and completed, activities by type and country,
    participants by sex, deliverables by kind, the evaluations, and the time to the first
    activity. Activities count in the year they ended, done."""
    done = done_in(year, results.entries)
    by_type = Counter(str(a["type"]) for _, a in done)
    by_country = Counter(str(a["country"]) for _, a in done)
    people: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for _, activity in done:
        people.update(activity["participants"])
        kinds.update(activity["deliverables"])
    countries = {code: results.countries.get(code, code) for code in sorted(by_country)}
    charts = [
        _actions(year, results.entries, now),
        _tally("activity_type", "Activities done, by type", "Activities", by_type, ACTIVITY_TYPES),
        _tally(
            "activity_country", "Activities done, by country", "Activities", by_country, countries
        ),
        _tally("participants", "Participants, by sex", "Participants", people, PARTICIPANT_SEXES),
        _tally("deliverables", "Deliverables, by kind", "Deliverables", kinds, DELIVERABLE_KINDS),
    ]
    ended = {
        (e.request_id, n)
        for e in results.entries
        for n, a in enumerate(e.activities, 1)
        if str(a["ends_on"]).startswith(str(year))
    }
    answers = [a for a in results.answers if (a.request_id, a.activity) in ended]
    charts += _evaluation_charts(answers)
    charts.append(_median_to_activity(year, results.entries, regions))
    return charts


@dataclass(frozen=True)
class Deployment:
    """One expert deployed (an accepted invitation) as the report sees it: no name."""

    member_state: str
    gender: str
    reference: str  # the request's, whose Action the activity belongs to
    activity: int
    activity_type: str


@dataclass(frozen=True)
class Roster:
    """The roster's registrations by member state and status, and the labels to show."""

    sizes: dict[str, dict[str, int]]
    member_states: dict[str, str]
    genders: dict[str, str]
    activity_types: dict[str, str]


def _deployed_by(
    key: str, title: str, deployments: list[Deployment], attribute: str, labels: dict[str, str]
) -> Chart:
    counts = Counter(getattr(d, attribute) for d in deployments)
    order = [code for code in labels if counts[code]] + sorted(set(counts) - set(labels))
    bars = [Bar(str(labels.get(code, code)), counts[code], str(counts[code])) for code in order]
    shares = [_share(counts[code], len(deployments)) for code in order]
    summary = said("%(count)s expert deployment(s) accepted in the year", count=len(deployments))
    return Chart(key, title, "Deployments", bars, extra_header="Share", extra=shares, **summary)


def _per_action(deployments: list[Deployment]) -> Chart:
    counts = Counter(d.reference for d in deployments)
    activities = {r: len({d.activity for d in deployments if d.reference == r}) for r in counts}
    order = sorted(counts)
    bars = [Bar(reference or "-", counts[reference], str(counts[reference])) for reference in order]
    extra = [str(activities[reference]) for reference in order]
    return Chart(
        "deployments_action",
        "Expert deployments per Action",
        "Deployments",
        bars,
        extra_header="Activities",
        extra=extra,
    )


def _roster(roster: Roster) -> Chart:
    totals = {state: sum(counts.values()) for state, counts in roster.sizes.items()}
    everyone = sum(totals.values())
    active = sum(counts.get("active", 0) for counts in roster.sizes.values())
    order = sorted(totals, key=lambda state: (-totals[state], state))
    bars = [
        Bar(roster.member_states.get(state, state), totals[state], str(totals[state]))
        for state in order
    ]
    shares = [_share(roster.sizes[state].get("active", 0), totals[state]) for state in order]
    summary = (
        said(
            "Roster: %(count)s registration(s), %(active)s active (%(share)s)",
            count=everyone,
            active=active,
            share=_share(active, everyone),
        )
        if everyone
        else said("Roster: no registration yet")
    )
    return Chart(
        "roster",
        "Expert Roster by member state",
        "Registrations",
        bars,
        extra_header="Active share",
        extra=shares,
        **summary,
    )


def expert_charts(deployments: list[Deployment], roster: Roster) -> list[Chart]:
    """The Expert Roster's figures: deployments by member state, gender, Action and type of
    activity, and the roster's size and active share."""
    genders = {**roster.genders, "unknown": "Not given"}
    return [
        _deployed_by(
            "experts_member_state",
            "Experts deployed by member state",
            deployments,
            "member_state",
            roster.member_states,
        ),
        _deployed_by(
            "experts_gender", "Experts deployed by gender", deployments, "gender", genders
        ),
        _per_action(deployments),
        _deployed_by(
            "deployments_type",
            "Expert deployments by type of activity",
            deployments,
            "activity_type",
            roster.activity_types,
        ),
        _roster(roster),
    ]


def build(
    year: int,
    rows: list[Row],
    now: datetime,
    regions: dict[str, str],
    pillars: dict[str, str],
    institution_types: dict[str, str],
    results: Results | None = None,
    more: list[Chart] | None = None,
) -> Report:
    """The report of one year's requests (``rows``), as of ``now``; with ``results``, the
    Actions' indicators too; ``more`` are charts other areas add (the Expert Roster's,
    :func:`expert_charts`), placed after the Actions' indicators."""
    charts = [
        _counts("region", "Requests by region", rows, "region", regions),
        _counts("pillar", "Requests by thematic area (pillar)", rows, "pillar", pillars),
        _counts(
            "institution_type",
            "Requests by type of institution",
            rows,
            "institution_type",
            institution_types,
        ),
        _months(rows),
        _approval(rows),
        _median_days(rows, regions),
        _open_by_age(rows, now),
        _outcomes(rows),
    ]
    if results is not None:
        charts += results_charts(year, results, now, regions)
    charts += more or []  # the experts' indicators go here (issue 18)
    return Report(year, now, len(rows), charts)


def localised(
    report: Report,
    translate: Callable[[str], str],
    number: Callable[[str], str] = str,
) -> Report:
    """The report in another language: every title, header, label and summary through
    ``translate`` (a catalog's gettext; a text no catalog holds, such as a reference or a
    country's name already in that language, stays as it is), and every value of a summary
    that holds a digit through ``number`` (a page isolates it left to right)."""

    def words(text: str) -> str:
        return translate(text) if text else text  # gettext("") is the catalog's header

    def value(text: str) -> str:
        shown = words(text)
        return number(shown) if any(c.isdigit() for c in shown) else shown

    def chart_in(chart: Chart) -> Chart:
        summary = (
            words(chart.said) % {name: value(v) for name, v in chart.said_values.items()}
            if chart.said
            else chart.summary
        )
        return replace(
            chart,
            title=words(chart.title),
            value_header=words(chart.value_header),
            extra_header=words(chart.extra_header),
            bars=[replace(bar, label=words(bar.label)) for bar in chart.bars],
            summary=summary,
        )

    return replace(report, charts=[chart_in(chart) for chart in report.charts])


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
