"""Seed the local stage: the demo Steering Committee and Project Officers.

``python -m infra.local.seed`` runs in the environment of the local stack (``make run`` calls it
with the app's environment). The committee store belongs to the app: this module only loads
``demo_committee.json`` and hands it to ``functions.services.committee.seed_demo``.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path
from typing import Any

from infra.local.run import environment

DEMO_COMMITTEE = Path(__file__).resolve().parent / "demo_committee.json"


def demo_committee(today: datetime.date | None = None) -> dict[str, Any]:
    """The demo members and officers; a delegate ``valid_this_year`` gets this year's dates."""
    year = (today or datetime.date.today()).year
    data: dict[str, Any] = json.loads(DEMO_COMMITTEE.read_text(encoding="utf-8"))
    data.pop("$comment", None)
    for member in data["members"]:
        delegate = member.get("delegate")
        if delegate and delegate.pop("valid_this_year", False):
            delegate["valid_from"] = f"{year}-01-01"
            delegate["valid_until"] = f"{year}-12-31"
    return data


def seed(env: dict[str, str]) -> str:
    """Store the demo committee with the app's own code, in ``env``; say what was done."""
    from functions.services.committee import seed_demo

    data = demo_committee()
    with environment(env):
        seed_demo(data)
    lines = [f"committee: seeded {len(data['members'])} members, {len(data['officers'])} officers"]
    if env.get("COGNITO_USER_POOL_ID"):
        lines += seed_staff(env)
    return "\n".join(lines)


def seed_staff(env: dict[str, str]) -> list[str]:
    """One demo account per role of the staff workspace; their names and passwords."""
    import boto3

    from infra.local.staff_accounts import create_demo_accounts

    cognito = boto3.client(
        "cognito-idp",
        region_name=env.get("AWS_REGION", "eu-west-1"),
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
    )
    accounts = create_demo_accounts(cognito, env["COGNITO_USER_POOL_ID"])
    lines = ["staff workspace (/staff/): one demo account per role (new passwords each run)"]
    lines += [f"  {a.role:<13} {a.username:<17} {a.password}" for a in accounts]
    return lines


def main() -> int:
    """Seed with the current environment (the local stack's)."""
    print(seed(dict(os.environ)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
