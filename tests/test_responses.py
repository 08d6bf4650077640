"""The write side: rows per answer shape, flush without commit, duplicate classification."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from survey_app.content import registry
from survey_app.models import Answer, Response
from survey_app.questionnaire import Choice
from survey_app.responses import Outcome, answer_rows, new_submission_token, record_submission
from tests.conftest import NEEDS


def rows(question_id, qtype, value):
    return [
        tuple(
            a[c]
            for c in (
                "item",
                "row",
                "option_value",
                "number_value",
                "text_value",
                "date_value",
                "rank",
            )
        )
        for a in answer_rows(question_id, qtype, value)
    ]


def test_each_answer_shape_maps_to_typed_columns():
    assert rows("q", "multi_choice", Choice(("a", "_other"), "Trade union")) == [
        ("a", None, "a", None, None, None, None),
        ("_other", None, "_other", None, "Trade union", None, None),
    ]
    assert rows("q", "matrix", {"r1": 4, "r2": 2}) == [
        ("r1", "r1", None, 4, None, None, None),
        ("r2", "r2", None, 2, None, None, None),
    ]
    assert rows("q", "ranking", ("x", "y")) == [
        ("x", None, "x", None, None, None, 1),
        ("y", None, "y", None, None, None, 2),
    ]
    assert rows("q", "number", 2.5) == [("", None, None, 2.5, None, None, None)]
    assert rows("q", "scale", 3) == [("", None, None, 3, None, None, None)]
    assert rows("q", "country", "TH") == [("", None, "TH", None, None, None, None)]
    assert rows("q", "short_text", "hi") == [("", None, None, None, "hi", None, None)]
    day = dt.date(2026, 1, 15)
    assert rows("q", "date", day) == [("", None, None, None, None, day, None)]


def test_record_submission_flushes_but_never_commits(session):
    loaded = registry().questionnaire(NEEDS)
    answers = {"stakeholder_type": Choice(("ngo",)), "years_experience": 4}
    token = new_submission_token()
    outcome = record_submission(session, loaded, answers, token, "en")
    assert outcome is Outcome.STORED
    assert session.scalar(select(func.count()).select_from(Answer)) == 2
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_record_submission_stores_definition_hash_and_classifies_repeats(session):
    loaded = registry().questionnaire(NEEDS)
    token = new_submission_token()
    answers = {"years_experience": 4}
    record_submission(session, loaded, answers, token, "en")
    session.commit()
    stored = session.scalar(select(Response))
    assert stored.definition_hash == loaded.sha256
    assert record_submission(session, loaded, answers, token, "en") is Outcome.REPEATED
    assert (
        record_submission(session, loaded, {"years_experience": 5}, token, "en") is Outcome.CONFLICT
    )
    assert session.scalar(select(func.count()).select_from(Response)) == 1


def test_a_repeated_or_conflicting_token_adds_no_rows_and_keeps_the_first(session):
    loaded = registry().questionnaire(NEEDS)
    token = new_submission_token()
    record_submission(session, loaded, {"years_experience": 4}, token, "en")
    first = session.scalar(select(Response.id))
    for answers in ({"years_experience": 4}, {"years_experience": 5, "comments": "later"}):
        record_submission(session, loaded, answers, token, "en")
    assert session.scalars(select(Response.id)).all() == [first]
    stored = session.execute(select(Answer.question_id, Answer.number_value)).all()
    assert stored == [("years_experience", 4)]
