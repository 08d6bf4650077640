"""XLSForm `begin repeat` <-> repeated sections: bounds, fallbacks, and the round trip."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from pyxform.xls2xform import convert as pyxform_convert

from survey_app.questionnaire import Questionnaire, load_file
from survey_app.xlsform import Conversion, convert_workbook, questionnaire_yaml, write_xlsform
from survey_app.xlsform.export import xlsform_sheets

from .test_import import messages

HOUSEHOLD = Path("tests/data/questionnaires/repeats/household.yaml")


@pytest.fixture
def convert(tmp_path: Path) -> Callable[[str], Conversion]:
    """Write a Markdown XLSForm, convert it, check the YAML loads; return the conversion."""

    def run(md: str) -> Conversion:
        path = tmp_path / "form.md"
        path.write_text(textwrap.dedent(md).strip() + "\n", encoding="utf-8")
        conversion = convert_workbook(path)
        target = tmp_path / "out.yaml"
        target.write_text(questionnaire_yaml(conversion, "form.md", dt.date(2026, 1, 1)))
        load_file(Questionnaire, target)
        return conversion

    return run


def section(conversion, section_id):
    return next(s for s in conversion.questionnaire["sections"] if s["id"] == section_id)


def test_a_constant_repeat_count_fixes_the_number_of_items(convert):
    conversion = convert(
        """
        | survey |
        | | type         | name | label    | repeat_count |
        | | begin repeat | kids | Kids     | 3            |
        | | text         | kid  | Name?    |              |
        | | end repeat   |      |          |              |
        """
    )
    assert section(conversion, "kids")["repeat"] == {"min": 3, "max": 3}
    assert messages(conversion) == []  # repeat_count is read, not an ignored column


def test_a_count_from_a_question_is_listed_as_approximated(convert):
    conversion = convert(
        """
        | survey |
        | | type         | name | label     | repeat_count |
        | | integer      | n    | How many? |              |
        | | begin repeat | pets | Pets      | ${n}         |
        | | text         | pet  | Name?     |              |
        | | end repeat   |      |           |              |
        """
    )
    assert section(conversion, "pets")["repeat"] == {"min": 0, "max": 50}
    assert messages(conversion) == [
        "survey row 3: repeat 'pets' has as many items as ${n} says; here participants add "
        "them with 'Add another', up to 50"
    ]


def test_a_condition_on_a_question_of_the_same_item_keeps_the_repeat_answered_once(convert):
    conversion = convert(
        """
        | survey |
        | | type          | name | label   | relevant        |
        | | begin repeat  | kids | Kids    |                 |
        | | select_one yn | goes | School? |                 |
        | | text          | sch  | Which?  | ${goes} = 'yes' |
        | | end repeat    |      |         |                 |
        | choices |
        | | list_name | name | label |
        | | yn        | yes  | Yes   |
        | | yn        | no   | No    |
        """
    )
    assert "repeat" not in section(conversion, "kids")
    assert (
        "survey row 2: repeat 'kids' is answered once here (skip logic, piping, a choice filter "
        "or a calculation names its questions, and one answer per item cannot); its questions "
        "become a section"
    ) in messages(conversion)


def test_a_matrix_inside_a_repeat_keeps_it_answered_once(convert):
    conversion = convert(
        """
        | survey |
        | | type         | name  | label   | appearance |
        | | begin repeat | rep   | Rep     |            |
        | | begin group  | grid  | Rate    | table-list |
        | | select_one s | a     | A       |            |
        | | select_one s | b     | B       |            |
        | | end group    |       |         |            |
        | | end repeat   |       |         |            |
        | choices |
        | | list_name | name | label |
        | | s         | 1    | 1     |
        | | s         | 2    | 2     |
        | | s         | 3    | 3     |
        """
    )
    assert all("repeat" not in s for s in conversion.questionnaire["sections"])
    assert any("it holds a matrix question" in m for m in messages(conversion))


def test_the_export_writes_begin_repeat_that_pyxform_accepts(tmp_path):
    q = load_file(Questionnaire, HOUSEHOLD).model
    survey = xlsform_sheets(q)["survey"]
    begin = next(r for r in survey if r.get("name") == "members")
    assert begin["type"] == "begin repeat"
    assert "repeat_count" not in begin  # 1 to 3 items: the participant adds them
    assert [r["type"] for r in survey].count("end repeat") == 1
    workbook = tmp_path / "form.xlsx"
    write_xlsform(q, workbook)
    pyxform_convert(str(workbook))


def test_a_repeat_survives_the_round_trip_through_xlsform(tmp_path):
    original = load_file(Questionnaire, HOUSEHOLD).model
    workbook = tmp_path / "form.xlsx"
    write_xlsform(original, workbook)
    conversion = convert_workbook(workbook)
    target = tmp_path / "back.yaml"
    target.write_text(questionnaire_yaml(conversion, "form.xlsx", dt.date(2026, 1, 1)))
    back = load_file(Questionnaire, target).model
    assert back.sections[1].repeat == original.sections[1].repeat
    assert back.sections[1].repeat is not None
    assert back.sections[1].repeat.add_label.translations == {  # type: ignore[union-attr]
        "en": "Add another member",
        "fr": "Ajouter un membre",
    }
    assert back.repeated_ids() == original.repeated_ids()
    assert conversion.skipped == ()
    assert not any("repeat" in str(p) for p in conversion.changed)


def test_a_fixed_number_of_items_is_written_as_repeat_count(tmp_path):
    q = load_file(Questionnaire, HOUSEHOLD).model
    fixed = q.model_copy(
        update={
            "sections": [
                s.model_copy(update={"repeat": s.repeat.model_copy(update={"min": 2, "max": 2})})
                if s.repeat
                else s
                for s in q.sections
            ]
        }
    )
    begin = next(r for r in xlsform_sheets(fixed)["survey"] if r.get("name") == "members")
    assert begin["repeat_count"] == 2
