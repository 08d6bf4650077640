"""Staff login over HTTP: messages, CSRF, lockout, session renewal, logout, roles, cookies."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from flask import Flask
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from survey_app.auth import (
    MAX_FAILURES_PER_ACCOUNT,
    MAX_FAILURES_PER_ADDRESS,
    admin_required,
    create_user,
)
from survey_app.extensions import db
from survey_app.models import AuditEvent, LoginFailure, User

PASSWORD = "correct horse battery staple"
STAFF = "officer@example.org"
ADMIN = "admin@example.org"
WRONG = "The email or password is not right."
LOCKED = "Too many failed attempts. Wait 15 minutes and try again."

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture
def accounts(app):
    with app.app_context():
        create_user(db.session(), STAFF, PASSWORD, "staff")
        create_user(db.session(), ADMIN, PASSWORD, "admin")
        db.session.commit()


def login(client, email=STAFF, password=PASSWORD):
    return client.post("/staff/login", data={"email": email, "password": password})


def is_sent_to_login(response):
    return response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


@pytest.fixture
def make_staff_app(make_app):
    """Builds an app with other settings and the staff account in its database."""

    def build(**overrides):
        app = make_app(**overrides)
        with app.app_context():
            create_user(db.session(), STAFF, PASSWORD, "staff")
            db.session.commit()
        return app

    return build


@pytest.fixture
def csrf_app(make_staff_app):
    return make_staff_app(csrf_enabled=True)


# --- messages and counting ---------------------------------------------------------------


def test_right_password_logs_in_and_records_it(app, client, accounts):
    response = login(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        assert db.session.scalars(select(AuditEvent.action)).all() == ["login"]


def test_wrong_password_and_unknown_email_get_the_same_answer_and_both_count(app, client, accounts):
    wrong_password = login(client, password="wrong password!")
    unknown_email = login(client, email="nobody@example.org")
    for response in (wrong_password, unknown_email):
        assert response.status_code == 401
        assert WRONG in response.get_data(as_text=True)
    assert is_sent_to_login(client.get("/staff/"))
    with app.app_context():
        emails = db.session.scalars(select(LoginFailure.email).order_by(LoginFailure.id)).all()
        assert emails[0] == STAFF
        assert emails[1].startswith("unknown:")
        assert db.session.scalars(select(AuditEvent.action)).all() == ["login_failed"] * 2


def test_a_password_typed_as_email_is_kept_nowhere(app, client, accounts):
    """The audit log names the account a failure was for, or says it named none."""
    login(client, email="Tr0ub4dor&3 horse")
    login(client, email=STAFF, password="wrong password!")
    with app.app_context():
        events = db.session.execute(
            select(AuditEvent.user_id, AuditEvent.user_email, AuditEvent.detail).order_by(
                AuditEvent.id
            )
        ).all()
        stored = " ".join(
            str(value)
            for table in (AuditEvent, LoginFailure)
            for row in db.session.execute(select(table)).scalars()
            for value in vars(row).values()
        )
        staff_id = db.session.scalar(select(User.id).where(User.email == STAFF))
    assert "tr0ub4dor" not in stored.lower()
    assert [tuple(e) for e in events] == [(None, "", "unknown account"), (staff_id, STAFF, "")]


def test_login_without_csrf_token_is_refused_and_logs_nobody_in(csrf_app):
    client = csrf_app.test_client()
    response = login(client)
    assert response.status_code == 400
    assert is_sent_to_login(client.get("/staff/"))


def test_login_with_csrf_token_from_the_form_works(csrf_app):
    client = csrf_app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    response = client.post(
        "/staff/login", data={"email": STAFF, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, accounts):
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert login(client, password="wrong password!").status_code == 401
    response = login(client)
    assert response.status_code == 401
    assert LOCKED in response.get_data(as_text=True)
    assert is_sent_to_login(client.get("/staff/"))


def test_twenty_failures_from_one_address_lock_it_but_not_other_addresses(app, accounts):
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    for i in range(MAX_FAILURES_PER_ADDRESS):
        assert login(attacker, email=f"guess{i}@example.org").status_code == 401
    response = login(attacker)
    assert LOCKED in response.get_data(as_text=True)
    colleague = app.test_client()
    colleague.environ_base["REMOTE_ADDR"] = "192.0.2.67"
    assert login(colleague).status_code == 303


def test_deactivated_user_cannot_log_in(app, client, accounts):
    with app.app_context():
        db.session.scalar(select(User).where(User.email == STAFF)).active = False
        db.session.commit()
    response = login(client)
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)


def test_deactivating_a_logged_in_user_ends_their_session(app, client, accounts):
    login(client)
    with app.app_context():
        db.session.scalar(select(User).where(User.email == STAFF)).active = False
        db.session.commit()
    assert is_sent_to_login(client.get("/staff/"))


# --- session: renewal, logout, replay, lifetime, cookie flags ------------------------------


def test_login_starts_a_new_session(client, accounts):
    """Nothing planted in the session before login survives it (session fixation)."""
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    planted_cookie = client.get_cookie("session").value
    login(client)
    assert client.get_cookie("session").value != planted_cookie
    with client.session_transaction() as after:
        assert "planted" not in after
        assert "_user_id" in after


def test_logout_sends_staff_pages_back_to_login(client, accounts):
    login(client)
    response = client.post("/staff/logout")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/login"
    assert client.get_cookie("session") is None
    assert is_sent_to_login(client.get("/staff/"))


def test_a_copy_of_the_session_cookie_stops_working_at_logout(app, client, accounts):
    """Flask's session is a signed cookie: logout must invalidate copies, not just clear it."""
    login(client)
    copy = client.get_cookie("session").value
    client.post("/staff/logout")
    replay = app.test_client()
    replay.set_cookie("session", copy)
    assert is_sent_to_login(replay.get("/staff/"))
    assert is_sent_to_login(replay.post("/staff/trainings/new", data={"title": "x"}))


