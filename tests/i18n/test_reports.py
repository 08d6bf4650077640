"""Responses given in different languages count together; a report prints one language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from survey_app.content import registry
from survey_app.questionnaire import load_file
from survey_app.reporting.aggregate import summarize
from survey_app.reporting.disclosure import Disclosure
from survey_app.reporting.pipeline import build_report, render_html
from survey_app.reporting.schema import Report
from survey_app.reporting.scope import Scope
from survey_app.reporting.shown import Frame
from tests.conftest import NEEDS, needs_assessment_answers

#: Who answered in which language: the same options, picked from forms in two languages.
SUBMISSIONS = [
    ("en", "ngo"),
    ("en", "ngo"),
    ("en", "academia"),
    ("fr", "ngo"),
    ("fr", "academia"),
    ("fr", "academia"),
    ("fr", "ngo"),
]
REPORT = """\
schema_version: 1
id: needs-fr
questionnaire: untoc-needs-assessment
title: Évaluation des besoins — résultats
language: fr
k: 3
blocks:
  - type: question
    question: stakeholder_type
"""


def submit_in_both_languages(client) -> None:
    for language, stakeholder in SUBMISSIONS:
        data = needs_assessment_answers(language=language, q_stakeholder_type=stakeholder)
        assert client.post(f"/q/{NEEDS}", data=data).status_code == 303


def test_answers_from_both_languages_form_one_distribution(app, client, session, stored):
    submit_in_both_languages(client)
    assert sorted(r.language for r in stored()) == ["en"] * 3 + ["fr"] * 4
    question = registry().questionnaire_models()[NEEDS].question("stakeholder_type")
    assert question is not None
    scope = Scope(NEEDS)
    disclosure = Disclosure(3, 10)
    everyone = disclosure.population(scope.population(), "All respondents", 7)
    summary = summarize(Frame(session, scope, disclosure, everyone), question)
    counts = dict(zip((c.value for c in summary.categories), summary.total.counts, strict=True))
    assert summary.respondents == 7
    assert counts["ngo"] == 4
    assert counts["academia"] == 3
    # One category per option, labelled in the questionnaire's default language.
    labels = [c.label for c in summary.categories]
    assert labels.count("Non-governmental organisation") == 1
    assert "Organisation non gouvernementale" not in labels


def test_report_in_french_prints_french_labels_over_all_responses(
    app, client, session, tmp_path: Path
):
    submit_in_both_languages(client)
    path = tmp_path / "needs-fr.yaml"
    path.write_text(REPORT, encoding="utf-8")
    questionnaires = registry().questionnaire_models()
    loaded = load_file(Report, path, context={"questionnaires": questionnaires})
    doc = build_report(session, loaded, questionnaires, today=dt.date(2026, 4, 1))
    html = render_html(doc)
    assert doc.responses == 7
    assert "Pour quel type d&#39;organisation travaillez-vous" in html
    assert "Organisation non gouvernementale" in html
    assert "Milieu universitaire ou recherche" in html
    assert "Non-governmental organisation" not in html
    assert "Évaluation des besoins — participation de la société civile" in html
