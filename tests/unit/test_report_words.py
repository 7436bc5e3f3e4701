"""The report in five languages: every text a built report holds is one of its marked words (or
a label from the reference lists), every catalog translates them, and :func:`localised` gives
the whole report in a language with the numbers of its summaries isolated."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.domain.records import EvaluationAnswer, ResultsEntry
from functions.domain.reference import (
    ACTIVITY_TYPES,
    CHANGE_ANSWERS,
    DELIVERABLE_KINDS,
    PARTICIPANT_SEXES,
    SATISFACTION_SCALE,
    country_names,
    reference_data,
)
from functions.presentation.charts import svg
from functions.presentation.i18n import LANGUAGES, gettext_for
from functions.presentation.render import ltr_isolated
from functions.presentation.report import (
    WORDS,
    Bar,
    Chart,
    Deployment,
    Report,
    Results,
    Roster,
    Row,
    build,
    expert_charts,
    localised,
    report_csv,
)

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)
SAME = {("fr", "Participants"), ("fr", "Actions")}  # the same word in English and French


def sample(empty: bool = False) -> Report:
    """A report with something in every chart (or nothing: the summaries' other sentences)."""
    reference = reference_data()
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    rows = (
        []
        if empty
        else [
            Row("MX-2026-0001", "africa", "horizontal", "judiciary", "approved", at, NOW),
            Row("MX-2026-0002", "asia_pacific", "horizontal", "parliament", "rejected", at, NOW),
            Row("MX-2026-0003", "africa", "horizontal", "parliament", "submitted", at),
        ]
    )
    activity = {
        "type": "training",
        "country": "SN",
        "starts_on": "2026-05-01",
        "ends_on": "2026-05-03",
        "status": "done",
        "participants": {"women": 4, "men": 3, "unstated": 1},
        "deliverables": ["manual"],
    }
    entries = (
        []
        if empty
        else [
            ResultsEntry(
                "r1", "africa", "horizontal", "SN", "2026-04-01T10:00:00Z", "2026-05-01",
                "2026-05-03", [activity],
            )
        ]
    )  # fmt: skip
    answers = (
        [] if empty else [EvaluationAnswer("r1", 1, "host", 5, "yes", "2026-05-04T10:00Z", "en")]
    )
    deployments = [] if empty else [Deployment("FR", "female", "MX-2026-0001", 1, "training")]
    sizes = {} if empty else {"FR": {"active": 2, "pending": 1}}
    roster = Roster(sizes, reference.member_states, reference.genders, dict(ACTIVITY_TYPES))
    return build(
        2026,
        rows,
        NOW,
        reference.regions,
        reference.pillars,
        reference.institution_types,
        Results(entries, answers, country_names("en")),
        more=expert_charts(deployments, roster),
    )


def reference_labels() -> set[str]:
    reference = reference_data()
    lists = [
        reference.regions,
        reference.pillars,
        reference.institution_types,
        reference.member_states,
        reference.genders,
        ACTIVITY_TYPES,
        DELIVERABLE_KINDS,
        PARTICIPANT_SEXES,
        SATISFACTION_SCALE,
        CHANGE_ANSWERS,
        country_names("en"),
    ]
    return {label for labels in lists for label in labels.values()}


@pytest.mark.parametrize("empty", [False, True])
def test_every_text_of_a_report_is_a_marked_word_or_a_reference_label(empty: bool) -> None:
    words, labels = set(WORDS), reference_labels()
    for chart in sample(empty).charts:
        assert chart.title in words, chart.title
        assert chart.value_header in words, chart.value_header
        assert chart.extra_header in words or not chart.extra_header, chart.extra_header
        assert chart.said in words or not chart.summary, chart.summary
        for value in chart.said_values.values():
            assert value in words or any(c.isdigit() for c in value), value
        for bar in chart.bars:
            reference = bar.label.startswith("MX-")
            assert bar.label in words or bar.label in labels or reference, bar.label


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_catalog_translates_every_word_of_the_report(language: str) -> None:
    translate = gettext_for(language)
    for word in WORDS:
        assert translate(word) != word or (language, word) in SAME, (language, word)


def test_a_localised_report_is_all_in_the_language_with_its_numbers_isolated() -> None:
    english = sample()
    french = localised(english, gettext_for("fr"), ltr_isolated)
    words = set(WORDS)
    for before, after in zip(english.charts, french.charts, strict=True):
        assert after.title == gettext_for("fr")(before.title) != before.title
        assert [b.value for b in after.bars] == [b.value for b in before.bars]
        assert not {b.label for b in after.bars} & (words - {"Participants"})
    approval = next(c for c in french.charts if c.key == "approval")
    assert approval.summary == (
        "Taux d'approbation\u00a0: \u206650%\u2069 de \u20662\u2069 demande(s) tranchée(s)"
    )
    months = next(c for c in french.charts if c.key == "month")
    assert months.bars[0].label == "janv." and "mars" in months.summary
    assert localised(english, str) == english  # English: the message ids themselves
    assert "<title" in svg(french.charts[0]) and "Demandes par région" in svg(french.charts[0])


def test_the_csv_neutralises_any_label_a_spreadsheet_would_run() -> None:
    hostile = ['=HYPERLINK("http://evil.example")', "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]
    chart = Chart("x", "=title", "+value", [Bar(label, 1, label) for label in hostile])
    text = report_csv(Report(2026, NOW, 0, [chart]))
    lines = text.splitlines()
    assert lines[0] == '"chart","title","label","value","shown","extra_header","extra"'
    assert '"\'=HYPERLINK(""http://evil.example"")"' in lines[1]
    for label in hostile:
        assert f'"\'{label}"'.replace('""', '"') in text.replace('""', '"')
