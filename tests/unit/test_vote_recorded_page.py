"""The vote-recorded page: only the vote that decided says so, in every language."""

from __future__ import annotations

import html

import pytest

from functions.presentation.render import render

LANGUAGES = ("en", "fr", "es", "ar", "ru")


def recorded(language: str, outcome: str | None, decided: bool) -> str:
    body = render(
        "pages/vote_recorded.html",
        language,
        lang=language,
        choice="approve",
        outcome=outcome,
        decided_by_this_vote=decided,
        reference="MX-2026-0001",
        here="/review/token",
    )
    return html.unescape(body)


TOLD = {  # the English sentence a vote that did not decide reads
    "approved": "The committee has approved the request.",
    "rejected": "The committee has rejected the request.",
    "information_requested": "The committee has asked the partner for more information.",
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("outcome", sorted(TOLD))
def test_a_vote_that_did_not_decide_says_what_the_committee_decided(
    language: str, outcome: str
) -> None:
    deciding = recorded(language, outcome, decided=True)
    other = recorded(language, outcome, decided=False)
    pending = recorded(language, None, decided=False)
    assert len({deciding, other, pending}) == 3 and "MX-2026-0001" in other
    assert "With your vote" not in other
    if language == "en":
        assert TOLD[outcome] in other and TOLD[outcome] not in deciding
    else:  # translated, not the English text
        assert TOLD[outcome] not in other
