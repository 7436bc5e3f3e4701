"""Key rotation: a signing key is retired only after the longest-lived link it signed expired,
and the address hash of the rate limiter has a key of its own, untouched by rotations."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from functions.adapters import secrets
from infra import keys

DAY = date(2026, 3, 2)
LEGACY = "a" * 64 + "," + "b" * 64  # the old format: a comma-separated list, oldest first
AGES = keys.LinkAges(review_days=21, status_days=730)


def test_two_rotations_keep_every_status_link_valid() -> None:
    once = keys.rotated(LEGACY, today=DAY, ages=AGES)
    twice = keys.rotated(once, today=DAY + timedelta(days=30), ages=AGES)
    held = secrets.parse_secret(twice).keys
    assert held[:2] == ("a" * 64, "b" * 64) and len(held) == 4


def test_rotate_refuses_to_drop_a_key_still_needed_and_says_from_when() -> None:
    once = keys.rotated("a" * 64, today=DAY, ages=AGES, keep=2)  # as the stack generated it
    with pytest.raises(keys.KeyStillNeeded) as refused:
        keys.rotated(once, today=DAY + timedelta(days=30), ages=AGES, keep=2)
    message = str(refused.value)
    assert "status links" in message and "730 days" in message
    assert (DAY + timedelta(days=731)).isoformat() in message


def test_a_key_goes_once_the_longest_link_it_signed_has_expired() -> None:
    first = keys.rotated(LEGACY, today=DAY, ages=AGES)
    later = DAY + timedelta(days=731)  # every link signed before the first rotation expired
    second = keys.rotated(first, today=later, ages=AGES)
    held = secrets.parse_secret(second)
    assert "a" * 64 not in held.keys and "b" * 64 not in held.keys and len(held.keys) == 2
    assert held.created[-1] == later.isoformat()


def test_keys_carry_their_creation_date_and_the_old_formats_are_read() -> None:
    value = keys.rotated(LEGACY, today=DAY, ages=AGES)
    stored = json.loads(value)
    assert stored["keys"][-1]["created"] == DAY.isoformat()
    for old in (LEGACY, json.dumps(LEGACY.split(",")), json.dumps({"keys": LEGACY.split(",")})):
        assert secrets.parse_secret(old).keys == ("a" * 64, "b" * 64)


def test_the_address_key_is_its_own_and_survives_every_rotation() -> None:
    before = secrets.parse_secret(LEGACY).address_key
    assert before not in LEGACY.split(",")  # never a signing key itself
    value = keys.rotated(LEGACY, today=DAY, ages=AGES)
    value = keys.rotated(value, today=DAY + timedelta(days=731), ages=AGES)  # "a" and "b" gone
    assert secrets.parse_secret(value).address_key == before
    assert json.loads(value)["address_key"] == before


def test_a_fresh_secret_has_a_dated_key_and_an_address_key() -> None:
    fresh = secrets.parse_secret(keys.initial_secret(DAY))
    assert len(fresh.keys) == 1 and fresh.created == (DAY.isoformat(),)
    assert len(fresh.address_key) >= 32 and fresh.address_key != fresh.keys[0]


def test_the_ages_come_from_the_stages_configuration() -> None:
    ages = keys.link_ages("prod")
    assert (ages.review_days, ages.status_days) == (21, 730)
    assert ages.longest() == ("status links", 730)


class FakeSecrets:
    """A Secrets Manager client holding one secret's value."""

    def __init__(self, value: str) -> None:
        self.value = value

    def get_secret_value(self, SecretId: str) -> dict[str, str]:  # noqa: N803 (boto3's names)
        return {"SecretString": self.value}

    def put_secret_value(self, SecretId: str, SecretString: str) -> None:  # noqa: N803
        self.value = SecretString


def test_the_command_refuses_says_why_and_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    client = FakeSecrets(keys.rotated("a" * 64, today=date.today(), ages=AGES))  # as main sees
    monkeypatch.setattr(boto3.session.Session, "client", lambda *_args, **_kwargs: client)
    before = client.value
    assert keys.main(["rotate", "--stage", "prod", "--keep", "2"]) == 1
    assert client.value == before
    assert "may go from" in capsys.readouterr().err
    assert keys.main(["rotate", "--stage", "prod"]) == 0  # without --keep: the key stays
    assert len(secrets.parse_secret(client.value).keys) == 3
    assert keys.main(["rotate", "--stage", "prod", "--revoke"]) == 0  # after a leak
    assert len(secrets.parse_secret(client.value).keys) == 1
