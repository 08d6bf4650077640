"""Which transactions a participant's submission holds, and for how long."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select

from survey_app.codes import CodeHasher, code_hasher, install_code_hasher
from survey_app.extensions import db
from survey_app.models import Response
from tests import database
from tests.conftest import CODE, link_token, log_in, needs_assessment_answers, open_training


@pytest.mark.skipif(
    database.ON_POSTGRES, reason="SQLite's database-wide write lock; PostgreSQL locks rows"
)
@pytest.mark.committed
def test_participant_code_is_hashed_while_other_participants_can_write(app, staff):
    """The code's KDF (~0.1 s) runs before the submission takes SQLite's write lock: with
    the lock held during it, a training's submissions queued behind each other's hashing."""
    training_id = open_training(log_in(app.test_client(), staff))
    token = link_token(app, training_id, "pre")
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    other_writer_waited: list[bool] = []

    class Probe(CodeHasher):
        def hash(self, training, code):  # type: ignore[no-untyped-def]
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                other_writer_waited.append(False)
            except sqlite3.OperationalError:
                other_writer_waited.append(True)
            finally:
                other.close()
            return super().hash(training, code)

    with app.app_context():
        hasher = code_hasher()
        install_code_hasher(app, Probe(hasher.pepper, hasher.time_cost, hasher.memory_kib))
    response = app.test_client().post(f"/t/{token}", data=needs_assessment_answers(**CODE))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert other_writer_waited == [False]
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response))
        assert stored == 1
