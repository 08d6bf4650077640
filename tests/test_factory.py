"""create_app(settings): refuses broken content, keeps one secret key, reads SURVEY_* vars."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask, request

from survey_app import create_app
from survey_app.cli import survey
from survey_app.content import registry
from survey_app.extensions import db
from survey_app.questionnaire import ContentError
from survey_app.settings import ROOT, Settings

BROKEN = ROOT / "tests" / "data" / "questionnaires" / "broken"

BuildApp = Callable[[Settings], Flask]


@pytest.fixture
def build_app() -> Iterator[BuildApp]:
    """Builds apps from settings and disposes of their engines afterwards."""
    apps: list[Flask] = []

    def build(settings: Settings) -> Flask:
        app = create_app(settings)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SURVEY_* variables and no .env file: Settings() sees only its defaults."""
    monkeypatch.chdir(tmp_path)
    for name in (
        "DATABASE_URL",
        "INSTANCE_DIR",
        "SECRET_KEY",
        "QUESTIONNAIRES_DIR",
        "PAIRING_PEPPER",
    ):
        monkeypatch.delenv(f"SURVEY_{name}", raising=False)


def test_broken_content_stops_the_app_with_the_lines_validate_prints(settings, monkeypatch):
    monkeypatch.chdir(ROOT)
    broken = settings.model_copy(update={"questionnaires_dir": BROKEN})
    with pytest.raises(ContentError) as info:
        create_app(broken)
    printed = CliRunner().invoke(survey, ["validate", str(BROKEN)])
    assert printed.exit_code == 1
    assert str(info.value).splitlines() == printed.stderr.splitlines()[:-1]
    assert len(info.value.errors) == 4


def test_valid_settings_build_an_app_serving_the_content(app, settings):
    assert settings.secret_key is not None
    assert app.config["SECRET_KEY"] == settings.secret_key.get_secret_value()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == settings.database_url
    assert app.config["TESTING"] is True
    assert app.config["WTF_CSRF_ENABLED"] is False
    assert app.config["SURVEY_SETTINGS"] is settings
    with app.app_context():
        assert registry().questionnaire("untoc-needs-assessment") is not None


def test_secret_key_is_generated_once_with_owner_only_permissions(settings, build_app):
    keyless = settings.model_copy(update={"secret_key": None})
    key_file = keyless.instance_dir / "secret_key"
    assert not key_file.exists()

    first = build_app(keyless)

    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 32
    assert first.config["SECRET_KEY"] == key
    second = build_app(keyless)
    assert second.config["SECRET_KEY"] == key
    assert key_file.read_text().strip() == key


def test_given_secret_key_is_used_and_nothing_is_written(settings, build_app):
    assert settings.secret_key is not None
    app = build_app(settings)
    assert app.config["SECRET_KEY"] == settings.secret_key.get_secret_value()
    assert not (settings.instance_dir / "secret_key").exists()


@pytest.mark.usefixtures("no_env")
def test_settings_read_the_database_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("SURVEY_DATABASE_URL", "postgresql://survey@db/survey")
    assert Settings().database_url == "postgresql://survey@db/survey"


@pytest.mark.usefixtures("no_env")
def test_settings_default_to_an_sqlite_file_in_the_instance_dir(tmp_path):
    settings = Settings(instance_dir=tmp_path / "inst")
    assert settings.database_url == f"sqlite:///{tmp_path / 'inst' / 'survey.db'}"


@pytest.mark.usefixtures("no_env")
def test_settings_read_a_dot_env_file_in_the_working_directory(tmp_path):
    (tmp_path / ".env").write_text("SURVEY_DATABASE_URL=sqlite:///from-dot-env.db\n")
    assert Settings().database_url == "sqlite:///from-dot-env.db"


@pytest.mark.usefixtures("no_env")
def test_create_app_without_settings_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SURVEY_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    env_key = "from-the-environment"
    monkeypatch.setenv("SURVEY_SECRET_KEY", env_key)
    monkeypatch.setenv("SURVEY_QUESTIONNAIRES_DIR", str(ROOT / "questionnaires"))
    app = create_app()
    try:
        assert app.config["SECRET_KEY"] == env_key
        assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"
        assert app.instance_path == str((tmp_path / "instance").resolve())
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(("hops", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_forwarded_client_address_is_believed_only_behind_a_configured_proxy(
    settings, build_app, hops, seen
):
    app = build_app(settings.model_copy(update={"proxy_hops": hops}))

    @app.route("/_whoami")
    def whoami() -> str:
        return f"{request.remote_addr} {request.scheme}"

    page = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert page.get_data(as_text=True) == f"{seen} {'https' if hops else 'http'}"
