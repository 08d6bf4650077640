"""Fixtures of the audit tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from survey_app.content import registry


@pytest.fixture
def models(app: Flask) -> dict[str, Any]:
    """The published questionnaires' models, by id."""
    with app.app_context():
        return registry().questionnaire_models()