def test_logout_ends_the_users_sessions_in_other_browsers_too(app, client, accounts):
    login(client)
    laptop = app.test_client()
    login(laptop)
    client.post("/staff/logout")
    assert is_sent_to_login(laptop.get("/staff/"))
    assert login(laptop).status_code == 303
    assert laptop.get("/staff/").status_code == 200


def test_logout_does_not_end_other_users_sessions(app, client, accounts):
    login(client)
    admin = app.test_client()
    login(admin, email=ADMIN)
    client.post("/staff/logout")
    assert admin.get("/staff/").status_code == 200


def test_session_cookie_older_than_the_lifetime_is_refused(client, accounts, monkeypatch):
    login(client)
    assert client.get("/staff/").status_code == 200
    later = int(dt.datetime.now(dt.UTC).timestamp()) + 12 * 3600 + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    assert is_sent_to_login(client.get("/staff/"))


def test_session_cookie_is_httponly_and_samesite_lax(client, accounts):
    cookie = login(client).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP in tests; see the next test


def test_session_cookie_is_secure_when_served_over_https(make_staff_app):
    app = make_staff_app(secure_cookies=True)
    cookie = login(app.test_client()).headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_session_and_remember_cookies_share_the_hardening(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(hours=12)
    assert app.config["REMEMBER_COOKIE_DURATION"] == dt.timedelta(hours=12)
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


# --- roles ---------------------------------------------------------------------------------


@pytest.fixture
def admin_page(app: Flask) -> str:
    app.add_url_rule("/staff/admin-probe", "admin_probe", admin_required(lambda: "admins only"))
    return "/staff/admin-probe"


def test_admin_required_gives_403_to_staff(client, accounts, admin_page):
    login(client)
    assert client.get(admin_page).status_code == 403


def test_admin_required_lets_admins_in(client, accounts, admin_page):
    login(client, email=ADMIN)
    response = client.get(admin_page)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "admins only"


def test_admin_required_sends_anonymous_visitors_to_login(client, admin_page):
    assert is_sent_to_login(client.get(admin_page))
