"""An app serving only the repeat fixture questionnaire (tests/data/questionnaires/repeats)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import DATA_DIR
from tests.database import AppMaker

REPEATS = DATA_DIR / "questionnaires" / "repeats"


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """The app with CSRF on, its questionnaires from the repeats fixture, no reports."""
    (tmp_path / "no-reports").mkdir()
    return make_app(
        csrf_enabled=True, questionnaires_dir=REPEATS, reports_dir=tmp_path / "no-reports"
    )
