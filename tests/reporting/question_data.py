"""A seeded data set with one question of every type, stored as the app stores answers.

Answers go in through `responses.answer_rows` (the rows `record_submission` writes), and
tests read them back with plain `select()`s to recompute every figure in Python.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from survey_app.models import Answer, Response
from survey_app.questionnaire import AnswerValue, Choice, Questionnaire, load_file
from survey_app.reporting.context import ReportContext
from survey_app.reporting.schema import Report
from survey_app.reporting.scope import Scope
from survey_app.responses import answer_rows, new_submission_token
from tests.conftest import DATA_DIR
from tests.database import plain_session

EVERY_TYPE = load_file(
    Questionnaire, DATA_DIR / "questionnaires" / "valid" / "every-question-type.yaml"
).model
QID = EVERY_TYPE.id
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
#: Country weights; `seed` adds a few people from Timor-Leste and Brunei on top.
COUNTRIES = {"TH": 30, "MY": 25, "VN": 20, "KH": 10, "PH": 8, "LA": 4}


@pytest.fixture(name="db")
def question_db(postgres: Engine | None) -> Iterator[Session]:
    """A fresh database (in-memory SQLite, or a rolled-back PostgreSQL transaction); no
    Flask app needed to aggregate."""
    with plain_session(postgres) as session:
        yield session


def add_response(
    session: Session,
    answers: Mapping[str, AnswerValue],
    submitted_at: dt.datetime = START,
    questionnaire: Questionnaire = EVERY_TYPE,
) -> int:
    """Store one response and its answer rows; returns its id."""
    response = Response(
        questionnaire_id=questionnaire.id,
        definition_hash="0" * 64,
        language="en",
        submission_token=new_submission_token(),
        answers_digest="0" * 64,
        submitted_at=submitted_at,
    )
    session.add(response)
    session.flush()
    rows = [
        {"response_id": response.id, **row}
        for qid, value in answers.items()
        for row in answer_rows(qid, getattr(questionnaire.question(qid), "type", ""), value)
    ]
    if rows:
        session.execute(insert(Answer), rows)
    return response.id


def random_answers(rng: random.Random) -> dict[str, AnswerValue]:
    """One plausible respondent; optional questions are skipped now and then."""
    answers: dict[str, AnswerValue] = {}
    fruit = rng.choices(["apple", "pear", "plum", "_other"], [45, 30, 20, 4])[0]
    answers["fruit"] = Choice((fruit,), "Quince" if fruit == "_other" else None)
    picked = [f for f in ("apple", "pear", "plum") if rng.random() < 0.5] or ["pear"]
    answers["fruits"] = Choice(tuple(picked))
    if rng.random() < 0.9:
        order = rng.sample(["apple", "pear", "plum"], 3)
        answers["fruit_rank"] = tuple(order[: rng.choice([1, 2, 2])])
    if fruit != "plum":
        answers["liking"] = rng.choices([1, 2, 3, 4, 5], [2, 6, 20, 40, 32])[0]
        answers["liking_each"] = {
            row: rng.choices([1, 2, 3, 4, 5], [3, 8, 25, 40, 24])[0]
            for row in ("apple", "pear", "plum")
            if rng.random() < 0.9
        }
    if rng.random() < 0.92:
        answers["age"] = max(18, min(90, round(rng.gauss(38, 11))))
    if rng.random() < 0.5:
        answers["story"] = f"SECRET-STORY-{rng.randrange(10**6)}"
    if rng.random() < 0.8:
        answers["visit"] = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(0, 300))
    answers["home"] = rng.choices(list(COUNTRIES), list(COUNTRIES.values()))[0]
    return answers


def seed(session: Session, n: int = 160, seed_value: int = 7) -> None:
    """`n` deterministic respondents, plus noise the scope must leave out."""
    rng = random.Random(seed_value)  # noqa: S311 -- reproducible test data, not a secret
    for i in range(n):
        add_response(session, random_answers(rng), START + dt.timedelta(hours=i))
    # Always a few people from places with too few respondents to be named.
    for i, country in enumerate(("TL", "TL", "BN")):
        answers = {**random_answers(rng), "home": country}
        add_response(session, answers, START + dt.timedelta(hours=n + i))
    other = EVERY_TYPE.model_copy(update={"id": "another-questionnaire"})
    for _ in range(6):
        add_response(session, {"fruit": Choice(("plum",)), "age": 99}, questionnaire=other)
    session.flush()


def scope() -> Scope:
    """Every response to the every-type questionnaire."""
    return Scope(QID)


def raw(session: Session, question_id: str, questionnaire_id: str = QID) -> list[Any]:
    """The stored answer rows of one question, as plain rows."""
    stmt = (
        select(
            Answer.response_id,
            Answer.row,
            Answer.option_value,
            Answer.number_value,
            Answer.date_value,
            Answer.rank,
            Answer.text_value,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id, Response.questionnaire_id == questionnaire_id)
    )
    return list(session.execute(stmt))


def groups_of(session: Session, by: str) -> dict[int, str]:
    """Respondent -> their answer to the `by` question."""
    return {row.response_id: row.option_value for row in raw(session, by)}


def respondents(session: Session, questionnaire_id: str = QID) -> set[int]:
    """Ids of every response to the questionnaire."""
    stmt = select(Response.id).where(Response.questionnaire_id == questionnaire_id)
    return set(session.scalars(stmt))


def context(session: Session, blocks: list[dict[str, Any]], k: int = 5) -> ReportContext:
    """A report context over the every-type questionnaire."""
    report = Report.model_validate(
        {
            "schema_version": 1,
            "id": "question-test",
            "title": "Question test",
            "questionnaire": QID,
            "k": k,
            "blocks": blocks,
        },
        context={"questionnaires": {QID: EVERY_TYPE}},
    )
    return ReportContext(session, report, {QID: EVERY_TYPE})
