"""Erasure on the fakes: every writing of the contact's identifiers goes, and what she wrote."""

from __future__ import annotations

import re

import pytest

from functions.adapters import links
from functions.domain.voting import Choice
from functions.services import erasure, intake, partner, review
from tests.unit.services.conftest import World, example_request

PERSON = {
    "name": "Fatou Erasable",
    "position": "Head of the Border Unit",
    "email": "f.erasable@interieur.example.sn",
    "phone": "+221 33 999 88 77",
}
THIRD = "k.third@elsewhere.example.org"


def everything(world: World) -> str:
    """Every item the fake holds, as one lower-cased text."""
    return " ".join(repr(item.value) for item in world.repo._items.values()).lower()


def her_request(world: World) -> str:
    document = example_request()
    document["contact"].update(PERSON)
    document["request"]["background"] += " Prepared by MS. ERASABLE (tel. +221339998877)."
    request_id = intake.submit(document).id
    review.dispatch_review(request_id, 1)
    question = "Could Mr. Erasable confirm on 33 999 88 77?"
    review.cast_vote(links.ReviewLink(request_id, "home", 1), Choice.MORE_INFORMATION, question)
    answer = f"Yes. Now on +221 77 555 44 33; my colleague {THIRD} knows. FATOU \n ERASABLE"
    corrected = "Objectives agreed with fatou  erasable (F.Erasable@Interieur.example.sn)."
    world.advance(days=1)
    partner.answer_question(request_id, answer, {"objectives": corrected})
    world.advance(hours=1)
    review.dispatch_review(request_id, 2)
    comment = "As Mrs erasable wrote (+221-33-999-88-77): out of scope."
    review.cast_vote(links.ReviewLink(request_id, "home", 2), Choice.REJECT, comment)
    world.deliver_all()
    return request_id


def test_every_writing_of_her_identifiers_and_her_answer_go(world: World) -> None:
    request_id = her_request(world)
    before = everything(world)
    assert "fatou" in before and "775554433" not in before and "77 555 44 33" in before
    erasure.erase_person(PERSON["email"].upper())
    text = everything(world)
    for fragment in ("fatou", "erasable", "f.erasable", "k.third", "elsewhere.example"):
        assert fragment not in text, fragment
    for digits in ("339998877", "775554433"):
        assert not re.search(r"[\s().\-/+]*".join(digits), text), digits
    answered = [e for e in world.repo.partition(request_id).events if e.action.endswith("answered")]
    assert [e.detail["answer"] for e in answered] == [erasure.ERASED]
    assert answered[0].detail["corrected"] == ["objectives"]  # field names: no one's text
    stored = world.repo.get_request(request_id)
    assert stored is not None
    assert stored.document["request"]["objectives"] == "Objectives agreed with [erased] ([erased])."
    assert stored.decision_reason == "As Mrs [erased] wrote ([erased]): out of scope."


def her_scrubber() -> erasure.Scrubber:
    """The scrubber erasure builds for her requests."""
    address = PERSON["email"]
    return erasure.Scrubber(
        [address, erasure.local_part(address)], names=[PERSON["name"]], phones=[PERSON["phone"]]
    )


@pytest.mark.parametrize(
    "written",
    [
        "+221 33 999 88 77",
        "+221339998877",
        "00221 33 999 88 77",
        "(+221) 33-999-88-77",
        "221.33.999.88.77",
        "33 999 88 77",
        "033 999 88 77",
        "Fatou Erasable",
        "FATOU\tERASABLE",
        "fatou   erasable",
        "Erasable",
        "F.ERASABLE@INTERIEUR.EXAMPLE.SN",
        "f.erasable",
    ],
)
def test_each_writing_of_an_identifier_is_erased(written: str) -> None:
    scrubber = her_scrubber()
    bracket = "(" if written.startswith("(") else ""  # a bracket before the number stays
    assert scrubber.text(f"Call {written}, today.") == f"Call {bracket}[erased], today."


@pytest.mark.parametrize(
    "kept",
    ["MX-2026-0001", "2026-03-02T09:00:00Z", "EUR 999 887", "Erasablement", "Fa"],
)
def test_what_is_not_her_stays(kept: str) -> None:
    scrubber = her_scrubber()
    assert scrubber.text(f"See {kept}.") == f"See {kept}."
