"""Workbooks that cannot be converted: a clear message with sheet and row, exit 1, no file."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from survey_app import cli
from survey_app.xlsform import XLSFormError, convert_workbook

from .forms import Form, ole_container

YES_NO = [["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", "No"]]


def assert_refused(result, out_dir: Path, *messages: str) -> None:
    """Exit 1, exactly these problems then the count on stderr, and nothing written."""
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        *messages,
        f"{len(messages)} problem(s) found; nothing written.",
    ]
    assert list(out_dir.iterdir()) == []


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


def test_choice_list_never_defined_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label"],
                ["select_one yes_no", "agree", "Do you agree?"],
                ["select_multiple colours", "favourite", "Favourite colours?"],
            ],
            choices=YES_NO,
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 3: choice list 'colours' of 'favourite' is not defined in "
        "the choices sheet",
    )


def test_choice_list_without_a_choices_sheet_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(survey=[["type", "name", "label"], ["select_one yes_no", "agree", "Agree?"]])
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 2: choice list 'yes_no' of 'agree' is not defined in the "
        "choices sheet",
    )


def test_duplicate_name_is_refused_with_both_rows(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label"],
                ["integer", "age", "How old are you?"],
                ["text", "city", "Where do you live?"],
                ["integer", "age", "How old is your organisation?"],
            ]
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 4: duplicate name 'age' (also used at row 2)",
    )


def test_duplicate_choice_name_in_a_list_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(
            survey=[["type", "name", "label"], ["select_one yes_no", "agree", "Agree?"]],
            choices=[*YES_NO, ["yes_no", "yes", "Yes, absolutely"]],
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: choices sheet, row 4: duplicate choice name 'yes' in list 'yes_no' "
        "(also at row 2)",
    )


def test_unknown_type_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label"],
                ["text", "city", "Where do you live?"],
                ["txet", "job", "What is your job?"],
                ["select_one", "agree", "Agree?"],
            ]
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 3: unknown type 'txet'",
        f"{form}: survey sheet, row 4: type 'select_one' needs one choice list name",
    )


def test_relevant_naming_a_later_question_drops_the_condition_and_lists_it(
    make_xlsform, import_xlsform, out_dir
):
    """Not an error: ODK allows it, and the rest of the form converts."""
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label", "relevant"],
                ["text", "reason", "Why?", "${agree} = 'no'"],
                ["select_one yes_no", "agree", "Do you agree?"],
            ],
            choices=YES_NO,
        )
    )
    result = import_xlsform(form)
    assert result.exit_code == 0, result.output
    assert (
        "  survey sheet, row 2: relevant of 'reason' not converted (${agree} is on row 3, after "
        "this row; conditions can only refer to earlier questions); the question is always shown"
    ) in result.stdout.splitlines()
    assert "show_if" not in (out_dir / "imported.yaml").read_text(encoding="utf-8")


def test_relevant_naming_a_row_that_does_not_exist_is_refused(
    make_xlsform, import_xlsform, out_dir
):
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label", "relevant", "constraint"],
                ["integer", "age", "Age?", None, ". <= ${max_age}"],
                ["text", "school", "Which school?", "${agee} < 18"],
            ]
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 2: constraint refers to ${{max_age}}, but no row is named "
        "'max_age'",
        f"{form}: survey sheet, row 3: relevant refers to ${{agee}}, but no row is named 'agee'",
    )


def test_a_csv_file_is_not_an_xlsx_workbook(tmp_path, import_xlsform, out_dir):
    form = tmp_path / "form.csv"
    form.write_text("type,name,label\ntext,city,Where do you live?\n", encoding="utf-8")
    assert_refused(import_xlsform(form), out_dir, f"{form}: not an .xlsx workbook")


def test_a_text_file_renamed_xlsx_is_not_an_xlsx_workbook(tmp_path, import_xlsform, out_dir):
    form = tmp_path / "form.xlsx"
    form.write_text("this is not a spreadsheet\n", encoding="utf-8")
    assert_refused(import_xlsform(form), out_dir, f"{form}: not an .xlsx workbook")


def test_a_zip_that_is_no_workbook_is_not_an_xlsx_workbook(tmp_path, import_xlsform, out_dir):
    import zipfile

    form = tmp_path / "form.xlsx"
    with zipfile.ZipFile(form, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert_refused(import_xlsform(form), out_dir, f"{form}: not an .xlsx workbook")


def test_a_password_protected_workbook_is_refused(tmp_path, import_xlsform, out_dir):
    form = tmp_path / "form.xlsx"
    form.write_bytes(ole_container("EncryptionInfo", "EncryptedPackage"))
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: the workbook is password-protected; remove the password and try again",
    )


def test_a_legacy_xls_workbook_is_told_to_be_saved_as_xlsx(tmp_path, import_xlsform, out_dir):
    form = tmp_path / "form.xls"
    form.write_bytes(ole_container("Workbook"))
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: an Excel 97-2003 (.xls) workbook; open it in Excel or LibreOffice, save it as "
        ".xlsx and try again",
    )


def test_a_workbook_without_a_survey_sheet_is_refused(tmp_path, import_xlsform, out_dir):
    form = tmp_path / "form.xlsx"
    book = Workbook()
    book.active.title = "questions"
    book.active.append(["type", "name", "label"])
    book.create_sheet("choices")
    book.save(form)
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: the workbook has no 'survey' sheet (its sheets: questions, choices)",
    )


def test_a_survey_sheet_without_name_and_type_columns_is_refused(
    make_xlsform, import_xlsform, out_dir
):
    form = make_xlsform(Form(survey=[["kind", "label"], ["text", "Where do you live?"]]))
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 1: no 'type' column (its columns: kind, label)",
        f"{form}: survey sheet, row 1: no 'name' column (its columns: kind, label)",
    )


def test_a_choices_sheet_without_a_list_name_column_is_refused(
    make_xlsform, import_xlsform, out_dir
):
    form = make_xlsform(
        Form(
            survey=[["type", "name", "label"], ["select_one yes_no", "agree", "Agree?"]],
            choices=[["list", "name", "label"], ["yes_no", "yes", "Yes"]],
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: choices sheet, row 1: no 'list_name' column (its columns: list, name, label)",
        f"{form}: survey sheet, row 2: choice list 'yes_no' of 'agree' is not defined in the "
        "choices sheet",
    )


def test_unmatched_groups_are_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label"],
                ["end_group"],
                ["begin_group", "profile", "Profile"],
                ["text", "city", "City?"],
                ["begin_repeat", "children", "Children"],
                ["end_group"],
                ["begin_group", "work", "Work"],
            ]
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 2: end_group without a begin_group",
        f"{form}: survey sheet, row 6: end_group closes begin_repeat 'children' (row 5); "
        "expected end_repeat",
        f"{form}: survey sheet, row 3: begin_group 'profile' is never closed (no end_group)",
        f"{form}: survey sheet, row 7: begin_group 'work' is never closed (no end_group)",
    )


def test_rows_without_a_name_are_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(survey=[["type", "name", "label"], ["text", None, "City?"], [None, "job", "Job?"]])
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 2: a 'text' row needs a name",
        f"{form}: survey sheet, row 3: a row with a name has no type",
    )


def test_a_language_column_naming_no_language_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(
            survey=[["type", "name", "label::Elvish"], ["text", "city", "City?"]],
            settings=[["default_language"], ["Klingon tongue"]],
        )
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: survey sheet, row 1: cannot tell the language of column 'label::Elvish'; write "
        "it as 'Name (code)', e.g. 'label::English (en)'",
        f"{form}: settings sheet, row 2: default_language 'Klingon tongue' names no language "
        "this importer knows; write it as 'Name (code)', e.g. 'English (en)'",
    )


def test_a_form_with_nothing_convertible_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(
        Form(survey=[["type", "name", "label"], ["start", "start"], ["geopoint", "gps", "Where?"]])
    )
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: no question could be converted; there is nothing to write",
    )


def test_a_survey_sheet_with_only_a_header_is_refused(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(Form(survey=[["type", "name", "label"]]))
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{form}: no question could be converted; there is nothing to write",
    )


def test_every_problem_is_reported_at_once(make_xlsform):
    form = make_xlsform(
        Form(
            survey=[
                ["type", "name", "label"],
                ["select_one nope", "a", "A?"],
                ["text", "a", "A again?"],
                ["essay", "b", "B?"],
            ]
        )
    )
    with pytest.raises(XLSFormError) as caught:
        convert_workbook(form)
    assert [str(p) for p in caught.value.problems] == [
        "survey sheet, row 2: choice list 'nope' of 'a' is not defined in the choices sheet",
        "survey sheet, row 3: duplicate name 'a' (also used at row 2)",
        "survey sheet, row 4: unknown type 'essay'",
    ]


def test_an_existing_output_file_is_kept_unless_forced(make_xlsform, import_xlsform, out_dir):
    form = make_xlsform(Form(survey=[["type", "name", "label"], ["text", "city", "City?"]]))
    out_dir.mkdir()
    target = out_dir / "imported.yaml"
    target.write_text("# mine\n", encoding="utf-8")
    result = import_xlsform(form)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{target} already exists; pass --force to replace it",
        "1 problem(s) found; nothing written.",
    ]
    assert target.read_text(encoding="utf-8") == "# mine\n"
    assert import_xlsform(form, "--force").exit_code == 0
    assert "id: city" in target.read_text(encoding="utf-8")


def test_an_invalid_conversion_is_reported_as_an_importer_bug_and_not_written(
    make_xlsform, import_xlsform, out_dir, monkeypatch
):
    """The command validates what it wrote with the questionnaire loader before keeping it."""
    form = make_xlsform(Form(survey=[["type", "name", "label"], ["text", "city", "City?"]]))
    monkeypatch.setattr(
        cli, "questionnaire_yaml", lambda *args: "schema_version: 1\nid: x\ntitle: X\n"
    )
    target = out_dir / "imported.yaml"
    assert_refused(
        import_xlsform(form),
        out_dir,
        f"{target}:1:1: missing required key 'sections'",
        "the converted questionnaire is not valid: a bug in the importer, please report it",
    )
