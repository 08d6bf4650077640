"""Control characters in participant text: removed at input (NUL included, which PostgreSQL
refuses), and cleaned on export for answers stored before that (XLSX refuses them)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from survey_app.content import registry
from survey_app.export_files import build_xlsx_file
from survey_app.export_layout import build_layout
from survey_app.export_rows import iter_plan_rows, plan_export
from survey_app.exports import csv_chunks
from survey_app.extensions import db
from survey_app.questionnaire import Choice
from survey_app.responses import new_submission_token, record_submission
from survey_app.text import clean_text
from survey_app.trainings import Placement
from tests.conftest import (
    CODE,
    NEEDS,
    link_token,
    needs_assessment_answers,
    open_training,
)

#: Every C0 control (NUL to US), DEL and a C1 control, as pasted text may carry them.
CONTROLS = "".join(chr(c) for c in range(32)) + "\x7f\x85"


def test_clean_text_keeps_tab_and_newline_and_drops_other_controls():
    assert clean_text(f"a{CONTROLS}b") == "a\t\n\nb"  # \n, and \r as a newline
    assert clean_text("line 1\r\nline 2\rline 3") == "line 1\nline 2\nline 3"
    assert clean_text("Ça marche — 日本語 ✓\t") == "Ça marche — 日本語 ✓\t"


@pytest.mark.parametrize("nul_in", ["q_comments", "q_stakeholder_type-other", "code_letters"])
def test_nul_in_any_text_is_removed_before_the_database(app, logged_in, stored, nul_in):
    """L1: a NUL byte was a 500 on PostgreSQL; it is removed like every control character."""
    training_id = open_training(logged_in)
    data = needs_assessment_answers(q_comments="Thanks\x00 for the\x0b day\x1b")
    data.update(CODE)
    if nul_in == "q_stakeholder_type-other":
        data.update({"q_stakeholder_type": "_other", nul_in: "Foun\x00dation"})
    elif nul_in == "code_letters":
        data[nul_in] = "M\x00a"
    token = link_token(app, training_id, "pre")
    response = app.test_client().post(f"/t/{token}", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    [kept] = stored()
    texts = {a.question_id: a.text_value for a in kept.answers if a.text_value}
    assert texts["comments"] == "Thanks for the day"
    if nul_in == "q_stakeholder_type-other":
        assert texts["stakeholder_type"] == "Foundation"


def test_nul_in_a_participant_link_is_404_not_500(client):
    assert client.get("/t/" + "a" * 30 + "%00" + "b" * 10).status_code == 404
    assert client.post("/t/" + "a" * 30 + "%00", data={}).status_code == 404


def test_nul_in_an_open_questionnaire_answer_is_removed(client, stored):
    response = client.post(f"/q/{NEEDS}", data=needs_assessment_answers(q_comments="\x00ok\x00"))
    assert response.status_code == 303
    [kept] = stored()
    assert [a.text_value for a in kept.answers if a.question_id == "comments"] == ["ok"]


def test_every_export_works_for_answers_stored_with_control_characters(app, logged_in):
    """M4: answers stored before the form cleaned them made the XLSX export a 500."""
    training_id = open_training(logged_in)
    dirty = "Bell\x07 and\x0b vertical tab\x1b[0m\x7f\x85 end\x01"
    with app.app_context():
        loaded = registry().questionnaire(NEEDS)
        answers = {
            "stakeholder_type": Choice(("_other",), "Other\x02 kind"),
            "comments": dirty,
            "years_experience": 3,
        }
        record_submission(
            db.session(),
            loaded,
            answers,
            new_submission_token(),
            "en",
            Placement(training_id, "pre", None),
        )
        db.session.commit()
        layout = build_layout(loaded.model, include_text=True)
        plan = plan_export(training_id, "pre", {"pre": layout}, frozenset())
        path = build_xlsx_file(
            plan.columns, layout.codebook(), lambda: iter_plan_rows(db.session(), plan)
        )
        text = "".join(csv_chunks(plan.header, iter_plan_rows(db.session(), plan)))
    sheet = load_workbook(path)["codes"]
    path.unlink()
    header, row = ([c.value for c in r] for r in sheet.iter_rows())
    cells = dict(zip(header, row, strict=True))
    assert cells["comments"] == "Bell and vertical tab[0m end"
    assert cells["stakeholder_type___other_text"] == "Other kind"
    [line] = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    assert line["comments"] == "Bell and vertical tab[0m end"
