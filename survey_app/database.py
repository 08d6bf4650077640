"""Engine tuning that the ORM cannot express (SQLite locking for many concurrent writers),
and what every writer shares: the readiness heartbeat and how failed writes are logged."""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, select, text, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.pool import SingletonThreadPool, StaticPool

from .models import Heartbeat, utcnow

#: Execution option: this transaction only reads (on SQLite, BEGIN without IMMEDIATE).
READ_ONLY = "survey_read_only"


def configure_engine(engine: Engine, busy_timeout_seconds: float) -> None:
    """Put SQLite in WAL mode with a busy timeout and BEGIN IMMEDIATE transactions.

    Why: with pysqlite's default deferred transactions, two writers that both read first
    can deadlock and one gets "database is locked" at once; taking the write lock at
    BEGIN makes them queue for up to the busy timeout instead. WAL lets readers go on
    while one writer works. Other databases are left as they are.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN instead of pysqlite.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        reading = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def make_sqlite_file_private(engine: Engine) -> None:
    """Create the SQLite file (and narrow an existing one) to owner-only access, 0600.

    Why: sqlite3 creates it 0644 under the usual umask, and its WAL and shared-memory
    files take the same mode, so every local account could read the answers.
    """
    name = engine.url.database
    if engine.dialect.name != "sqlite" or not name or name == ":memory:" or "://" in name:
        return
    path = Path(name)
    if not path.parent.is_dir():
        return  # SQLite reports a missing folder itself, at the first connection
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        with contextlib.suppress(FileNotFoundError, PermissionError):
            part.chmod(0o600)


def begin_read_only(session: Session) -> None:
    """End the session's transaction and begin one that only reads, from one snapshot.

    Why: on SQLite every other transaction begins IMMEDIATE and holds the write lock until
    it ends, so a report reading for seconds held up every participant's Submit; a deferred
    transaction in WAL mode reads a snapshot and blocks no writer.
    """
    session.commit()
    options: dict[str, Any] = {READ_ONLY: True}
    bind = session.get_bind()
    # A test's joined transaction (a Connection) keeps the isolation it has.
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        # One snapshot for the whole report: under READ COMMITTED each query saw the rows
        # committed since the one before, and in a burst a total and its parts disagreed.
        options["isolation_level"] = "REPEATABLE READ"
    session.connection(execution_options=options)


@contextlib.contextmanager
def snapshot_peer(session: Session | scoped_session[Session]) -> Iterator[Connection | None]:
    """A second connection reading the very snapshot `session`'s read-only transaction
    reads (for another thread), closed on exit; None when that cannot be guaranteed.

    Why the same snapshot: a report's figures must all describe one state of the data, or
    two of them could differ by a response committed in between, and the difference would
    be that person's answers. SQLite: both read transactions begin while a third connection
    holds the write lock, so no commit falls between them (`session`'s read-only
    transaction is begun anew for that, before anything is read for the report).
    PostgreSQL: the peer imports the REPEATABLE READ snapshot that `session`'s transaction
    exports, as parallel pg_dump does. Anything else (a test's joined connection, an
    in-memory database, a session that may write): None.
    """
    peer = _peer_of(session)
    try:
        yield peer
    finally:
        if peer is not None:
            peer.close()


def _peer_of(session: Session | scoped_session[Session]) -> Connection | None:
    if isinstance(session, scoped_session):
        session = session()
    bind = session.get_bind()
    if not isinstance(bind, Engine) or not session.in_transaction():
        return None
    if session.new or session.dirty or session.deleted:
        return None
    options = session.connection().get_execution_options()
    if not options.get(READ_ONLY):
        return None
    if bind.dialect.name == "sqlite" and not isinstance(
        bind.pool, StaticPool | SingletonThreadPool
    ):
        return _sqlite_peer(session, bind)
    if bind.dialect.name == "postgresql" and options.get("isolation_level") == "REPEATABLE READ":
        return _postgresql_peer(session, bind)
    return None


def _sqlite_peer(session: Session, engine: Engine) -> Connection:
    peer = engine.connect().execution_options(**{READ_ONLY: True})
    try:
        with engine.connect() as locker, locker.begin():
            # BEGIN IMMEDIATE (see configure_engine): until it ends, nobody commits.
            begin_read_only(session)
            session.execute(select(Heartbeat.id).limit(1))  # the read snapshot starts here
            peer.begin()
            peer.execute(select(Heartbeat.id).limit(1))
    except BaseException:
        peer.close()
        raise
    return peer


def _postgresql_peer(session: Session, engine: Engine) -> Connection | None:
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    if not re.fullmatch(r"[0-9A-Fa-f-]+", snapshot):
        return None
    peer = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    try:
        peer.begin()
        # A literal: SET TRANSACTION takes no parameters (the id was checked above).
        peer.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
    except BaseException:
        peer.close()
        raise
    return peer


def end_read_only(session: Session) -> None:
    """End the session's read-only transaction, if one is open, so that the next statement
    begins one that may write.

    Why: on SQLite a read-only transaction is a deferred BEGIN, and a write in it fails at once
    ("database is locked", without waiting) when another writer has committed since it read.
    """
    if session.in_transaction() and session.connection().get_execution_options().get(READ_ONLY):
        session.commit()


def write_heartbeat(session: Session) -> None:
    """Rewrite the heartbeat row (flush only); the caller's commit proves the database
    takes writes: a read-only database or a full disk fails here."""
    done = session.execute(update(Heartbeat).where(Heartbeat.id == 1).values(at=utcnow()))
    if not getattr(done, "rowcount", 0):
        session.add(Heartbeat(id=1, at=utcnow()))
    session.flush()


def log_failed_write(logger: logging.Logger, what: str, error: SQLAlchemyError) -> None:
    """Log a write the database refused: the driver's exception class and the first line of
    its message, never the statement's parameters (they hold the participant's answers).

    Why the first line only: PostgreSQL's DETAIL line can quote the failing row.
    """
    cause: BaseException = error
    if isinstance(error, DBAPIError) and error.orig is not None:
        cause = error.orig
    message = (str(cause).strip().splitlines() or [""])[0][:300]
    logger.error("%s not stored: %s: %s", what, type(cause).__name__, message)
