"""Operator commands. Run against any stage: the environment, ``--env-file`` or ``--stage``.

python -m functions.ops committee list
python -m functions.ops committee add-member --id intpa --name ... --body "DG INTPA" ...
python -m functions.ops request show <request id or reference: MX-2026-0001>
python -m functions.ops erase --email someone@example.org
python -m functions.ops sweep
python -m functions.ops --stage prod --profile mieux-prod requests list --year 2026
python -m functions.ops --env-file build/local/env.json report --year 2026 --out report.html
python -m functions.ops focal add --member-state FR --id sgae --name ... --email ...
python -m functions.ops experts match MX-2026-0001 5

docs/operations.md, "The operator command", describes every command.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click

from functions.adapters.repository import repository
from functions.domain.committee import Delegate, Member, Officer, Role
from functions.ops import actions, erasure, evaluation, experts, queues, report, requests, target
from functions.services.committee import seed_demo


@click.group()
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSON file of settings (the local stack's: build/local/env.json).",
)
@click.option(
    "--stage",
    type=click.Choice(["dev", "prod"]),
    help="A deployed stage: settings read from the outputs of its stack mieux-<stage>.",
)
@click.option("--profile", help="The AWS profile (credentials) to use with --stage.")
@click.option("--region", help="The stack's AWS region with --stage (default: the profile's).")
def cli(env_file: Path | None, stage: str | None, profile: str | None, region: str | None) -> None:
    """Operate the MIEUX request service."""
    if env_file is not None and stage is not None:
        raise click.UsageError("give --env-file or --stage, not both")
    if env_file is not None:
        target.apply(target.env_file(env_file))
    elif stage is not None:
        try:
            target.apply(target.stage_environment(stage, profile, region))
        except LookupError as error:
            raise click.ClickException(str(error)) from None
    elif profile is not None:
        os.environ["AWS_PROFILE"] = profile
    if not _asks_for_help():
        _require_aws_access()


def _asks_for_help() -> bool:
    return any(argument in ("--help", "-h") for argument in sys.argv[1:])


def _require_aws_access() -> None:
    """No region or no credentials: one line saying what to set, exit 2 (not a traceback)."""
    import boto3

    from infra import preflight

    problem = preflight.access_problem(boto3.session.Session())
    if problem:
        click.echo(f"python -m functions.ops: {problem}", err=True)
        sys.exit(preflight.EXIT_NO_ACCESS)


cli.add_command(requests.requests)
cli.add_command(queues.dlq)
cli.add_command(actions.action)
cli.add_command(evaluation.evaluation)
cli.add_command(report.report)
cli.add_command(experts.experts)
cli.add_command(experts.focal)


@cli.group()
def committee() -> None:
    """The Steering Committee and the Project Officers."""


@committee.command("list")
def list_committee() -> None:
    """Show every member (with delegate) and every Project Officer."""
    for member in repository().members():
        delegate = ""
        if member.delegate:
            d = member.delegate
            delegate = f"  delegate: {d.name} <{d.email}> {d.valid_from}..{d.valid_until}"
        who = f"{member.name} <{member.email}>"
        click.echo(
            f"member  {member.member_id:<12} {member.role:<8} {member.body:<10} {who}{delegate}"
        )
    for officer in repository().officers():
        regions = ",".join(officer.regions)
        click.echo(
            f"officer {officer.officer_id:<12} {regions:<30} {officer.name} <{officer.email}>"
        )


@committee.command("add-member")
@click.option("--id", "member_id", required=True)
@click.option("--name", required=True)
@click.option("--body", required=True, help="DG INTPA, DG HOME, EEAS, DG NEAR, ...")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default="voting")
@click.option("--language", type=click.Choice(["en", "fr", "es", "ar", "ru"]), default="en")
def add_member(member_id: str, name: str, body: str, email: str, role: str, language: str) -> None:
    """Add or replace a member."""
    existing = repository().member(member_id)
    delegate = existing.delegate if existing else None
    repository().save_member(Member(member_id, name, body, email, Role(role), language, delegate))
    click.echo(f"member {member_id} saved")


@committee.command("set-delegate")
@click.option("--id", "member_id", required=True)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--from", "valid_from", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--until", "valid_until", required=True, type=click.DateTime(["%Y-%m-%d"]))
def set_delegate(
    member_id: str, name: str, email: str, valid_from: object, valid_until: object
) -> None:
    """Let a delegate receive a member's review links between two dates."""
    member = repository().member(member_id)
    if member is None:
        raise click.ClickException(f"no member {member_id}")
    start, end = _day(valid_from), _day(valid_until)
    if end < start:
        raise click.ClickException("--until is before --from")
    delegate = Delegate(name, email, start, end)
    repository().save_member(
        Member(
            member.member_id,
            member.name,
            member.body,
            member.email,
            member.role,
            member.language,
            delegate,
        )
    )
    click.echo(f"delegate of {member_id} saved")


