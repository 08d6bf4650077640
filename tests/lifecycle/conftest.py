"""Fixtures of the lifecycle tests: a folder with the `pulse` questionnaire and its app."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ContentVersion
from survey_app.responses import new_submission_token
from tests.lifecycle.content import content_dirs, pulse


def versions(app, content_id="pulse"):
    with app.app_context():
        return db.session.execute(
            select(ContentVersion.number, ContentVersion.published_by, ContentVersion.sha256)
            .where(ContentVersion.content_id == content_id)
            .order_by(ContentVersion.number)
        ).all()


def publish(app, path: Path, *extra: str):
    return app.test_cli_runner().invoke(args=["survey", "publish", str(path), *extra])


def answer(client, mood="good", **extra):
    data = {"submission_token": new_submission_token(), "q_mood": mood, **extra}
    return client.post("/q/pulse", data=data)


@pytest.fixture
def folder(tmp_path):
    return content_dirs(tmp_path / "content", pulse())


@pytest.fixture
def pulse_app(make_app, folder):
    questionnaires, reports = folder
    return make_app(committed=True, questionnaires_dir=questionnaires, reports_dir=reports)
