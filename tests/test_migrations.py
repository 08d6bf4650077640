"""The migrations own the schema: they match the models and upgrade a populated database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, func, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Answer, Base, Response
from tests import database

FIRST = "0001"


@pytest.fixture
def empty(tmp_path: Path, postgres: Engine | None) -> Iterator[Connection]:
    """A connection to an empty database: a new SQLite file, or on PostgreSQL a new schema
    inside the test's rolled-back transaction (DDL is transactional there)."""
    if postgres is not None:
        with database.joined(postgres) as connection:
            connection.execute(text("CREATE SCHEMA migration_test"))
            connection.execute(text("SET LOCAL search_path TO migration_test"))
            yield connection
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'migrated.db'}")
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def alembic(app: Flask, connection: Connection) -> Config:
    """The app's Alembic configuration, pointed at `connection`."""
    config = app.extensions["migrate"].migrate.get_config()
    config.attributes["connection"] = connection
    return config


def upgrade(app: Flask, connection: Connection, revision: str = "head") -> None:
    with app.app_context():
        command.upgrade(alembic(app, connection), revision)


def current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def head(app: Flask) -> str:
    with app.app_context():
        script = ScriptDirectory.from_config(alembic(app, None))  # type: ignore[arg-type]
        return str(script.get_current_head())


def fill(connection: Connection) -> None:
    """A training's worth of rows, written as 0001 stored them (plain SQL, no models)."""
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    connection.execute(
        insert(Response.__table__),
        [
            {
                "questionnaire_id": "untoc-needs-assessment",
                "definition_hash": "h",
                "submitted_at": now,
                "language": "en",
                "submission_token": f"token-{i}",
                "answers_digest": "d",
            }
            for i in range(20)
        ],
    )
    ids = connection.scalars(select(Response.__table__.c.id)).all()
    for question, column, value in (
        ("country", "option_value", "TH"),
        ("years", "number_value", 7),
    ):
        connection.execute(
            insert(Answer.__table__),
            [{"response_id": r, "question_id": question, "item": "", column: value} for r in ids],
        )


def test_migrations_and_models_agree(app, empty):
    """Autogenerate would find nothing to do: no model change lacks its revision."""
    upgrade(app, empty)
    assert current(empty) == head(app)
    assert compare_metadata(MigrationContext.configure(empty), Base.metadata) == []


def test_upgrade_from_the_first_revision_keeps_every_row(app, empty):
    upgrade(app, empty, FIRST)
    assert current(empty) == FIRST
    fill(empty)
    upgrade(app, empty)
    assert current(empty) == head(app) != FIRST
    assert empty.scalar(select(func.count()).select_from(Response.__table__)) == 20
    assert empty.scalar(select(func.count()).select_from(Answer.__table__)) == 40
    indexes = {index["name"] for index in inspect(empty).get_indexes("answers")}
    assert "ix_answers_report" in indexes
    assert "ix_answers_question_option" not in indexes


def test_downgrade_to_the_first_revision_and_back(app, empty):
    upgrade(app, empty)
    fill(empty)
    with app.app_context():
        command.downgrade(alembic(app, empty), FIRST)
    assert current(empty) == FIRST
    upgrade(app, empty)
    assert current(empty) == head(app)
    assert empty.scalar(select(func.count()).select_from(Answer.__table__)) == 40


def test_a_database_made_before_migrations_is_adopted_not_recreated(app, empty):
    """`create_all` of 0.1 built 0001's tables without alembic_version: upgrade keeps them."""
    upgrade(app, empty, FIRST)
    empty.execute(text("DROP TABLE alembic_version"))
    fill(empty)
    upgrade(app, empty)
    assert current(empty) == head(app)
    assert empty.scalar(select(func.count()).select_from(Response.__table__)) == 20


def test_unknown_unversioned_tables_are_refused_untouched(app, empty):
    Base.metadata.create_all(empty)  # today's tables, but no migration history
    fill(empty)
    with pytest.raises(RuntimeError, match="no migration history"):
        upgrade(app, empty)
    assert current(empty) is None
    assert empty.scalar(select(func.count()).select_from(Response.__table__)) == 20


@pytest.mark.parametrize("args", [["db", "upgrade"], ["survey", "init-db"]])
def test_the_commands_create_the_schema_and_can_run_again(settings, tmp_path, args):
    fresh = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path}/n.db"}))
    runner = fresh.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with fresh.app_context():
        with db.engine.connect() as connection:
            assert current(connection) == head(fresh)
            assert {"responses", "answers"} <= set(inspect(connection).get_table_names())
        db.engine.dispose()


def test_0008_lets_responses_take_the_followup_phase_and_still_refuses_others(app, empty):
    """After 0008 a follow-up response stores; an unknown phase is still refused by the CHECK."""
    upgrade(app, empty, "0007")
    now = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    empty.execute(
        text(
            "INSERT INTO trainings (title, place, starts_on, ends_on, organiser, status, "
            "pairing_secret, created_at, min_group_size, min_text_group_size) VALUES "
            "('T', 'P', '2026-03-01', '2026-03-02', 'O', 'open', 's', :now, 5, 10)"
        ),
        {"now": now},
    )
    fill(empty)
    upgrade(app, empty)
    training_id = empty.scalar(text("SELECT id FROM trainings"))
    row = {
        "questionnaire_id": "untoc-follow-up",
        "definition_hash": "h",
        "submitted_at": now,
        "language": "en",
        "answers_digest": "d",
        "training_id": training_id,
    }
    empty.execute(
        insert(Response.__table__), [{**row, "submission_token": "fu", "phase": "followup"}]
    )
    assert empty.scalar(select(func.count()).select_from(Response.__table__)) == 21
    with pytest.raises(IntegrityError), empty.begin_nested():
        empty.execute(
            insert(Response.__table__), [{**row, "submission_token": "x", "phase": "later"}]
        )
    assert "programmes" in inspect(empty).get_table_names()
