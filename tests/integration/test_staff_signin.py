"""Signing in to the staff workspace against moto's user pool: sessions, steps, sign-out.

Every /staff/ route is found from the app itself (never a hand-kept list): none answers
without a session. The session's token is verified against the pool's keys as moto serves them.
"""

from __future__ import annotations

import base64
import re
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import boto3
import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

from functions.adapters import cognito
from infra.local.staff_accounts import create_account
from tests.integration.helpers import Browser
from tests.integration.staff import PASSWORDS, csrf_of, signed_in, staff_accounts
from tests.support import Stack

SIGN_IN_ROUTES = ("/staff/sign-in", "/staff/sign-in/step")


def staff_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the workspace that needs a session, from the app's routes."""
    from app import app

    found = []
    for path, methods in app.routes.items():
        if not path.startswith("/staff") or path in SIGN_IN_ROUTES:
            continue
        found += [(method, path) for method in methods if method != "HEAD"]
    return sorted(found)


@pytest.fixture
def accounts(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    return staff_accounts(stack, monkeypatch)


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "0123456789abcdef0123456789abcdef", path)


def test_the_workspace_has_routes_to_check() -> None:
    routes = staff_routes()
    assert ("GET", "/staff") in routes and ("POST", "/staff/sign-out") in routes


@pytest.mark.parametrize("method, path", staff_routes())
def test_no_workspace_route_answers_without_a_session(
    client: Any, accounts: dict[str, Any], method: str, path: str
) -> None:
    url = concrete(path)
    if method == "GET":
        answer = client.http.get(url)
    else:
        answer = client.http.request(
            method,
            url,
            body=b"_csrf=x",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert answer.status_code == 303
    location = answer.headers["Location"]
    assert location.startswith("/staff/sign-in?next=")
    back = parse_qs(urlsplit(location).query)["next"][0]
    assert back == (url if method == "GET" else "/staff")
    assert "Content-Security-Policy" in answer.headers


def test_signing_in_sets_a_strict_session_and_opens_the_queue(
    client: Any, accounts: dict[str, Any]
) -> None:
    browser = Browser(client)
    page = browser.get("/staff/sign-in?next=" + quote("/staff?status=submitted"))
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
    answer = browser.post(
        "/staff/sign-in",
        {
            "_csrf": csrf_of(page),
            "username": "po-africa",
            "password": PASSWORDS["po-africa"],
            "next": "/staff?status=submitted",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/staff?status=submitted&lang=en"
    cookies = answer.headers["Set-Cookie"]
    assert isinstance(cookies, list) and len(cookies) == 2
    for cookie in cookies:
        assert cookie.startswith(("__Host-mieux_staff=", "__Host-mieux_staff_renew="))
        for attribute in ("Path=/", "HttpOnly", "SameSite=Strict", "Secure"):
            assert attribute in cookie
    queue = browser.get("/staff?status=submitted")
    assert queue.status_code == 200
    body = queue.body.decode()
    assert "po-africa" in body and "Sign out" in body


@pytest.mark.parametrize(
    "password, status", [("wrong-password-1A", 401), ("", 422)], ids=["wrong", "empty"]
)
def test_a_refused_sign_in_says_so_at_the_field_and_sets_no_session(
    client: Any, accounts: dict[str, Any], password: str, status: int
) -> None:
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    answer = browser.post(
        "/staff/sign-in",
        {"_csrf": csrf_of(page), "username": "po-africa", "password": password},
    )
    assert answer.status_code == status
    assert 'href="#username"' in answer.body.decode() or 'href="#password"' in answer.body.decode()
    assert not any(name.startswith("__Host-mieux_staff") for name in browser.cookies)


def test_an_unknown_user_is_refused_like_a_wrong_password(
    client: Any, accounts: dict[str, Any]
) -> None:
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    answer = browser.post(
        "/staff/sign-in", {"_csrf": csrf_of(page), "username": "nobody", "password": "Xx-123456789"}
    )
    assert answer.status_code == 401
    assert "The user name or the password is not right" in answer.body.decode()


@pytest.mark.parametrize(
    "asked",
    [
        "//evil.example/staff/",
        "https://evil.example/staff/",
        "/staff/\\evil.example",
        "/\\evil.example",
        "/requests/abc",
        "/staff/\r\nSet-Cookie: x=1",
        "javascript:alert(1)",
    ],
)
def test_the_way_back_after_signing_in_never_leaves_the_workspace(
    client: Any, accounts: dict[str, Any], asked: str
) -> None:
    browser = Browser(client)
    page = browser.get("/staff/sign-in?next=" + quote(asked, safe=""))
    fields = {
        "_csrf": csrf_of(page),
        "username": "demo-viewer",
        "password": PASSWORDS["demo-viewer"],
        "next": asked,
    }
    answer = browser.post("/staff/sign-in", fields)
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/staff?lang=en"


def test_the_sign_in_form_needs_its_anti_forgery_token_and_our_origin(
    client: Any, accounts: dict[str, Any]
) -> None:
    browser = Browser(client)
    browser.get("/staff/sign-in")
    fields = {"username": "po-africa", "password": PASSWORDS["po-africa"]}
    assert browser.post("/staff/sign-in", fields).status_code == 403
    page = browser.get("/staff/sign-in")
    answer = client.http.post(
        "/staff/sign-in",
        body=f"_csrf={csrf_of(page)}&username=po-africa&password={PASSWORDS['po-africa']}",
        headers={
            **browser._headers({"Content-Type": "application/x-www-form-urlencoded"}),
            "Sec-Fetch-Site": "cross-site",
        },
    )
    assert answer.status_code == 403


def test_an_altered_session_is_not_accepted(client: Any, accounts: dict[str, Any]) -> None:
    browser = signed_in(client, "demo-admin")
    token = browser.cookies["__Host-mieux_staff"]
    head, payload, signature = token.split(".")
    claims = base64.urlsafe_b64decode(payload + "==").replace(b"administrator", b"administratoX")
    forged = base64.urlsafe_b64encode(claims).decode().rstrip("=")
    browser.cookies["__Host-mieux_staff"] = f"{head}.{forged}.{signature}"
    del browser.cookies["__Host-mieux_staff_renew"]
    answer = browser.get("/staff")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/staff/sign-in")


def test_a_token_signed_with_another_key_is_refused(client: Any, accounts: dict[str, Any]) -> None:
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    browser = signed_in(client, "demo-admin")
    real = cognito.verified_claims(browser.cookies["__Host-mieux_staff"])
    key = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
    browser.cookies["__Host-mieux_staff"] = jwt.encode({"alg": "RS256", "kid": "dummy"}, real, key)
    del browser.cookies["__Host-mieux_staff_renew"]
    assert browser.get("/staff").status_code == 303


def test_an_expired_session_is_renewed_with_the_refresh_token(
    client: Any, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = signed_in(client, "po-africa")
    old = browser.cookies["__Host-mieux_staff"]
    monkeypatch.setattr(cognito, "_now", lambda: time.time() + 2 * 3600)
    # The renewed token is dated now by moto: let the clock of the check move back in between.
    real_renew = cognito.renew

    def renew_then_back(refresh: str) -> Any:
        monkeypatch.setattr(cognito, "_now", time.time)
        return real_renew(refresh)

    monkeypatch.setattr(cognito, "renew", renew_then_back)
    answer = browser.get("/staff")
    assert answer.status_code == 200
    assert browser.cookies["__Host-mieux_staff"] != old
    assert "__Host-mieux_staff_renew" in browser.cookies


def test_an_expired_session_without_a_refresh_token_signs_in_again(
    client: Any, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = signed_in(client, "po-africa")
    del browser.cookies["__Host-mieux_staff_renew"]
    monkeypatch.setattr(cognito, "_now", lambda: time.time() + 2 * 3600)
    answer = browser.get("/staff")
    assert answer.status_code == 303
    assert "__Host-mieux_staff" not in browser.cookies  # cleared


def test_signing_out_ends_the_session_and_revokes_the_refresh_token(
    client: Any, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = signed_in(client, "demo-coordinator")
    refresh = browser.cookies["__Host-mieux_staff_renew"]
    page = browser.get("/staff")
    answer = browser.post("/staff/sign-out", {"_csrf": csrf_of(page)})
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/staff/sign-in")
    assert "__Host-mieux_staff" not in browser.cookies
    assert "__Host-mieux_staff_renew" not in browser.cookies
    assert browser.get("/staff").status_code == 303
    from functions.domain.errors import SignInRefused

    with pytest.raises(SignInRefused):
        cognito.renew(refresh)
    signed_out = browser.get(answer.headers["Location"])
    assert "You are signed out." in signed_out.body.decode()


def test_signing_out_needs_the_anti_forgery_token(client: Any, accounts: dict[str, Any]) -> None:
    browser = signed_in(client, "demo-coordinator")
    answer = browser.post("/staff/sign-out", {"_csrf": "forged"})
    assert answer.status_code == 403
    assert browser.get("/staff").status_code == 200  # still signed in


def test_a_first_sign_in_chooses_a_new_password(
    client: Any, stack: Stack, monkeypatch: Any
) -> None:
    staff_accounts(stack, monkeypatch)
    boto3.client("cognito-idp", region_name="eu-west-1").admin_create_user(
        UserPoolId=stack.env["COGNITO_USER_POOL_ID"],
        Username="new-officer",
        TemporaryPassword="Temporary-Pass-1",
        MessageAction="SUPPRESS",
    )
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    step = browser.post(
        "/staff/sign-in",
        {"_csrf": csrf_of(page), "username": "new-officer", "password": "Temporary-Pass-1"},
    )
    assert step.status_code == 200
    assert "Choose a new password" in step.body.decode()
    token = re.search(r'name="step" value="([^"]+)"', step.body.decode())
    assert token
    weak = browser.post(
        "/staff/sign-in/step", {"_csrf": csrf_of(step), "step": token.group(1), "answer": "short"}
    )
    assert weak.status_code == 422 and 'href="#answer"' in weak.body.decode()
    done = browser.post(
        "/staff/sign-in/step",
        {"_csrf": csrf_of(weak), "step": token.group(1), "answer": "A-Much-Better-Pass-1"},
    )
    assert done.status_code == 303 and "__Host-mieux_staff" in browser.cookies


def _totp(secret: str) -> str:
    # An authenticator app's computation (RFC 6238: SHA-1, 6 digits, 30 s), base32 key.
    key = base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)
    totp = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)
    return totp.generate(int(time.time())).decode()


def test_a_totp_code_is_asked_for_and_checked(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    staff_accounts(stack, monkeypatch)
    pool = stack.env["COGNITO_USER_POOL_ID"]
    idp = boto3.client("cognito-idp", region_name="eu-west-1")
    create_account(idp, pool, "mfa-officer", "officer", "Mfa-Officer-Pass-1")
    first = cognito.sign_in("mfa-officer", "Mfa-Officer-Pass-1")
    assert isinstance(first, cognito.Tokens)
    secret = idp.associate_software_token(AccessToken=first.access_token)["SecretCode"]
    idp.verify_software_token(AccessToken=first.access_token, UserCode=_totp(secret))
    idp.set_user_mfa_preference(
        AccessToken=first.access_token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    step = browser.post(
        "/staff/sign-in",
        {"_csrf": csrf_of(page), "username": "mfa-officer", "password": "Mfa-Officer-Pass-1"},
    )
    body = step.body.decode()
    assert "Enter the code from your authenticator app" in body
    token = re.search(r'name="step" value="([^"]+)"', body)
    assert token
    wrong = browser.post(
        "/staff/sign-in/step", {"_csrf": csrf_of(step), "step": token.group(1), "answer": "000000"}
    )
    assert wrong.status_code == 401
    done = browser.post(
        "/staff/sign-in/step",
        {"_csrf": csrf_of(wrong), "step": token.group(1), "answer": _totp(secret)},
    )
    assert done.status_code == 303 and "__Host-mieux_staff" in browser.cookies


def test_an_altered_sign_in_step_starts_again(client: Any, accounts: dict[str, Any]) -> None:
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    answer = browser.post(
        "/staff/sign-in/step", {"_csrf": csrf_of(page), "step": "forged", "answer": "123456"}
    )
    assert answer.status_code == 401
    assert "took too long" in answer.body.decode()


def test_without_a_user_pool_the_workspace_is_unavailable(
    client: Any, stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COGNITO_USER_POOL_ID")
    browser = Browser(client)
    page = browser.get("/staff/sign-in")
    answer = browser.post(
        "/staff/sign-in", {"_csrf": csrf_of(page), "username": "x", "password": "y"}
    )
    assert answer.status_code == 503


def test_a_session_revoked_elsewhere_signs_in_again_when_its_token_expires(
    client: Any, stack: Stack, accounts: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = signed_in(client, "po-africa")
    boto3.client("cognito-idp", region_name="eu-west-1").admin_user_global_sign_out(
        UserPoolId=stack.env["COGNITO_USER_POOL_ID"], Username="po-africa"
    )  # an administrator, or the person on another computer
    monkeypatch.setattr(cognito, "_now", lambda: time.time() + 2 * 3600)
    answer = browser.get("/staff?status=approved")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/staff/sign-in?next=")
    assert "__Host-mieux_staff_renew" not in browser.cookies  # ended in this browser too
