"""A question moved into or out of a repeat is a breaking change for its stored answers."""

from __future__ import annotations

from typing import Any

from survey_app.questionnaire.compat import questionnaire_changes
from survey_app.questionnaire.schema import Questionnaire


def questionnaire(repeat_first: bool, repeat_second: bool) -> Questionnaire:
    def section(sid: str, qid: str, repeat: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": sid,
            "title": sid,
            "questions": [{"id": qid, "type": "short_text", "prompt": "?"}],
        }
        if repeat:
            data["repeat"] = {"max": 3}
        return data

    return Questionnaire.model_validate(
        {
            "schema_version": 1,
            "id": "q",
            "title": "Q",
            "sections": [section("one", "a", repeat_first), section("two", "b", repeat_second)],
        }
    )


def test_moves_into_and_out_of_a_repeat_are_listed():
    changes = questionnaire_changes(questionnaire(False, True), questionnaire(True, False))
    assert [(c.question_id, c.item, c.message) for c in changes] == [
        ("a", None, "question 'a' moves into the repeat 'one'"),
        ("b", None, "question 'b' moves out of the repeat 'two'"),
    ]


def test_an_unchanged_repeat_breaks_nothing():
    assert questionnaire_changes(questionnaire(True, False), questionnaire(True, False)) == []
