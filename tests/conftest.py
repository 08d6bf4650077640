"""Fixtures: settings -> app -> client/runner, a database per test, form-data builders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.responses import new_submission_token
from survey_app.settings import ROOT, Settings

SAMPLE_DIR = ROOT / "questionnaires"
DATA_DIR = Path(__file__).parent / "data"
NEEDS = "untoc-needs-assessment"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shipped sample questionnaires, a fresh SQLite file, CSRF off (tests turn it on)."""
    return Settings(
        instance_dir=tmp_path / "instance",
        database_url=f"sqlite:///{tmp_path / 'survey.db'}",
        questionnaires_dir=SAMPLE_DIR,
        secret_key="test-secret-key",
        csrf_enabled=False,
        testing=True,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The app's session inside an app context, for looking at what was stored."""
    with app.app_context():
        yield db.session


@pytest.fixture
def stored(app: Flask) -> Callable[[], list[Response]]:
    """Returns every stored response with its answers loaded."""

    def fetch() -> list[Response]:
        with app.app_context():
            responses = list(db.session.scalars(select(Response).order_by(Response.id)))
            for r in responses:
                _ = r.answers
            db.session.expunge_all()
            return responses

    return fetch


def needs_assessment_answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid post body for the sample needs assessment."""
    data: dict[str, Any] = {
        "submission_token": new_submission_token(),
        "q_stakeholder_type": "ngo",
        "q_country": "MY",
        "q_years_experience": "7",
        "q_familiarity_untoc": "3",
        "q_familiarity_review": "2",
        "q_engaged_before": "no",
        "q_kt_protocols": ["trafficking_protocol", "smuggling_protocol"],
        "q_kt_review_body": "cop",
        "q_crime_areas-1": "trafficking",
        "q_crime_areas-2": "cybercrime",
        "q_crime_areas-3": "corruption",
        "q_preferred_formats": ["in_person_workshop", "peer_exchange"],
        "q_comments": "Please share the slides.",
    }
    rows = [
        "engaging_government",
        "review_mechanism",
        "advocacy",
        "data_collection",
        "victim_support",
        "digital_literacy",
    ]
    for i, row in enumerate(rows):
        data[f"q_capacity_importance-{row}"] = str(5 - i % 3)
        data[f"q_confidence-{row}"] = str(1 + i % 4)
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


@pytest.fixture
def answers() -> Callable[..., dict[str, Any]]:
    """Builder of a valid needs-assessment post; keyword overrides, None removes a field."""
    return needs_assessment_answers
