"""Fixtures: the sample questionnaires plus an Arabic and a Spanish-first one, no reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.settings import Settings

from .content import with_language_fixtures


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return with_language_fixtures(settings, tmp_path / "content")
