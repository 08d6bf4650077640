"""Every corpus form pyxform accepts imports, keeps its questions, serves and takes a post."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from survey_app.content import registry
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.schema import (
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    MatrixQuestion,
    NumberQuestion,
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
        write_questionnaire(text, folder / f"{conversion.id}.yaml")
    return settings.model_copy(update={"questionnaires_dir": folder})


def answers_for(q: Questionnaire) -> dict[str, object]:
    """A valid answer to every required question."""
    data: dict[str, object] = {}
    for x in q.questions():
        if not x.required:
            continue
        key = f"q_{x.id}"
        if isinstance(x, ChoiceQuestionBase):
            data[key] = x.options[0].value
        elif isinstance(x, ScaleQuestion):
            data[key] = str(x.scale.min)
        elif isinstance(x, MatrixQuestion):
            data.update({f"{key}-{r.value}": str(x.scale.min) for r in x.rows})
        elif isinstance(x, RankingQuestion):
            data.update({f"{key}-{i + 1}": o.value for i, o in enumerate(x.options[: x.top])})
        elif isinstance(x, NumberQuestion):
            data[key] = str(int(x.min or 0))
        elif isinstance(x, DateQuestion):
            data[key] = (x.min or dt.date(2020, 1, 1)).isoformat()
        elif isinstance(x, CountryQuestion):
            data[key] = "FR"
        else:
            data[key] = "x"
    return data


@pytest.mark.parametrize("name", sorted(FIGURES.imported))
def test_each_imported_form_serves_and_accepts_a_submission(name, app, client):
    conversion = FIGURES.imported[name]
    page = client.get(f"/q/{conversion.id}")
    assert page.status_code == 200, name
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page.text)
    assert token is not None
    with app.app_context():
        q = registry().questionnaires[conversion.id].model
    posted = {**answers_for(q), "submission_token": token.group(1)}
    response = client.post(f"/q/{conversion.id}", data=posted)
    assert response.status_code == 303, (name, response.text[:2000])
