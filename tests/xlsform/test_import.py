"""What an XLSForm becomes, one rule per test, on small Markdown forms that pyxform reads."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import Any

import pytest
import xlwt

from survey_app.questionnaire import Questionnaire, load_file
from survey_app.xlsform import Conversion, convert_workbook, questionnaire_yaml

from .forms import Form, write_xlsform


@pytest.fixture
def convert(tmp_path: Path):
    """Write a Markdown XLSForm, convert it, check the YAML loads; return the conversion."""

    def run(md: str, name: str = "form.md") -> Conversion:
        path = tmp_path / name
        path.write_text(textwrap.dedent(md).strip() + "\n", encoding="utf-8")
        conversion = convert_workbook(path)
        target = tmp_path / "out.yaml"
        target.write_text(questionnaire_yaml(conversion, name, dt.date(2026, 1, 1)))
        load_file(Questionnaire, target)
        return conversion

    return run


def messages(conversion: Conversion) -> list[str]:
    """Everything listed as dropped or changed, as printed."""
    return [str(p) for p in (*conversion.skipped, *conversion.changed)]


def question(conversion: Conversion, qid: str) -> dict[str, Any]:
    return next(q for q in conversion.questions() if q["id"] == qid)


def test_choice_codes_names_title_and_id_come_through_unchanged(convert):
    conversion = convert(
        """
        | survey |
        | | type           | name     | label   |
        | | select_one sex | resp_sex | Sex?    |
        | | select_one hh  | head     | Head?   |
        | choices |
        | | list_name | name   | label  |
        | | sex       | Male   | Male   |
        | | sex       | Female | Female |
        | | hh        | 1      | Père   |
        | | hh        | père   | Père 2 |
        | settings |
        | | form_title      | form_id        |
        | | Enquête ménages | household_2024 |
        """
    )
    assert conversion.id == "household_2024"
    assert conversion.questionnaire["title"] == "Enquête ménages"
    assert [o["value"] for o in question(conversion, "resp_sex")["options"]] == ["Male", "Female"]
    assert [o["value"] for o in question(conversion, "head")["options"]] == ["1", "père"]
    assert messages(conversion) == []


def test_free_text_keeps_the_length_the_form_allows(convert):
    conversion = convert(
        """
        | survey |
        | | type | name  | label | constraint               | appearance |
        | | text | any   | Any   |                          |            |
        | | text | short | Short | string-length(.) <= 500  |            |
        | | text | essay | Essay |                          | multiline  |
        """
    )
    assert question(conversion, "any") == {
        "id": "any", "type": "short_text", "prompt": "Any", "max_length": 20000
    }  # fmt: skip
    assert question(conversion, "short")["max_length"] == 500
    assert question(conversion, "essay")["type"] == "long_text"


def test_an_id_that_is_not_an_id_here_is_changed_and_listed(convert):
    conversion = convert(
        """
        | survey |
        | | type | name    | label |
        | | text | Q1.name | Name  |
        | settings |
        | | form_id   |
        | | HH Survey |
        """
    )
    assert conversion.id == "hh-survey"
    assert question(conversion, "q1_name")
    assert messages(conversion) == [
        "settings: form_id 'HH Survey' becomes id 'hh-survey' (ids are lower case: letters, "
        "digits, - and _)",
        "survey row 2: name 'Q1.name' becomes id 'q1_name' (ids are lower-case slugs)",
    ]


def test_language_names_become_codes_default_first(convert):
    conversion = convert(
        """
        | survey |
        | | type | name | label::English | label::Swahili | label::Tetun |
        | | text | name | Name           | Jina           | Naran        |
        | settings |
        | | default_language |
        | | Swahili          |
        """
    )
    assert conversion.languages == ("sw", "en", "tet")
    assert question(conversion, "name")["prompt"] == {"sw": "Jina", "en": "Name", "tet": "Naran"}


def test_piping_an_earlier_answer_is_kept_and_a_later_one_is_a_listed_blank(convert):
    conversion = convert(
        """
        | survey |
        | | type    | name | label               | hint              |
        | | text    | Name | Name?               |                   |
        | | integer | age  | How old is ${Name}? | Before ${later}.  |
        | | text    | later | Later?             |                   |
        """
    )
    assert question(conversion, "age")["prompt"] == "How old is ${name}?"
    assert question(conversion, "age")["help"] == "Before ___."
    assert (
        "survey row 3: hint of 'age' shows ${later} as ___ (not an earlier question or a "
        "calculation of earlier answers converted here: only those are piped into texts)"
    ) in messages(conversion)


def test_cascading_choices_become_option_attributes_and_a_filter(convert):
    conversion = convert(
        """
        | survey |
        | | type              | name     | label    | choice_filter                      |
        | | select_one region | region   | Region?  |                                    |
        | | select_one town   | town     | Town?    | ${region} = region and kind='city' |
        | | select_one town   | any_town | Town?    | region=${region} or kind='city'    |
        | choices |
        | | list_name | name  | label  | region | kind    |
        | | region    | north | North  |        |         |
        | | region    | 2     | South  |        |         |
        | | town      | t1    | Town 1 | north  | city    |
        | | town      | t2    | Town 2 | 2      | city    |
        | | town      | t3    | Town 3 | 2      | city    |
        | | town      | v1    | Vill 1 | 2      | village |
        """
    )
    town = question(conversion, "town")
    assert town["choice_filter"] == [{"attribute": "region", "question": "region"}]
    assert town["options"] == [
        {"value": "t1", "label": "Town 1", "attributes": {"region": "north"}},
        {"value": "t2", "label": "Town 2", "attributes": {"region": "2"}},
        {"value": "t3", "label": "Town 3", "attributes": {"region": "2"}},
    ]
    assert "choice_filter" not in question(conversion, "any_town")
    assert len(question(conversion, "any_town")["options"]) == 4
    assert messages(conversion) == [
        "survey row 3: choice_filter of 'town' never offers v1: left out",
        "survey row 4: choice_filter 'region=${region} or kind='city'' of 'any_town' not "
        "applied (only column = ${question} or = 'value', joined by and): every choice of "
        "'town' is offered",
    ]


def test_calculations_are_kept_and_metadata_geo_and_media_listed(convert):
    conversion = convert(
        """
        | survey |
        | | type      | name     | label  | calculation |
        | | start     | start    |        |             |
        | | deviceid  | deviceid |        |             |
        | | integer   | n        | N?     |             |
        | | calculate | double   |        | ${n} * 2    |
        | | geopoint  | where    | Where? |             |
        | | image     | photo    | Photo? |             |
        """
    )
    assert [q["id"] for q in conversion.questions()] == ["n"]
    assert conversion.questionnaire["calculations"] == [{"id": "double", "expression": "${n} * 2"}]
    assert conversion.form_questions == 3
    assert messages(conversion) == [
        "survey row 3: 'deviceid' (deviceid): device metadata is not collected here; dropped",
        "survey row 6: 'where' (geopoint): no equivalent question type; dropped",
        "survey row 7: 'photo' (image): no equivalent question type; dropped",
        "survey row 2: 'start' (start): each response records its submission time instead",
    ]


def test_calculations_outside_the_subset_are_listed_with_their_row(convert):
    conversion = convert(
        """
        | survey |
        | | type      | name   | label  | calculation            |
        | | integer   | n      | N?     |                        |
        | | geopoint  | where  | Where? |                        |
        | | calculate | stamp  |        | now()                  |
        | | calculate | spot   |        | concat(${where}, '')   |
        | | calculate | double |        | ${n} * 2               |
        | | calculate | more   |        | ${double} + 1          |
        """
    )
    assert [c["id"] for c in conversion.questionnaire["calculations"]] == ["double", "more"]
    assert messages(conversion)[1:] == [
        "survey row 4: calculate 'stamp' (now()) is not computed here "
        "(the function 'now()' is not supported); dropped",
        "survey row 5: calculate 'spot' (concat(${where}, '')) uses ${where}, which is not a "
        "question or an earlier calculation converted here; dropped",
    ]


def test_a_repeat_becomes_a_repeated_section(convert):
    conversion = convert(
        """
        | survey |
        | | type         | name    | label   |
        | | begin repeat | member  | Member  |
        | | text         | m_name  | Name?   |
        | | end repeat   |         |         |
        """
    )
    [section] = conversion.questionnaire["sections"]
    assert (section["id"], section["title"]) == ("member", "Member")
    assert section["repeat"] == {"min": 0, "max": 50}
    assert messages(conversion) == ["survey row 2: repeat 'member' takes at most 50 items here"]


def test_a_table_of_one_scale_becomes_a_matrix_and_likert_a_scale(convert):
    conversion = convert(
        """
        | survey |
        | | type         | name   | label         | appearance | required |
        | | select_one a | mood   | Mood?         | likert     |          |
        | | begin group  | agree  | Do you agree? | table-list |          |
        | | select_one a | clean  | Clean         |            | yes      |
        | | select_one a | safe   | Safe          |            | yes      |
        | | end group    |        |               |            |          |
        | choices |
        | | list_name | name | label    |
        | | a         | 1    | Disagree |
        | | a         | 2    | 2        |
        | | a         | 3    | Agree    |
        """
    )
    scale = {"min": 1, "max": 3, "labels": {1: "Disagree", 3: "Agree"}}
    assert question(conversion, "mood")["scale"] == scale
    assert question(conversion, "agree") == {
        "id": "agree",
        "type": "matrix",
        "prompt": "Do you agree?",
        "required": True,
        "scale": scale,
        "rows": [{"value": "clean", "label": "Clean"}, {"value": "safe", "label": "Safe"}],
    }


def test_select_one_from_file_reads_the_csv_next_to_the_workbook(convert, tmp_path):
    (tmp_path / "towns.csv").write_text("name,label\nt1,Town 1\nt2,Town 2\n")
    md = """
        | survey |
        | | type                           | name  | label |
        | | select_one_from_file towns.csv | town  | Town? |
        | | select_one_from_file farms.csv | farm  | Farm? |
        | | text                           | other | Else? |
        """
    conversion = convert(md)
    assert question(conversion, "town")["options"] == [
        {"value": "t1", "label": "Town 1"},
        {"value": "t2", "label": "Town 2"},
    ]
    assert messages(conversion) == [
        "survey row 3: 'farm': choices file 'farms.csv' is not next to the workbook; dropped"
    ]


def test_an_untranslatable_condition_keeps_the_question_optional_and_says_so(convert):
    conversion = convert(
        """
        | survey |
        | | type    | name | label | relevant         | required |
        | | integer | a    | A?    |                  |          |
        | | integer | b    | B?    | ${a} * 2 > 10    | yes      |
        | | integer | c    | C?    | ${a} != ''       | yes      |
        """
    )
    assert question(conversion, "b") == {"id": "b", "type": "number", "prompt": "B?"}
    assert question(conversion, "c")["required"] is True
    assert messages(conversion) == [
        "survey row 3: relevant '${a} * 2 > 10' of 'b' not converted (the operator '*' is not "
        "supported); always shown, and optional"
    ]


def test_a_note_under_another_condition_is_not_made_the_next_questions_help(convert):
    conversion = convert(
        """
        | survey |
        | | type          | name  | label            | relevant       |
        | | select_one yn | ok    | OK?              |                |
        | | note          | sorry | Sorry to hear it | ${ok} = 'no'   |
        | | text          | why   | Why?             | ${ok} = 'no'   |
        | | note          | great | Great!           | ${ok} = 'yes'  |
        | | text          | what  | What went well?  | ${ok} != 'yes' |
        | choices |
        | | list_name | name | label |
        | | yn        | yes  | Yes   |
        | | yn        | no   | No    |
        """
    )
    assert question(conversion, "why")["help"] == "Sorry to hear it"
    assert "help" not in question(conversion, "what")
    assert messages(conversion) == [
        "survey row 5: note 'great' shows only when ${ok} = 'yes', and the next question "
        "under another condition; dropped",
        "survey row 3: note 'sorry' is shown in the help of 'why', which has the same condition",
    ]


def test_legacy_or_specify_other_and_conditions_on_other(convert):
    conversion = convert(
        """
        | survey |
        | | type                                  | name | label  | relevant         |
        | | select one from sexes or specify other | sex  | Sex?   |                  |
        | | text                                  | say  | Which? | ${sex} = 'other' |
        | choices |
        | | list name | name   | label  |
        | | sexes     | male   | Male   |
        | | sexes     | female | Female |
        """
    )
    assert question(conversion, "sex")["other"] is True
    assert [o["value"] for o in question(conversion, "sex")["options"]] == ["male", "female"]
    assert question(conversion, "say")["show_if"] == {"question": "sex", "equals": "_other"}


def test_csv_and_xlsx_forms_are_read_too(convert, tmp_path, import_xlsform):
    csv_form = Path(__file__).parent / "corpus" / "pyxform_example_group.csv"
    assert [q["id"] for q in convert_workbook(csv_form).questions()] == [
        "family_name",
        "phone_number",
        "age",
    ]
    xlsx = write_xlsform(
        Form(
            survey=[
                ["type", "name", "label"],
                ["text", "name", "Name?"],
                ["geopoint", "gp", "Where?"],
            ]
        ),
        tmp_path / "form.xlsx",
    )
    result = import_xlsform(xlsx)
    assert result.exit_code == 0, result.output
    assert "  survey row 3: 'gp' (geopoint): no equivalent question type; dropped" in (
        result.output.splitlines()
    )


def test_a_legacy_xls_workbook_imports_with_numeric_codes_kept(tmp_path):
    book = xlwt.Workbook()
    for name, rows in (
        ("survey", [["type", "name", "label"], ["select_one yn", "ok", "OK?"]]),
        ("choices", [["list_name", "name", "label"], ["yn", 1, "Yes"], ["yn", 0, "No"]]),
    ):
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                sheet.write(r, c, value)
    book.save(str(tmp_path / "form.xls"))
    conversion = convert_workbook(tmp_path / "form.xls")
    assert [o["value"] for o in question(conversion, "ok")["options"]] == ["1", "0"]


def test_a_group_whose_condition_does_not_translate_shows_its_questions_optional(convert):
    conversion = convert(
        """
        | survey |
        | | type        | name | label | relevant              | required |
        | | integer     | a    | A?    |                       |          |
        | | begin group | g    | G     | ${a} mod 2 = 0        |          |
        | | integer     | b    | B?    |                       | yes      |
        | | end group   |      |       |                       |          |
        """
    )
    assert question(conversion, "b") == {"id": "b", "type": "number", "prompt": "B?"}
    assert "show_if" not in conversion.questionnaire["sections"][1]
    assert "survey row 3: the questions of group 'g' are optional" in messages(conversion)


def test_import_shows_its_steps_on_stderr_and_the_summary_on_stdout(import_xlsform, tmp_path):
    xlsx = write_xlsform(
        Form(survey=[["type", "name", "label"], ["text", "name", "Name?"]]), tmp_path / "f.xlsx"
    )
    result = import_xlsform(xlsx)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "step 1 of 2: Reading and converting f.xlsx",
        "step 2 of 2: Checking and writing imported.yaml",
    ]
    assert "step " not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Wrote ")
