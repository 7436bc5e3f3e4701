"""Operator commands of issue 7's sweeper part: ``erase`` a person's data, ``sweep`` now."""

from __future__ import annotations

import click

from functions.services.erasure import erase_person
from functions.services.sweep import sweep


@click.command("erase")
@click.option("--email", "address", required=True, help="The person's email address.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(address: str, yes: bool) -> None:
    """Erase one person's data (requests, events, votes, mail records, committee) and report."""
    if "@" not in address:
        raise click.BadParameter("not an email address", param_hint="--email")
    if not yes:
        click.confirm(f"Erase every trace of {address}? This cannot be undone", abort=True)
    report = erase_person(address)
    if not report.anything:
        click.echo("nothing found for this address: nothing changed")
        return
    for kind, count in sorted(report.changed.items()):
        click.echo(f"{kind:<12} {count} item(s) changed")
    for request_id in report.requests:
        click.echo(f"request      {request_id} anonymised")


@click.command("sweep")
def sweep_now() -> None:
    """Run the sweeper's duties once now (reminders, escalation, expiry, retention, ...)."""
    for name, count in sweep().items():
        click.echo(f"{name:<20} {count}")


def register(cli: click.Group) -> None:
    """Add these commands to the operators' command line."""
    cli.add_command(erase)
    cli.add_command(sweep_now)
