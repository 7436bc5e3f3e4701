"""Rotate the link-signing keys of a stage: add a new key, retire old ones only when no link
they signed can still be valid.

    python -m infra.keys rotate --stage prod [--keep N] [--revoke]

Links are signed with the newest key and accepted with any listed key. A key stops signing when
the next one is added, so the last link it signed expires the longest link age after that day
(status links: RETENTION_DAYS, 730 days; review links: LINK_MAX_AGE_DAYS; anti-forgery tokens:
a day), read from the stage's configuration. ``rotate`` drops every key whose links have all
expired and keeps the others; with ``--keep N`` it refuses (and says from which day the oldest
key may go) rather than cut valid links off. ``--revoke`` is for a leak: only the new key is
kept and every link sent so far stops working, on purpose. The address key of the rate limiter
is never rotated here (see functions/adapters/secrets.py). Running functions pick the new key
up within five minutes (their cache).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from functions.adapters.links import Purpose, max_age_days
from functions.adapters.secrets import KeySet, parse_secret

ROOT = Path(__file__).resolve().parent.parent
# A replaced key may still sign for five minutes (the functions' cache): a day covers it.
MARGIN_DAYS = 1
_NAMES = {
    Purpose.REVIEW: "review links",
    Purpose.STATUS: "status links",
    Purpose.CSRF: "anti-forgery tokens",
    Purpose.FOCAL_POINT: "focal points' links",
    Purpose.EXPERT: "experts' pages",
    Purpose.INVITATION: "invitations",
}


class KeyStillNeeded(Exception):
    """Dropping a key now would cut off links it signed that are still valid."""


class LinkAges(NamedTuple):
    """How long a stage's links live, in days."""

    review_days: int
    status_days: int

    def longest(self) -> tuple[str, int]:
        """The longest-lived kind of link and its age in days."""
        ages = max_age_days(self.review_days, self.status_days)
        purpose = max(ages, key=lambda p: ages[p])
        return _NAMES[purpose], ages[purpose]


def link_ages(stage: str | None = None) -> LinkAges:
    """The link ages of ``stage`` from .chalice/config.json (its stage's values over the
    shared ones, the settings' defaults when neither says)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text(encoding="utf-8"))
    values = dict(config.get("environment_variables", {}))
    if stage:
        values.update(config.get("stages", {}).get(stage, {}).get("environment_variables", {}))
    return LinkAges(
        int(values.get("LINK_MAX_AGE_DAYS", 21)), int(values.get("RETENTION_DAYS", 730))
    )


def new_key() -> str:
    """A fresh key: 64 letters and digits, like the one the stack generates."""
    return secrets.token_hex(32)


def initial_secret(today: date) -> str:
    """A new stage's secret: one dated signing key and an address key of its own."""
    return KeySet((new_key(),), (today.isoformat(),), new_key()).to_secret()


def retire_from(successor_created: str, ages: LinkAges) -> date:
    """The first day a key may go: every link it signed (until its successor was added) has
    expired by then."""
    return date.fromisoformat(successor_created) + timedelta(days=ages.longest()[1] + MARGIN_DAYS)


def rotated(
    current: str,
    *,
    today: date,
    ages: LinkAges,
    keep: int | None = None,
    revoke: bool = False,
) -> str:
    """The secret's new value: the current keys plus a fresh one, less the keys no valid link
    needs any more. Raises :class:`KeyStillNeeded` when ``keep`` would drop a needed key."""
    if keep is not None and keep < 2:
        raise ValueError("keep at least two keys, or every link already sent stops working")
    held = parse_secret(current)
    # A key of the old format has no date: today is a safe bound (it only keeps the key longer).
    keys = [*held.keys, new_key()]
    created = [*(day or today.isoformat() for day in held.created), today.isoformat()]
    if revoke:
        keys, created = keys[-1:], created[-1:]
    while len(keys) > 1 and retire_from(created[1], ages) <= today:
        del keys[0], created[0]
    if keep is not None and len(keys) > keep:
        what, days = ages.longest()
        may_go = retire_from(created[1], ages).isoformat()
        raise KeyStillNeeded(
            f"not rotated: keeping {keep} keys would drop the oldest, which signed {what} until "
            f"{created[1]}, and {what} live {days} days; it may go from {may_go}. Rotate "
            "without --keep (the key stays until then), or with --revoke after a leak"
        )
    return KeySet(tuple(keys), tuple(created), held.address_key).to_secret()


def rotate(
    client: Any,
    secret_id: str,
    keep: int | None = None,
    *,
    stage: str | None = None,
    revoke: bool = False,
    today: date | None = None,
) -> int:
    """Add a key to the secret; return how many keys it now holds."""
    current = client.get_secret_value(SecretId=secret_id)["SecretString"]
    value = rotated(
        current, today=today or date.today(), ages=link_ages(stage), keep=keep, revoke=revoke
    )
    client.put_secret_value(SecretId=secret_id, SecretString=value)
    return len(parse_secret(value).keys)


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    import boto3  # on use: the rest of this module is pure

    parser = argparse.ArgumentParser(prog="python -m infra.keys", description=__doc__)
    parser.add_argument("command", choices=["rotate"])
    parser.add_argument("--stage", choices=("dev", "prod"), required=True)
    parser.add_argument("--keep", type=int, default=None)
    parser.add_argument("--revoke", action="store_true", help="after a leak: only the new key")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    parser.add_argument("--region", default=region)
    args = parser.parse_args(argv)
    client = boto3.client("secretsmanager", region_name=args.region)
    name = f"mieux-{args.stage}-signing-keys"
    try:
        count = rotate(client, name, args.keep, stage=args.stage, revoke=args.revoke)
    except KeyStillNeeded as refused:
        print(f"{name}: {refused}", file=sys.stderr)
        return 1
    print(f"{name} now holds {count} key(s); new links use the newest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
