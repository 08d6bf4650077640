"""Engine tuning: SQLite writers queue for the lock; a report reads one snapshot and holds
up no writer."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from survey_app.database import begin_read_only, configure_engine
from survey_app.extensions import db
from survey_app.models import Response
from tests import database


def a_response(token: str) -> dict[str, object]:
    return {
        "questionnaire_id": "q",
        "definition_hash": "h",
        "submitted_at": dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        "language": "en",
        "submission_token": token,
        "answers_digest": "d",
    }


@pytest.fixture
def engines(app):
    """Two engines on the app's SQLite file, as two gunicorn workers have; short lock waits."""
    made = []
    for _ in range(2):
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        configure_engine(engine, busy_timeout_seconds=0.2)
        made.append(engine)
    yield made
    for engine in made:
        engine.dispose()


@pytest.mark.skipif(
    database.ON_POSTGRES, reason="SQLite's locking; PostgreSQL readers never block writers"
)
@pytest.mark.parametrize("reading", [True, False])
def test_a_writer_goes_on_while_a_report_reads_but_not_while_a_writer_holds_the_lock(
    engines, reading
):
    reader_engine, writer_engine = engines
    with Session(reader_engine) as reader, Session(writer_engine) as writer:
        if reading:
            begin_read_only(reader)
        assert reader.scalar(select(func.count()).select_from(Response)) == 0
        if not reading:
            # An ordinary transaction holds the write lock from its first query on.
            with pytest.raises(OperationalError, match="database is locked"):
                writer.execute(insert(Response), [a_response("w")])
            return
        writer.execute(insert(Response), [a_response("w")])
        writer.commit()
        # The report still reads its snapshot; the next transaction sees the new row.
        assert reader.scalar(select(func.count()).select_from(Response)) == 0
        reader.commit()
        assert reader.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.committed
def test_a_report_reads_one_snapshot_while_participants_submit(app):
    """Each of a report's queries must count the same responses, or totals and parts differ."""
    with app.app_context():
        engine = db.engine
    with Session(engine) as report, Session(engine) as participant:
        begin_read_only(report)
        count = select(func.count()).select_from(Response)
        assert report.scalar(count) == 0
        participant.execute(insert(Response), [a_response("during the report")])
        participant.commit()
        assert report.scalar(count) == 0
        report.commit()
        assert report.scalar(count) == 1
