"""The staff user pool (Amazon Cognito): sign-in steps, renewal, sign-out, and token checks.

The API signs people in itself with the function's role (``AdminInitiateAuth`` with
``ADMIN_USER_PASSWORD_AUTH``, ``AdminRespondToAuthChallenge``), so no browser code and no
hosted page is involved, and the pool's app client has no public flow at all. The session is
the pool's *access token*: every request verifies it here, against the pool's JSON Web Key Set,
with joserfc (RS256 only; ``iss``, ``token_use``, ``client_id`` and ``exp`` checked). The keys
are fetched once per container and again only for a key id not seen yet (a key rotation), at
most once a minute.

joserfc rather than PyJWT: moto (the test and local pool) signs its tokens with it, so the two
ends of every test use one implementation of RFC 7515/7517/7519; it is typed, maintained by
Authlib's author, and refuses ``none`` and any algorithm not listed. Its import costs about
50 ms (mostly ``cryptography``), so this module is imported by the workspace's views only, on
use, never by the public API's start-up (infra/bench/cold_start.py).

Every refusal of the pool is one :class:`SignInRefused`, whatever the cause (wrong password, no
such user, wrong code, an expired challenge): a page never says which part was wrong.
"""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from functions.adapters import aws
from functions.domain.errors import NotSignedIn, PasswordRejected, SignInRefused, Unavailable
from functions.runtime.settings import get_settings

JWKS_TIMEOUT_SECONDS = 3
JWKS_REFETCH_SECONDS = 60  # an unknown key id fetches the keys again, at most this often
LEEWAY_SECONDS = 5  # clocks of the pool and of Lambda differ by a little
MAX_TOKEN_CHARS = 4096  # a cookie cannot hold more; anything longer is not the pool's

# The pool's refusals of a step that a person can correct by trying again.
_REFUSALS = frozenset(
    {
        "NotAuthorizedException",
        "UserNotFoundException",
        "CodeMismatchException",
        "ExpiredCodeException",
        "EnableSoftwareTokenMFAException",
        "PasswordResetRequiredException",
        "UserNotConfirmedException",
    }
)
_PASSWORD_REFUSALS = frozenset({"InvalidPasswordException"})
# moto answers an unknown or used challenge session with ResourceNotFound (AWS: NotAuthorized).
_SESSION_REFUSALS = frozenset({"ResourceNotFoundException"})


class Tokens(NamedTuple):
    """A signed-in session: the access token (the cookie) and, at sign-in, the refresh token."""

    access_token: str
    refresh_token: str  # "" when renewed: Cognito keeps the refresh token it gave at sign-in
    expires_in: int


class Challenge(NamedTuple):
    """A further step the pool asks for: ``NEW_PASSWORD_REQUIRED``, ``SOFTWARE_TOKEN_MFA``,
    ``MFA_SETUP``; ``session`` is the pool's opaque handle on the sign-in (minutes long)."""

    name: str
    session: str
    username: str


def _client() -> Any:
    return aws.client("cognito-idp", get_settings().region)


def _pool() -> tuple[str, str]:
    settings = get_settings()
    if not settings.cognito_user_pool_id or not settings.cognito_client_id:
        raise Unavailable("no staff user pool is configured (COGNITO_USER_POOL_ID)")
    return settings.cognito_user_pool_id, settings.cognito_client_id


def _call(operation: str, **params: Any) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = getattr(_client(), operation)(**params)
        return answer
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code in _PASSWORD_REFUSALS:
            raise PasswordRejected() from error
        if code in _REFUSALS or code in _SESSION_REFUSALS:
            raise SignInRefused() from error
        raise Unavailable(f"the user pool did not answer {operation} ({code})") from error
    except BotoCoreError as error:
        raise Unavailable(f"the user pool could not be reached ({type(error).__name__})") from error


def _outcome(answer: dict[str, Any], username: str) -> Tokens | Challenge:
    result = answer.get("AuthenticationResult")
    if result:
        return Tokens(
            str(result["AccessToken"]),
            str(result.get("RefreshToken", "")),
            int(result.get("ExpiresIn", 0)),
        )
    name = str(answer.get("ChallengeName", ""))
    if name not in ("NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA", "MFA_SETUP"):
        # SMS, custom or device challenges: the pool is configured for none of them.
        raise SignInRefused()
    return Challenge(name, str(answer.get("Session", "")), username)


