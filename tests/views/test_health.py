"""/livez says the app answers; /healthz also says whether the database does."""

from __future__ import annotations

from survey_app import create_app
from survey_app.extensions import db


def test_livez_needs_nothing_but_the_app(client):
    response = client.get("/livez")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_healthz_reports_app_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "app": "ok", "database": "ok"}


def test_healthz_is_503_while_the_database_cannot_be_reached(settings, tmp_path):
    unreachable = f"sqlite:///{tmp_path / 'no-such-directory' / 'survey.db'}"
    app = create_app(settings.model_copy(update={"database_url": unreachable}))
    client = app.test_client()
    try:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json == {
            "status": "unavailable",
            "app": "ok",
            "database": "OperationalError",
        }
        assert str(tmp_path) not in response.get_data(as_text=True)
        assert client.get("/livez").status_code == 200
        # The database comes back (its directory appears): the next check is healthy again.
        (tmp_path / "no-such-directory").mkdir()
        assert client.get("/healthz").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()
