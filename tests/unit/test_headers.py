"""Transport security: HSTS on every answer outside the local and test stages (issue 14, 13)."""

from __future__ import annotations

import pytest

from functions.web.headers import json_headers, page_headers, static_headers

HSTS = "max-age=31536000; includeSubDomains"


def stage(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The settings of a stage (only the required ones)."""
    for variable, value in {
        "MIEUX_STAGE": name,
        "TABLE_NAME": "t",
        "REVIEW_QUEUE_URL": "q",
        "NOTIFY_QUEUE_URL": "q",
        "PUBLIC_BASE_URL": "https://mieux.example.org",
    }.items():
        monkeypatch.setenv(variable, value)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_deployed_stages_send_hsts_on_every_answer(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    stage(monkeypatch, name)
    for headers in (json_headers(), page_headers(), static_headers("text/css")):
        assert headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize("name", ["local", "test"])
def test_the_local_and_test_stages_serve_plain_http_without_hsts(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    stage(monkeypatch, name)
    for headers in (json_headers(), page_headers(), static_headers("text/css")):
        assert "Strict-Transport-Security" not in headers
