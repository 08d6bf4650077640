"""Exports across versions: every row carries its version and is read with its own questions."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from survey_app.extensions import db
from survey_app.models import Training
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
