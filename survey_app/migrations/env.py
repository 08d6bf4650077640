"""Alembic environment: the app's engine and models, or a connection a caller hands in.

Why the connection: the tests run migrations inside a transaction of their own.
"""

from __future__ import annotations

from alembic import context
from flask import current_app
from sqlalchemy import Connection, inspect

from survey_app.extensions import db

config = context.config
#: What `db.create_all()` built before the schema had migrations (up to survey_app 0.1).
BEFORE_MIGRATIONS = "0001"


class UnknownSchemaError(RuntimeError):
    """The database has tables but no migration history, and they are not 0001's."""


def options() -> dict[str, object]:
    """The models' metadata and what the factory gave Flask-Migrate (batch mode, types)."""
    return {"target_metadata": db.metadata, **current_app.extensions["migrate"].configure_args}


def run_offline() -> None:
    """Write the SQL to stdout (`flask db upgrade --sql`) for a DBA to review and run."""
    context.configure(
        url=db.engine.url.render_as_string(hide_password=False),
        literal_binds=True,
        **options(),  # type: ignore[arg-type]
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the given connection (its owner commits), else in one transaction."""
    given = config.attributes.get("connection")
    if given is not None:
        migrate(given)
        return
    # One transaction: on PostgreSQL a failing revision leaves the schema as it was.
    with db.engine.begin() as connection:
        migrate(connection)


def migrate(connection: Connection) -> None:
    """Adopt a database made before migrations, then run the revisions asked for."""
    context.configure(connection=connection, **options())  # type: ignore[arg-type]
    adopt_unversioned(connection)
    with context.begin_transaction():
        context.run_migrations()


def adopt_unversioned(connection: Connection) -> None:
    """Stamp a database that `create_all` made as 0001, so upgrading it keeps its rows.

    Why: such a database has every table of 0001 but no alembic_version; upgrading it from
    nothing would try to create tables that exist. Anything else unversioned is refused.
    """
    inspector = inspect(connection)
    if inspector.has_table("alembic_version") or not inspector.has_table("responses"):
        return
    indexes = {index["name"] for index in inspector.get_indexes("answers")}
    if "ix_answers_question_option" not in indexes:
        raise UnknownSchemaError(
            "the database has survey tables but no migration history, and they do not match "
            f"revision {BEFORE_MIGRATIONS}; back it up and stamp it by hand (`flask db stamp`)"
        )
    context.get_context().stamp(context.script, BEFORE_MIGRATIONS)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
