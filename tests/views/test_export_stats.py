"""Exports for statistics tools: styled, typed XLSX; SPSS and Stata files with labels; the
long and wide layouts of pre/post pairs; an anonymous pair id instead of the code hash."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from tests.conftest import (
    CODE,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)
from tests.views.test_exports import read_csv


@pytest.fixture
def training(app, logged_in):
    """Two pre responses (codes A and B), one post response (code A)."""
    training_id = open_training(logged_in)
    submit(
        app,
        training_id,
        "pre",
        {
            **needs_assessment_answers(
                q_stakeholder_type="_other", **{"q_stakeholder_type-other": "x"}
            ),
            **CODE,
        },
    )
    other = {"code_letters": "Zo", "code_day": "30", "code_digits": "11"}
    submit(app, training_id, "pre", {**needs_assessment_answers(q_years_experience="12"), **other})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    return training_id


def code_hashes(app) -> set[str]:
    with app.app_context():
        return {h for h in db.session.scalars(select(Response.participant_code_hash)) if h}


def test_xlsx_header_is_bold_frozen_filtered_and_cells_typed(app, logged_in, training):
    response = logged_in.post(f"/staff/trainings/{training}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["labels", "codes", "codebook"]
    for name in ("labels", "codes"):
        sheet = workbook[name]
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref.startswith("A1:")
        assert sheet.auto_filter.ref.endswith("3")  # header + two responses
    codes, labels = workbook["codes"], workbook["labels"]
    header = [c.value for c in codes[1]]
    rows = [dict(zip(header, list(row), strict=True)) for row in codes.iter_rows(2)]
    assert isinstance(rows[0]["submitted_at"].value, dt.datetime)
    assert rows[0]["submitted_at"].is_date
    assert rows[0]["years_experience"].data_type == "n"
    assert rows[0]["stakeholder_type"].value == "_other"
    assert [r["pair_id"].value for r in rows] == [1, 2]
    label_rows = [[c.value for c in row] for row in labels.iter_rows(2)]
    by_name = dict(zip(header, label_rows[1], strict=True))
    assert by_name["stakeholder_type"] == "Non-governmental organisation"
    assert by_name["country"] == "Malaysia"
    assert by_name["phase"] == "Before the training"


def test_no_export_carries_the_code_hash(app, logged_in, training):
    hashes = code_hashes(app)
    assert hashes
    for kind in ("csv", "xlsx", "sav", "dta"):
        for shape in ("pre", "long", "wide"):
            body = logged_in.post(
                f"/staff/trainings/{training}/export.{kind}", data={"phase": shape}
            ).get_data()
            assert not any(h.encode() in body for h in hashes), (kind, shape)


@pytest.fixture
def stat_file(logged_in, training, tmp_path):
    """Downloads an export to a file and returns its path."""

    def fetch(kind: str, shape: str = "pre") -> Path:
        response = logged_in.post(
            f"/staff/trainings/{training}/export.{kind}", data={"phase": shape}
        )
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "no-store"
        path = tmp_path / f"export.{kind}"
        path.write_bytes(response.get_data())
        return path

    return fetch


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_stat_files_open_with_pyreadstat_with_labels(stat_file, kind):
    read = pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta
    frame, meta = read(str(stat_file(kind)))
    assert len(frame) == 2
    assert list(frame["pair_id"]) == [1, 2]
    assert list(frame["years_experience"]) == [7, 12]
    labels = meta.column_names_to_labels
    assert labels["stakeholder_type"] == "Which kind of organisation do you work for?"
    trafficking = "kt_protocols__trafficking_protocol"[: 64 if kind == "sav" else 28]
    assert "Trafficking in Persons" in labels[trafficking]
    values = meta.variable_value_labels
    assert values["phase"] == {
        1: "Before the training",
        2: "After the training",
        3: "Follow-up, weeks or months after the training",
    }
    ngo = {v: k for k, v in values["stakeholder_type"].items()}["Non-governmental organisation"]
    assert frame["stakeholder_type"][1] == ngo
    assert values["familiarity_untoc"][1].startswith("Not")
    assert isinstance(frame["submitted_at"][0], pd.Timestamp | dt.datetime)
    if kind == "dta":
        assert all(len(name) <= 28 for name in frame.columns)


def test_sav_opens_with_pandas_with_labels(stat_file):
    frame = pd.read_spss(stat_file("sav"))
    assert list(frame["phase"]) == ["Before the training", "Before the training"]
    assert frame["stakeholder_type"][1] == "Non-governmental organisation"
    _, meta = pyreadstat.read_sav(str(stat_file("sav")), metadataonly=True)
    assert meta.column_names_to_labels["country"]


def test_dta_opens_with_pandas_with_labels(stat_file):
    path = stat_file("dta")
    frame = pd.read_stata(path)
    assert frame["stakeholder_type"][1] == "Non-governmental organisation"
    with pd.read_stata(path, iterator=True) as reader:
        labels = reader.variable_labels()
    assert labels["stakeholder_type"] == "Which kind of organisation do you work for?"


def test_long_layout_stacks_both_phases_with_the_pair_id(logged_in, training):
    rows = read_csv(
        logged_in.post(f"/staff/trainings/{training}/export.csv", data={"phase": "long"})
    )
    assert [(r["phase"], r["pair_id"], r["paired"]) for r in rows] == [
        ("pre", "1", "yes"),
        ("pre", "2", "no"),
        ("post", "1", "yes"),
    ]
    assert rows[2]["overall_satisfaction"] == "5"
    assert rows[0]["overall_satisfaction"] == ""
    assert rows[0]["stakeholder_type"] == "_other"


def test_wide_layout_has_one_row_per_pair(logged_in, training, stat_file):
    rows = read_csv(
        logged_in.post(f"/staff/trainings/{training}/export.csv", data={"phase": "wide"})
    )
    assert len(rows) == 1
    (row,) = rows
    assert row["pair_id"] == "1"
    assert row["stakeholder_type_pre"] == "_other"
    assert row["overall_satisfaction_post"] == "5"
    assert row["familiarity_untoc_pre"] == "3"
    assert "phase_pre" not in row
    assert int(row["response_id_pre"]) < int(row["response_id_post"])
    frame, meta = pyreadstat.read_dta(str(stat_file("dta", "wide")))
    assert len(frame) == 1
    assert meta.column_names_to_labels["overall_satisfaction_post"].endswith("(post)")


def test_unknown_layout_is_404(logged_in, training):
    response = logged_in.post(f"/staff/trainings/{training}/export.sav", data={"phase": "both"})
    assert response.status_code == 404


def test_stat_exports_are_audited(app, logged_in, training):
    from survey_app.models import AuditEvent

    logged_in.post(f"/staff/trainings/{training}/export.dta", data={"phase": "wide"})
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "export")
        ).all()
    assert details == [f"#{training} dta wide text=no"]


def test_xlsx_text_round_trips_markup_and_non_latin_text(tmp_path):
    from survey_app.xlsx_stream import XlsxWriter

    path = tmp_path / "x.xlsx"
    writer = XlsxWriter(path)
    text = "<b>R&D</b> \u2018quoted\u2019 \u0e20\u0e32\u0e29\u0e32 \u0639\u0631\u0628\u064a"
    when = dt.datetime(2027, 1, 15, 9, 30)
    writer.sheet("a", ["text", "n", "day", "when"], [[text, 3, dt.date(2027, 1, 2), when]], True)
    writer.close()
    sheet = load_workbook(path)["a"]
    cells = list(sheet[2])
    assert cells[0].value == text
    assert (cells[1].value, cells[1].data_type) == (3, "n")
    assert cells[2].value == dt.datetime(2027, 1, 2)
    assert cells[2].is_date
    assert cells[3].value == when


@pytest.mark.parametrize("kind", ["sav", "dta"])
def test_stat_file_text_is_neutralised_like_every_export(app, logged_in, kind, tmp_path):
    training_id = open_training(logged_in)
    answers = needs_assessment_answers(q_comments="=1+1")
    submit(app, training_id, "pre", {**answers, **CODE})
    response = logged_in.post(f"/staff/trainings/{training_id}/export.{kind}", data={"text": "1"})
    path = tmp_path / f"x.{kind}"
    path.write_bytes(response.get_data())
    frame, _ = (pyreadstat.read_sav if kind == "sav" else pyreadstat.read_dta)(str(path))
    assert frame["comments"][0] == "'=1+1"
