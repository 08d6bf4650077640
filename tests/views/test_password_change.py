"""Self-service password change for logged-in staff: current password, policy, CSRF, audit."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from survey_app import auth
from survey_app.extensions import db
from survey_app.models import AuditEvent, User
from tests.conftest import PASSWORD, add_account, log_in

NEW = "velvet lantern orbit 92"
EMAIL = "officer@example.org"


def change(client, current=PASSWORD, new=NEW, confirm=None, **extra):
    data = {"current": current, "new": new, "confirm": new if confirm is None else confirm}
    return client.post("/staff/password", data={**data, **extra})


def can_log_in(app, password):
    response = app.test_client().post("/staff/login", data={"email": EMAIL, "password": password})
    return response.status_code == 303


def password_is(app, password):
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.email == EMAIL))
    return auth._verify(stored, password)


def test_the_page_needs_a_login(client):
    assert "/staff/login" in client.get("/staff/password").headers["Location"]


def test_the_nav_links_to_the_page(logged_in):
    assert 'href="/staff/password"' in logged_in.get("/staff/").get_data(as_text=True)


def test_changing_the_password_keeps_this_browser_and_logs_out_the_others(app, logged_in):
    elsewhere = log_in(app.test_client(), EMAIL)
    response = change(logged_in)
    assert response.status_code == 303
    assert logged_in.get("/staff/").status_code == 200
    assert "/staff/login" in elsewhere.get("/staff/").headers["Location"]
    assert can_log_in(app, NEW)
    assert not can_log_in(app, PASSWORD)


def test_the_change_is_in_the_audit_log_without_any_password(app, logged_in):
    change(logged_in)
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.action, AuditEvent.user_email, AuditEvent.detail)
        ).all()
    assert ("password_changed", EMAIL, "") in [tuple(e) for e in events]
    assert NEW not in str(events)
    assert PASSWORD not in str(events)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"current": "not my password"}, "The current password is not right."),
        ({"new": "qwerty123456"}, "common or breached"),
        ({"new": "short one"}, "at least 12 characters"),
        ({"new": PASSWORD}, "must differ from the current one"),
        ({"confirm": "something else entirely"}, "The two new passwords differ."),
    ],
)
def test_a_refused_change_says_why_and_keeps_the_old_password(app, logged_in, kwargs, message):
    response = change(logged_in, **kwargs)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert can_log_in(app, PASSWORD)


def test_a_post_without_the_csrf_token_changes_nothing(make_app, fast_password_hashing):
    app = make_app(csrf_enabled=True)
    add_account(app, EMAIL, "staff")
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    data = {"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    assert client.post("/staff/login", data=data).status_code == 303
    assert change(client).status_code == 400
    assert password_is(app, PASSWORD)
    page = client.get("/staff/password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    assert change(client, csrf_token=token).status_code == 303
    assert password_is(app, NEW)


def test_password_managers_are_told_which_field_is_which(logged_in):
    page = logged_in.get("/staff/password").get_data(as_text=True)
    assert re.search(r'autocomplete="current-password"[^>]*name="current"', page)
    assert len(re.findall(r'autocomplete="new-password"', page)) == 2
