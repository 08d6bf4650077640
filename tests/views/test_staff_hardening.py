"""Staff URLs and headers: huge ids, private caching, HSTS over HTTPS."""

from __future__ import annotations

import re

import pytest
from flask import request
from pydantic import ValidationError
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent
from survey_app.settings import Settings
from survey_app.views import staff_data
from tests.conftest import PASSWORD, add_account, link_token, log_in, new_training

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/trainings/{HUGE}",
        f"/staff/trainings/{HUGE}/edit",
        f"/staff/trainings/{HUGE}/qr/pre",
        f"/staff/trainings/{HUGE}/qr/pre.svg",
        f"/staff/trainings/{HUGE}/delete-responses",
        "/staff/trainings/2147483648",
        f"/staff/audit?page={HUGE}",
    ],
)
def test_an_id_past_any_database_column_is_404_not_500(admin_client, path):
    assert admin_client.get(path).status_code == 404


@pytest.mark.parametrize(
    ("path", "data"),
    [
        (f"/staff/trainings/{HUGE}/status", {"status": "open"}),
        (f"/staff/trainings/{HUGE}/links/pre", {"action": "revoke"}),
        (f"/staff/users/{HUGE}/active", {"active": "0"}),
    ],
)
def test_a_huge_id_in_a_staff_form_target_is_404(admin_client, path, data):
    assert admin_client.post(path, data=data).status_code == 404


def test_the_largest_id_a_column_holds_is_still_looked_up(admin_client):
    assert admin_client.get("/staff/trainings/2147483647").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/staff/login",
        "/staff/",
        "/staff/trainings/new",
        "/staff/trainings/{id}",
        "/staff/trainings/{id}/qr/pre",
        "/staff/trainings/{id}/qr/pre.svg",
        "/staff/trainings/{id}/delete-responses",
        "/staff/audit",
        "/staff/users",
        "/reports/",
        "/staff/trainings/999/edit",
    ],
)
def test_every_staff_and_report_page_is_no_store(admin_client, path):
    training_id = new_training(admin_client)
    response = admin_client.get(path.format(id=training_id))
    assert response.status_code in (200, 404), path
    assert response.headers["Cache-Control"] == "no-store"


def test_participant_pages_keep_their_own_caching(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_hsts_is_sent_over_https_only(client):
    assert "Strict-Transport-Security" not in client.get("/staff/login").headers
    secure = client.get("/staff/login", base_url="https://survey.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_behind_a_proxy_follows_the_proxys_scheme(make_app):
    client = make_app(proxy_hops=1).test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_hsts_can_be_turned_off(make_app):
    client = make_app(hsts_seconds=0).test_client()
    assert "Strict-Transport-Security" not in client.get("/", base_url="https://x.example").headers


# --- exports: POST with a CSRF token, never a GET --------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_link_followed_cross_site_exports_nothing(app, logged_in, kind):
    """A GET (an <img> or a link on another site) no longer runs an export in staff's name."""
    training_id = new_training(logged_in)
    response = logged_in.get(f"/staff/trainings/{training_id}/export.{kind}?phase=pre&text=1")
    assert response.status_code == 405
    with app.app_context():
        assert "export" not in db.session.scalars(select(AuditEvent.action)).all()


@pytest.fixture
def csrf_client(make_app, fast_password_hashing):
    app = make_app(csrf_enabled=True)
    add_account(app, "officer@example.org", "staff")
    client = app.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    data = {"email": "officer@example.org", "password": PASSWORD, "csrf_token": token}
    assert client.post("/staff/login", data=data).status_code == 303
    return app, client


def dashboard_token(client, training_id):
    page = client.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    form = page[page.index('class="export"') - 200 :]
    return re.search(r'name="csrf_token" value="([^"]+)"', form)[1]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_cross_site_export_post_without_the_token_is_refused(csrf_client, kind):
    app, client = csrf_client
    training_id = new_training_csrf(client)
    response = client.post(f"/staff/trainings/{training_id}/export.{kind}", data={"phase": "pre"})
    assert response.status_code == 400
    with app.app_context():
        assert "export" not in db.session.scalars(select(AuditEvent.action)).all()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_dashboards_export_form_carries_its_token_and_works(csrf_client, kind):
    _app, client = csrf_client
    training_id = new_training_csrf(client)
    data = {"phase": "pre", "csrf_token": dashboard_token(client, training_id)}
    response = client.post(f"/staff/trainings/{training_id}/export.{kind}", data=data)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]


def new_training_csrf(client):
    page = client.get("/staff/trainings/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    return new_training(client, csrf_token=token)


# --- participant links come from the configured public URL -----------------------------

FORGED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


@pytest.fixture
def public_app(make_app, fast_password_hashing):
    app = make_app(public_url="https://survey.example.org/", proxy_hops=1)
    add_account(app, "officer@example.org", "staff")
    return app


def test_a_forged_host_changes_no_participant_link_or_qr_code(public_app, monkeypatch):
    client = public_app.test_client()
    log_in(client, "officer@example.org")
    training_id = new_training(client)
    token = link_token(public_app, training_id, "pre")
    expected = f"https://survey.example.org/t/{token}"
    encoded = []
    monkeypatch.setattr(staff_data, "qr_svg", lambda url, title: encoded.append(url) or "<svg/>")

    page = client.get(f"/staff/trainings/{training_id}", headers=FORGED).get_data(as_text=True)
    sheet = client.get(f"/staff/trainings/{training_id}/qr/pre", headers=FORGED)
    client.get(f"/staff/trainings/{training_id}/qr/pre.svg", headers=FORGED)

    assert f'href="{expected}"' in page
    assert expected in sheet.get_data(as_text=True)
    assert encoded == [expected]
    assert "evil.example" not in page + sheet.get_data(as_text=True)


def test_behind_a_proxy_x_forwarded_host_is_never_believed(make_app):
    app = make_app(proxy_hops=1)

    @app.route("/_host")
    def host():
        return request.host

    response = app.test_client().get("/_host", headers={"X-Forwarded-Host": "evil.example"})
    assert response.get_data(as_text=True) == "localhost"


def test_a_public_url_without_a_scheme_stops_the_app_at_startup():
    with pytest.raises(ValidationError, match="public_url"):
        Settings(public_url="survey.example.org")
