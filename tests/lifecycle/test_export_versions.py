"""Exports across versions: every row carries its version and is read with its own questions."""

from __future__ import annotations

import csv
import io

import pyreadstat
from openpyxl import load_workbook
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response, Training
from survey_app.responses import new_submission_token
from tests.conftest import add_account, log_in, open_training, submit
from tests.lifecycle.conftest import publish
from tests.lifecycle.content import pulse

EDITS = [
    ("add an option", pulse(options=("good", "bad", "meh"))),
    ("reword", pulse(prompt="How do you feel?", options=("good", "bad", "meh"))),
    (
        "remove a question",
        pulse(prompt="How do you feel?", options=("good", "bad", "meh"), note=False),
    ),
]


def test_three_published_versions_each_label_their_own_rows(
    pulse_app, folder, fast_password_hashing
):
    """A training opened before versions were pinned (pin cleared) collects across publishes."""
    staff = log_in(pulse_app.test_client(), add_account(pulse_app, "o@example.org", "staff"))
    training_id = open_training(staff, pre_questionnaire_id="pulse", post_questionnaire_id="")
    with pulse_app.app_context():
        db.session.get(Training, training_id).pre_version_id = None
        db.session.commit()
    answers = [("bad", "first"), ("meh", "second"), ("meh", "third"), ("good", None)]
    mood, note = answers[0]
    submit(
        pulse_app,
        training_id,
        "pre",
        {"submission_token": new_submission_token(), "q_mood": mood, "q_note": note},
    )
    for (_, text), (mood, note) in zip(EDITS, answers[1:], strict=True):
        edited = folder[0].parent / "edited.yaml"
        edited.write_text(text, encoding="utf-8")
        result = publish(pulse_app, edited, "--allow-breaking")
        assert result.exit_code == 0, result.output
        data = {"submission_token": new_submission_token(), "q_mood": mood}
        if note:
            data["q_note"] = note
        submit(pulse_app, training_id, "pre", data)

    export = staff.post(
        f"/staff/trainings/{training_id}/export.csv", data={"phase": "pre", "text": "1"}
    )
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["version"], r["mood"], r["note"]) for r in rows] == [
        ("1", "bad", "first"),
        ("2", "meh", "second"),
        ("3", "meh", "third"),
        ("4", "good", ""),
    ]

    workbook = load_workbook(
        io.BytesIO(
            staff.post(
                f"/staff/trainings/{training_id}/export.xlsx", data={"phase": "pre", "text": "1"}
            ).get_data()
        )
    )
    lines = [[c.value for c in row] for row in workbook["codebook"].iter_rows(2)]
    prompts = {(line[7], line[0]): line[3] for line in lines if line[0] in ("mood", "note")}
    assert prompts[("1", "mood")] == "How are you today?"
    assert prompts[("3", "mood")] == "How do you feel?"
    assert ("4", "note") not in prompts
    assert prompts[("3", "note")] == "Anything else?"
    options = {(line[7], line[4]) for line in lines if line[0] == "mood" and line[4]}
    assert ("1", "meh") not in options
    assert ("2", "meh") in options


def test_labels_follow_each_rows_version_and_statistics_files_keep_retired_options(
    pulse_app, folder, fast_password_hashing, tmp_path
):
    """Version 2 relabels `good` and drops `bad`: the labels sheet reads each row in its own
    version's words; SPSS and Stata get one set of value labels, the retired option noted."""
    staff = log_in(pulse_app.test_client(), add_account(pulse_app, "o@example.org", "staff"))
    training_id = open_training(staff, pre_questionnaire_id="pulse", post_questionnaire_id="")
    with pulse_app.app_context():
        db.session.get(Training, training_id).pre_version_id = None
        db.session.commit()
    for mood in ("good", "bad"):
        data = {"submission_token": new_submission_token(), "q_mood": mood}
        submit(pulse_app, training_id, "pre", data)
    edited = folder[0].parent / "edited.yaml"
    edited.write_text(
        pulse(options=("good", "meh")).replace("label: Good", "label: Fine"), encoding="utf-8"
    )
    result = publish(pulse_app, edited, "--allow-breaking")
    assert result.exit_code == 0, result.output
    submit(
        pulse_app,
        training_id,
        "pre",
        {"submission_token": new_submission_token(), "q_mood": "good"},
    )

    url = f"/staff/trainings/{training_id}/export"
    book = load_workbook(io.BytesIO(staff.post(f"{url}.xlsx", data={"phase": "pre"}).get_data()))
    header = [c.value for c in book["labels"][1]]
    labelled = [
        dict(zip(header, [c.value for c in r], strict=True)) for r in book["labels"].iter_rows(2)
    ]
    assert [(r["version"], r["mood"]) for r in labelled] == [(1, "Good"), (1, "Bad"), (2, "Fine")]

    for kind, read in (("sav", pyreadstat.read_sav), ("dta", pyreadstat.read_dta)):
        path = tmp_path / f"out.{kind}"
        path.write_bytes(staff.post(f"{url}.{kind}", data={"phase": "pre"}).get_data())
        frame, meta = read(str(path))
        assert meta.variable_value_labels["mood"] == {
            1: "Fine",
            2: "Meh",
            3: "Bad (retired after version 1)",
        }
        assert list(frame["mood"]) == [1, 3, 1]
        assert list(frame["version"]) == [1, 1, 2]


def test_response_page_reads_the_response_in_its_own_version(
    pulse_app, folder, fast_password_hashing
):
    staff = log_in(pulse_app.test_client(), add_account(pulse_app, "o@example.org", "staff"))
    training_id = open_training(staff, pre_questionnaire_id="pulse", post_questionnaire_id="")
    with pulse_app.app_context():
        db.session.get(Training, training_id).pre_version_id = None
        db.session.commit()
    submit(
        pulse_app, training_id, "pre", {"submission_token": new_submission_token(), "q_mood": "bad"}
    )
    edited = folder[0].parent / "edited.yaml"
    edited.write_text(pulse(prompt="How do you feel?", options=("good", "meh")), encoding="utf-8")
    assert publish(pulse_app, edited, "--allow-breaking").exit_code == 0
    with pulse_app.app_context():
        response_id = db.session.scalars(select(Response.id)).one()
    page = staff.get(f"/staff/trainings/{training_id}/responses/{response_id}").get_data(
        as_text=True
    )
    assert "(version 1)" in page
    assert "How are you today?" in page
    assert "Bad" in page
