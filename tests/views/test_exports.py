"""CSV and XLSX exports: layout, values, free text only on request, formula neutralisation."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.content import registry
from survey_app.export_files import build_xlsx_file
from survey_app.export_layout import build_layout
from survey_app.exports import export_filename, neutralise
from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.questionnaire import Choice
from survey_app.questionnaire.schema import Questionnaire
from survey_app.responses import new_submission_token, record_submission
from survey_app.trainings import Placement
from tests.conftest import (
    CODE,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

FORMULA = '=HYPERLINK("http://x","y")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def training(app, logged_in):
    """An open training with two pre responses (one paired) and one post response."""
    training_id = open_training(logged_in)
    submit(
        app,
        training_id,
        "pre",
        {
            **needs_assessment_answers(
                q_stakeholder_type="_other",
                **{"q_stakeholder_type-other": "@SUM(A1)"},
                q_comments=FORMULA,
            ),
            **CODE,
        },
    )
    submit(
        app,
        training_id,
        "pre",
        {
            **needs_assessment_answers(q_comments="+1", q_years_experience="12"),
            "code_letters": "Zo",
            "code_day": "30",
            "code_digits": "11",
        },
    )
    submit(app, training_id, "post", {**post_training_answers(q_comments="-2"), **CODE})
    return training_id


@pytest.fixture
def store_direct(app):
    """Store answers the web form would trim (leading tab or CR) straight through the service."""

    def store(training_id, phase, answers):
        with app.app_context():
            loaded = registry().questionnaire("untoc-needs-assessment")
            record_submission(
                db.session(),
                loaded,
                answers,
                new_submission_token(),
                "en",
                Placement(training_id, phase, None),
            )
            db.session.commit()

    return store


def read_csv(response):
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_one_row_per_response_with_expanded_columns(logged_in, training):
    response = logged_in.post(f"/staff/trainings/{training}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert (
        f'filename="regional-workshop-putrajaya-pre-{today}.csv"'
        in response.headers["Content-Disposition"]
    )
    rows = read_csv(response)
    assert len(rows) == 2
    first, second = rows
    assert list(first)[:8] == [
        "response_id",
        "pair_id",
        "phase",
        "submitted_at",
        "language",
        "paired",
        "version",
        "stakeholder_type",
    ]
    assert (first["version"], second["version"]) == ("1", "1")
    assert first["phase"] == "pre"
    assert first["submitted_at"].endswith("Z")
    assert dt.datetime.fromisoformat(first["submitted_at"].replace("Z", "+00:00"))
    assert (first["paired"], second["paired"]) == ("yes", "no")
    assert first["stakeholder_type"] == "_other"
    assert second["stakeholder_type"] == "ngo"
    assert first["country"] == "MY"
    assert (first["years_experience"], second["years_experience"]) == ("7", "12")
    assert first["familiarity_untoc"] == "3"
    assert first["kt_protocols__trafficking_protocol"] == "1"
    assert first["kt_protocols__cybercrime_protocol"] == "0"
    assert first["engagement_channels__written_submission"] == ""  # not shown, not answered
    assert first["preferred_formats___other"] == "0"
    assert first["crime_areas__trafficking"] == "1"
    assert first["crime_areas__cybercrime"] == "2"
    assert first["crime_areas__wildlife"] == ""
    assert first["capacity_importance__engaging_government"] == "5"
    assert first["confidence__advocacy"] == "3"


def test_free_text_is_left_out_unless_ticked(logged_in, training):
    without = read_csv(logged_in.post(f"/staff/trainings/{training}/export.csv"))
    assert "comments" not in without[0]
    assert "stakeholder_type___other_text" not in without[0]
    assert not any("SUM" in value or "HYPERLINK" in value for value in without[0].values())
    with_text = read_csv(
        logged_in.post(f"/staff/trainings/{training}/export.csv", data={"text": "1"})
    )
    assert "comments" in with_text[0]
    assert with_text[0]["stakeholder_type___other_text"] == "'@SUM(A1)"


def test_csv_neutralises_formulas_and_keeps_numbers(logged_in, training, store_direct):
    store_direct(training, "pre", {"comments": "\tTab", "country": "FR", "years_experience": 2.5})
    store_direct(training, "pre", {"comments": "\rCR", "years_experience": -2})
    response = logged_in.post(f"/staff/trainings/{training}/export.csv", data={"text": "1"})
    text = response.get_data().decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://x"",""y"")' in text  # csv doubles the quotes
    rows = read_csv(response)
    assert [r["comments"] for r in rows] == [f"'{FORMULA}", "'+1", "'\tTab", "'\rCR"]
    assert rows[0]["stakeholder_type___other_text"] == "'@SUM(A1)"
    assert [r["years_experience"] for r in rows] == ["7", "12", "2.5", "-2"]  # numbers as is


def test_post_phase_exports_the_post_questionnaire(logged_in, training):
    response = logged_in.post(
        f"/staff/trainings/{training}/export.csv", data={"phase": "post", "text": "1"}
    )
    assert "-post-" in response.headers["Content-Disposition"]
    (row,) = read_csv(response)
    assert (row["phase"], row["paired"]) == ("post", "yes")
    assert row["overall_satisfaction"] == "5"
    assert row["session_usefulness__case_studies"] == "4"
    assert row["comments"] == "'-2"
    assert "kt_protocols__firearms_protocol" in row


def test_export_of_a_phase_without_questionnaire_is_404(logged_in):
    training_id = open_training(logged_in, post_questionnaire_id="")
    assert (
        logged_in.post(
            f"/staff/trainings/{training_id}/export.csv", data={"phase": "post"}
        ).status_code
        == 404
    )
    response = logged_in.post(
        f"/staff/trainings/{training_id}/export.xlsx", data={"phase": "during"}
    )
    assert response.status_code == 404


def test_empty_training_exports_just_the_header(logged_in):
    training_id = open_training(logged_in)
    response = logged_in.post(f"/staff/trainings/{training_id}/export.csv")
    assert response.get_data().decode("utf-8-sig").startswith("response_id,pair_id,phase,")
    assert read_csv(response) == []


def test_xlsx_has_responses_and_codebook_sheets_with_typed_neutralised_cells(
    logged_in, training, store_direct
):
    store_direct(training, "pre", {"comments": "\tTab", "years_experience": 2.5})
    response = logged_in.post(f"/staff/trainings/{training}/export.xlsx", data={"text": "1"})
    assert response.status_code == 200
    assert response.mimetype == XLSX
    assert ".xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert workbook.sheetnames == ["labels", "codes", "codebook"]
    sheet = workbook["codes"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    assert len(rows) == 3
    assert [r["comments"] for r in rows] == [f"'{FORMULA}", "'+1", "'\tTab"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert rows[0]["stakeholder_type___other_text"] == "'@SUM(A1)"
    assert [r["years_experience"] for r in rows] == [7, 12, 2.5]
    assert isinstance(rows[0]["response_id"], int)
    assert rows[0]["kt_protocols__trafficking_protocol"] == 1
    assert rows[0]["crime_areas__cybercrime"] == 2
    assert rows[0]["paired"] == "yes"

    codebook = workbook["codebook"]
    lines = [[c.value for c in row] for row in codebook.iter_rows()]
    assert lines[0] == [
        "column",
        "question_id",
        "type",
        "prompt",
        "value",
        "label",
        "coding",
        "version",
    ]
    by_column = {line[0]: line for line in lines[1:]}
    assert by_column["kt_protocols__cybercrime_protocol"][1:6] == [
        "kt_protocols",
        "multi_choice",
        "Which of these are protocols supplementing UNTOC?",
        "cybercrime_protocol",
        "Cybercrime Protocol",
    ]
    assert ["stakeholder_type", "academia", "Academia or research"] in [
        [line[0], line[4], line[5]] for line in lines
    ]
    assert "Not at all confident" in by_column["confidence__advocacy"][6]
    assert by_column["comments"][2] == "long_text"


def test_xlsx_without_text_has_no_free_text_columns(logged_in, training):
    response = logged_in.post(f"/staff/trainings/{training}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.get_data()))
    header = [c.value for c in workbook["codes"][1]]
    assert "comments" not in header
    assert "stakeholder_type___other_text" not in header
    codebook_columns = {row[0].value for row in workbook["codebook"].iter_rows(2)}
    assert "comments" not in codebook_columns


def test_codebook_labels_and_prompts_are_neutralised_too():
    questionnaire = Questionnaire.model_validate(
        {
            "schema_version": 1,
            "id": "tricky",
            "title": "Tricky",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [
                        {
                            "id": "pick",
                            "type": "multi_choice",
                            "prompt": "-1 or +1?",
                            "options": [
                                {"value": "a", "label": "=cmd|' /C calc'!A0"},
                                {"value": "b", "label": "@b"},
                            ],
                        }
                    ],
                }
            ],
        }
    )
    layout = build_layout(questionnaire, include_text=False)
    path = build_xlsx_file(layout.columns, layout.codebook(), list)
    workbook = load_workbook(path)
    path.unlink()
    lines = [[c.value for c in row] for row in workbook["codebook"].iter_rows(2)]
    assert ["pick__a", "'-1 or +1?", "'=cmd|' /C calc'!A0"] in [
        [line[0], line[3], line[5]] for line in lines
    ]
    assert "'@b" in [line[5] for line in lines]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain = text", "plain = text"),
        ("", ""),
        (-2, -2),
        (1.5, 1.5),
        (None, None),
    ],
)
def test_neutralise_prefixes_only_text_that_could_run(value, expected):
    assert neutralise(value) == expected


def test_export_filename_is_an_ascii_slug():
    day = dt.date(2027, 1, 15)
    assert export_filename("Atelier régional – Dakar!", "post", "csv", day) == (
        "atelier-regional-dakar-post-2027-01-15.csv"
    )
    assert export_filename("—", "pre", "xlsx", day) == "training-pre-2027-01-15.xlsx"


def test_exports_are_audited_with_format_phase_and_text_choice(app, logged_in, training):
    logged_in.post(f"/staff/trainings/{training}/export.csv")
    logged_in.post(f"/staff/trainings/{training}/export.xlsx", data={"phase": "post", "text": "1"})
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.user_email, AuditEvent.detail)
            .where(AuditEvent.action == "export")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [
        ("officer@example.org", f"#{training} csv pre text=no"),
        ("officer@example.org", f"#{training} xlsx post text=yes"),
    ]


def test_choice_other_text_stays_with_its_question(app, logged_in, store_direct):
    training_id = open_training(logged_in)
    store_direct(
        training_id,
        "pre",
        {"preferred_formats": Choice(("mentoring", "_other"), "=evil()")},
    )
    rows = read_csv(
        logged_in.post(f"/staff/trainings/{training_id}/export.csv", data={"text": "1"})
    )
    assert rows[0]["preferred_formats__mentoring"] == "1"
    assert rows[0]["preferred_formats___other"] == "1"
    assert rows[0]["preferred_formats___other_text"] == "'=evil()"
    assert rows[0]["preferred_formats__study_visit"] == "0"


def test_rows_are_read_in_batches_without_losing_any(app, logged_in, training, monkeypatch):
    monkeypatch.setattr("survey_app.export_rows.BATCH_SIZE", 1)
    rows = read_csv(logged_in.post(f"/staff/trainings/{training}/export.csv"))
    ids = [int(r["response_id"]) for r in rows]
    assert len(ids) == 2
    assert ids == sorted(ids)


def test_a_streamed_export_leaves_the_database_free_for_participants(app, logged_in, training):
    response = logged_in.post(f"/staff/trainings/{training}/export.csv")
    assert len(read_csv(response)) == 2
    submit(app, training, "pre", {**needs_assessment_answers(), **CODE})
    assert len(read_csv(logged_in.post(f"/staff/trainings/{training}/export.csv"))) == 3
