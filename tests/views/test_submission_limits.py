"""Submission limits (M2): a room behind one address gets through, a script does not."""

from __future__ import annotations

import datetime as dt
import hashlib
import time

import pytest
from sqlalchemy import func, select

from survey_app import throttle
from survey_app.extensions import db
from survey_app.models import Response, SubmissionAttempt
from survey_app.throttle import client_key
from tests.conftest import (
    CODE,
    NEEDS,
    add_account,
    link_token,
    log_in,
    needs_assessment_answers,
    open_training,
)

VENUE = "203.0.113.7"
URL = f"/q/{NEEDS}"


def post_from(client, url, address, **overrides):
    """Post a complete needs assessment (with a personal code for a training link)."""
    data = needs_assessment_answers(**overrides)
    if url.startswith("/t/"):
        data.update(CODE)
    return client.post(url, data=data, environ_base={"REMOTE_ADDR": address})


def test_a_room_of_fifty_behind_one_address_all_get_through(app, logged_in, stored):
    """50 participants on a venue's Wi-Fi submit through their link within two minutes."""
    training_id = open_training(logged_in)
    url = f"/t/{link_token(app, training_id, 'pre')}"
    started = time.monotonic()
    statuses = [post_from(app.test_client(), url, VENUE).status_code for _ in range(50)]
    assert time.monotonic() - started < 120
    assert statuses == [303] * 50
    assert len(stored()) == 50


@pytest.mark.parametrize("target", ["link", "open questionnaire"])
def test_a_script_sending_200_in_5_seconds_is_stopped_early(app, logged_in, stored, target):
    url = URL
    if target == "link":
        url = f"/t/{link_token(app, open_training(logged_in), 'pre')}"
    client = app.test_client()
    started = time.monotonic()
    statuses = [post_from(client, url, VENUE).status_code for _ in range(200)]
    assert time.monotonic() - started < 30  # the script's pace is its own; here as fast as we can
    assert statuses == [303] * 60 + [429] * 140
    assert len(stored()) == 60


def test_the_limited_page_says_how_long_to_wait_and_gives_the_answers_back(make_app):
    app = make_app(submission_limit_per_address=1)
    client = app.test_client()
    assert post_from(client, URL, VENUE).status_code == 303
    response = post_from(client, URL, VENUE, q_comments="My second answer")
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many answers have been sent from your network" in page
    assert "They are kept on this device" in page
    assert "Wait time: 10 min." in page
    assert 599 <= int(response.headers["Retry-After"]) <= 600
    assert "My second answer" in page
    assert 'data-answers="server"' in page


def stored_count(app):
    """Responses stored, as the app itself sees them (on PostgreSQL each app has its own
    rolled-back transaction)."""
    with app.app_context():
        return db.session.scalar(select(func.count(Response.id)))


def test_other_addresses_still_get_through_while_one_is_limited(make_app):
    app = make_app(submission_limit_per_address=2)
    client = app.test_client()
    assert [post_from(client, URL, VENUE).status_code for _ in range(3)] == [303, 303, 429]
    assert post_from(client, URL, "198.51.100.1").status_code == 303
    assert stored_count(app) == 3


def test_one_ipv6_network_counts_as_one_address(make_app):
    app = make_app(submission_limit_per_address=2)
    client = app.test_client()
    statuses = [post_from(client, URL, f"2001:db8:1:2::{n:x}").status_code for n in range(1, 4)]
    assert statuses == [303, 303, 429]
    assert post_from(client, URL, "2001:db8:1:3::1").status_code == 303


def test_the_form_limit_holds_against_many_addresses(make_app, fast_password_hashing):
    limited = make_app(submission_limit_per_form=3)
    staff = limited.test_client()
    log_in(staff, add_account(limited, "officer@example.org", "staff"))
    training_id = open_training(staff)
    url = f"/t/{link_token(limited, training_id, 'pre')}"
    client = limited.test_client()
    statuses = [post_from(client, url, f"192.0.2.{n}").status_code for n in range(1, 5)]
    assert statuses == [303, 303, 303, 429]
    # Another form is counted on its own.
    assert post_from(client, URL, "192.0.2.9").status_code == 303


def test_a_repeated_submission_at_the_limit_is_still_acknowledged(make_app):
    app = make_app(submission_limit_per_address=1)
    client = app.test_client()
    data = needs_assessment_answers()
    first = client.post(URL, data=data, environ_base={"REMOTE_ADDR": VENUE})
    again = client.post(URL, data=data, environ_base={"REMOTE_ADDR": VENUE})
    assert (first.status_code, again.status_code) == (303, 303)
    assert stored_count(app) == 1


def test_the_limit_lifts_as_the_window_passes_and_old_rows_go(make_app, monkeypatch):
    app = make_app(submission_limit_per_address=2, submission_limit_window_minutes=10)
    client = app.test_client()
    assert [post_from(client, URL, VENUE).status_code for _ in range(3)] == [303, 303, 429]
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert post_from(client, URL, VENUE).status_code == 303
    with app.app_context():
        assert len(db.session.scalars(select(SubmissionAttempt)).all()) == 1


def test_the_database_keeps_a_keyed_hash_never_the_address(app, client):
    assert post_from(client, URL, VENUE).status_code == 303
    with app.app_context():
        [row] = db.session.scalars(select(SubmissionAttempt)).all()
        assert VENUE not in (row.client_key + row.form_key)
        assert row.client_key != hashlib.sha256(VENUE.encode()).hexdigest()
        assert row.client_key == client_key(VENUE, app.config["SECRET_KEY"])
        assert row.client_key != client_key(VENUE, "another secret")
        assert row.form_key == f"questionnaire:{NEEDS}"


def test_limits_set_to_zero_count_nothing(make_app):
    app = make_app(submission_limit_per_address=0, submission_limit_per_form=0)
    client = app.test_client()
    assert [post_from(client, URL, VENUE).status_code for _ in range(3)] == [303] * 3
    with app.app_context():
        assert db.session.scalars(select(SubmissionAttempt)).all() == []
