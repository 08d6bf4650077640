"""XLSForm `relevant`, `constraint` and labels that use `calculate` rows: imported as
conditions, constraints and piped texts on calculations, and exported back."""

# ruff: noqa: E501 -- one spreadsheet row per line

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pyxform.xls2xform import convert as pyxform_convert

from survey_app.questionnaire import Questionnaire, load_file
from survey_app.xlsform import Conversion, convert_workbook, questionnaire_yaml, write_xlsform

HOUSEHOLD = """
| survey |
| | type      | name     | label                       | hint             | relevant              | constraint                    | constraint_message                  | calculation         |
| | integer   | adults   | Adults?                     |                  |                       | . >= 0                        |                                     |                     |
| | integer   | children | Children?                   |                  |                       | . >= 0 and ${total} <= 12     | ${total} people? Check the numbers. |                     |
| | integer   | rooms    | Rooms?                      |                  |                       |                               |                                     |                     |
| | text      | crowded  | With ${total} people, why?  | ${per_room} each | ${total} > 5          |                               |                                     |                     |
| | text      | note     | Anything about ${size}?     |                  | ${size} = 'large' or ${total} = '' or ${total} = 4 |  |                                     |                     |
| | text      | later    | Later?                      |                  | ${late_calc} > 1      |                               |                                     |                     |
| | integer   | last     | Last?                       |                  |                       |                               |                                     |                     |
| | calculate | total    |                             |                  |                       |                               |                                     | ${adults} + ${children} |
| | calculate | per_room |                             |                  |                       |                               |                                     | round(${total} div ${rooms}, 1) |
| | calculate | size     |                             |                  |                       |                               |                                     | if(${total} > 5, 'large', 'small') |
| | calculate | late_calc |                            |                  |                       |                               |                                     | ${last} * 2         |
"""


def convert(tmp_path: Path, md: str) -> tuple[Conversion, Questionnaire]:
    """Convert a Markdown XLSForm and load the YAML it gives."""
    path = tmp_path / "form.md"
    path.write_text(textwrap.dedent(md).strip() + "\n", encoding="utf-8")
    conversion = convert_workbook(path)
    target = tmp_path / "out.yaml"
    target.write_text(questionnaire_yaml(conversion, "form.md", dt.date(2026, 1, 1)))
    return conversion, load_file(Questionnaire, target).model


def question(conversion: Conversion, qid: str) -> dict[str, Any]:
    return next(q for q in conversion.questions() if q["id"] == qid)


def messages(conversion: Conversion) -> list[str]:
    return [str(p) for p in (*conversion.skipped, *conversion.changed)]


def test_relevant_on_a_calculation_becomes_a_show_if_on_it(tmp_path):
    conversion, _ = convert(tmp_path, HOUSEHOLD)
    assert question(conversion, "crowded")["show_if"] == {
        "question": "total",
        "greater_than": 5,
    }
    assert question(conversion, "note")["show_if"] == {
        "any": [
            {"question": "size", "equals": "large"},
            {"question": "total", "answered": False},
            {"question": "total", "equals": 4},
        ]
    }


def test_a_constraint_on_a_calculation_becomes_the_question_constraint_with_its_message(
    tmp_path,
):
    conversion, _ = convert(tmp_path, HOUSEHOLD)
    children = question(conversion, "children")
    assert children["min"] == 0
    assert children["constraint"] == {"question": "total", "at_most": 12}
    assert children["constraint_message"] == "${total} people? Check the numbers."
    assert not [m for m in messages(conversion) if "constraint_message" in m]


def test_calculations_are_piped_into_labels_and_hints(tmp_path):
    conversion, _ = convert(tmp_path, HOUSEHOLD)
    assert question(conversion, "crowded")["prompt"] == "With ${total} people, why?"
    assert question(conversion, "crowded")["help"] == "${per_room} each"
    assert question(conversion, "note")["prompt"] == "Anything about ${size}?"


def test_a_calculation_of_later_answers_is_listed_not_used_and_still_kept(tmp_path):
    conversion, model = convert(tmp_path, HOUSEHOLD)
    assert "show_if" not in question(conversion, "later")
    assert (
        "survey row 7: relevant '${late_calc} > 1' of 'later' not converted (the calculation "
        "${late_calc} uses ${last}, which is not an earlier question or calculation converted "
        "here); always shown, and optional"
    ) in messages(conversion)
    assert [c.id for c in model.calculations] == ["total", "per_room", "size", "late_calc"]


def test_a_calculation_used_early_keeps_its_place_and_id(tmp_path):
    conversion, _ = convert(tmp_path, HOUSEHOLD)
    assert conversion.questionnaire["calculations"][:2] == [
        {"id": "total", "expression": "${adults} + ${children}"},
        {"id": "per_room", "expression": "round(${total} div ${rooms}, 1)"},
    ]


def test_conditions_on_calculations_survive_the_round_trip_and_pyxform_accepts_them(tmp_path):
    _, original = convert(tmp_path, HOUSEHOLD)
    workbook = tmp_path / "back.xlsx"
    write_xlsform(original, workbook)
    assert "<h:title>" in pyxform_convert(str(workbook)).xform
    again = convert_workbook(workbook)
    target = tmp_path / "again.yaml"
    target.write_text(questionnaire_yaml(again, "back.xlsx", dt.date(2026, 1, 1)))
    back = load_file(Questionnaire, target).model

    def logic(q: Questionnaire) -> list[Any]:
        return [
            (x.id, x.show_if, x.constraint, str(x.constraint_message or ""), str(x.prompt))
            for x in q.questions()
        ] + [(c.id, c.expression) for c in q.calculations]

    assert logic(back) == logic(original)


@pytest.mark.parametrize(
    "path",
    [
        Path("tests/data/questionnaires/calculated/household-size.yaml"),
        Path("tests/data/questionnaires/features/xlsform-features.yaml"),
    ],
)
def test_a_questionnaire_with_calculated_logic_exports_as_pyxform_accepts(path, tmp_path):
    original = load_file(Questionnaire, path).model
    workbook = tmp_path / "form.xlsx"
    write_xlsform(original, workbook)
    assert "<h:title>" in pyxform_convert(str(workbook)).xform
    back = convert_workbook(workbook)
    assert back.skipped == ()
    again = tmp_path / "again.yaml"
    again.write_text(questionnaire_yaml(back, "form.xlsx", dt.date(2026, 1, 1)))
    model = load_file(Questionnaire, again).model
    assert [(x.id, x.show_if, x.constraint) for x in model.questions()] == [
        (x.id, x.show_if, x.constraint) for x in original.questions()
    ]
