"""`flask export`: the web export's files from the command line, progress on stderr."""

from __future__ import annotations

import csv

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Response
from survey_app.progress import Progress
from tests.conftest import (
    CODE,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)


@pytest.fixture
def training(app, logged_in):
    """Three pre responses (one comment a formula), one post response paired with the first."""
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(q_comments="=1+1"), **CODE})
    for digits, years in (("11", "12"), ("22", "3")):
        code = {**CODE, "code_digits": digits}
        submit(
            app, training_id, "pre", {**needs_assessment_answers(q_years_experience=years), **code}
        )
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    return training_id


def export(runner, training, *args):
    return runner.invoke(args=["export", *args, "--training", str(training)])


def test_csv_export_writes_the_file_and_counts_rows_on_stderr(runner, training, tmp_path):
    target = tmp_path / "out.csv"
    result = export(runner, training, "csv", "--text", "-o", str(target))
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["years_experience"] for r in rows] == ["7", "12", "3"]
    assert rows[0]["comments"] == "'=1+1"  # neutralised, as on the web
    assert rows[0]["pair_id"] == "1"
    assert "Rows written: 3 of 3" in result.stderr
    assert "Rows written" not in result.stdout
    assert result.stdout.strip() == f"Wrote {target} (3 rows)"


def test_wide_layout_has_one_row_per_pair(runner, training, tmp_path):
    target = tmp_path / "wide.csv"
    result = export(runner, training, "csv", "--layout", "wide", "-o", str(target))
    assert result.exit_code == 0, result.output
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1
    assert rows[0]["years_experience_pre"] == "7"
    assert "Rows written: 1 of 1" in result.stderr


def test_xlsx_export_reads_rows_for_both_data_sheets(runner, training, tmp_path):
    target = tmp_path / "out.xlsx"
    result = export(runner, training, "xlsx", "--layout", "long", "-o", str(target))
    assert result.exit_code == 0, result.output
    workbook = load_workbook(target)
    assert workbook.sheetnames == ["labels", "codes", "codebook"]
    assert workbook["codes"].max_row == 1 + 4
    assert "Rows written (labels and codes sheets): 8 of 8" in result.stderr


@pytest.mark.parametrize(
    ("kind", "read"), [("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)]
)
def test_statistics_exports_open_with_their_labels(runner, training, tmp_path, kind, read):
    target = tmp_path / f"out.{kind}"
    result = export(runner, training, kind, "-o", str(target))
    assert result.exit_code == 0, result.output
    frame, meta = read(str(target))
    assert list(frame["years_experience"]) == [7, 12, 3]
    assert meta.variable_value_labels["stakeholder_type"][1]
    assert len(pd.read_stata(target) if kind == "dta" else pd.read_spss(target)) == 3
    assert "Rows read: 3 of 3" in result.stderr


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_statistics_exports_keep_submission_times_to_the_second(
    app, runner, training, tmp_path, kind
):
    with app.app_context():
        stored = db.session.scalars(
            select(Response.submitted_at).where(Response.phase == "pre").order_by(Response.id)
        ).all()
    target = tmp_path / f"times.{kind}"
    assert export(runner, training, kind, "-o", str(target)).exit_code == 0
    frame, meta = (pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta)(str(target))
    assert meta.original_variable_types["submitted_at"] in ("DATETIME20", "%tc")
    expected = [t.replace(tzinfo=None, microsecond=0) for t in stored]
    assert [t.to_pydatetime() for t in frame["submitted_at"]] == expected


def test_export_is_audit_logged_as_from_the_command_line(app, runner, training, tmp_path):
    result = export(runner, training, "csv", "-o", str(tmp_path / "a.csv"))
    assert result.exit_code == 0, result.output
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).one()
    assert event.address == "command line"
    assert event.detail == f"#{training} csv pre text=no"


def test_unknown_training_fails_without_writing(runner, app, tmp_path):
    target = tmp_path / "none.csv"
    result = runner.invoke(args=["export", "csv", "--training", "999", "-o", str(target)])
    assert result.exit_code == 1
    assert "there is no training 999" in result.stderr
    assert not target.exists()


def test_training_without_post_questionnaire_cannot_export_post(runner, logged_in, tmp_path):
    training = open_training(logged_in, post_questionnaire_id="")
    result = export(runner, training, "csv", "--layout", "post", "-o", str(tmp_path / "p.csv"))
    assert result.exit_code == 1
    assert "no questionnaire for the post phase" in result.stderr


def test_progress_prints_each_tenth_once_and_the_end(capsys):
    progress = Progress("Rows", 95)
    for _ in range(95):
        progress.advance()
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 10
    assert lines[0] == "Rows: 10 of 95"
    assert lines[-1] == "Rows: 95 of 95"
