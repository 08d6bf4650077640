"""The compatibility check: what breaks stored answers needs confirming; the rest publishes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.questionnaire.compat import breaking_changes
from survey_app.questionnaire.schema import Questionnaire
from tests.lifecycle.conftest import answer, publish, versions
from tests.lifecycle.content import pulse


def questions(data):
    return list(Questionnaire.model_validate(data).questions())


def base(**question):
    return {
        "schema_version": 1,
        "id": "q",
        "title": "Q",
        "sections": [{"id": "s", "title": "S", "questions": [question]}],
    }


MATRIX = {
    "id": "m",
    "type": "matrix",
    "prompt": "Rate",
    "rows": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
}


def messages(old, new):
    return [c.message for c in breaking_changes(questions(old), questions(new))]


def test_removed_matrix_row_and_changed_scale_are_breaking():
    changed = {**MATRIX, "rows": [MATRIX["rows"][0], {"value": "c", "label": "C"}]}
    changed["scale"] = {"min": 1, "max": 7}
    assert messages(base(**MATRIX), base(**changed)) == [
        "row 'b' of 'm' is removed or renamed",
        "scale of 'm' changes from 1..5 to 1..7",
    ]


def test_retyped_question_is_breaking_and_wording_is_not():
    number = {"id": "m", "type": "number", "prompt": "How many?"}
    assert messages(base(**MATRIX), base(**number)) == [
        "question 'm' changes type from matrix to number"
    ]
    reworded = {**MATRIX, "prompt": "Rate these, please"}
    reworded["rows"] = [{**r, "label": r["label"] + "!"} for r in MATRIX["rows"]]
    assert messages(base(**MATRIX), base(**reworded)) == []


def test_dropping_other_is_breaking():
    choice = {
        "id": "c",
        "type": "single_choice",
        "prompt": "Pick",
        "other": True,
        "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
    }
    assert messages(base(**choice), base(**{**choice, "other": False})) == [
        "option Other of 'c' is removed or renamed"
    ]


@pytest.fixture
def answered(pulse_app):
    client = pulse_app.test_client()
    assert answer(client, mood="bad", q_note="fine").status_code == 303
    return pulse_app


def test_removing_a_chosen_option_is_refused_until_confirmed_and_then_audit_logged(
    answered, folder
):
    edited = folder[0].parent / "edited.yaml"
    edited.write_text(pulse(options=("good", "poor")), encoding="utf-8")
    refused = publish(answered, edited)
    assert refused.exit_code == 1
    assert "option 'bad' of 'mood' is removed or renamed" in refused.output
    assert "--allow-breaking" in refused.output
    assert len(versions(answered)) == 1
    confirmed = publish(answered, edited, "--allow-breaking")
    assert confirmed.exit_code == 0, confirmed.output
    with answered.app_context():
        detail = db.session.scalar(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "content_published")
            .order_by(AuditEvent.id.desc())
        )
    assert detail == (
        "questionnaire pulse version 2; breaking, confirmed: "
        "option 'bad' of 'mood' is removed or renamed"
    )


def test_safe_changes_and_unanswered_removals_publish_without_confirmation(answered, folder):
    edited = folder[0].parent / "edited.yaml"
    # 'good' was never chosen: removing it breaks no stored answer. New option, new wording.
    edited.write_text(pulse(prompt="And today?", options=("bad", "okay", "great")), "utf-8")
    result = publish(answered, edited)
    assert result.exit_code == 0, result.output
    assert [n for n, *_ in versions(answered)] == [1, 2]


def test_removing_an_answered_question_is_breaking(answered, folder):
    edited = folder[0].parent / "edited.yaml"
    edited.write_text(pulse(note=False), encoding="utf-8")
    result = publish(answered, edited)
    assert result.exit_code == 1
    assert "question 'note' is removed" in result.output


def test_version_notes_say_where_versions_disagree():
    from survey_app.questionnaire.compat import version_notes

    choice = {
        "id": "c",
        "type": "single_choice",
        "prompt": "Pick",
        "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
    }
    steady = {"id": "d", "type": "date", "prompt": "When?"}

    def version(*questions):
        data = base(**questions[0])
        data["sections"][0]["questions"] = list(questions)
        return questions_of(data)

    def questions_of(data):
        return list(Questionnaire.model_validate(data).questions())

    v1 = version(choice, steady)
    v2 = version(
        {**choice, "options": [*choice["options"], {"value": "z", "label": "Z"}]}, steady, MATRIX
    )
    v3 = version(
        {**choice, "options": [*choice["options"][1:], {"value": "z", "label": "Z"}]}, steady
    )
    assert version_notes([(3, v3), (1, v1), (2, v2)]) == {
        "c": ["option 'z' added in version 2", "option 'x' retired in version 3"],
        "m": ["added in version 2", "removed in version 3"],
    }
