"""``ops action``: record an approved request's Action and the status of its activities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml

from functions.domain.errors import NotFound
from functions.ops.identity import operator_actor
from functions.ops.requests import resolve
from functions.services import actions as service


@click.group("action")
def action() -> None:
    """The Action an approved request becomes (schemas/action.schema.json)."""


class _DatesAsText(yaml.SafeLoader):
    """YAML as the schema reads it: ``starts_on: 2027-03-08`` is the text ``"2027-03-08"``.

    YAML 1.1 turns an unquoted date into a date object, which the schema's ``"type": "string"``
    refuses (the documented example gave 12 errors, two per activity). The schema checks the
    text's format itself (``format: date``), so the loader leaves dates and times as written.
    """


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_plan(path: Path) -> Any:
    """The plan in a YAML or JSON file (by its extension; YAML otherwise, a superset of JSON)."""
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=_DatesAsText)  # noqa: S506 - a SafeLoader
    except (ValueError, yaml.YAMLError) as error:
        raise click.ClickException(
            f"{path} is not readable {path.suffix[1:] or 'YAML'}: {error}"
        ) from None


@action.command("record")
@click.option("--request", "request_id", required=True, help="The request's id or reference.")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The plan, YAML or JSON, as schemas/action.schema.json describes.",
)
def record(request_id: str, path: Path) -> None:
    """Publish the Action of an approved request, or replace its plan.

    The partner is emailed when the Action is first published, not when the plan is replaced.
    """
    plan = read_plan(path)
    try:
        result = service.record_action(resolve(request_id), plan, operator_actor())
    except NotFound:
        raise click.ClickException(f"no request {request_id}") from None
    except service.ActionError as error:
        raise click.ClickException("\n  ".join([str(error), *error.errors])) from None
    what = "published; the partner is emailed" if result.first else "plan replaced"
    click.echo(f"Action {what} (version {result.version}, {result.starts_on} to {result.ends_on})")


@action.command("activity")
@click.option("--request", "request_id", required=True, help="The request's id or reference.")
@click.option("--number", required=True, type=click.IntRange(min=1), help="The activity, from 1.")
@click.option("--status", required=True, type=click.Choice(list(service.ACTIVITY_STATUSES)))
def activity(request_id: str, number: int, status: str) -> None:
    """Mark one activity planned, confirmed, done or cancelled; the partner is emailed about it."""
    try:
        changed = service.set_activity_status(resolve(request_id), number, status, operator_actor())
    except NotFound:
        raise click.ClickException(f"no request {request_id}") from None
    except service.ActionError as error:
        raise click.ClickException(str(error)) from None
    if changed:
        click.echo(f"activity {number} is now {status}; the partner is emailed")
    else:
        click.echo(f"activity {number} was already {status}: nothing changed")


@action.command("outcome")
@click.option("--request", "request_id", required=True, help="The request's id or reference.")
@click.option("--number", required=True, type=click.IntRange(min=1), help="The activity, from 1.")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The outcome, YAML or JSON: participants, deliverables, narrative.",
)
def outcome(request_id: str, number: int, path: Path) -> None:
    """Record what a done activity produced (schemas/action.schema.json, ``$defs/outcome``)."""
    document = read_plan(path)
    try:
        version = service.record_outcome(resolve(request_id), number, document, operator_actor())
    except NotFound:
        raise click.ClickException(f"no request {request_id}") from None
    except service.ActionError as error:
        raise click.ClickException("\n  ".join([str(error), *error.errors])) from None
    click.echo(f"outcome of activity {number} recorded (Action version {version})")
