"""Cells a spreadsheet would run as formulas are neutralised; everything else stays exact."""

from __future__ import annotations

import csv
import io

import pytest

from functions.presentation.spreadsheet import FORMULA_STARTS, cell, csv_text


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_text_starting_like_a_formula_is_quoted(start: str) -> None:
    assert cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["Ministry of Interior", "وزارة الداخلية", "", "a=b", 42, None])
def test_other_values_are_left_as_they_are(value: object) -> None:
    assert cell(value) == value


def test_a_carriage_return_inside_a_cell_keeps_the_row_whole() -> None:
    text = csv_text([{"a": "\r=2+2", "b": "x\ry"}], ["a", "b"])
    [row] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert row == {"a": "'\r=2+2", "b": "x\ry"}
