"""Write side for submissions: adds and flushes, never commits (the view commits once)."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import secrets
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sqlalchemy import Insert, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import Answer, Response
from .questionnaire import Answers, AnswerValue, Choice, LoadedFile, Questionnaire, Repeated
from .questionnaire.answers import digest
from .questionnaire.questions import OTHER_VALUE
from .trainings import Placement

#: INSERT with ON CONFLICT for each database the app runs on (README: SQLite, PostgreSQL).
DIALECT_INSERTS: dict[str, Callable[[Table], sqlite.Insert | postgresql.Insert]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}
ANSWER_VALUE_COLUMNS = ("row", "option_value", "number_value", "text_value", "date_value", "rank")


class Outcome(enum.Enum):
    """What happened to a submission."""

    STORED = "stored"
    #: The same token with the same answers: a double click, a refresh, the back button.
    REPEATED = "repeated"
    #: The same token with different answers: the first answers stand.
    CONFLICT = "conflict"


def new_submission_token() -> str:
    """An unguessable token issued with each rendered form (256 bits)."""
    return secrets.token_urlsafe(32)


def record_submission(
    session: Session,
    loaded: LoadedFile[Questionnaire],
    answers: Answers,
    token: str,
    language: str,
    placement: Placement | None = None,
) -> Outcome:
    """Store a response with all its answers, or classify it as a repeat of an earlier one."""
    answers_digest = digest(answers)
    questionnaire = loaded.model
    response: dict[str, Any] = {
        "questionnaire_id": questionnaire.id,
        "definition_hash": loaded.sha256,
        "version_id": loaded.version_id,
        "language": language,
        "submission_token": token,
        "answers_digest": answers_digest,
    }
    if placement is not None:
        response["training_id"] = placement.training_id
        response["phase"] = placement.phase
        response["participant_code_hash"] = placement.code_hash
        response["near_miss_tags"] = placement.near_miss_tags
    response_id = _insert_new_token(session, response)
    if response_id is None:
        earlier = existing_outcome(session, token, answers_digest)
        if earlier is None:  # only if staff deleted it in between (PostgreSQL, READ COMMITTED)
            raise RuntimeError("the response holding this submission token has just gone")
        return earlier
    rows = [
        {"response_id": response_id, **row}
        for question_id, value in answers.items()
        for row in answer_rows(question_id, _type_of(questionnaire, question_id), value)
    ]
    if rows:
        # The Core table, not insert(Answer): the ORM's bulk path splits rows into several
        # statements, while this is one executemany (bench/ measured ~40% per submission).
        session.execute(insert(Answer.metadata.tables[Answer.__tablename__]), rows)
    return Outcome.STORED


def _insert_new_token(session: Session, values: dict[str, Any]) -> int | None:
    """Insert the response row unless its token is stored already: its id, else None.

    Why one statement: a select for the token, then an ORM insert and flush, were three round
    trips and most of the write's CPU; `INSERT ... ON CONFLICT DO NOTHING RETURNING` (SQLite
    3.35+, PostgreSQL) is one, and on PostgreSQL it also waits for a concurrent insert of the
    same token and then does nothing, instead of failing with an IntegrityError.
    """
    stmt = _insert_response_statement(session.get_bind().dialect.name)
    inserted: int | None = session.scalar(stmt, values)
    return inserted


@functools.cache
def _insert_response_statement(dialect: str) -> Insert:
    """Built once per database kind: values go in as parameters, so the compiled form is
    reused too (building the statement with its values cost more than running it)."""
    table = Response.metadata.tables[Response.__tablename__]
    stmt = DIALECT_INSERTS[dialect](table)
    return stmt.on_conflict_do_nothing(index_elements=["submission_token"]).returning(table.c.id)


def _type_of(questionnaire: Questionnaire, question_id: str) -> str:
    qtype: str = getattr(questionnaire.question(question_id), "type", "")
    return qtype


def existing_outcome(session: Session, token: str, answers_digest: str) -> Outcome | None:
    """REPEATED or CONFLICT when this token was stored before, else None."""
    stored = session.scalar(
        select(Response.answers_digest).where(Response.submission_token == token)
    )
    if stored is None:
        return None
    return Outcome.REPEATED if stored == answers_digest else Outcome.CONFLICT


def answer_rows(question_id: str, qtype: str, value: AnswerValue) -> Iterator[dict[str, Any]]:
    """Column values of the answer rows: one per answered question, or per chosen option,
    matrix row or ranked item; a repeated question's rows carry their item's number."""
    if isinstance(value, Repeated):
        for instance, item_value in enumerate(value.items, start=1):
            if item_value is not None:
                for cells in answer_rows(question_id, qtype, item_value):
                    yield {**cells, "instance": instance}
    elif isinstance(value, Choice):
        for option in value.values:
            other = value.other if option == OTHER_VALUE else None
            yield _row(question_id, item=option, option_value=option, text_value=other)
    elif isinstance(value, Mapping):
        for row, point in value.items():
            yield _row(question_id, item=row, row=row, number_value=point)
    elif isinstance(value, tuple):
        for rank, option in enumerate(value, start=1):
            yield _row(question_id, item=option, option_value=option, rank=rank)
    elif isinstance(value, dt.date):
        yield _row(question_id, date_value=value)
    elif isinstance(value, int | float):
        yield _row(question_id, number_value=value)
    elif qtype == "country":
        yield _row(question_id, option_value=value)
    else:
        yield _row(question_id, text_value=value)


def _row(question_id: str, item: str = "", **values: Any) -> dict[str, Any]:
    """Every column named, so one executemany INSERT can take all rows."""
    row: dict[str, Any] = dict.fromkeys(ANSWER_VALUE_COLUMNS)
    row.update(question_id=question_id, item=item, instance=0, **values)
    return row
