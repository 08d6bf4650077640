"""Deleting a training's responses, the audit log and staff accounts (admin only)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Response, User
from tests.conftest import (
    CODE,
    PASSWORD,
    add_account,
    log_in,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

TITLE = "Regional workshop, Putrajaya"


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(select(func.count(Response.id))),
            db.session.scalar(select(func.count(Answer.id))),
        )


def audit_events(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == action).order_by(AuditEvent.id)
        ).all()


def training_with_responses(app, client):
    training_id = open_training(client)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    return training_id


def test_delete_page_asks_for_the_title_and_says_how_many(app, logged_in):
    training_id = training_with_responses(app, logged_in)
    page = logged_in.get(f"/staff/trainings/{training_id}/delete-responses").get_data(as_text=True)
    assert "all 2 responses" in page
    assert "type the training's title exactly" in page
    assert TITLE in page


def test_wrong_or_missing_confirmation_deletes_nothing(app, logged_in):
    training_id = training_with_responses(app, logged_in)
    before = counts(app)
    assert before[0] == 2
    assert before[1] > 2
    url = f"/staff/trainings/{training_id}/delete-responses"
    for typed in ("DELETE", TITLE.lower(), TITLE[:-1], ""):
        response = logged_in.post(url, data={"confirmation": typed})
        assert response.status_code == 422
        assert "Nothing was deleted" in response.get_data(as_text=True)
    assert counts(app) == before
    assert audit_events(app, "responses_deleted") == []


def test_exact_title_deletes_responses_with_their_answers_and_is_audited(app, logged_in):
    training_id = training_with_responses(app, logged_in)
    other_id = training_with_responses(app, logged_in)
    response = logged_in.post(
        f"/staff/trainings/{training_id}/delete-responses", data={"confirmation": f" {TITLE} "}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/trainings/{training_id}")
    page = logged_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Deleted 2 responses and their answers" in page
    assert 'data-figure="pre">0<' in page
    with app.app_context():
        left = db.session.scalars(select(Response.training_id)).all()
        orphans = db.session.scalar(
            select(func.count(Answer.id)).where(Answer.response_id.not_in(select(Response.id)))
        )
    assert left == [other_id, other_id]  # the other training keeps its responses
    assert orphans == 0
    assert audit_events(app, "responses_deleted") == [f"#{training_id} 2 responses"]


def test_deletion_needs_the_csrf_token(app, settings, logged_in):
    training_id = training_with_responses(app, logged_in)
    app.config["WTF_CSRF_ENABLED"] = True
    response = logged_in.post(
        f"/staff/trainings/{training_id}/delete-responses", data={"confirmation": TITLE}
    )
    assert response.status_code == 400
    assert counts(app)[0] == 2


def test_audit_log_is_for_admins_only(logged_in):
    assert logged_in.get("/staff/audit").status_code == 403
    assert logged_in.get("/staff/users").status_code == 403


def test_audit_log_lists_logins_training_changes_exports_newest_first(app, logged_in, admin):
    training_id = open_training(logged_in)
    logged_in.post(f"/staff/trainings/{training_id}/export.csv")
    admin_client = log_in(app.test_client(), admin)
    page = admin_client.get("/staff/audit").get_data(as_text=True)
    actions = re.findall(r"<td>(login|export|training_\w+)</td>", page)
    assert actions == ["login", "export", "training_status", "training_created", "login"]
    assert "officer@example.org" in page
    assert f"#{training_id} csv pre text=no" in page
    assert "127.0.0.1" in page


def test_audit_log_pages_by_fifty(app, admin_client):
    with app.app_context():
        for i in range(60):
            db.session.add(AuditEvent(user_email="x@example.org", action="test", detail=f"e{i}"))
        db.session.commit()
    first = admin_client.get("/staff/audit").get_data(as_text=True)
    assert first.count("<td>test</td>") == 50
    assert "e59" in first
    assert "e0<" not in first
    assert 'href="/staff/audit?page=2"' in first
    second = admin_client.get("/staff/audit?page=2").get_data(as_text=True)
    assert "e0<" in second
    assert 'href="/staff/audit?page=1"' in second
    assert 'rel="next"' not in second
    assert admin_client.get("/staff/audit?page=0").status_code == 200
    assert admin_client.get("/staff/audit?page=x").status_code == 200


def test_admin_creates_an_account_that_can_log_in(app, admin_client):
    response = admin_client.post(
        "/staff/users",
        data={"email": "New@Example.org", "role": "staff", "password": PASSWORD},
    )
    assert response.status_code == 303
    assert "Account created for new@example.org" in admin_client.get("/staff/users").get_data(
        as_text=True
    )
    log_in(app.test_client(), "new@example.org")
    assert audit_events(app, "user_created") == ["new@example.org (staff)"]


def test_account_rules_are_those_of_create_user(app, admin_client, staff):
    short = admin_client.post(
        "/staff/users", data={"email": "a@example.org", "role": "staff", "password": "short"}
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.get_data(as_text=True)
    common = admin_client.post(
        "/staff/users", data={"email": "a@example.org", "role": "staff", "password": "1q2w3e4r5t6y"}
    )
    assert common.status_code == 422
    assert "common or breached" in common.get_data(as_text=True)
    taken = admin_client.post(
        "/staff/users", data={"email": staff, "role": "admin", "password": PASSWORD}
    )
    assert taken.status_code == 422
    assert "there is already an account" in taken.get_data(as_text=True)
    bad_role = admin_client.post(
        "/staff/users", data={"email": "b@example.org", "role": "root", "password": PASSWORD}
    )
    assert bad_role.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2


def test_deactivated_account_is_logged_out_and_cannot_log_in_until_reactivated(
    app, admin_client, logged_in, staff
):
    with app.app_context():
        staff_id = db.session.scalar(select(User.id).where(User.email == staff))
    assert logged_in.get("/staff/").status_code == 200
    response = admin_client.post(f"/staff/users/{staff_id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert logged_in.get("/staff/").status_code == 302  # the open session stops working
    refused = app.test_client().post("/staff/login", data={"email": staff, "password": PASSWORD})
    assert refused.status_code == 401
    admin_client.post(f"/staff/users/{staff_id}/active", data={"active": "1"})
    log_in(app.test_client(), staff)
    assert audit_events(app, "user_deactivated") == [staff]
    assert audit_events(app, "user_reactivated") == [staff]


def test_admin_cannot_deactivate_themselves(app, admin_client, admin):
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).where(User.email == admin))
    page = admin_client.get("/staff/users").get_data(as_text=True)
    assert f"/staff/users/{admin_id}/active" not in page
    response = admin_client.post(f"/staff/users/{admin_id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert admin_client.get("/staff/users").status_code == 200


def test_staff_cannot_manage_accounts(app, logged_in):
    other = add_account(app, "other@example.org", "staff")
    with app.app_context():
        other_id = db.session.scalar(select(User.id).where(User.email == other))
    response = logged_in.post(f"/staff/users/{other_id}/active", data={"active": "0"})
    assert response.status_code == 403
    response = logged_in.post(
        "/staff/users", data={"email": "x@example.org", "role": "admin", "password": PASSWORD}
    )
    assert response.status_code == 403


def test_unknown_account_is_404(admin_client):
    assert admin_client.post("/staff/users/999/active", data={"active": "0"}).status_code == 404
