"""The staff workspace in tests: the demo accounts in moto's user pool, and signing in."""

from __future__ import annotations

import re
from typing import Any

import boto3
import requests

from functions.adapters import cognito
from infra.local.staff_accounts import DEMO_ACCOUNTS, Account, create_account
from tests.integration.helpers import Browser
from tests.support import Stack

PASSWORDS = {username: f"Pass-{username}-1A" for username in DEMO_ACCOUNTS}
ROLE_USER = {role: username for username, role in DEMO_ACCOUNTS.items()}


def moto_jwks(monkeypatch: Any) -> None:
    """Read the pool's keys the way moto serves them: in-process, moto answers ``requests``
    (not urllib) for the pool's ``/.well-known/jwks.json``; the document is moto's own."""
    cognito.forget_keys()
    monkeypatch.setattr(cognito, "_fetch_jwks", lambda url: requests.get(url, timeout=5).content)


def staff_accounts(stack: Stack, monkeypatch: Any) -> dict[str, Account]:
    """One account per role (DEMO_ACCOUNTS) with a known password, by user name."""
    moto_jwks(monkeypatch)
    client = boto3.client("cognito-idp", region_name="eu-west-1")
    pool = stack.env["COGNITO_USER_POOL_ID"]
    return {
        name: create_account(client, pool, name, role, PASSWORDS[name])
        for name, role in DEMO_ACCOUNTS.items()
    }


def csrf_of(response: Any) -> str:
    match = re.search(r'name="_csrf" value="([^"]+)"', response.body.decode("utf-8"))
    assert match, "no anti-forgery token on the page"
    return match.group(1)


def signed_in(client: Any, username: str, password: str | None = None) -> Browser:
    """A browser signed in as ``username`` (its session cookies kept)."""
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    answer = browser.post(
        "/staff/sign-in",
        {
            "_csrf": csrf_of(page),
            "username": username,
            "password": password or PASSWORDS[username],
            "next": "/staff",
        },
    )
    assert answer.status_code == 303, answer.body
    return browser
