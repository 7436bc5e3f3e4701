"""The security headers of every answer, defined once: JSON answers, pages and static files."""

from __future__ import annotations

from functions.runtime.settings import SettingsError, get_settings

# Every answer: no referrer leaks a token in a URL, no sniffing, no framing.
SECURITY_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

# Outside the local and test stages, https only, for a year, subdomains too (OWASP ASVS 5.0
# V3.4.1). Not on the developer's plain-http localhost: a browser would keep it for every app
# served on localhost.
HSTS = {"Strict-Transport-Security": "max-age=31536000; includeSubDomains"}

# Everything is served by the app itself: no CDN, no inline script, no framing.
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def transport_headers() -> dict[str, str]:
    """HSTS, in every stage but the local and test ones (they serve plain http)."""
    try:
        local = get_settings().is_local
    except SettingsError:  # an answer built outside any stage (a tool, a unit test): the safe side
        local = False
    return {} if local else dict(HSTS)


def json_headers() -> dict[str, str]:
    """The headers of a JSON answer: never cached (answers may carry a status link)."""
    return {
        "Content-Type": "application/json; charset=utf-8",
        "Cache-Control": "no-store",
        **SECURITY_HEADERS,
        **transport_headers(),
    }


def page_headers(policy: str = PAGE_POLICY) -> dict[str, str]:
    """The headers of a page: never cached, and the Content-Security-Policy ``policy``."""
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        **SECURITY_HEADERS,
        **transport_headers(),
        "Content-Security-Policy": policy,
    }


def static_headers(content_type: str) -> dict[str, str]:
    """The headers of the app's own CSS and script: versioned URLs, so cached for a year."""
    return {
        "Content-Type": content_type,
        "Cache-Control": "public, max-age=31536000, immutable",
        **SECURITY_HEADERS,
        **transport_headers(),
    }
