"""One address rule for intake and the mailer: what intake accepts, the mailer can send."""

from __future__ import annotations

import traceback
from email.headerregistry import Address
from typing import Any

import pytest

from functions.adapters import mailer
from functions.domain import schemas
from functions.domain.mail import sendable
from functions.domain.validation import validate_request
from tests.support import FAKE_STAGE

# Each passed the schema's pattern; each made email.headerregistry.Address raise in the worker.
UNSENDABLE = ["a,b@x.y", "ü@x.y", ".a@x.y", "a@x..y", "a.@x.y", "a..b@x.y", "a@-x.y", "a@x.y-"]
SENDABLE = [
    "a.diallo@interieur.example.sn",
    "o'brien+mieux@example.org",
    "x@sub.domain-1.example.co.uk",
    "UPPER.case@EXAMPLE.ORG",
]


@pytest.mark.parametrize("address", UNSENDABLE)
def test_an_address_the_mailer_cannot_build_is_not_sendable(address: str) -> None:
    assert not sendable(address)


@pytest.mark.parametrize("address", SENDABLE)
def test_a_sendable_address_builds_a_header(address: str) -> None:
    assert sendable(address)
    assert Address(addr_spec=address).addr_spec == address


@pytest.mark.parametrize(
    "address", ["", "@x.y", "a@", "a@b", "a@@x.y", "a@x.y ", "a\n@x.y", "a" * 65 + "@x.y"]
)
def test_other_broken_addresses_are_not_sendable(address: str) -> None:
    assert not sendable(address)


def test_a_long_hostile_address_is_refused_in_linear_time() -> None:
    assert not sendable("a." * 30_000 + "@x.y")
    assert not sendable("a@" + "x." * 30_000)


def _with_email(address: str) -> dict[str, Any]:
    document = schemas.example("request.schema.json")
    document["contact"]["email"] = address
    return document


@pytest.mark.parametrize("address", UNSENDABLE)
def test_intake_refuses_what_the_mailer_cannot_send(address: str) -> None:
    # The schema's pattern refuses some (an empty domain label); the mailer's rule the rest.
    [error] = validate_request(_with_email(address))
    assert error.path == "/contact/email" and error.code in ("pattern", "format")


def test_intake_accepts_the_example() -> None:
    assert validate_request(_with_email("a.diallo@interieur.example.sn")) == []


@pytest.mark.parametrize("address", UNSENDABLE)
def test_the_mailer_rejects_for_good_and_never_echoes_the_address(
    address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in FAKE_STAGE.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(mailer.PermanentRejection) as raised:
        mailer.build_message(address, "Subject", "text", "<p>html</p>", "receipt", "en")
    assert raised.value.code == "invalid_address"
    told = "".join(traceback.format_exception(raised.value))  # what a log would show
    assert address not in told and repr(address) not in told
