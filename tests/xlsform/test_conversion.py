"""Conversion rules one at a time, on small forms: groups, notes, ids, types, texts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from survey_app.cli import survey
from survey_app.questionnaire import Questionnaire, load_file
from survey_app.questionnaire.loader import read_document
from survey_app.xlsform import Conversion, convert_workbook, questionnaire_yaml

from .forms import Form

YES_NO = [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]


@pytest.fixture
def convert(make_xlsform, tmp_path):
    """Convert a Form; check the YAML loads (single-language forms) and return both."""

    def run(form: Form, name: str = "form.xlsx") -> tuple[Conversion, dict[str, Any]]:
        conversion = convert_workbook(make_xlsform(form, name))
        text = questionnaire_yaml(conversion, name, dt.date(2025, 1, 2))
        path = tmp_path / "converted.yaml"
        path.write_text(text, encoding="utf-8")
        if conversion.languages == ("en",):
            load_file(Questionnaire, path)
        return conversion, read_document(text, str(path)).data

    return run


def messages(items) -> list[str]:
    return [str(item) for item in items]


def questions(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for s in data["sections"] for q in s["questions"]}


# --- groups -> sections -----------------------------------------------------------


def test_nested_group_conditions_combine_and_continuations_keep_the_outer_one(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "relevant"],
                ["select_one yes_no", "employed", "Are you employed?"],
                ["select_one yes_no", "manager", "Do you manage people?"],
                ["begin_group", "work", "Your work", "${employed} = 'yes'"],
                ["text", "job", "Job title"],
                ["begin_group", "team", "Your team", "${manager} = 'yes'"],
                ["integer", "team_size", "How many people?"],
                ["end_group"],
                ["text", "employer", "Employer"],
                ["end_group"],
                ["begin_group", "self", "Yourself", "${job} != '' and ${late} = 'x'"],
                ["text", "late", "Late", None],
                ["end_group"],
            ],
            choices=YES_NO,
        )
    )
    employed = {"question": "employed", "equals": "yes"}
    assert [(s["id"], s["title"], s.get("show_if")) for s in data["sections"]] == [
        ("form", "Form", None),
        ("work", "Your work", employed),
        (
            "team",
            "Your work — Your team",
            {"all": [employed, {"question": "manager", "equals": "yes"}]},
        ),
        ("work_2", "Your work", employed),
        ("self", "Yourself", None),
    ]
    assert messages(conversion.skipped) == [
        "survey sheet, row 11: relevant of group 'self' not converted (${late} is on row 12, "
        "after this row; conditions can only refer to earlier questions); the section is "
        "always shown"
    ]


def test_questions_outside_groups_go_into_sections_titled_from_the_form(convert):
    _, data = convert(
        Form(
            survey=[
                ["type", "name", "label"],
                ["text", "a", "A"],
                ["begin group", "g", "Group"],
                ["text", "b", "B"],
                ["end group"],
                ["text", "c", "C"],
            ],
            settings=[["form_title", "form_id"], ["Staff survey", "Staff Survey 2025"]],
        )
    )
    assert data["id"] == "staff-survey-2025"
    assert [(s["id"], s["title"]) for s in data["sections"]] == [
        ("staff_survey_2025", "Staff survey"),
        ("g", "Group"),
        ("staff_survey_2025_2", "Staff survey"),
    ]


def test_id_and_title_come_from_the_file_name_without_settings(convert):
    _, data = convert(
        Form(survey=[["type", "name", "label"], ["text", "a", "A"]]), "2024_exit-poll.xlsx"
    )
    assert (data["id"], data["title"]) == ("form-2024-exit-poll", "2024 exit poll")


# --- notes ------------------------------------------------------------------------


def test_notes_become_intro_section_intro_or_help_and_a_last_note_is_dropped(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "hint", "relevant"],
                ["note", "welcome", "Welcome!"],
                ["note", "consent", "Your answers are confidential."],
                ["begin_group", "g", "Group"],
                ["note", "g_intro", "About the group.", "Take your time."],
                ["text", "a", "A"],
                ["note", "careful", "Read carefully:", None, "${a} != ''"],
                ["text", "b", "B", "Use full words."],
                ["note", "bye", "Goodbye."],
                ["end_group"],
            ]
        )
    )
    assert data["intro"] == "Welcome!\n\nYour answers are confidential."
    assert data["sections"][0]["intro"] == "About the group.\n\nTake your time."
    found = questions(data)
    assert "help" not in found["a"]
    assert found["b"]["help"] == "Read carefully:\n\nUse full words."
    assert messages(conversion.skipped) == [
        "survey sheet, row 7: relevant of note 'careful' not converted (a note becomes an intro "
        "or help text, which has no condition); the text is always shown",
        "survey sheet, row 9: note 'bye' has no question after it; dropped",
    ]


def test_multi_paragraph_texts_are_written_as_literal_blocks(convert, tmp_path):
    convert(Form(survey=[["type", "name", "label"], ["note", "n", "One."], ["text", "a", "A"]]))
    assert "intro: One.\n" in (tmp_path / "converted.yaml").read_text(encoding="utf-8")
    _, data = convert(
        Form(
            survey=[
                ["type", "name", "label"],
                ["note", "n", "First paragraph.\nSecond line."],
                ["text", "a", "A"],
            ]
        )
    )
    assert data["intro"] == "First paragraph.\nSecond line."
    text = (tmp_path / "converted.yaml").read_text(encoding="utf-8")
    assert "intro: |-\n  First paragraph.\n  Second line.\n" in text


def test_long_texts_are_folded_without_trailing_spaces_and_read_back_the_same(convert, tmp_path):
    prompt = " ".join(["Thinking about the last twelve months of your organisation's work,"] * 4)
    _, data = convert(Form(survey=[["type", "name", "label"], ["text", "a", prompt]]))
    assert questions(data)["a"]["prompt"] == prompt
    lines = (tmp_path / "converted.yaml").read_text(encoding="utf-8").splitlines()
    assert "        prompt: >-" in lines
    assert all(line == line.rstrip() and len(line) <= 100 for line in lines)


# --- ids, types, required, columns -------------------------------------------------


def test_names_become_slug_ids_and_collisions_get_a_suffix(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "relevant"],
                ["select_one answers", "Q1-Age_Group", "Age group"],
                ["text", "q1_age_group", "Other age group", "${Q1-Age_Group} = 'Under 18'"],
                ["text", "1st_job", "First job"],
            ],
            choices=[
                ["list_name", "name", "label"],
                ["answers", "Under 18", "Under 18"],
                ["answers", "under-18", "Also under 18"],
                ["answers", "18+", "18 or over"],
            ],
        )
    )
    found = questions(data)
    assert list(found) == ["q1_age_group", "q1_age_group_2", "q_1st_job"]
    assert [o["value"] for o in found["q1_age_group"]["options"]] == [
        "under_18",
        "under_18_2",
        "opt_18",
    ]
    assert found["q1_age_group_2"]["show_if"] == {"question": "q1_age_group", "equals": "under_18"}
    assert messages(conversion.changed) == [
        "survey sheet, row 2: name 'Q1-Age_Group' becomes id 'q1_age_group'",
        "survey sheet, row 3: name 'q1_age_group' becomes id 'q1_age_group_2'",
        "survey sheet, row 4: name '1st_job' becomes id 'q_1st_job'",
    ]


def test_each_convertible_type_maps_to_its_question_type(convert):
    _, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "appearance", "parameters"],
                ["select_one yes_no or_other", "one", "One"],
                ["select_multiple yes_no", "many", "Many"],
                ["select all that apply yes_no", "many_alias", "Many (alias)"],
                ["rank yes_no", "order", "Order"],
                ["integer", "whole", "Whole"],
                ["int", "whole_alias", "Whole (alias)"],
                ["decimal", "fraction", "Fraction"],
                ["text", "line", "Line"],
                ["text", "paragraph", "Paragraph", "multiline"],
                ["date", "day", "Day"],
                ["range", "stars", "Stars", "rating", "start=0;end=10"],
            ],
            choices=YES_NO,
        )
    )
    assert {qid: q["type"] for qid, q in questions(data).items()} == {
        "one": "single_choice",
        "many": "multi_choice",
        "many_alias": "multi_choice",
        "order": "ranking",
        "whole": "number",
        "whole_alias": "number",
        "fraction": "number",
        "line": "short_text",
        "paragraph": "long_text",
        "day": "date",
        "stars": "scale",
    }
    found = questions(data)
    assert found["one"]["other"] is True
    assert found["order"]["top"] == 2
    assert found["fraction"]["integer"] is False
    assert "integer" not in found["whole"]
    assert found["stars"]["scale"] == {"min": 0, "max": 10}


def test_a_choice_list_of_one_drops_the_question_and_conditions_on_it(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "relevant"],
                ["select_one consent", "consent", "I agree to take part"],
                ["text", "name", "Your name", "${consent} = 'yes'"],
            ],
            choices=[["list_name", "name", "label"], ["consent", "yes", "I agree"]],
        )
    )
    assert list(questions(data)) == ["name"]
    assert messages(conversion.skipped) == [
        "survey sheet, row 2: 'consent' (select_one consent): choice list 'consent' has 1 "
        "choice; a choice question needs at least 2; dropped",
        "survey sheet, row 3: relevant of 'name' not converted (${consent} (row 2) was not "
        "converted); the question is always shown",
    ]


@pytest.mark.parametrize("value", ["yes", "Yes", "TRUE", "true()", 1, True])
def test_required_yes_in_any_spelling_makes_the_question_required(convert, value):
    _, data = convert(
        Form(survey=[["type", "name", "label", "required"], ["text", "a", "A", value]])
    )
    assert questions(data)["a"]["required"] is True


def test_a_conditional_required_is_listed_and_the_question_is_optional(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "required"],
                ["text", "a", "A", "no"],
                ["text", "b", "B", "${a} != ''"],
            ]
        )
    )
    assert all("required" not in q for q in questions(data).values())
    assert messages(conversion.skipped) == [
        "survey sheet, row 3: required '${a} != ''' of 'b' not converted (only yes or no "
        "converts); the question is optional"
    ]


def test_headers_and_types_are_read_case_insensitively_and_blank_rows_keep_numbering(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["TYPE", "Name", "Label", "Relevant"],
                [],
                ["Select One yes_no", "a", "A"],
                [],
                ["Begin Group", "g", "G"],
                ["text", "b", "B", "${later} = 'x'"],
                ["End Group"],
                ["text", "later", "Later"],
            ],
            choices=[
                ["List Name", "Name", "Label"],
                ["yes_no", "yes", "Yes"],
                ["yes_no", "no", "No"],
            ],
        )
    )
    assert list(questions(data)) == ["a", "b", "later"]
    assert messages(conversion.skipped)[0].startswith("survey sheet, row 6: relevant of 'b'")


def test_unsupported_columns_are_listed_once_with_their_rows(convert):
    conversion, _ = convert(
        Form(
            survey=[
                ["type", "name", "label", "default", "choice_filter", "media::image", "$kuid"],
                ["text", "a", "A", "none", None, "a.png", "k1"],
                ["select_one yes_no", "b", "B", None, "name != ''", "b.png", "k2"],
                ["calculate", "c", None, "1"],
            ],
            choices=YES_NO,
        )
    )
    assert messages(conversion.skipped)[-3:] == [
        "survey sheet: column 'default' (row 2) is not supported; ignored",
        "survey sheet: column 'choice_filter' (row 3) is not supported; ignored",
        "survey sheet: column 'media::image' (rows 2, 3) is not supported; ignored",
    ]


def test_references_in_labels_are_kept_as_written_and_reported(convert):
    conversion, data = convert(
        Form(survey=[["type", "name", "label"], ["text", "a", "A"], ["text", "b", "Why ${a}?"]])
    )
    assert questions(data)["b"]["prompt"] == "Why ${a}?"
    assert messages(conversion.changed) == [
        "survey sheet, row 3: label of 'b' shows ${...} references as written (answers are not "
        "filled in)"
    ]


# --- languages --------------------------------------------------------------------


def test_plain_label_is_the_default_language_next_to_translated_columns(convert):
    conversion, data = convert(
        Form(
            survey=[
                ["type", "name", "label", "label::Français (fr)", "label::th"],
                ["text", "a", "Name", "Nom", "ชื่อ"],
                ["text", "b", None, "Âge"],
            ],
            settings=[["default_language"], ["en"]],
        )
    )
    assert conversion.languages == ("en", "fr", "th")
    assert data["languages"] == ["en", "fr", "th"]
    found = questions(data)
    assert found["a"]["prompt"] == {"en": "Name", "fr": "Nom", "th": "ชื่อ"}
    assert found["b"]["prompt"] == {"en": "Âge", "fr": "Âge"}
    assert messages(conversion.changed) == [
        "survey sheet, row 3: label of 'b' has no en text; the fr text is used"
    ]


def test_plain_label_is_taken_as_english_without_a_default_language(convert):
    conversion, data = convert(
        Form(survey=[["type", "name", "label", "label::French (fr)"], ["text", "a", "Name", "Nom"]])
    )
    assert data["languages"] == ["en", "fr"]
    assert questions(data)["a"]["prompt"] == {"en": "Name", "fr": "Nom"}
    assert messages(conversion.changed) == [
        "settings sheet: no default_language; the plain label and hint columns are taken as en"
    ]


def test_default_language_setting_orders_the_languages(convert):
    _, data = convert(
        Form(
            survey=[
                ["type", "name", "label::English (en)", "label::French (fr)"],
                ["text", "a", "Name", "Nom"],
            ],
            settings=[["default_language"], ["French (fr)"]],
        )
    )
    assert data["languages"] == ["fr", "en"]
    assert questions(data)["a"]["prompt"] == {"fr": "Nom", "en": "Name"}


def test_language_names_without_codes_are_looked_up(convert):
    conversion, _ = convert(
        Form(survey=[["type", "name", "label::English", "label::Spanish"], ["text", "a", "A", "A"]])
    )
    assert conversion.languages == ("en", "es")


def test_a_single_language_english_form_declares_no_languages(convert):
    _, data = convert(Form(survey=[["type", "name", "label"], ["text", "a", "A"]]))
    assert "languages" not in data
    assert "language" not in data


# --- the command ------------------------------------------------------------------


def test_without_output_the_file_goes_to_the_questionnaires_folder(
    make_xlsform, tmp_path, monkeypatch
):
    monkeypatch.setenv("SURVEY_QUESTIONNAIRES_DIR", str(tmp_path))
    form = make_xlsform(
        Form(
            survey=[["type", "name", "label"], ["text", "a", "A"]],
            settings=[["form_id"], ["exit_poll"]],
        )
    )
    result = CliRunner().invoke(survey, ["import-xlsform", str(form)])
    assert result.exit_code == 0, result.output
    written = Path(tmp_path / "exit-poll.yaml")
    assert result.stdout.splitlines()[-1] == f"Wrote {written}"
    assert load_file(Questionnaire, written).model.id == "exit-poll"