def _day(value: object) -> date:
    return value.date() if hasattr(value, "date") else date.fromisoformat(str(value))


@committee.command("remove-member")
@click.option("--id", "member_id", required=True)
def remove_member(member_id: str) -> None:
    """Remove a member; their past votes stay in the audit trail."""
    if not repository().remove_member(member_id):
        raise click.ClickException(f"no member {member_id}")
    click.echo(f"member {member_id} removed")


@committee.command("add-officer")
@click.option("--id", "officer_id", required=True)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--region", "regions", multiple=True, required=True)
@click.option("--language", type=click.Choice(["en", "fr", "es", "ar", "ru"]), default="en")
def add_officer(
    officer_id: str, name: str, email: str, regions: tuple[str, ...], language: str
) -> None:
    """Add or replace a Project Officer and the regions they coordinate."""
    from functions.domain.reference import reference_data

    unknown = [r for r in regions if r not in reference_data().regions]
    if unknown:
        raise click.ClickException(f"unknown region(s): {', '.join(unknown)}")
    repository().save_officer(Officer(officer_id, name, email, regions, language))
    click.echo(f"officer {officer_id} saved")


@committee.command("remove-officer")
@click.option("--id", "officer_id", required=True)
def remove_officer(officer_id: str) -> None:
    """Remove a Project Officer."""
    if not repository().remove_officer(officer_id):
        raise click.ClickException(f"no officer {officer_id}")
    click.echo(f"officer {officer_id} removed")


@committee.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_committee(path: Path) -> None:
    """Load members and officers from a JSON file ({"members": [...], "officers": [...]})."""
    members, officers = seed_demo(json.loads(path.read_text(encoding="utf-8")))
    click.echo(f"{members} members and {officers} officers saved")


@cli.group()
def request() -> None:
    """Requests and their audit trail."""


@request.command("show")
@click.argument("request_id")
def show_request(request_id: str) -> None:
    """A request (by id or reference) with its votes, emails and audit trail (one Query; a
    reference first finds the id through region-index)."""
    found = repository().partition(requests.resolve(request_id))
    request = found.request
    if request is None:
        raise click.ClickException(f"no request {request_id}")
    click.echo(
        f"{request.reference}  status={request.status} round={request.round} "
        f"region={request.region}"
    )
    click.echo(f"  title: {request.title}")
    lines: list[tuple[str, str]] = []
    for e in found.events:
        detail = f" {e.detail}" if e.detail else ""
        lines.append((e.at, f"event  r{e.round}  {e.action:<22} by {e.actor}{detail}"))
    for v in found.votes:
        lines.append((v.at, f"vote   r{v.round}  {v.choice:<22} by {v.cast_by}"))
    for m in found.mail:
        note = f" ({m.error})" if m.error else ""
        what = f"{m.kind:<22} to {m.recipient}: {m.state}{note}"
        lines.append((m.at, f"mail   r{m.round}  {what}"))
    for at, line in sorted(lines):
        click.echo(f"  {at}  {line}")


erasure.register(cli)
requests.requests.add_command(show_request, "show")  # also as `requests show`


def main() -> None:
    """The command line; credentials that fail mid-command (an expired session) end in the same
    one line as missing ones."""
    from infra import preflight

    try:
        cli(standalone_mode=False)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:
        click.echo("Aborted!", err=True)
        sys.exit(1)
    except Exception as error:
        line = preflight.access_error(error)
        if line is None:
            raise
        click.echo(f"python -m functions.ops: {line}", err=True)
        sys.exit(preflight.EXIT_NO_ACCESS)


if __name__ == "__main__":
    main()
