"""Dates, numbers, codes and addresses are isolated left to right in every language's text."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from functions.presentation.render import environment, render

LANGUAGES = ("en", "fr", "es", "ar", "ru")


def html(language: str, template: str, **context: object) -> str:
    return environment(language).from_string(template).render(**context)


def text(language: str, template: str, **context: object) -> str:
    source = "{% autoescape false %}" + template + "{% endautoescape %}"
    return environment(language).from_string(source).render(**context)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_hints_examples_are_isolated_left_to_right(lang: str) -> None:
    hint = "مثل 2027-03، أو +221 33 123 45 67 أو a.diallo@interieur.example.sn."
    assert html(lang, "{{ h|isolate_examples }}", h=hint) == (
        'مثل <bdi dir="ltr">2027-03</bdi>، أو <bdi dir="ltr">+221 33 123 45 67</bdi>'
        ' أو <bdi dir="ltr">a.diallo@interieur.example.sn</bdi>.'
    )
    assert text(lang, "{{ h|isolate_examples }}", h="مثل 2027-03.") == "مثل \u20662027-03\u2069."


def test_the_rest_of_a_hint_is_escaped_and_words_are_left_alone() -> None:
    out = html("ar", "{{ h|isolate_examples }}", h="<script> between 3 and 5, Head of Unit")
    assert out == (
        '&lt;script&gt; between <bdi dir="ltr">3</bdi> and <bdi dir="ltr">5</bdi>, Head of Unit'
    )


def test_ltr_isolates_a_value_in_html_and_in_plain_text() -> None:
    assert html("ar", "{{ r|ltr }}", r="<M-2027>") == '<bdi dir="ltr">&lt;M-2027&gt;</bdi>'
    assert text("ar", "{{ r|ltr }}", r="M-2027") == "\u2066M-2027\u2069"


@pytest.mark.parametrize(
    ("lang", "comma", "semicolon"),
    [
        ("en", ", ", "; "),
        ("fr", ", ", "\u202f; "),  # a narrow no-break space before ; in French
        ("es", ", ", "; "),
        ("ar", "، ", "؛ "),
        ("ru", ", ", "; "),
    ],
)
def test_lists_are_joined_by_the_languages_own_separator(
    lang: str, comma: str, semicolon: str
) -> None:
    items = ["<a>", "b"]
    assert html(lang, "{{ items|series }}", items=items) == f"&lt;a&gt;{comma}b"
    assert text(lang, "{{ items|series }}", items=items) == f"<a>{comma}b"
    assert text(lang, "{{ items|series(strong=true) }}", items=items) == f"<a>{semicolon}b"


OFFICER_MAIL = {
    "recipient_name": "Paula",
    "reference": "MX-2027-0001",
    "outcome": "approved",
    "reason": "",
    "title": "Referral",
    "institution": "Ministry",
    "institution_type": "national_government",
    "place": "Senegal",
    "pillar": "irregular_migration",
    "topics": ["Border management", "Asylum, procedures"],
    "contact_name": "Aminata Diallo",
    "contact_email": "a.diallo@interieur.example.sn",
    "status": "approved",
    "subject": "Decision",
    # The request as presentation/readout.py reads it back: here only its topics.
    "parts": [
        {
            "title": "The assistance you ask for",
            "rows": [
                SimpleNamespace(
                    group=None,
                    item=None,
                    label="Specific topics",
                    values=["Border management", "Asylum, procedures"],
                    translate=False,
                    long=False,
                )
            ],
        }
    ],
}


def test_an_arabic_email_isolates_its_reference_and_address_and_uses_arabic_separators() -> None:
    plain = render("emails/decision_officer.txt", "ar", **OFFICER_MAIL)
    assert "\u2066MX-2027-0001\u2069" in plain
    assert "\u2066<a.diallo@interieur.example.sn>\u2069" in plain
    assert "؛ " in plain  # the topics, one of which holds a comma
    page = render("emails/decision_officer.html", "ar", **OFFICER_MAIL)
    assert '<bdi dir="ltr">MX-2027-0001</bdi>' in page
    assert '<bdi dir="ltr">&lt;<a href="mailto:a.diallo@interieur.example.sn">' in page
