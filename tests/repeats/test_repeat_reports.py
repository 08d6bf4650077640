"""Reports count people: a report naming a repeated question is refused where it names it."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from survey_app.questionnaire import ContentError, load_registry
from survey_app.questionnaire.schema import Questionnaire
from survey_app.reporting.context import ReportContext
from survey_app.reporting.schema import OverviewBlock, Report

from .conftest import REPEATS

REPORT = """\
schema_version: 1
id: household-report
questionnaire: household
title: Household report
blocks:
  - {type: question, question: name}
  - {type: question, question: member_role}
  - {type: question, question: name, by: member_role}
"""


def test_a_report_naming_a_repeated_question_is_refused_at_each_place(tmp_path: Path):
    shutil.copytree(REPEATS, tmp_path / "questionnaires")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "household-report.yaml").write_text(REPORT)
    with pytest.raises(ContentError) as caught:
        load_registry([tmp_path / "questionnaires"], [tmp_path / "reports"], report_model=Report)
    errors = [str(e).rsplit("/", 1)[1] for e in caught.value.errors]
    reason = (
        "'member_role' is asked once per item of the repeat 'members'; reports count people, "
        "so repeated questions are not reported (find them in the exports)"
    )
    assert errors == [
        f"household-report.yaml:7:32: blocks[1].question: {reason}",
        f"household-report.yaml:8:42: blocks[2].by: {reason}",
    ]


def test_an_overview_does_not_pick_a_repeated_country_or_stakeholder_question():
    """The overview's defaults are the first country question and `stakeholder_type`, but
    only when asked once: a repeated one would count items, not people."""
    two = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
    sections = [
        {
            "id": "trips",
            "title": "Trips",
            "repeat": {"max": 3},
            "questions": [
                {"id": "where", "type": "country", "prompt": "Where?"},
                {
                    "id": "stakeholder_type",
                    "type": "single_choice",
                    "prompt": "Who?",
                    "options": two,
                },
            ],
        },
        {
            "id": "home",
            "title": "Home",
            "questions": [{"id": "home", "type": "country", "prompt": "Home?"}],
        },
    ]
    q = Questionnaire.model_validate(
        {"schema_version": 1, "id": "x", "title": "X", "sections": sections}
    )
    context = SimpleNamespace(questionnaire=q)
    block = OverviewBlock(type="overview")
    country = ReportContext.country_question(context, block)  # type: ignore[arg-type]
    assert country is not None
    assert country.id == "home"
    assert ReportContext.stakeholder_question(context, block) is None  # type: ignore[arg-type]
