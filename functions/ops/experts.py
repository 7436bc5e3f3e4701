"""``ops experts`` and ``ops focal``: the Expert Roster from the operators' side.

The national focal points are managed by administrators in the workspace (/staff/focal-points);
``ops focal`` stays for bulk. Matching prints the ranked candidates for an activity and why each
ranks where it does.
"""

from __future__ import annotations

import click

from functions.adapters.repository import repository
from functions.domain.errors import NotFound
from functions.domain.experts import Criterion, ExpertStatus, FocalPoint
from functions.domain.reference import LANGUAGES, reference_data
from functions.ops.requests import resolve
from functions.services import experts as service

MEMBER_STATES = sorted(reference_data().member_states)

# How each criterion reads in the explanation of a rank.
WHY = {
    Criterion.TOPIC: "topic",
    Criterion.LANGUAGE: "works in the activity's language",
    Criterion.AVAILABLE: "available on the dates",
    Criterion.COUNTRY: "knows the country",
    Criterion.REGION: "knows the region",
    Criterion.DEPLOYED: "deployed before",
}


@click.group("focal")
def focal() -> None:
    """The national focal points, who confirm their member state's experts."""


@focal.command("add")
@click.option("--member-state", required=True, type=click.Choice(MEMBER_STATES))
@click.option("--id", "focal_id", required=True)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--language", type=click.Choice(list(LANGUAGES)), default="en")
@click.option(
    "--copy-invitations/--no-copy-invitations",
    default=False,
    help="Send the focal point a copy of each invitation of its member state's experts.",
)
def add_focal(
    member_state: str, focal_id: str, name: str, email: str, language: str, copy_invitations: bool
) -> None:
    """Add or replace a focal point of a member state."""
    point = FocalPoint(focal_id, member_state, name, email, language, copy_invitations)
    try:
        service.save_focal_point(point)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"focal point {member_state}/{focal_id} saved")


@focal.command("list")
@click.option("--member-state", required=True, type=click.Choice(MEMBER_STATES))
def list_focal(member_state: str) -> None:
    """A member state's focal points."""
    for point in repository().focal_points(member_state):
        who = f"{point.name} <{point.email}>"
        click.echo(f"{point.member_state} {point.focal_id:<16} {point.language} {who}")


@focal.command("remove")
@click.option("--member-state", required=True, type=click.Choice(MEMBER_STATES))
@click.option("--id", "focal_id", required=True)
def remove_focal(member_state: str, focal_id: str) -> None:
    """Remove a focal point; the links it was sent stop working."""
    if not repository().remove_focal_point(member_state, focal_id):
        raise click.ClickException(f"no focal point {member_state}/{focal_id}")
    click.echo(f"focal point {member_state}/{focal_id} removed")


@click.group("experts")
def experts() -> None:
    """The Expert Roster: registrations and matching."""


@experts.command("list")
@click.option("--member-state", required=True, type=click.Choice(MEMBER_STATES))
@click.option("--status", type=click.Choice([s.value for s in ExpertStatus]), default="pending")
def list_experts(member_state: str, status: str) -> None:
    """A member state's registrations in a status (by index)."""
    for expert in repository().experts_of_member_state(member_state, status):
        name = expert.document["expert"]["name"]
        click.echo(f"{expert.expert_id}  {expert.registered_at[:10]}  {status:<8} {name}")


@experts.command("match")
@click.argument("request")
@click.argument("activity", type=click.IntRange(min=1))
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def match(request: str, activity: int, limit: int) -> None:
    """The ranked experts for activity ACTIVITY (from 1) of REQUEST's Action (an id or a
    reference such as MX-2026-0001), each with the criteria it matched."""
    try:
        ranking = service.match(resolve(request), activity)
    except NotFound as error:
        raise click.ClickException(f"no {error}") from None
    need = ranking.need
    click.echo(
        f"activity {need.number}: {need.type} {need.starts_on}..{need.ends_on} in {need.country}, "
        f"language {need.language}, topics {', '.join(need.topics)}; "
        f"{need.places} place(s); {len(ranking.matches)} candidate(s), "
        f"{ranking.items_read} item(s) read"
    )
    for position, found in enumerate(ranking.matches[:limit], start=1):
        expert = found.expert.document["expert"]
        reasons = [f"topic: {', '.join(found.topics)}"]
        reasons += [WHY[c] for c in found.matched if c is not Criterion.TOPIC]
        missed = ", ".join(WHY[c] for c in found.missed)
        click.echo(
            f"{position:>3}. {found.score:>2}  {found.expert.expert_id}  {expert['name']} "
            f"({expert['member_state']}, {expert['administration']})"
        )
        click.echo(f"       matched: {'; '.join(reasons)}")
        if missed:
            click.echo(f"       not: {missed}")


@experts.command("invite")
@click.argument("request")
@click.argument("activity", type=click.IntRange(min=1))
@click.argument("expert_ids", nargs=-1, required=True)
@click.option("--by", "actor", default="operator", help="Who invites, for the record.")
def invite(request: str, activity: int, expert_ids: tuple[str, ...], actor: str) -> None:
    """Invite experts (their ids, from ``experts match``) to activity ACTIVITY of REQUEST's
    Action; each is emailed a link to accept or decline within a week."""
    try:
        result = service.invite(resolve(request), activity, list(expert_ids), _actor(actor))
    except NotFound as error:
        raise click.ClickException(f"no {error}") from None
    for invitation in result.sent:
        click.echo(f"invited {invitation.expert_id} (answer by {invitation.respond_by[:10]})")
    for expert_id, why in result.skipped.items():
        click.echo(f"not invited {expert_id}: {why}")


@experts.command("invitations")
@click.argument("request")
@click.argument("activity", type=click.IntRange(min=1))
def invitations(request: str, activity: int) -> None:
    """An activity's places and its invitations (one Query)."""
    places, found = repository().activity_invitations(resolve(request), activity)
    if places is not None:
        click.echo(f"places: {places.filled} of {places.places} filled")
    for invitation in found:
        note = f" ({invitation.reason})" if invitation.reason else ""
        click.echo(
            f"{invitation.expert_id}  {invitation.status:<9} by {invitation.respond_by[:10]}{note}"
        )


def _actor(name: str) -> str:
    """The record's actor: ``operator`` or ``officer:<id>``."""
    return name if name == "operator" or name.startswith("officer:") else f"officer:{name}"
