"""What every state-changing route checks first, before it reads or writes anything.

1. The request does not come from another site's page (OWASP ASVS 5.0 V3.5, the Fetch Metadata
   resource isolation policy, as Go's ``net/http.CrossOriginProtection`` applies it): a browser
   says where a request comes from in ``Sec-Fetch-Site``, or (browsers before 2023) only in
   ``Origin``. ``Sec-Fetch-Site`` decides when it is sent: ``same-origin`` and ``none`` pass,
   ``cross-site`` and ``same-site`` are refused (a sibling subdomain is another site here).
   ``Origin`` is not read then: under our ``Referrer-Policy: no-referrer`` Chromium sends
   ``Origin: null`` with its own same-origin form posts. Without it, an ``Origin`` that is not
   the configured ``PUBLIC_BASE_URL``'s (``null`` included) is refused. A client that sends
   neither header is not a browser acting for a page (a server-side API client, or curl) and
   passes: a page cannot make a browser leave both out.
2. The client address's rate window for the route has room: one atomic UpdateItem, the only
   write a refusal costs. IPv6 counts by its /64 (functions/domain/ratelimit.py).

Both raise domain errors (:class:`Forbidden`, :class:`RateLimited`); the route's ``guarded``
answer gives the usual page or JSON shape.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from chalice.app import Request

from functions.domain.errors import Forbidden, RateLimited
from functions.domain.ratelimit import Window, rate_address
from functions.runtime.settings import get_settings
from functions.services import intake as intake_service

SAME_ORIGIN_FETCHES = frozenset({"same-origin", "none"})  # "none": the person typed or bookmarked


def origin_of(url: str) -> str:
    """The origin of an absolute URL, normalised (``scheme://host[:port]``, default port
    left out); an empty string for anything that has none (``null``, garbage)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if scheme not in ("http", "https") or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    default = 443 if scheme == "https" else 80
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def refuse_cross_site(request: Request) -> None:
    """Raise :class:`Forbidden` for a browser's request from a page of another site."""
    fetch_site = str(request.headers.get("sec-fetch-site", "")).strip().lower()
    if fetch_site:
        if fetch_site not in SAME_ORIGIN_FETCHES:
            raise Forbidden("cross-site request")
        return
    origin = request.headers.get("origin")
    if origin is not None and origin_of(str(origin)) != origin_of(get_settings().public_base_url):
        raise Forbidden("cross-origin request")


def client_address(request: Request) -> str:
    """The client's address as its rate windows count it (never stored: only a keyed hash is)."""
    identity = (request.context or {}).get("identity") or {}
    return rate_address(str(identity.get("sourceIp") or "unknown"))


def state_change(request: Request, window: Window, per_hour: int | None = None) -> None:
    """The first line of every state-changing route: refuse another site's request, then
    count this one in its window (raising :class:`RateLimited` when the window is full)."""
    refuse_cross_site(request)
    limit = intake_service.count_attempt(client_address(request), window, per_hour)
    if not limit.allowed:
        raise RateLimited(limit.retry_after)
