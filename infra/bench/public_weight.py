"""The public pages' weight over the wire: ``python -m infra.bench.public_weight``.

Renders /where-we-work and /activities (English and Arabic) with twelve published Actions on the
in-memory repository and prints each page's bytes, raw and gzipped (API Gateway compresses
answers over ``minimum_compression_size``), and the stylesheet's (cached a year). Not yet a row
of ``make bench``'s report: run on its own (issue 19).
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ACTIONS = 12


def main() -> None:
    """Print the figures."""
    from tests.support import FAKE_STAGE

    os.environ.update(FAKE_STAGE)
    from chalice.test import Client

    from app import app
    from functions.adapters import repository as seam
    from functions.adapters.dynamodb.fake import InMemoryRepository
    from functions.domain.records import PublishedAction
    from functions.domain.reference import reference_data

    repo = InMemoryRepository()
    seam.use(repo)
    codes = sorted(reference_data().countries)
    regions = list(reference_data().regions)
    for i in range(ACTIONS):
        repo.publish(
            PublishedAction(
                f"r{i:02d}",
                f"Strengthening the national referral mechanism {i}",
                regions[i % len(regions)],
                "horizontal",
                codes[3 * i : 3 * i + 3],
                "2026-03-01",
                "2027-02-01",
                3,
                6,
                "2026-01-01T00:00:00.000000Z",
            )
        )
    with Client(app, stage_name="test", project_dir=str(ROOT)) as client:
        for path in ("/where-we-work", "/activities"):
            for language in ("en", "ar"):
                body = client.http.get(f"{path}?lang={language}").body
                print(f"{path} ({language}): {len(body)} bytes, {len(gzip.compress(body))} gzipped")
    css = (ROOT / "functions" / "static" / "app.css").read_bytes()
    print(f"app.css: {len(css)} bytes, {len(gzip.compress(css))} gzipped (cached a year)")
    seam.use(None)


if __name__ == "__main__":
    main()
