"""Parallel wrong passwords on real connections: the lockout counts every one of them."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from survey_app import auth
from survey_app.auth import MAX_FAILURES_PER_ACCOUNT, create_user
from survey_app.extensions import db
from survey_app.models import LoginFailure

EMAIL = "officer@example.org"
ATTEMPTS = 12
WRONG = "The email or password is not right."
LOCKED = "Too many failed attempts."


@pytest.mark.committed
def test_twelve_parallel_wrong_passwords_check_only_five(app, fast_password_hashing, monkeypatch):
    """Each attempt runs in its own thread and database connection; the real argon2 check
    takes a while, which the slow verify below stands for (it widens the race, not the fix)."""
    with app.app_context():
        create_user(db.session(), EMAIL, "correct horse battery staple", "staff")
        db.session.commit()
    checked = []
    verify = auth._verify

    def slow_verify(password_hash, password):
        checked.append(threading.get_ident())
        time.sleep(0.2)
        return verify(password_hash, password)

    monkeypatch.setattr(auth, "_verify", slow_verify)
    start = threading.Barrier(ATTEMPTS)

    def attempt(_):
        client = app.test_client()
        start.wait(timeout=10)
        response = client.post("/staff/login", data={"email": EMAIL, "password": "nope nope"})
        return response.get_data(as_text=True)

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        pages = list(pool.map(attempt, range(ATTEMPTS)))

    assert sum(WRONG in page for page in pages) == MAX_FAILURES_PER_ACCOUNT
    assert sum(LOCKED in page for page in pages) == ATTEMPTS - MAX_FAILURES_PER_ACCOUNT
    assert len(checked) == MAX_FAILURES_PER_ACCOUNT
    with app.app_context():
        stored = db.session.scalar(select(func.count(LoginFailure.id)))
    assert stored == MAX_FAILURES_PER_ACCOUNT
