"""Reports across versions: each question counted where versions agree, with a note where not."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from survey_app.content import registry
from survey_app.extensions import db
from survey_app.models import Answer, ContentVersion, Response
from survey_app.questionnaire import AnswerValue, Choice
from survey_app.reporting.blocks.pre_post import _agreeing
from survey_app.reporting.context import ReportContext
from survey_app.reporting.disclosure import PopulationDef
from survey_app.reporting.pipeline import build_report, render_html, render_pdf
from survey_app.reporting.scope import version_ranges
from survey_app.responses import new_submission_token
from tests.audit.audit import audit
from tests.audit.rawdata import Respondent, specs_of
from tests.lifecycle.conftest import publish
from tests.reporting.report_app import pdf_pages
from tests.reporting.test_pdf_numbers import allowed, numbers, without_structure

KIT = """\
schema_version: 1
id: kit
title: Kit check
visibility: public
sections:
  - id: main
    title: Main
    questions:
      - id: mood
        type: single_choice
        prompt: How are you today?
        options:
{options}
      - id: rating
        type: scale
        prompt: {rating_prompt}
        scale: {{min: 1, max: 5}}
      - id: skills
        type: matrix
        prompt: How sure are you of each skill?
        scale: {{min: 1, max: 5}}
        rows:
{rows}
{note}"""

NOTE = """\
      - id: note
        type: short_text
        prompt: Anything else?
"""

REPORT = """\
schema_version: 1
id: kit-report
questionnaire: kit
title: Kit across versions
k: 3
blocks:
  - type: question
    question: mood
  - type: question
    question: rating
  - type: priorities
    measure: mean
    sources:
      - {question: skills}
  - type: recommendations
    rules:
      - id: calm
        text: Keep the good mood going.
        share: {question: mood, in: [good]}
        at_least: 0.1
