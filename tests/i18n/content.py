"""Content folders for language tests: the samples plus the questionnaires in data/."""

from __future__ import annotations

import shutil
from pathlib import Path

from survey_app.settings import Settings
from tests.conftest import SAMPLE_DIR

DATA = Path(__file__).parent / "data"


def with_language_fixtures(settings: Settings, folder: Path) -> Settings:
    """`settings` serving the samples and the questionnaires in tests/i18n/data from `folder`.

    Why an empty reports folder: the shipped reports only name the samples, but a test
    app should not depend on them.
    """
    questionnaires = folder / "questionnaires"
    questionnaires.mkdir(parents=True)
    for source in [*SAMPLE_DIR.glob("*.yaml"), *DATA.glob("*.yaml")]:
        shutil.copy(source, questionnaires / source.name)
    (folder / "reports").mkdir()
    return settings.model_copy(
        update={"questionnaires_dir": questionnaires, "reports_dir": folder / "reports"}
    )
