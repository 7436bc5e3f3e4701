"""Anti-forgery tokens for the service's own forms: a signed token bound to a cookie and a scope.

The page that shows a form sets a random cookie and puts a token in the form that is signed
(itsdangerous, its own salt) and names a hash of that cookie and of the form's scope (the review
link, or the request). A POST must bring both, matching. A page from another site can make the
browser send the cookie, but cannot read the token; ``SameSite=Strict`` stops the cookie as well.

The cookie is minted by the server only: a random value signed (itsdangerous, its own salt), so
a value planted in the browser by someone else (a sibling subdomain, a man in the middle on
http) is ignored and replaced, and no one can hold a token for a cookie they chose. Its name has
the ``__Host-`` prefix (Secure, ``Path=/``, no ``Domain``: no subdomain can set or shadow it)
on https and on loopback hosts, which browsers treat as secure contexts (checked with Debian's
Chromium 156: a ``__Host-`` cookie set by ``http://127.0.0.1`` and ``http://localhost`` is kept
and sent back), so ``make run`` and the browser tests use it too; a plain-http base URL on any
other host (a demo on a LAN) gets the plain name without ``Secure``, which the browser would drop.
"""

from __future__ import annotations

import hashlib
import secrets
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

from chalice.app import Request
from itsdangerous import Signer

from functions.adapters import links
from functions.adapters.secrets import signing_keys
from functions.domain.errors import Forbidden, LinkError
from functions.runtime.settings import get_settings

COOKIE = "mieux_csrf"
HOST_COOKIE = f"__Host-{COOKIE}"
FIELD = "_csrf"
MAX_AGE_SECONDS = 86400  # a day: a long form may take an afternoon, with interruptions
MAX_COOKIE_CHARS = 128  # ours is 87; anything longer is not ours
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def secure_cookie() -> bool:
    """True when the cookie is ``Secure`` and ``__Host-``: https, or a loopback host."""
    parts = urlsplit(get_settings().public_base_url)
    return parts.scheme == "https" or (parts.hostname or "") in LOOPBACK_HOSTS


def cookie_name() -> str:
    """The anti-forgery cookie's name in this stage (``__Host-mieux_csrf`` wherever it can)."""
    return HOST_COOKIE if secure_cookie() else COOKIE


@lru_cache(maxsize=4)
def _signer_for(keys: tuple[str, ...]) -> Signer:
    """Signs with the newest key, accepts any configured one (a rotation keeps cookies)."""
    return Signer(list(keys), salt="mieux.csrf-cookie", digest_method=hashlib.sha256)


def cookie_value(request: Request) -> str | None:
    """This browser's anti-forgery cookie, if it sent one that this server minted."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(str(request.headers.get("cookie", "")))
    except CookieError:  # a malformed Cookie header is treated as no cookie
        return None
    morsel = jar.get(cookie_name())
    value = morsel.value if morsel else ""
    # Only values this server signed: anything else (a planted value) is treated as no cookie.
    if not value or len(value) > MAX_COOKIE_CHARS:
        return None
    return value if _signer_for(signing_keys()).validate(value) else None


def issue(request: Request, scope: str) -> tuple[str, dict[str, str]]:
    """A token for a form of ``scope`` and the headers that set (or keep) the cookie."""
    value = cookie_value(request)
    if value is None:
        nonce = secrets.token_urlsafe(32)
        value = _signer_for(signing_keys()).sign(nonce).decode("ascii")
    token = links.mint(links.Purpose.CSRF, {"c": _digest(value), "s": _digest(scope)})
    secure = "; Secure" if secure_cookie() else ""
    attributes = f"Path=/; HttpOnly; SameSite=Strict; Max-Age={MAX_AGE_SECONDS}{secure}"
    header = f"{cookie_name()}={value}; {attributes}"
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
