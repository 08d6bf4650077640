"""Exports of repeated questions: one column per item (wide), labelled, formulas neutralised."""

from __future__ import annotations

import csv
from pathlib import Path

import pyreadstat
import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests.conftest import link_token, open_training
from tests.database import AppMaker

from .conftest import REPEATS


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """CSRF off (staff log in with the suite's helpers), questionnaires from the fixture."""
    (tmp_path / "no-reports").mkdir()
    return make_app(questionnaires_dir=REPEATS, reports_dir=tmp_path / "no-reports")


def answer(app: Flask, training_id: int, data: dict[str, str]) -> None:
    token = link_token(app, training_id, "pre")
    response = app.test_client().post(f"/t/{token}", data={"submission_token": "t" * 40, **data})
    assert response.status_code == 303, response.get_data(as_text=True)


@pytest.fixture
def training(app, logged_in):
    """Three responses giving 1, 3 (one blank, so 2 stored) and 2 members."""
    training_id = open_training(
        logged_in, pre_questionnaire_id="household", post_questionnaire_id=""
    )
    answer(app, training_id, {"q_name": "Ana", "q_member_name.1": "Bo", "q_member_age.1": "41"})
    answer(
        app,
        training_id,
        {
            "submission_token": "u" * 40,
            "q_name": "Cy",
            "q_members.items": "3",
            "q_member_name.1": "=HYPERLINK(1)",
            "q_member_name.3": "Di",
            "q_member_role.3": "child",
        },
    )
    answer(
        app,
        training_id,
        {
            "submission_token": "v" * 40,
            "q_name": "Ed",
            "q_member_name.1": "Fa",
            "q_member_name.2": "Gu",
            "q_member_age.2": "9",
            "q_member_role.2": "child",
        },
    )
    return training_id


def export(runner, training_id, *args):
    return runner.invoke(args=["export", *args, "--training", str(training_id)])


def test_csv_has_one_column_per_item_up_to_the_most_given(runner, training, tmp_path):
    target = tmp_path / "out.csv"
    result = export(runner, training, "csv", "--text", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    header = list(rows[0])
    members = [h for h in header if h.startswith("member_")]
    assert members == [
        "member_name_1",
        "member_age_1",
        "member_role_1",
        "member_name_2",
        "member_age_2",
        "member_role_2",
    ]
    assert [r["member_name_1"] for r in rows] == ["Bo", "'=HYPERLINK(1)", "Fa"]
    assert [r["member_name_2"] for r in rows] == ["", "Di", "Gu"]
    assert [r["member_age_2"] for r in rows] == ["", "", "9"]
    assert [r["member_age_1"] for r in rows] == ["41", "", ""]
    assert [r["name"] for r in rows] == ["Ana", "Cy", "Ed"]


def test_xlsx_codebook_labels_each_item_column(runner, training, tmp_path):
    target = tmp_path / "out.xlsx"
    assert export(runner, training, "xlsx", "--text", "-o", str(target)).exit_code == 0
    book = load_workbook(target, read_only=True)
    lines = [tuple(r) for r in book["codebook"].iter_rows(values_only=True)]
    prompts = {line[0]: line[3] for line in lines}
    assert prompts["member_age_2"] == "Member's age (Member 2)"
    assert next(line[:2] for line in lines if line[0] == "member_role_2") == (
        "member_role_2",
        "member_role",
    )
    assert any(line[0] == "member_role_1" and line[4] == "child" for line in lines)


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_statistics_files_carry_item_labels_and_values(runner, training, tmp_path, kind):
    target = tmp_path / f"out.{kind}"
    assert export(runner, training, kind, "-o", str(target)).exit_code == 0
    frame, meta = (pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta)(str(target))
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["member_age_2"].startswith("Member's age (Member 2)")
    assert list(frame["member_age_1"].fillna(-1)) == [41, -1, -1]
    assert "Child" in meta.variable_value_labels["member_role_2"].values()
    assert list(frame["member_role_2"].fillna(-1)) == [-1, 2, 2]


def test_staff_see_one_response_item_by_item(app, logged_in, training):
    with app.app_context():
        ids = db.session.scalars(select(Response.id).order_by(Response.id)).all()
    page = logged_in.get(f"/staff/trainings/{training}/responses/{ids[1]}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Member 1: Member&#39;s name" in text
    assert "Member 2: Member&#39;s name" in text
    assert text.index("=HYPERLINK(1)") < text.index("Member 2: Member&#39;s name")
    assert text.index("Member 2: Role") < text.index("Child")
