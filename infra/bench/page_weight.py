"""Figure 8 of ``make bench``: each page's bytes over the wire, and the requests before the form
can be used (issue 20: partners on slow connections).

Every page a person meets is fetched from the app (Chalice's test client, against a moto stack
with the demo committee) and its body gzipped as API Gateway compresses it (``gzip``, level 6;
the stages set ``minimum_compression_size`` in .chalice/config.json, so every page over 1 KiB
goes compressed). Targets: the form at most 15 KB (a form continued from a saved draft is the
form), every other page at most 10 KB. The requests before the form can be used: the HTML, its
stylesheets, its scripts and any image it names (target: the HTML, one stylesheet, at most one
script), each static file served with a versioned URL and an immutable cache policy, so a second
visit asks for the HTML only. The public pages (/where-we-work and /activities, issue 19) are
weighed with 40 published Actions in 30 countries (``public_weight``), and must say
``Cache-Control: public``.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NamedTuple
from urllib.parse import urlencode, urlsplit

from infra.bench import public_weight
from infra.bench.report import Row, verdict
from infra.bench.stage import ROOT, log, moto_stack

FORM_TARGET = 15_000  # bytes, gzipped
PAGE_TARGET = 10_000
GZIP_LEVEL = 6
HTML = {"Accept": "text/html"}
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"}

HOW = (
    "8. **Page weight** (`infra/bench/page_weight.py`): every page a person meets (the form in"
    " English and in Arabic, the form continued from a saved draft, the pages after sending and"
    " after saving, the status page, the withdrawal page, the review page, the vote recorded, the"
    " expired draft link, not found; the public /where-we-work and /activities in English and"
    " Arabic with 40 published Actions in 30 countries, `infra/bench/public_weight.py`) fetched"
    " from the app against moto, its body gzipped (level 6) as API Gateway compresses it"
    " (`minimum_compression_size` in .chalice/config.json); targets: the form <= 15 KB, any other"
    " page <= 10 KB, and the public pages answer `Cache-Control: public`. Requests before the"
    " form can be used: the HTML and every stylesheet, script and image it names (target: HTML,"
    " one stylesheet, at most one script), each static file with a content-versioned URL and"
    " `Cache-Control: immutable`."
)


class Weight(NamedTuple):
    """One page: its size as sent and gzipped."""

    name: str
    raw: int
    gzipped: int
    target: int
    cache: str | None = None  # a public page's Cache-Control, which must be public


def gzipped_size(body: bytes) -> int:
    """The bytes API Gateway sends for ``body`` with gzip."""
    return len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))


class Site:
    """A person with a cookie jar, on the app through Chalice's test client."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.cookie = ""

    def get(self, path: str) -> Any:
        headers = {**HTML, **({"Cookie": self.cookie} if self.cookie else {})}
        return self._kept(self.client.http.get(path, headers=headers))

    def post(self, path: str, fields: list[tuple[str, str]]) -> Any:
        headers = {**FORM_TYPE, **({"Cookie": self.cookie} if self.cookie else {})}
        return self._kept(self.client.http.post(path, body=urlencode(fields), headers=headers))

    def _kept(self, answer: Any) -> Any:
        cookie = answer.headers.get("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";")[0]
        return answer


def _hidden(body: bytes) -> list[tuple[str, str]]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body.decode())
    return [(name, value) for name, value in found]


def _answers() -> list[tuple[str, str]]:
    from infra.bench.operations import example_request

    fields: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                walk(f"{prefix}.{key}" if prefix else key, child)
        elif isinstance(value, list):
            fields.extend((prefix, str(v)) for v in value)
        else:
            fields.append((prefix, str(value).lower() if isinstance(value, bool) else str(value)))

    document = example_request()
    document.pop("submission_id")
    walk("", document)
    return fields


