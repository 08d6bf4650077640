"""Submission bursts (M2): staff see a run of responses in quick succession and can void it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from survey_app.bursts import find_bursts
from survey_app.content import registry
from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Response
from survey_app.responses import new_submission_token, record_submission
from survey_app.trainings import Placement
from tests.conftest import (
    NEEDS,
    PASSWORD,
    add_account,
    new_training,
    open_training,
)

T0 = dt.datetime(2027, 1, 15, 9, 0, tzinfo=dt.UTC)


def add_responses(app, training_id, phase, times):
    """Store one response per time through the service, stamped with that time; their ids."""
    ids = []
    with app.app_context():
        loaded = registry().questionnaire(NEEDS)
        for at in times:
            record_submission(
                db.session(),
                loaded,
                {"comments": "x", "years_experience": 3},
                new_submission_token(),
                "en",
                Placement(training_id, phase, None),
            )
            rid = db.session.scalar(select(func.max(Response.id)))
            db.session.execute(update(Response).where(Response.id == rid).values(submitted_at=at))
            ids.append(rid)
        db.session.commit()
    return ids


def seconds_apart(start, n, step):
    return [start + dt.timedelta(seconds=step * i) for i in range(n)]


@pytest.fixture
def scripted(app, logged_in):
    """A training with a room of 50 two and a half seconds apart, then a script's 30 in 3 s."""
    training_id = open_training(logged_in)
    room = add_responses(app, training_id, "pre", seconds_apart(T0, 50, 2.5))
    script = add_responses(
        app, training_id, "pre", seconds_apart(T0 + dt.timedelta(hours=1), 30, 0.1)
    )
    return training_id, room, script


def response_ids(app, training_id):
    with app.app_context():
        stmt = select(Response.id).where(Response.training_id == training_id)
        return set(db.session.scalars(stmt))


def test_only_the_script_is_a_burst(app, scripted):
    training_id, _room, script = scripted
    with app.app_context():
        [burst] = find_bursts(db.session(), training_id)
    assert burst.response_ids == tuple(script)
    assert (burst.phase, burst.count, burst.seconds) == ("pre", 30, pytest.approx(2.9))


def test_short_runs_and_slow_ones_are_no_burst(app, logged_in):
    training_id = open_training(logged_in)
    add_responses(app, training_id, "pre", seconds_apart(T0, 9, 0.1))
    add_responses(app, training_id, "post", seconds_apart(T0, 20, 2.5))
    with app.app_context():
        assert find_bursts(db.session(), training_id) == ()


def test_the_dashboard_lists_the_burst_with_a_link_to_void_it(logged_in, scripted):
    training_id, _room, script = scripted
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert "Submission bursts" in page
    assert f'data-burst="pre-{script[0]}-{script[-1]}"' in page
    assert f"/staff/trainings/{training_id}/bursts/pre/{script[0]}-{script[-1]}" in page


def test_voiding_needs_the_box_ticked_then_deletes_only_the_burst_and_logs_it(
    app, logged_in, scripted
):
    training_id, room, script = scripted
    url = f"/staff/trainings/{training_id}/bursts/pre/{script[0]}-{script[-1]}"
    review = logged_in.get(url)
    assert review.status_code == 200
    assert "30 responses" in review.get_data(as_text=True)

    unconfirmed = logged_in.post(url, data={})
    assert unconfirmed.status_code == 422
    assert "Nothing was voided" in unconfirmed.get_data(as_text=True)
    assert response_ids(app, training_id) == set(room) | set(script)

    voided = logged_in.post(url, data={"confirm": "y"})
    assert voided.status_code == 303
    assert response_ids(app, training_id) == set(room)
    with app.app_context():
        assert (
            db.session.scalar(select(func.count(Answer.id)).where(Answer.response_id.in_(script)))
            == 0
        )
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "responses_voided")
        ).all()
        assert event.user_email == "officer@example.org"
        assert f"#{training_id} pre burst" in event.detail
        assert "30 responses" in event.detail
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert "Voided 30 responses" in page
    assert "Submission bursts" not in page


def test_a_burst_that_changed_since_it_was_listed_is_not_voided(app, logged_in, scripted):
    training_id, room, script = scripted
    url = f"/staff/trainings/{training_id}/bursts/pre/{script[0]}-{script[-2]}"
    response = logged_in.post(url, data={"confirm": "y"}, follow_redirects=True)
    assert "nothing was voided" in response.get_data(as_text=True)
    assert response_ids(app, training_id) == set(room) | set(script)


def test_voiding_needs_a_login_and_a_csrf_token(make_app, fast_password_hashing):
    protected = make_app(csrf_enabled=True)
    add_account(protected, "officer@example.org", "staff")
    client = protected.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    login = {"email": "officer@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/staff/login", data=login).status_code == 303
    page = client.get("/staff/trainings/new").get_data(as_text=True)  # a new session, a new token
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    training_id = new_training(client, csrf_token=token)
    script = add_responses(protected, training_id, "pre", seconds_apart(T0, 12, 0.1))
    url = f"/staff/trainings/{training_id}/bursts/pre/{script[0]}-{script[-1]}"

    anonymous = protected.test_client().post(url, data={"confirm": "y", "csrf_token": token})
    assert anonymous.status_code in (302, 400)
    assert client.post(url, data={"confirm": "y"}).status_code == 400
    assert response_ids(protected, training_id) == set(script)
    assert client.post(url, data={"confirm": "y", "csrf_token": token}).status_code == 303
    assert response_ids(protected, training_id) == set()


def test_voiding_is_for_logged_in_staff_only(client, app, logged_in, scripted):
    training_id, _room, script = scripted
    url = f"/staff/trainings/{training_id}/bursts/pre/{script[0]}-{script[-1]}"
    anonymous = app.test_client().post(url, data={"confirm": "y"})
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/staff/login")
    assert len(response_ids(app, training_id)) == 80
