"""`flask survey validate | schema | init-db`, driven through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from survey_app import create_app
from survey_app.cli import questionnaire_schema, survey
from survey_app.extensions import db
from survey_app.settings import ROOT, Settings

BROKEN = Path("tests/data/questionnaires/broken")
VALID = Path("tests/data/questionnaires/valid")
#: What `flask survey validate tests/data/questionnaires/broken` prints, one error per line.
BROKEN_ERRORS = [
    "tests/data/questionnaires/broken/bad-yaml.yaml:5:1: "
    "not valid YAML: expected ',' or ']', but got '<stream end>'",
    "tests/data/questionnaires/broken/show-if-later.yaml:12:29: "
    "sections[0].questions[0].show_if.question: 'second' is not a question before question 'first'",
    "tests/data/questionnaires/broken/unknown-key.yaml:12:9: "
    "sections[0].questions[0].requried: unknown key 'requried'",
    "tests/data/questionnaires/broken/unknown-type.yaml:10:15: "
    "sections[0].questions[0].type: unknown question type 'essay' (expected one of: "
    "single_choice, multi_choice, scale, matrix, ranking, number, short_text, long_text, "
    "date, country)",
]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CliRunner working from the project root, as authors run `flask survey`."""
    monkeypatch.chdir(ROOT)
    return CliRunner()


def test_validate_prints_every_error_one_per_line_and_exits_1(cli):
    result = cli.invoke(survey, ["validate", str(BROKEN)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [*BROKEN_ERRORS, "4 problem(s) found."]


def test_validate_refuses_a_path_that_does_not_exist(cli):
    result = cli.invoke(survey, ["validate", str(BROKEN / "missing.yaml")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_validate_checks_every_path_given(cli):
    result = cli.invoke(survey, ["validate", str(VALID), str(BROKEN / "unknown-key.yaml")])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [BROKEN_ERRORS[2], "1 problem(s) found."]


def test_validate_valid_file_prints_ok_and_exits_0(cli):
    result = cli.invoke(survey, ["validate", str(VALID / "every-question-type.yaml")])
    assert result.exit_code == 0
    assert result.stdout == "OK: 1 questionnaire(s) valid.\n"
    assert result.stderr == ""


def test_validate_shipped_sample_questionnaires_exits_0(cli):
    result = cli.invoke(survey, ["validate", "questionnaires"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: ")


def test_validate_without_paths_checks_the_configured_folder(cli, monkeypatch):
    monkeypatch.setenv("SURVEY_QUESTIONNAIRES_DIR", str(ROOT / BROKEN))
    result = cli.invoke(survey, ["validate"])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == len(BROKEN_ERRORS) + 1


def test_validate_reports_a_duplicate_id_across_files(cli, tmp_path):
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_bytes((ROOT / VALID / "every-question-type.yaml").read_bytes())
    result = cli.invoke(survey, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'two.yaml'}:3:5: id: questionnaire id 'every-question-type' "
        f"is already used by {tmp_path / 'one.yaml'}",
        "1 problem(s) found.",
    ]


def test_schema_writes_the_json_schema_to_the_given_file(cli, tmp_path):
    target = tmp_path / "schema.json"
    result = cli.invoke(survey, ["schema", "-o", str(target)])
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {target}\n"
    assert target.read_text(encoding="utf-8") == questionnaire_schema()
    schema = json.loads(target.read_text(encoding="utf-8"))
    assert schema["title"] == "survey_app questionnaire (schema_version 1)"
    assert set(schema["required"]) >= {"schema_version", "id", "title", "sections"}


def test_schema_without_output_writes_into_the_configured_folder(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_QUESTIONNAIRES_DIR", str(tmp_path))
    (tmp_path / "reports").mkdir()
    monkeypatch.setenv("SURVEY_REPORTS_DIR", str(tmp_path / "reports"))
    result = cli.invoke(survey, ["schema"])
    assert result.exit_code == 0
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == questionnaire_schema()


def test_committed_questionnaire_schema_json_is_current():
    """Fails when the models changed without running `flask survey schema`."""
    committed = (ROOT / "questionnaires" / "schema.json").read_text(encoding="utf-8")
    assert committed == questionnaire_schema(), "run `flask survey schema` and commit the result"


def test_init_db_creates_the_tables(settings: Settings):
    app = create_app(settings)
    result = app.test_cli_runner().invoke(args=["survey", "init-db"])
    assert result.exit_code == 0, result.output
    assert result.output == "Database ready.\n"
    with app.app_context():
        assert {"responses", "answers"} <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_survey_commands_are_registered_on_the_app(app):
    assert set(app.cli.commands["survey"].commands) >= {"validate", "schema", "init-db"}
