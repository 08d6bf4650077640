"""Accounts: one-time reset links, deactivation behind a confirmation, last login shown."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select, update

from survey_app.accounts import token_hash
from survey_app.extensions import db
from survey_app.models import AuditEvent, PasswordReset, User
from tests.conftest import PASSWORD, log_in

NEW_PASSWORD = "violet harbour lantern 42"


def user_id(app, email):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def reset_link(admin_client, uid) -> str:
    page = admin_client.post(f"/staff/users/{uid}/reset-link").get_data(as_text=True)
    (path,) = re.findall(r'value="https?://[^/"]+(/staff/reset/[^"]+)"', page)
    return path


def audit(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == action)
        ).all()


def test_reset_link_sets_a_new_password_once_and_ends_sessions(app, admin_client, logged_in, staff):
    path = reset_link(admin_client, user_id(app, staff))
    assert audit(app, "password_reset_link") == [staff]
    with app.app_context():
        stored = db.session.scalars(select(PasswordReset.token_hash)).all()
    token = path.rsplit("/", 1)[1]
    assert stored == [token_hash(token)]  # only the hash is stored
    visitor = app.test_client()
    assert visitor.get(path).status_code == 200
    response = visitor.post(path, data={"new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert logged_in.get("/staff/").status_code == 302  # the old session ended
    again = app.test_client().post("/staff/login", data={"email": staff, "password": NEW_PASSWORD})
    assert again.status_code == 303
    old = app.test_client().post("/staff/login", data={"email": staff, "password": PASSWORD})
    assert old.status_code == 401
    assert visitor.get(path).status_code == 404  # single use
    reused = visitor.post(
        path, data={"new": "another long pass 77", "confirm": "another long pass 77"}
    )
    assert reused.status_code == 404
    assert len(audit(app, "password_reset")) == 1


def test_expired_or_replaced_links_do_not_work(app, admin_client, staff):
    uid = user_id(app, staff)
    first = reset_link(admin_client, uid)
    second = reset_link(admin_client, uid)
    assert app.test_client().get(first).status_code == 404  # replaced by the newer link
    with app.app_context():
        db.session.execute(
            update(PasswordReset).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(1))
        )
        db.session.commit()
    assert app.test_client().get(second).status_code == 404
    assert app.test_client().get("/staff/reset/" + "x" * 43).status_code == 404


def test_reset_refuses_a_weak_password_and_keeps_the_link(app, admin_client, staff):
    path = reset_link(admin_client, user_id(app, staff))
    visitor = app.test_client()
    response = visitor.post(path, data={"new": "password", "confirm": "password"})
    assert response.status_code == 422
    assert visitor.get(path).status_code == 200


def test_reset_link_needs_csrf(make_app, fast_password_hashing):
    from tests.conftest import add_account

    app = make_app(csrf_enabled=True)
    add_account(app, "admin@example.org", "admin")
    add_account(app, "officer@example.org", "staff")
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/staff/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": csrf},
    )
    assert (
        client.post(f"/staff/users/{user_id(app, 'officer@example.org')}/reset-link").status_code
        == 400
    )


def test_deactivation_asks_for_confirmation(app, admin_client, staff):
    uid = user_id(app, staff)
    page = admin_client.get("/staff/users").get_data(as_text=True)
    assert f'href="/staff/users/{uid}/active"' in page
    confirm = admin_client.get(f"/staff/users/{uid}/active").get_data(as_text=True)
    assert f"Deactivate {staff}?" in confirm
    assert "logged out at once" in confirm
    with app.app_context():
        assert db.session.get(User, uid).active  # looking at the page changes nothing


def test_users_page_shows_last_login(app, admin_client, staff):
    page = admin_client.get("/staff/users").get_data(as_text=True)
    assert "never" in page
    log_in(app.test_client(), staff)
    with app.app_context():
        last = db.session.scalar(select(User.last_login_at).where(User.email == staff))
    assert last is not None
    page = admin_client.get("/staff/users").get_data(as_text=True)
    row = page[page.index(f'data-user="{staff}"') :].split("</tr>")[0]
    assert "never" not in row
    assert re.search(r'<time datetime="[^"]+\+00:00" data-local-time>', row)
