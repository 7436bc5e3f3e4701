"""``ops evaluation``: an Action's evaluation figures, and an activity's shared link and QR code
(what the staff workspace will show once it is there)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from functions.adapters import links
from functions.domain.errors import DomainError, NotFound
from functions.domain.evaluation import Figures
from functions.ops.requests import resolve
from functions.services import evaluation as service


@click.group("evaluation")
def evaluation() -> None:
    """The evaluations of an Action's activities (schemas/evaluation.schema.json)."""


def _line(label: str, figures: Figures) -> str:
    if not figures.answers:
        return f"{label}: no answers"
    share = figures.changes_share or 0.0
    changes = ", ".join(f"{k} {v}" for k, v in figures.changes_work.items())
    roles = ", ".join(f"{k} {v}" for k, v in figures.by_role.items())
    return (
        f"{label}: {figures.answers} answer(s) ({roles}); satisfaction"
        f" {figures.satisfaction_mean:.2f} of 5; changes how they work {share:.0%} ({changes})"
    )


@evaluation.command("figures")
@click.option("--request", "request_id", required=True, help="The request's id or reference.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of lines.")
def figures(request_id: str, as_json: bool) -> None:
    """The evaluation figures per activity and for the whole Action."""
    try:
        found = service.action_figures(resolve(request_id))
    except NotFound:
        raise click.ClickException(f"no request {request_id}") from None
    if as_json:
        click.echo(json.dumps(found.as_json(), indent=2))
        return
    for number, activity in found.activities.items():
        click.echo(_line(f"activity {number}", activity))
    click.echo(_line("the Action", found.action))


@evaluation.command("room")
@click.option("--request", "request_id", required=True, help="The request's id or reference.")
@click.option("--number", required=True, type=click.IntRange(min=1), help="The activity, from 1.")
@click.option(
    "--qr",
    "qr_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the link's QR code (SVG) to this file.",
)
def room(request_id: str, number: int, qr_path: Path | None) -> None:
    """The participants' shared link of a done activity (and its QR code)."""
    try:
        link = service.room_link(resolve(request_id), number)
        service.evaluated(link)  # the activity exists and is done
    except NotFound:
        raise click.ClickException(f"no request {request_id} or no activity {number}") from None
    except DomainError as error:
        raise click.ClickException(f"activity {number} is not done: {error}") from None
    url = links.evaluation_url(link)
    click.echo(url)
    if qr_path is not None:
        from functions.presentation.qr import qr_svg

        qr_path.write_text(qr_svg(url), encoding="utf-8")
        click.echo(f"QR code written to {qr_path}")
