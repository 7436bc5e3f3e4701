"""The local stage's demo staff accounts: one per role of the workspace, in the user pool.

``make run`` creates them (infra/local/seed.py) and prints each name with its password, new on
every run; the tests make the same accounts. The Project Officer's name is an Officer record of
demo_committee.json (``po-africa``), which is how the workspace finds the officer's regions.
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

# user name -> the group (role) it belongs to
DEMO_ACCOUNTS = {
    "demo-admin": "administrator",
    "demo-coordinator": "coordinator",
    "po-africa": "officer",
    "demo-viewer": "viewer",
}


class Account(NamedTuple):
    """A demo account: its name, its role and its password."""

    username: str
    role: str
    password: str


def demo_password() -> str:
    """A password the pool's policy accepts (12+ characters, both cases, a digit)."""
    return f"Mx-{secrets.token_urlsafe(12)}-a1B"


def create_account(cognito: Any, pool_id: str, username: str, role: str, password: str) -> Account:
    """One account with a permanent password, in the group of its role."""
    cognito.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        TemporaryPassword=demo_password(),
        MessageAction="SUPPRESS",
    )
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=role)
    return Account(username, role, password)


def create_demo_accounts(cognito: Any, pool_id: str) -> list[Account]:
    """Every demo account, each with a new password."""
    return [
        create_account(cognito, pool_id, username, role, demo_password())
        for username, role in DEMO_ACCOUNTS.items()
    ]
