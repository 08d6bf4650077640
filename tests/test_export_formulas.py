"""No exported cell can open as a formula, whatever separator the spreadsheet splits at."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from survey_app.export_files import build_xlsx_file
from survey_app.export_layout import build_layout
from survey_app.exports import FORMULA_TRIGGERS, csv_chunks, neutralise
from survey_app.questionnaire import Questionnaire

PAYLOADS = [
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    ";=1+1",
    'x;=HYPERLINK("http://evil.example","click")',
    "x; =1+1",
    "x,=1+1",
    "x,@SUM(A1)",
    "x\t+1",
    "x|=1",
    'x"=1+1',
    "x\n=1+1",
    "x;;-2+3",
    "\uff1d1+1",
    "x;\uff20SUM(A1)",
    "=cmd|' /C calc'!A0",
]
SEPARATORS = [",", ";", "\t", "|"]


def opens_as_formula(cell: str) -> bool:
    """What a spreadsheet that trims spaces and quotes would read as a formula."""
    return cell.strip(' "').startswith(FORMULA_TRIGGERS)


def csv_text(value: str) -> str:
    return "".join(csv_chunks(["answer"], [[value]])).lstrip("\ufeff")


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("separator", SEPARATORS)
def test_no_csv_cell_opens_as_a_formula_whatever_the_separator(payload, separator):
    text = csv_text(payload)
    # Naive splitting too: a spreadsheet whose separator is not ours ignores our quoting.
    naive = [cell for line in text.splitlines() for cell in line.split(separator)]
    parsed = [c for row in csv.reader(io.StringIO(text), delimiter=separator) for c in row]
    bad = [cell for cell in naive + parsed if opens_as_formula(cell)]
    assert not bad, f"{payload!r} split at {separator!r} gives {bad}"


def test_csv_read_with_our_separator_gives_the_text_back_with_visible_marks():
    row = list(csv.reader(io.StringIO(csv_text("x;=1+1"))))[1]
    assert row == ["x;'=1+1"]


@pytest.fixture
def layout():
    questionnaire = Questionnaire.model_validate(
        {
            "schema_version": 1,
            "id": "free",
            "title": "Free",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [{"id": "say", "type": "short_text", "prompt": "Say"}],
                }
            ],
        }
    )
    return build_layout(questionnaire, include_text=True)


def test_no_xlsx_cell_is_a_formula_or_starts_like_one(layout):
    blank = [None] * (len(layout.columns) - 1)
    path = build_xlsx_file(
        layout.columns, layout.codebook(), lambda: [[*blank, p] for p in PAYLOADS]
    )
    workbook = load_workbook(path)
    path.unlink()
    cells = [
        c for sheet in ("labels", "codes") for row in workbook[sheet].iter_rows(2) for c in row
    ]
    cells = [c for c in cells if c.value]
    assert len(cells) == 2 * len(PAYLOADS)
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert not opens_as_formula(cell.value), cell.value
        assert not any(
            opens_as_formula(part) for sep in SEPARATORS for part in cell.value.split(sep)
        ), cell.value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (";=1+1", ";'=1+1"),
        ("a; -1", "a; '-1"),
        (" =1", "' =1"),
        ("\uff1d1", "'\uff1d1"),
        ("2 - 1 = 1", "2 - 1 = 1"),
        ("yes, please", "yes, please"),
        ("e-mail me", "e-mail me"),
    ],
)
def test_neutralise_marks_only_what_could_start_a_cell(value, expected):
    assert neutralise(value) == expected
