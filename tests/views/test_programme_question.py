"""The programme report compares trainings on the matrix staff choose: the needs question by
default, any other matrix of the needs assessment on request, a clear 404 otherwise."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from survey_app.extensions import db
from survey_app.questionnaire import load_registry
from survey_app.reporting.programme import build_programme_report, default_question
from tests.conftest import (
    CAPACITY_ROWS,
    SAMPLE_DIR,
    needs_assessment_answers,
    open_training,
    submit,
)

NEEDS = "untoc-needs-assessment"
REPEATS = Path(__file__).parents[1] / "data" / "questionnaires" / "repeats"
PEOPLE = {"Workshop North": 6, "Workshop South": 5}


@pytest.fixture
def app(make_app):
    """One test client's address sends every form: no per-address limit."""
    return make_app(submission_limit_per_address=0)


@pytest.fixture
def programme(app, logged_in) -> dict[str, Any]:
    """Two trainings' needs assessments through the forms; the confidence ratings kept."""
    rng = random.Random(12)  # noqa: S311 -- test data, not secrets
    confidence: dict[str, list[int]] = {row: [] for row in CAPACITY_ROWS}
    trainings = []
    for t, (title, people) in enumerate(PEOPLE.items()):
        tid = open_training(logged_in, title=title)
        trainings.append(str(tid))
        for person in range(people):
            code = {
                "code_letters": "ab",
                "code_day": str(person + 1),
                "code_digits": f"{t}{person}",
            }
            ratings = {row: rng.randint(1, 5) for row in CAPACITY_ROWS}
            for row, value in ratings.items():
                confidence[row].append(value)
            answers = {f"q_confidence-{r}": str(v) for r, v in ratings.items()}
            submit(app, tid, "pre", {**needs_assessment_answers(**answers), **code})
    response = logged_in.post("/staff/programmes", data={"name": "Regional series"})
    programme_id = int(response.headers["Location"].rsplit("/", 1)[1])
    logged_in.post(f"/staff/programmes/{programme_id}", data={"training": trainings})
    return {"id": programme_id, "confidence": confidence}


def test_the_page_offers_every_matrix_with_the_needs_question_chosen(logged_in, programme):
    page = logged_in.get(f"/staff/programmes/{programme['id']}").get_data(as_text=True)
    assert '<option value="capacity_importance" selected>' in page
    assert '<option value="confidence">' in page
    assert 'value="country"' not in page  # not a matrix


def test_the_report_on_another_matrix_prints_its_means(logged_in, programme):
    url = f"/staff/programmes/{programme['id']}/report.json"
    chosen = json.loads(logged_in.get(f"{url}?question=confidence").get_data(as_text=True))
    default = json.loads(logged_in.get(url).get_data(as_text=True))
    means = {item["item"]: item["overall_mean"] for item in chosen["items"]}
    expected = {row: round(sum(v) / len(v) + 1e-9, 2) for row, v in programme["confidence"].items()}
    assert means == pytest.approx(expected, abs=0.005)
    assert {f["question"] for f in chosen["figures"] if f.get("question")} == {"confidence"}
    assert {f["question"] for f in default["figures"] if f.get("question")} == {
        "capacity_importance"
    }
    pdf = logged_in.get(f"/staff/programmes/{programme['id']}/report.pdf?question=confidence")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"


@pytest.mark.parametrize("question", ["country", "no_such_question"])
def test_a_question_that_is_no_matrix_is_refused_clearly(logged_in, programme, question):
    response = logged_in.get(f"/staff/programmes/{programme['id']}/report.json?question={question}")
    assert response.status_code == 404
    assert f"&#39;{question}&#39; is not a matrix question" in response.get_data(as_text=True)


def test_a_needs_assessment_without_the_needs_question_compares_its_first_matrix(tmp_path):
    needs = load_registry([SAMPLE_DIR]).questionnaire_models()[NEEDS]
    source = (
        (SAMPLE_DIR / f"{NEEDS}.yaml")
        .read_text(encoding="utf-8")
        .replace("id: capacity_importance", "id: skill_importance")
    )
    (tmp_path / "needs.yaml").write_text(source, encoding="utf-8")
    renamed = load_registry([tmp_path]).questionnaire_models()[NEEDS]
    first = next(q.id for q in renamed.questions() if q.id in ("skill_importance", "confidence"))
    assert default_question(renamed) == first
    assert default_question(needs) == "capacity_importance"


def test_a_questionnaire_without_a_matrix_says_so(app, programme):
    trips = load_registry([REPEATS]).questionnaire_models()["trips"]
    assert default_question(trips) is None
    with app.app_context(), pytest.raises(ValueError, match="'trips' has no matrix question"):
        build_programme_report(db.session(), programme["id"], trips)
