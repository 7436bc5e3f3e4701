"""``ops requests``: list, filter and export requests; send an email again.

``requests recount`` sets the workspace queue's counts per status again from status-index.

Listings read the indexes, never a Scan: ``region-index`` (one Query per region and year) by
default, ``status-index`` (one Query per status) when statuses are given. The other filters
are applied to what those Queries return.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from functions.adapters import queue
from functions.adapters.repository import repository
from functions.domain import clock
from functions.domain.errors import NotFound
from functions.domain.mail import (
    LEASE_SECONDS,
    MailKind,
    MailRecord,
    MailState,
    Notification,
    Recipient,
)
from functions.domain.records import Request
from functions.domain.reference import reference_data
from functions.domain.requests import Status, reference_year
from functions.presentation import spreadsheet
from functions.services.review import load_request

COLUMNS = (
    "reference", "id", "status", "round", "region", "country", "pillar", "institution_type",
    "institution", "title", "submitted_at", "decided_at",
)  # fmt: skip


def resolve(identifier: str) -> str:
    """The request id an operator means: an id as given, or the id of a reference number
    (``MX-2026-0001``, what the Project Officer's email gives).

    A reference is found without a Scan and without an index of its own: its year is the year
    of submission, so one region-index Query per region for that year (stopping at the match)
    reads only that year's requests. An operator's lookup now and then costs less that way than
    a reference-index would, written with every request and deployed on the table.
    Raises :class:`click.ClickException` for a reference no request has.
    """
    year = reference_year(identifier)
    if year is None:
        return identifier
    reference = identifier.strip().upper()
    for region in reference_data().regions:
        for request in repository().requests_of_region(region, year):
            if request.reference == reference:
                return request.request_id
    raise click.ClickException(f"no request {reference}")


@click.group("requests")
def requests() -> None:
    """List, filter and export requests; send an email again."""


def select(
    statuses: Iterable[str] = (),
    regions: Iterable[str] = (),
    pillars: Iterable[str] = (),
    institution_types: Iterable[str] = (),
    year: int | None = None,
) -> Iterator[Request]:
    """The requests matching every filter given (each a list of accepted values)."""
    statuses, regions = list(statuses), list(regions)
    pillars, institution_types = set(pillars), set(institution_types)
    if statuses:
        found: Iterable[Request] = (
            item for status in statuses for item in repository().requests_in_status(status)
        )
    else:
        years = [year or clock.now().year]
        found = (
            item
            for region in regions or reference_data().regions
            for y in years
            for item in repository().requests_of_region(region, y)
        )
    for item in found:
        if year is not None and item.submitted_at[:4] != str(year):
            continue
        if regions and item.region not in regions:
            continue
        if pillars and item.pillar not in pillars:
            continue
        if institution_types and item.institution_type not in institution_types:
            continue
        yield item


def row(item: Request) -> dict[str, Any]:
    """One request as a flat row of the listing and the export."""
    return {
        "reference": item.reference,
        "id": item.request_id,
        "status": item.status,
        "round": int(item.round),
        "region": item.region,
        "country": item.country or "",
        "pillar": item.pillar,
        "institution_type": item.institution_type,
        "institution": item.document["institution"]["name"],
        "title": item.document["request"]["title"],
        "submitted_at": item.submitted_at,
        "decided_at": item.decided_at or "",
    }


def _check(values: Iterable[str], allowed: Iterable[str], what: str) -> None:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        known = ", ".join(sorted(allowed))
        raise click.BadParameter(f"unknown {what} {', '.join(unknown)} (one of: {known})")


def _filters(
    status: tuple[str, ...],
    region: tuple[str, ...],
    pillar: tuple[str, ...],
    institution_type: tuple[str, ...],
) -> None:
    reference = reference_data()
    _check(status, [s.value for s in Status], "status")
    _check(region, reference.regions, "region")
    _check(pillar, reference.pillars, "pillar")
    _check(institution_type, reference.institution_types, "institution type")


def as_csv(rows: list[dict[str, Any]]) -> str:
    """The rows as CSV with a header line, safe to open in a spreadsheet (no formula runs)."""
    return spreadsheet.csv_text(rows, COLUMNS)


def as_table(rows: list[dict[str, Any]]) -> str:
    """The rows as aligned text for a terminal."""
    shown = ("reference", "status", "region", "pillar", "institution_type", "submitted_at", "id")
    lines = [[str(r[c])[:10] if c == "submitted_at" else str(r[c]) for c in shown] for r in rows]
    widths = [max([len(c), *(len(line[i]) for line in lines)]) for i, c in enumerate(shown)]
    out = ["  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True))]
    out += ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)) for line in lines]
    out.append(f"{len(rows)} request(s)")
    return "\n".join(out)


_FILTERS = [
    click.option("--status", multiple=True, help="Repeat for several (uses status-index)."),
    click.option("--region", multiple=True, help="Region code; repeat for several."),
    click.option("--pillar", multiple=True, help="Pillar code; repeat for several."),
    click.option("--institution-type", multiple=True, help="Institution type code."),
    click.option("--year", type=int, help="Year of submission (default: this year)."),
]


def _with_filters(command: Any) -> Any:
    for option in reversed(_FILTERS):
        command = option(command)
    return command


@requests.command("list")
@_with_filters
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def list_requests(
    status: tuple[str, ...],
    region: tuple[str, ...],
    pillar: tuple[str, ...],
    institution_type: tuple[str, ...],
    year: int | None,
    fmt: str,
) -> None:
    """Requests matching the filters, oldest first."""
    _filters(status, region, pillar, institution_type)
    found = select(status, region, pillar, institution_type, year)
    rows = sorted((row(item) for item in found), key=lambda r: r["submitted_at"])
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        # No byte-order mark on stdout: it goes to pipes and terminals, where one would glue
        # itself to the first header; a spreadsheet's file comes from ``export --out``.
        click.echo(as_csv(rows), nl=False)
    else:
        click.echo(as_table(rows))


@requests.command("recount")
@click.option("--check", is_flag=True, help="Only compare the counters with the index.")
def recount(check: bool) -> None:
    """Set the queue's counts per status again from status-index (after drift: requests that
    their retention deleted, or a write made by hand). One counting Query per status; run it
    when no one is deciding, as a change made meanwhile may be missed."""
    store = repository()
    kept = store.status_counts()
    if check:
        truth = {
            status.value: sum(1 for _ in store.requests_in_status(status.value))
            for status in Status
        }
    else:
        truth = store.recount_statuses()
    drifted = 0
    for status in Status:
        before, now = kept.get(status.value, 0), truth.get(status.value, 0)
        mark = (
            "" if before == now else f"  (was {before})" if not check else f"  (counter {before})"
        )
        drifted += before != now
        click.echo(f"{status.value:<24}{now:>8}{mark}")
    if check and drifted:
        raise click.ClickException(f"{drifted} counts differ from the index: run without --check")


@requests.command("export")
@_with_filters
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="file.csv or file.json (the JSON holds each request's document too).",
)
def export_requests(
    status: tuple[str, ...],
    region: tuple[str, ...],
    pillar: tuple[str, ...],
    institution_type: tuple[str, ...],
    year: int | None,
    out: Path,
) -> None:
    """Write the requests matching the filters to a CSV or JSON file, with progress."""
    if out.suffix.lower() not in (".csv", ".json"):
        raise click.BadParameter("--out must end in .csv or .json")
    _filters(status, region, pillar, institution_type)
    year = year or (None if status else clock.now().year)
    # One Query per region (or status): progress is counted in Queries, the long part.
    parts = (
        [((s,), region) for s in status]
        if status
        else [(status, (r,)) for r in region or reference_data().regions]
    )
    items: list[Request] = []
    with click.progressbar(parts, label="Reading requests", file=sys.stderr) as bar:
        for part_status, part_region in bar:
            items += select(part_status, part_region, pillar, institution_type, year)
    items.sort(key=lambda item: item.submitted_at)
    if out.suffix.lower() == ".csv":
        # A file is what a spreadsheet opens: with a byte-order mark, or Excel misreads UTF-8.
        out.write_text(as_csv([row(item) for item in items]), encoding=spreadsheet.ENCODING)
    else:
        records = [{**row(item), "document": item.document} for item in items]
        out.write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    click.echo(f"{len(items)} request(s) written to {out}")


def _took_over(claim: MailRecord) -> bool:
    """Take over a claim older than the lease (its worker died); False while it is fresh (a
    worker may be sending now) or when a worker took it over first."""
    now = clock.now()
    if clock.parse_iso(claim.at) + timedelta(seconds=LEASE_SECONDS) > now:
        return False
    return repository().take_over_mail(claim, clock.iso(now))


@requests.command("resend")
@click.option("--request", "request_id", required=True, help="The request's id or reference.")
@click.option("--kind", required=True, help="The email's kind: receipt, decision_partner, ...")
@click.option("--recipient", required=True, help="partner, member:<id> or officer:<id>.")
@click.option("--round", "round_number", type=int, help="Review round (default: the current).")
@click.option("--key", default="", help="The mail's key, for kinds sent more than once a round.")
def resend(request_id: str, kind: str, recipient: str, round_number: int | None, key: str) -> None:
    """Send an email again: forget that it was sent and queue its notification once more."""
    kinds = [k.value for k in MailKind]
    if kind not in kinds:
        raise click.BadParameter(f"unknown kind {kind} (one of: {', '.join(kinds)})")
    try:
        who = Recipient.parse(recipient)
    except ValueError:
        raise click.ClickException(
            f"not a recipient: {recipient} (partner, member:<id> or officer:<id>)"
        ) from None
    request_id = resolve(request_id)
    try:
        request = load_request(request_id)
    except NotFound:
        raise click.ClickException(f"no request {request_id}") from None
    notification = Notification(request_id, MailKind(kind), round_number or request.round, who, key)
    try:
        queue.check(notification.as_message())
    except queue.BadMessage as error:
        raise click.ClickException(str(error)) from None
    store = repository()
    record = store.get_mail(notification)
    if record is not None:
        if record.state is MailState.SENDING and not _took_over(record):
            raise click.ClickException("this email is being sent right now: try again later")
        store.forget_mail(record)
    queue.publish_notifications([notification])
    earlier = f" (it was {record.state} on {record.at[:16]})" if record else " (never sent before)"
    click.echo(f"{kind} to {recipient} queued again{earlier}")