"""
#: Matrix rows of `skills` in version 1; version 2 adds `listen`.
ROWS = ("draft", "speak")


def kit(
    options: tuple[str, ...] = ("good", "bad"),
    rating_prompt: str = "Rate the kit.",
    *,
    note: bool = True,
) -> str:
    """The YAML of questionnaire `kit` in one of its versions."""
    listed = "".join(f"          - {{value: {o}, label: {o.title()}}}\n" for o in options)
    rows = ROWS + (("listen",) if "meh" in options else ())
    matrix = "".join(f"          - {{value: {r}, label: {r.title()}}}\n" for r in rows)
    return KIT.format(
        options=listed.rstrip("\n"),
        rating_prompt=rating_prompt,
        rows=matrix.rstrip("\n"),
        note=NOTE if note else "",
    )


#: Version 2 adds an option, version 3 rewords a question, version 4 removes one.
EDITS = [
    kit(("good", "bad", "meh")),
    kit(("good", "bad", "meh"), "How good is the kit?"),
    kit(("good", "bad", "meh"), "How good is the kit?", note=False),
]
#: (mood, rating) answered to versions 1, 2, 3 and 4.
ANSWERS = {
    1: [("good", 4), ("good", 5), ("bad", 2), ("bad", 1)],
    2: [("meh", 3), ("meh", 3), ("good", 5)],
    3: [("meh", 2), ("bad", 1), ("good", 4)],
    4: [("good", 5), ("meh", 3), ("bad", 2)],
}


@pytest.fixture
def kit_app(make_app, tmp_path):
    """The app with version 1 of `kit` and its report, then versions 2-4 and their answers."""
    questionnaires, reports = tmp_path / "questionnaires", tmp_path / "reports"
    questionnaires.mkdir()
    reports.mkdir()
    (questionnaires / "kit.yaml").write_text(kit(), encoding="utf-8")
    (reports / "kit-report.yaml").write_text(REPORT, encoding="utf-8")
    app = make_app(committed=True, questionnaires_dir=questionnaires, reports_dir=reports)
    client = app.test_client()
    for version, answers in ANSWERS.items():
        if version > 1:
            edited = tmp_path / "edited.yaml"
            edited.write_text(EDITS[version - 2], encoding="utf-8")
            result = publish(app, edited, "--allow-breaking")
            assert result.exit_code == 0, result.output
        for mood, rating in answers:
            data = {
                "submission_token": new_submission_token(),
                "q_mood": mood,
                "q_rating": str(rating),
            }
            for row in (*ROWS, "listen") if version > 1 else ROWS:
                data[f"q_skills-{row}"] = str(rating)
            if version < 4:
                data["q_note"] = "fine"
            assert client.post("/q/kit", data=data).status_code in (302, 303)
    return app


def build(app, tmp_path: Path, fmt: str) -> Path:
    target = tmp_path / f"kit-report.{fmt}"
    args = ["report", "build", "kit-report", "--format", fmt, "-o", str(target)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return target


def test_each_version_is_stored_against_its_responses(kit_app):
    with kit_app.app_context():
        stored = db.session.execute(
            select(ContentVersion.number, Response.id)
            .join(Response, Response.version_id == ContentVersion.id)
            .order_by(Response.id)
        ).all()
    assert [number for number, _ in stored] == [1] * 4 + [2] * 3 + [3] * 3 + [4] * 3


def test_a_question_is_counted_only_over_the_versions_that_define_it_alike(kit_app, tmp_path):
    """An added option: versions 2-4 only; a reworded question: every version."""
    data = json.loads(build(kit_app, tmp_path, "json").read_text(encoding="utf-8"))
    by_key = {p["key"]: p for p in data["populations"]}
    everyone = PopulationDef("kit").key()
    later = PopulationDef("kit", versions=(2, 3, 4)).key()
    assert by_key[everyone]["size"] == 13
    assert by_key[later]["size"] == 9
    assert by_key[later]["definition"]["versions"] == [2, 3, 4]
    assert by_key[later]["label"] == "All respondents (versions 2–4)"
    mood = [f for f in data["figures"] if f["question"] == "mood"]
    assert {f["population"] for f in mood} <= {
        later,
        PopulationDef("kit", versions=(2, 3, 4), answered="mood").key(),
    }
    rating = [f for f in data["figures"] if f["question"] == "rating"]
    assert rating
    assert all("versions=" not in f["population"] for f in rating)
    means = [f["value"] for f in rating if f["statistic"] == "mean"]
    assert means == [pytest.approx(round(40 / 13, 1))]
    size_figures = {
        f["value"] for f in data["figures"] if f["population"] == later and f["statistic"] == "size"
    }
    assert size_figures == {9}
    assert any(
        "“Anything else?” (note) was asked in versions 1–3, removed in version 4" in note
        for note in data["notes"]
    )


def test_the_pdf_says_where_versions_disagree_and_names_removed_questions(kit_app, tmp_path):
    pages = pdf_pages(build(kit_app, tmp_path, "pdf").read_bytes())
    text = " ".join(" ".join(pages).split())
    assert "Option 'meh' added in version 2: counted for versions 2–4 only (n = 9)." in text
    assert "Answered by all 9 respondents" in text
    assert "Answered by all 13 respondents" in text
    assert "“Anything else?” (note) was asked in versions 1–3, removed in version 4" in text
    # The reworded question agrees across versions: no note; meh's and listen's only.
    assert text.count("counted for versions") == 2


def test_priorities_and_recommendations_count_only_the_agreeing_versions(kit_app, tmp_path):
    """A matrix row added in version 2; a rule on a question whose option was added."""
    data = json.loads(build(kit_app, tmp_path, "json").read_text(encoding="utf-8"))
    skills = [f for f in data["figures"] if f["question"] == "skills"]
    assert {f["row"] for f in skills} == {"draft", "speak", "listen"}
    assert all(f["population"].endswith("| versions=2,3,4") for f in skills)
    rule = [f for f in data["figures"] if f["block"] == 4 and f["statistic"] == "percent"]
    assert [(f["population"], f["value"]) for f in rule] == [
        ("kit | answered=mood | versions=2,3,4", 33.0)
    ]
    text = " ".join(" ".join(pdf_pages(build(kit_app, tmp_path, "pdf").read_bytes())).split())
    assert "Option 'listen' added in version 2: counted for versions 2–4 only (n = 9)." in text
    assert "33% of 9 respondents chose “Good”" in text


def test_every_number_in_the_pdf_across_versions_is_in_the_json_report(kit_app):
    with kit_app.app_context():
        content = registry()
        doc = build_report(
            db.session, content.reports["kit-report"], content.questionnaire_models()
        )
    cover, _contents, *body = pdf_pages(render_pdf(render_html(doc)).data)
    permitted = allowed(doc)
    stray = [
        (page, value)
        for page, text in enumerate([cover, *body], start=1)
        for value in numbers(without_structure(text, doc))
        if round(value, 6) not in permitted
    ]
    assert stray == []


def test_the_audit_passes_on_a_report_across_versions(kit_app, tmp_path):
    data = json.loads(build(kit_app, tmp_path, "json").read_text(encoding="utf-8"))
    with kit_app.app_context():
        rows = db.session.execute(
            select(
                Response.id,
                ContentVersion.number,
                Answer.question_id,
                Answer.row,
                Answer.option_value,
                Answer.number_value,
            )
            .join(ContentVersion, ContentVersion.id == Response.version_id)
            .join(Answer, Answer.response_id == Response.id)
            .order_by(Response.id)
        ).all()
        specs = specs_of(registry().questionnaire_models().values())
    answers: dict[int, dict[str, AnswerValue]] = {}
    versions: dict[int, int] = {}
    for rid, number, question, row, option, value in rows:
        versions[rid] = number
        given = answers.setdefault(rid, {})
        if question == "mood":
            given["mood"] = Choice((option,))
        elif question == "rating":
            given["rating"] = int(value)
        elif question == "skills":
            matrix = given.setdefault("skills", {})
            assert isinstance(matrix, dict)
            matrix[row] = int(value)
    respondents = [
        Respondent(rid, "kit", answers.get(rid, {}), version=number)
        for rid, number in versions.items()
    ]
    result = audit(data, respondents, specs)
    assert result.ok, (result.leaks, result.undecided)


def test_version_ranges_join_consecutive_versions():
    assert version_ranges((1, 2, 3, 5)) == "1–3, 5"
    assert version_ranges([4]) == "4"


def test_a_pre_post_phase_is_narrowed_per_question_unless_paired(kit_app):
    with kit_app.app_context():
        content = registry()
        ctx = ReportContext(
            db.session, content.reports["kit-report"].model, content.questionnaire_models()
        )
        scope = ctx.scope()
        phase = (scope, ctx.population(scope))
        mood_scope, mood_population = _agreeing(ctx, phase, "mood")
        assert mood_scope.versions == (2, 3, 4)
        assert mood_population is not None
        assert mood_population.size == 9
        assert _agreeing(ctx, phase, "rating") == phase
        paired = (replace(scope, paired=True), phase[1])
        assert _agreeing(ctx, paired, "mood") == paired