def sign_in(username: str, password: str) -> Tokens | Challenge:
    """The first step: a name and a password."""
    pool, client = _pool()
    answer = _call(
        "admin_initiate_auth",
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return _outcome(answer, username)


def respond(challenge: Challenge, responses: dict[str, str]) -> Tokens | Challenge:
    """Answer a challenge (a new password, a TOTP code, an MFA set-up completed)."""
    pool, client = _pool()
    answer = _call(
        "admin_respond_to_auth_challenge",
        UserPoolId=pool,
        ClientId=client,
        ChallengeName=challenge.name,
        Session=challenge.session,
        ChallengeResponses={"USERNAME": challenge.username, **responses},
    )
    return _outcome(answer, challenge.username)


def begin_totp_setup(challenge: Challenge) -> tuple[str, Challenge]:
    """The TOTP secret for an authenticator app (``MFA_SETUP``), and the challenge to go on."""
    answer = _call("associate_software_token", Session=challenge.session)
    session = str(answer.get("Session") or challenge.session)
    return str(answer["SecretCode"]), challenge._replace(session=session)


def finish_totp_setup(challenge: Challenge, code: str) -> Tokens | Challenge:
    """Check the first code of the new authenticator, then complete the ``MFA_SETUP`` step."""
    answer = _call("verify_software_token", Session=challenge.session, UserCode=code)
    if answer.get("Status") != "SUCCESS":
        raise SignInRefused()
    verified = challenge._replace(session=str(answer.get("Session") or challenge.session))
    return respond(verified, {})


def renew(refresh_token: str) -> Tokens:
    """A new access token for a session whose token expired (the refresh token's life)."""
    pool, client = _pool()
    answer = _call(
        "admin_initiate_auth",
        UserPoolId=pool,
        ClientId=client,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    outcome = _outcome(answer, "")
    if not isinstance(outcome, Tokens):
        raise NotSignedIn()
    return outcome


def sign_out(username: str) -> None:
    """End every session of ``username``: the pool revokes their refresh tokens."""
    pool, _ = _pool()
    _call("admin_user_global_sign_out", UserPoolId=pool, Username=username)


# --- verifying the session's token -------------------------------------------------------------

_keys: dict[str, Any] = {}  # "set": the joserfc KeySet, "url", "at": when fetched


def _fetch_jwks(url: str) -> bytes:
    """The pool's JSON Web Key Set (public keys; no credentials needed)."""
    with urllib.request.urlopen(url, timeout=JWKS_TIMEOUT_SECONDS) as answer:  # noqa: S310
        body: bytes = answer.read(256 * 1024)
        return body


def _key_set(kid: str) -> Any:
    from joserfc.jwk import KeySet  # on use: see the module's docstring

    url = get_settings().jwks_url
    known = _keys.get("set") if _keys.get("url") == url else None
    if known is not None:
        if any(key.kid == kid for key in known.keys):
            return known
        if time.monotonic() - _keys["at"] < JWKS_REFETCH_SECONDS:
            return known  # an unknown key id, asked again too soon: not a rotation
    try:
        document = json.loads(_fetch_jwks(url))
        key_set = KeySet.import_key_set(document)
    except (OSError, ValueError) as error:
        raise Unavailable("the user pool's keys could not be read") from error
    _keys.update({"set": key_set, "url": url, "at": time.monotonic()})
    return key_set


def _now() -> float:
    """The time tokens are checked against (tests move it to see a token expire)."""
    return time.time()


def forget_keys() -> None:
    """Drop the cached key set (tests start a new pool)."""
    _keys.clear()


def verified_claims(access_token: str) -> dict[str, Any]:
    """The claims of a session's access token, once its signature (one of the pool's keys,
    RS256), issuer, use, app client and expiry are checked; :class:`NotSignedIn` otherwise."""
    from joserfc import jwt  # on use: see the module's docstring
    from joserfc.errors import JoseError

    settings = get_settings()
    _pool()
    if not access_token or len(access_token) > MAX_TOKEN_CHARS:
        raise NotSignedIn()
    try:
        header = json.loads(_b64_json(access_token.split(".", 1)[0]))
        kid = str(header.get("kid", ""))
        token = jwt.decode(access_token, _key_set(kid), algorithms=["RS256"])
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(_now()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": settings.cognito_issuer},
            token_use={"essential": True, "value": "access"},
            client_id={"essential": True, "value": settings.cognito_client_id},
            exp={"essential": True},
            sub={"essential": True},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError, TypeError, AttributeError) as error:
        raise NotSignedIn() from error
    claims: dict[str, Any] = dict(token.claims)
    return claims


def _b64_json(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def is_expired(access_token: str) -> bool:
    """True if the token's signature holds and only its ``exp`` has passed (worth renewing)."""
    from joserfc import jwt  # on use: see the module's docstring
    from joserfc.errors import JoseError

    try:
        header = json.loads(_b64_json(access_token.split(".", 1)[0]))
        token = jwt.decode(access_token, _key_set(str(header.get("kid", ""))), algorithms=["RS256"])
        return bool(int(token.claims.get("exp", 0)) + LEEWAY_SECONDS < _now())
    except (JoseError, ValueError, TypeError, AttributeError):
        return False
