"""Every corpus form pyxform accepts imports, keeps its questions, serves and takes a post."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from survey_app.content import registry
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.questions import (
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    MatrixQuestion,
    NumberQuestion,
    QuestionBase,
    RankingQuestion,
    ScaleQuestion,
)
from survey_app.xlsform import questionnaire_yaml, write_questionnaire
from survey_app.xlsform.corpus import corpus_figures

CORPUS = Path(__file__).parent / "corpus"
FIGURES = corpus_figures(CORPUS)


def test_the_corpus_meets_the_import_targets():
    print("\n".join(FIGURES.lines()))
    assert FIGURES.accepted >= 20
    assert FIGURES.import_share() >= 0.85
    assert FIGURES.question_share() >= 0.80


@pytest.fixture
def settings(settings, tmp_path):
    """The imported corpus as the questionnaires folder."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    for sample in settings.questionnaires_dir.glob("*.yaml"):
        (folder / sample.name).write_text(sample.read_text())  # the sample reports need them
    for name, conversion in FIGURES.imported.items():
        text = questionnaire_yaml(conversion, name, dt.date(2026, 1, 1))
        # Served at /q/<id> for this test; an imported questionnaire is training-only.
        text = re.sub(r"^id: ", "visibility: public\nid: ", text, count=1, flags=re.M)
        write_questionnaire(text, folder / f"{conversion.id}.yaml")
    return settings.model_copy(update={"questionnaires_dir": folder})


def answers_for(q: Questionnaire) -> dict[str, object]:
    """A valid answer to every required question; in a repeat, in each item a fresh form
    shows (and, when items are required, to its first question, so the item counts)."""
    data: dict[str, object] = {}
    for section in q.sections:
        if section.repeat is None:
            for x in section.questions:
                if x.required:
                    data.update(answer_to(x, f"q_{x.id}"))
            continue
        for n in range(1, section.repeat.shown + 1):
            for i, x in enumerate(section.questions):
                if x.required or (i == 0 and section.repeat.min):
                    data.update(answer_to(x, f"q_{x.id}.{n}"))
    return data


def answer_to(x: QuestionBase, key: str) -> dict[str, object]:
    """The posted fields of a valid answer to one question, named from `key`."""
    if isinstance(x, ChoiceQuestionBase):
        return {key: x.options[0].value}
    if isinstance(x, ScaleQuestion):
        return {key: str(x.scale.min)}
    if isinstance(x, MatrixQuestion):
        return {f"{key}-{r.value}": str(x.scale.min) for r in x.rows}
    if isinstance(x, RankingQuestion):
        return {f"{key}-{i + 1}": o.value for i, o in enumerate(x.options[: x.top])}
    if isinstance(x, NumberQuestion):
        return {key: str(int(x.min or 0))}
    if isinstance(x, DateQuestion):
        return {key: (x.min or dt.date(2020, 1, 1)).isoformat()}
    if isinstance(x, CountryQuestion):
        return {key: "FR"}
    return {key: "x"}


def test_each_imported_form_serves_and_accepts_a_submission(app, client):
    """One app serves the whole imported corpus (an app per form would take a minute)."""
    failures = []
    for name, conversion in sorted(FIGURES.imported.items()):
        page = client.get(f"/q/{conversion.id}")
        token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page.text)
        if page.status_code != 200 or token is None:
            failures.append((name, "GET", page.status_code))
            continue
        with app.app_context():
            q = registry().questionnaires[conversion.id].model
        posted = {**answers_for(q), "submission_token": token.group(1)}
        response = client.post(f"/q/{conversion.id}", data=posted)
        if response.status_code != 303:
            failures.append((name, "POST", response.status_code))
    assert len(FIGURES.imported) >= 40
    assert failures == []


def test_the_corpus_command_prints_the_figures(runner):
    result = runner.invoke(args=["survey", "xlsform-corpus", str(CORPUS)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:3] == FIGURES.lines()[:3]
    assert "imported: 41 of 42 (98%)" in result.output