def pages(client: Any) -> Iterator[tuple[str, Any, int]]:
    """(name, answer, target) for every page, fetched as a person reaches it."""
    from functions.adapters import links
    from functions.adapters.repository import repository
    from infra.bench.operations import opened

    site = Site(client)
    form = site.get("/?lang=en")
    yield "form (en)", form, FORM_TARGET
    yield "form (ar)", Site(client).get("/?lang=ar"), FORM_TARGET
    sent = site.post("/requests?lang=en", [*_hidden(form.body), ("website", ""), *_answers()])
    yield "confirmation", sent, PAGE_TARGET
    form = site.get("/?lang=en")
    half = [(k, v) for k, v in _answers() if k.startswith(("institution.", "contact."))]
    saved = site.post(
        "/requests?lang=en", [*_hidden(form.body), ("website", ""), *half, ("_action", "save")]
    )
    yield "draft saved", saved, PAGE_TARGET
    continue_path = re.search(r'href="(/drafts/[^"]+)"', saved.body.decode())
    assert continue_path, "no link to continue on the saved page"
    yield "form continued from a draft", site.get(continue_path.group(1)), FORM_TARGET
    request_id = opened()
    status_path = urlsplit(links.status_url(request_id))
    yield "status page", site.get(f"{status_path.path}?{status_path.query}"), PAGE_TARGET
    yield (
        "withdraw page",
        site.get(f"{status_path.path}/withdraw?{status_path.query}"),
        PAGE_TARGET,
    )
    voter = next(m for m in repository().members() if m.votes)
    review = f"/review/{links.review_token(links.ReviewLink(request_id, voter.member_id, 1))}"
    reviewer = Site(client)
    page = reviewer.get(review)
    yield "review page", page, PAGE_TARGET
    token = re.search(r'name="_csrf" value="([^"]+)"', page.body.decode())
    assert token, "no anti-forgery token on the review page"
    voted = reviewer.post(review, [("_csrf", token.group(1)), ("choice", "approve")])
    yield "vote recorded", voted, PAGE_TARGET
    expired = links.draft_token("0" * 32)
    yield "draft link gone", site.get(f"/drafts/{'0' * 32}?token={expired}"), PAGE_TARGET
    yield "not found", site.get(f"/requests/{'0' * 32}?token=x"), PAGE_TARGET


class FirstLoad(NamedTuple):
    """What a browser fetches before the form can be used, and whether it is cached for good."""

    requests: int
    stylesheets: int
    scripts: int
    others: int
    immutable: bool
    static_gzipped: int


def first_load(client: Any) -> FirstLoad:
    """The form's subresources, fetched, with their cache policy."""
    body = client.http.get("/?lang=en", headers=HTML).body.decode()
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', body)
    scripts = re.findall(r'<script[^>]* src="([^"]+)"', body)
    others = re.findall(
        r'<(?:img|link rel="(?:icon|preload|manifest)")[^>]* (?:src|href)="[^"]+"', body
    )
    immutable = True
    static_bytes = 0
    for url in [*styles, *scripts]:
        answer = client.http.get(url)
        versioned = "?v=" in url
        immutable &= versioned and "immutable" in answer.headers.get("Cache-Control", "")
        static_bytes += gzipped_size(answer.body)
    return FirstLoad(
        1 + len(styles) + len(scripts) + len(others),
        len(styles),
        len(scripts),
        len(others),
        immutable,
        static_bytes,
    )


@contextmanager
def app_client() -> Iterator[Any]:
    """The app on a fresh moto stack with the local stage's demo committee."""
    with moto_stack():
        from chalice.test import Client

        from app import app
        from infra.bench.operations import seed

        seed()
        with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
            yield client


def measure() -> tuple[list[Weight], FirstLoad]:
    """Every page's weight and the form's first load."""
    with app_client() as client:
        weights = []
        for name, answer, target in pages(client):
            assert answer.status_code < 500, (name, answer.status_code)
            weights.append(Weight(name, len(answer.body), gzipped_size(answer.body), target))
        for name, answer in public_weight.pages(client):
            assert answer.status_code == 200, (name, answer.status_code)
            size = gzipped_size(answer.body)
            cache = answer.headers.get("Cache-Control", "(none)")
            weights.append(Weight(name, len(answer.body), size, PAGE_TARGET, cache))
        return weights, first_load(client)


def _cacheable(cache: str | None) -> bool:
    """True for a private page (nothing to check) and for a public page that caches may keep."""
    return cache is None or "public" in [part.strip() for part in cache.split(",")]


def _kb(size: int) -> str:
    return f"{size / 1000:.1f} KB"


def rows(measured: Callable[[], tuple[list[Weight], FirstLoad]] = measure) -> list[Row]:
    """Figure 8's rows: one per page, then the form's first load."""
    log("page weight: every page gzipped, the form's first load")
    weights, load = measured()
    table = [
        Row(
            f"8. page weight: {w.name} (gzip)",
            _kb(w.gzipped),
            f"{_kb(w.raw)} uncompressed"
            + (f"; Cache-Control: {w.cache}" if w.cache is not None else ""),
            f"{w.gzipped / w.target:.2f}",
            f"<= {_kb(w.target)}" + (", Cache-Control: public" if w.cache is not None else ""),
            verdict(w.gzipped <= w.target and _cacheable(w.cache)),
        )
        for w in weights
    ]
    ok = load.stylesheets == 1 and load.scripts <= 1 and load.others == 0 and load.immutable
    table.append(
        Row(
            "8. requests before the form can be used",
            f"{load.requests} (HTML, {load.stylesheets} stylesheet, {load.scripts} script;"
            f" {_kb(load.static_gzipped)} of static files gzipped, immutable: {load.immutable})",
            "3 (HTML, one stylesheet, one script)",
            f"{load.requests / 3:.2f}",
            "<= 3, static files immutable",
            verdict(ok and load.requests <= 3),
        )
    )
    return table
