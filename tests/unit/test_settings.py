"""Settings: read from the environment when asked, once per invocation inside the app."""

from __future__ import annotations

from typing import Any

import pytest

from functions.runtime import settings
from infra.bench.operations import api_event

STAGE_ENV = {
    "MIEUX_STAGE": "test",
    "TABLE_NAME": "mieux-a",
    "REVIEW_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/review",
    "NOTIFY_QUEUE_URL": "https://sqs.eu-west-1.amazonaws.com/1/notify",
    "PUBLIC_BASE_URL": "https://mieux.example.org",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name, value in STAGE_ENV.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def test_outside_an_invocation_every_call_reads_the_environment(env: pytest.MonkeyPatch) -> None:
    assert settings.get_settings().table_name == "mieux-a"
    env.setenv("TABLE_NAME", "mieux-b")
    assert settings.get_settings().table_name == "mieux-b"


def test_inside_an_invocation_the_first_reading_holds(env: pytest.MonkeyPatch) -> None:
    with settings.once_per_invocation():
        first = settings.get_settings()
        env.setenv("TABLE_NAME", "mieux-b")
        assert settings.get_settings() is first
    assert settings.get_settings().table_name == "mieux-b"


def test_an_invocation_reads_nothing_until_asked(env: pytest.MonkeyPatch) -> None:
    env.delenv("TABLE_NAME")
    with settings.once_per_invocation():  # a route that needs no settings still works
        env.setenv("TABLE_NAME", "mieux-late")
        assert settings.get_settings().table_name == "mieux-late"


def test_a_missing_setting_is_not_remembered(env: pytest.MonkeyPatch) -> None:
    env.delenv("TABLE_NAME")
    with settings.once_per_invocation():
        with pytest.raises(settings.SettingsError):
            settings.get_settings()
        env.setenv("TABLE_NAME", "mieux-a")
        assert settings.get_settings().table_name == "mieux-a"


def test_the_app_reads_the_settings_once_per_invocation(
    env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import app

    readings: list[Any] = []
    original = settings.read_settings

    def counted() -> settings.Settings:
        readings.append(1)
        return original()

    monkeypatch.setattr(settings, "read_settings", counted)

    @app.route("/__settings_probe")
    def probe() -> dict[str, str]:
        return {"a": settings.get_settings().table_name, "b": settings.get_settings().stage}

    try:
        event = api_event("GET", "/__settings_probe", None)
        for _ in range(2):
            assert app(event, None)["statusCode"] == 200
    finally:
        app.routes.pop("/__settings_probe")
    assert len(readings) == 2  # one per invocation, not one per call


def test_in_lambda_the_first_good_reading_serves_the_container(
    env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The function's environment is fixed for the life of a Lambda container.
    monkeypatch.setattr(settings, "_container_reading", [])
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "mieux-dev-api")
    env.delenv("TABLE_NAME")
    with settings.once_per_invocation(), pytest.raises(settings.SettingsError):
        settings.get_settings()  # a failed reading is not kept
    env.setenv("TABLE_NAME", "mieux-a")
    with settings.once_per_invocation():
        first = settings.get_settings()
    env.setenv("TABLE_NAME", "mieux-b")
    with settings.once_per_invocation():
        assert settings.get_settings() is first
