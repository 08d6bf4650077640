"""A report on a questionnaire with piped prompts prints what the pipe refers to, not `${id}`."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.content import registry
from survey_app.reporting.pipeline import build_report, render_html
from survey_app.settings import Settings
from tests.conftest import DATA_DIR

from .report_app import settings_with_reports

REPORT = """\
schema_version: 1
id: features-report
questionnaire: xlsform-features
title: Household visits
blocks:
  - {type: question, question: colour}
  - {type: question, question: why}
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    with_reports = settings_with_reports(
        settings, tmp_path / "reports", {"features-report.yaml": REPORT}
    )
    return with_reports.model_copy(
        update={"questionnaires_dir": DATA_DIR / "questionnaires" / "features"}
    )


def test_report_labels_name_the_piped_question_instead_of_its_id(session):
    content = registry()
    doc = build_report(session, content.reports["features-report"], content.questionnaire_models())
    page = render_html(doc)
    assert "${" not in page
    assert "[answer to “What is your name?”], which colour do you like?" in page
