"""M5: a database that reads but cannot write (read-only, disk full) is not ready; the failed
write is logged with its cause (never the answers) and the participant keeps the answers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select

from survey_app.extensions import db
from survey_app.models import Heartbeat
from survey_app.views import health
from tests.conftest import NEEDS
from tests.views.test_db_outage import assert_answers_back

#: Real connections, so that each can be made read-only (on PostgreSQL, see tests/database.py).
pytestmark = pytest.mark.committed

KEPT = "They are kept on this device and below"
SECRET_ANSWER = "My private remark about the facilitator"


@pytest.fixture(autouse=True)
def fresh_readiness(monkeypatch):
    """Every /readyz writes (the one-second cache is tested on its own)."""
    monkeypatch.setattr(health, "READY_CACHE_SECONDS", 0.0)


@pytest.fixture
def read_only_app(app: Flask, make_app: Any, settings: Any) -> Iterator[Flask]:
    """The app on a database that can be read but not written: on SQLite the file opened
    read-only (`mode=ro`), on PostgreSQL every transaction READ ONLY."""
    if settings.database_url.startswith("sqlite:///"):
        path = settings.database_url.removeprefix("sqlite:///")
        yield make_app(committed=True, database_url=f"sqlite:///file:{path}?mode=ro&uri=true")
        return
    with app.app_context():
        engine = db.engine

    def read_only(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET default_transaction_read_only = on")
        dbapi_connection.commit()

    event.listen(engine, "connect", read_only)
    engine.dispose()
    try:
        yield app
    finally:
        event.remove(engine, "connect", read_only)
        engine.dispose()


@contextmanager
def disk_full(app: Flask) -> Iterator[None]:
    """The disk is full under every INSERT and UPDATE, as SQLite (or PostgreSQL) reports it."""

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(("INSERT", "UPDATE")):
            if conn.dialect.name == "sqlite":
                raise conn.dialect.loaded_dbapi.OperationalError("database or disk is full")
            from psycopg.errors import DiskFull

            raise DiskFull("could not extend file: No space left on device")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def test_readyz_commits_a_heartbeat(app, client):
    first = client.get("/readyz")
    assert (first.status_code, first.json) == (200, {"status": "ok", "app": "ok", "database": "ok"})
    with app.app_context():
        before = db.session.scalar(select(Heartbeat.at).where(Heartbeat.id == 1))
    assert client.get("/readyz").status_code == 200
    with app.app_context():
        [(row_id, after)] = db.session.execute(select(Heartbeat.id, Heartbeat.at)).all()
    assert row_id == 1
    assert after >= before


def test_read_only_database_is_live_and_readable_but_not_ready(read_only_app, answers, caplog):
    client = read_only_app.test_client()
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code == 200  # reads still work
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json["status"] == "unavailable"

    posted = answers(q_comments=SECRET_ANSWER)
    with caplog.at_level(logging.ERROR):
        response = client.post(f"/q/{NEEDS}", data=posted)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert KEPT in page
    assert_answers_back(page, posted)
    failures = [r.getMessage() for r in caplog.records if "Submission not stored" in r.getMessage()]
    assert len(failures) == 1
    assert "read" in failures[0].lower()  # "attempt to write a readonly database" / "read-only"
    assert SECRET_ANSWER not in caplog.text


def test_full_disk_makes_readyz_503_and_a_submission_503_with_the_cause_logged(
    app, client, answers, caplog, stored
):
    posted = answers(q_comments=SECRET_ANSWER)
    with disk_full(app), caplog.at_level(logging.ERROR):
        ready = client.get("/readyz")
        response = client.post(f"/q/{NEEDS}", data=posted)
    assert ready.status_code == 503
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert KEPT in page
    assert_answers_back(page, posted)
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("Readiness heartbeat not stored:") for m in messages)
    [failure] = [m for m in messages if m.startswith("Submission not stored:")]
    assert "disk is full" in failure or "No space left" in failure
    assert SECRET_ANSWER not in caplog.text
    assert stored() == []
    assert client.get("/readyz").status_code == 200  # space again


def test_an_unexpected_write_error_is_logged_without_the_answers(app, client, answers, caplog):
    """A bug (here a CHECK constraint) is still a 500, but its log names the cause only."""

    def break_it(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.startswith("INSERT INTO answers"):
            raise conn.dialect.loaded_dbapi.IntegrityError("CHECK constraint failed: has_value")

    app.config["PROPAGATE_EXCEPTIONS"] = False  # a 500 page, as in production
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", break_it)
    try:
        with caplog.at_level(logging.ERROR):
            response = client.post(f"/q/{NEEDS}", data=answers(q_comments=SECRET_ANSWER))
    finally:
        event.remove(engine, "before_cursor_execute", break_it)
    assert response.status_code == 500
    assert "Submission not stored: IntegrityError: CHECK constraint failed" in caplog.text
    assert SECRET_ANSWER not in caplog.text  # nor in Flask's traceback of the 500


def test_a_flood_of_readiness_probes_writes_once_a_second_per_worker(app, client, monkeypatch):
    """/readyz is public: probes must not turn into as many writes."""
    monkeypatch.setattr(health, "READY_CACHE_SECONDS", 1.0)
    writes: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(("UPDATE heartbeats", "INSERT INTO heartbeats")):
            writes.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        statuses = [client.get("/readyz").status_code for _ in range(20)]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert statuses == [200] * 20
    assert 1 <= len(writes) <= 2 * 2  # an UPDATE (and the first INSERT) per second at most
