"""Anti-forgery tokens for the service's own forms: a signed token bound to a cookie and a scope.

The page that shows a form sets a random cookie and puts a token in the form that is signed
(itsdangerous, its own salt) and names a hash of that cookie and of the form's scope (the review
link, or the request). A POST must bring both, matching. A page from another site can make the
browser send the cookie, but cannot read the token; ``SameSite=Strict`` stops the cookie as well.
"""

from __future__ import annotations

import hashlib
import secrets
from http.cookies import CookieError, SimpleCookie

from chalice.app import Request

from functions.adapters import links
from functions.domain.errors import Forbidden, LinkError
from functions.runtime.settings import get_settings

COOKIE = "mieux_csrf"
FIELD = "_csrf"
MAX_AGE_SECONDS = 86400  # a day: a long form may take an afternoon, with interruptions


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def cookie_value(request: Request) -> str | None:
    """This browser's anti-forgery cookie, if it sent one."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(str(request.headers.get("cookie", "")))
    except CookieError:  # a malformed Cookie header is treated as no cookie
        return None
    morsel = jar.get(COOKIE)
    value = morsel.value if morsel else ""
    # Only values of the shape we issue: anything else is treated as no cookie.
    well_formed = 20 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()
    return value if well_formed else None


def issue(request: Request, scope: str) -> tuple[str, dict[str, str]]:
    """A token for a form of ``scope`` and the headers that set (or keep) the cookie."""
    value = cookie_value(request) or secrets.token_urlsafe(32)
    token = links.mint(links.Purpose.CSRF, {"c": _digest(value), "s": _digest(scope)})
    secure = "; Secure" if get_settings().public_base_url.startswith("https://") else ""
    attributes = f"Path=/; HttpOnly; SameSite=Strict; Max-Age={MAX_AGE_SECONDS}{secure}"
    header = f"{COOKIE}={value}; {attributes}"
    return token, {"Set-Cookie": header}


def verify(request: Request, scope: str, token: str | None) -> None:
    """Accept the POST only with a valid token for this scope and this browser's cookie;
    otherwise raise :class:`Forbidden` (the token is missing, expired, or does not match)."""
    value = cookie_value(request)
    if not token or not value:
        raise Forbidden("missing")
    try:
        payload = links.read(links.Purpose.CSRF, token, max_age=MAX_AGE_SECONDS)
    except LinkError as error:
        raise Forbidden("invalid") from error
    if not secrets.compare_digest(str(payload.get("c")), _digest(value)):
        raise Forbidden("cookie mismatch")
    if not secrets.compare_digest(str(payload.get("s")), _digest(scope)):
        raise Forbidden("scope mismatch")
