"""Files under the instance folder are readable by the app's account only."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from survey_app import create_app
from survey_app import settings as settings_module
from survey_app.extensions import db
from survey_app.settings import Settings
from tests.conftest import SAMPLE_DIR

#: The same on PostgreSQL runs, where SURVEY_DATABASE_URL names the test cluster.
CONTENT = {"questionnaires_dir": SAMPLE_DIR}


def sqlite_in(instance):
    """The database `make run` uses: survey.db in the instance folder."""
    return f"sqlite:///{instance / 'survey.db'}"


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def default_app(tmp_path):
    """An app with the defaults `make run` uses: SQLite and secrets under instance/."""
    previous = os.umask(0o022)
    instance = tmp_path / "instance"
    settings = Settings(instance_dir=instance, database_url=sqlite_in(instance), **CONTENT)
    app = create_app(settings)
    with app.app_context():
        db.create_all()
        db.session.execute(text("SELECT 1"))
    yield app
    os.umask(previous)
    with app.app_context():
        db.engine.dispose()


def test_the_sqlite_database_and_its_wal_files_are_private(default_app, tmp_path):
    instance = tmp_path / "instance"
    assert mode(instance / "survey.db") == 0o600
    for name in ("survey.db-wal", "survey.db-shm"):
        if (instance / name).exists():
            assert mode(instance / name) == 0o600


def test_the_instance_folder_and_its_secrets_are_private(default_app, tmp_path):
    instance = tmp_path / "instance"
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert mode(instance / "pairing_pepper") == 0o600


def test_an_existing_world_readable_database_is_narrowed(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    database = instance / "survey.db"
    database.touch(mode=0o644)
    database.chmod(0o644)
    app = create_app(Settings(instance_dir=instance, database_url=sqlite_in(instance), **CONTENT))
    with app.app_context():
        db.engine.dispose()
    assert mode(database) == 0o600
    assert mode(instance) == 0o700


@pytest.mark.parametrize("name", ["secret_key", "pairing_pepper"])
def test_of_two_processes_generating_a_secret_the_first_ones_wins(tmp_path, monkeypatch, name):
    """Workers started together must all use one key: the one written first stays."""
    instance = tmp_path / "instance"
    settings = Settings(instance_dir=instance, **CONTENT)
    real = settings_module.secrets.token_urlsafe

    def meanwhile_another_worker_wrote_its_key(size):
        (instance / name).write_text("the other worker's key")
        return real(size)

    monkeypatch.setattr(
        settings_module.secrets, "token_urlsafe", meanwhile_another_worker_wrote_its_key
    )
    resolve = (
        settings.resolved_secret_key if name == "secret_key" else settings.resolved_pairing_pepper
    )
    assert resolve() in ("the other worker's key", b"the other worker's key")
    assert sorted(p.name for p in instance.iterdir()) == [name]
