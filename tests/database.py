"""The database the tests run on: a fresh SQLite file per test, or PostgreSQL.

`SURVEY_TEST_DATABASE_URL=postgresql+psycopg://...` (set by `scripts/with-postgres`) runs
the suite on PostgreSQL. Its schema is built once per run by the migrations, and each test
runs inside a transaction that is rolled back afterwards: the app's session joins that
transaction and turns its commits into savepoints (SQLAlchemy's "joining a session into an
external transaction" recipe), so no test sees another's rows and no table is recreated.

Tests that need several real connections at once (a live server thread, concurrent
submissions) ask for `committed=True`: on PostgreSQL they commit for real and the tables
are emptied afterwards.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import flask_migrate
from flask import Flask
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Base
from survey_app.settings import Settings

#: PostgreSQL URL for this run, or "" for SQLite.
URL = os.environ.get("SURVEY_TEST_DATABASE_URL", "")
ON_POSTGRES = URL.startswith("postgresql")


def prepare_postgres(settings: Settings) -> Engine:
    """An empty `public` schema migrated to head; the engine the tests' transactions use."""
    engine = create_engine(URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    app = create_app(settings.model_copy(update={"database_url": URL}))
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    # Every session the app opens joins the test's transaction; its commits end savepoints.
    db.session.session_factory.configure(join_transaction_mode="create_savepoint")
    return engine


@contextmanager
def joined(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back at the end, whatever happened."""
    connection = engine.connect()
    transaction = connection.begin()
    try:
        yield connection
    finally:
        if transaction.is_active:
            transaction.rollback()
        connection.close()


def empty_tables(engine: Engine) -> None:
    """Delete every row a committed test stored (the schema stays)."""
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


class AppMaker:
    """Builds apps on the test database and undoes what each stored, once the test ends."""

    def __init__(self, settings: Settings, postgres: Engine | None) -> None:
        self.settings = settings
        self.postgres = postgres
        self._cleanups: list[Callable[[], None]] = []

    def __call__(self, *, committed: bool = False, **overrides: Any) -> Flask:
        """An app with these settings overridden; its tables exist and are empty."""
        settings = self.settings.model_copy(update=overrides) if overrides else self.settings
        app = create_app(settings)
        with app.app_context():
            engine = db.engine
            self._cleanups.append(engine.dispose)
            if self.postgres is None:
                db.create_all()
            elif committed:
                self._cleanups.append(lambda: empty_tables(engine))
            else:
                self._join(app, engine)
        return app

    def _join(self, app: Flask, engine: Engine) -> None:
        context = joined(engine)
        connection = context.__enter__()
        self._cleanups.append(lambda: context.__exit__(None, None, None))
        # Flask-SQLAlchemy picks the bind from its per-app engine map; pointing it at the
        # connection is how its sessions join the transaction (flask-sqlalchemy#1171).
        db._app_engines[app][None] = connection  # type: ignore[assignment]

    def close(self) -> None:
        """Roll back, empty or drop what the apps stored, newest first."""
        while self._cleanups:
            self._cleanups.pop()()


@contextmanager
def plain_session(postgres: Engine | None) -> Iterator[Session]:
    """A session outside Flask on the test database (in-memory SQLite or a rolled-back
    PostgreSQL transaction)."""
    if postgres is not None:
        with (
            joined(postgres) as connection,
            Session(bind=connection, join_transaction_mode="create_savepoint") as session,
        ):
            yield session
        return
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()
