"""Piping, cascading choices and calculations on the participant form without JavaScript."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from flask import Flask

from survey_app.responses import new_submission_token
from tests.conftest import DATA_DIR, open_training, submit

FEATURES = DATA_DIR / "questionnaires" / "features"
URL = "/q/xlsform-features"


def post(client, **answers: str | list[str]):
    """Post answers with a fresh submission token."""
    return client.post(URL, data={"submission_token": new_submission_token(), **answers})


@pytest.fixture
def app(make_app, tmp_path: Path) -> Flask:
    """The app serving only tests/data/questionnaires/features."""
    (tmp_path / "no-reports").mkdir()
    return make_app(questionnaires_dir=FEATURES, reports_dir=tmp_path / "no-reports")


def test_a_fresh_form_shows_a_placeholder_where_an_answer_is_piped(client):
    page = client.get(URL).get_data(as_text=True)
    assert '<span class="piped" data-pipe="name" data-empty="…">…</span>, which colour' in page
    assert "${name}" not in page


def test_a_form_shown_again_pipes_the_posted_answers_escaped(client, stored):
    response = post(client, q_name="<b>Ana</b>", q_colour="g", q_why="x" * 300)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-pipe="name" data-empty="…">&lt;b&gt;Ana&lt;/b&gt;</span>, which colour' in page
    assert "<b>Ana</b>" not in page
    assert "More about <span" in page
    assert 'data-pipe="colour" data-empty="…">Green</span>?' in page
    assert stored() == []


def test_options_carry_their_attributes_and_without_js_all_are_shown(client):
    page = client.get(URL).get_data(as_text=True)
    assert """data-choice-filter='[{"attribute": "country", "question": "country"}]'""" in page
    assert """<div class="choice" data-attributes='{"country": "KE"}'>""" in page
    assert page.count('value="nbo"') == 2  # district and visited: every option, no hidden one


@pytest.mark.parametrize(
    "answers",
    [
        {"q_country": "UG", "q_district": "nbo"},
        {"q_country": "KE", "q_visited": ["nbo", "kla"]},
        {"q_district": "kla"},  # no country: no district is offered
    ],
)
def test_an_option_the_earlier_answers_filter_out_is_refused_and_nothing_stored(
    client, stored, answers
):
    response = post(client, q_name="Ana", **answers)
    assert response.status_code == 422
    assert "is not one of the options." in response.get_data(as_text=True)
    assert stored() == []


def test_options_the_earlier_answers_offer_are_stored(client, stored):
    response = post(
        client,
        q_name="Ana",
        q_country="UG",
        q_district="_other",
        **{"q_district-other": "Jinja"},
        q_visited=["kla", "gul"],
    )
    assert response.status_code == 303
    [saved] = stored()
    assert sorted(a.option_value for a in saved.answers if a.question_id == "visited") == [
        "gul",
        "kla",
    ]


def test_calculations_are_computed_on_submit_and_stored_as_answers(client, stored):
    response = post(
        client, q_name="Ana", q_country="KE", q_district="nbo", q_adults="2", q_children="3"
    )
    assert response.status_code == 303
    [saved] = stored()
    values = {a.question_id: a.number_value or a.text_value for a in saved.answers}
    assert values["people"] == 5
    assert values["size"] == "large"
    assert values["greeting"] == "Hello Ana from nbo"
    assert values["per_adult"] == 1.5


def test_a_calculation_over_unanswered_questions_stores_nothing(client, stored):
    assert post(client, q_name="Ana").status_code == 303
    [saved] = stored()
    values = {a.question_id: a.number_value or a.text_value for a in saved.answers}
    assert "people" not in values
    assert "per_adult" not in values
    assert values["size"] == "small"  # '' > 4 is false


def test_a_posted_value_for_a_calculation_is_refused_not_stored(client, stored):
    response = post(client, q_name="Ana", q_adults="1", q_children="1", q_people="99")
    assert response.status_code == 400
    assert "q_people" in response.get_data(as_text=True)
    assert stored() == []


def test_calculated_values_are_exported_numbers_always_texts_only_with_free_text(app, logged_in):
    training = open_training(
        logged_in, pre_questionnaire_id="xlsform-features", post_questionnaire_id=""
    )
    answers = {"q_name": "Ana", "q_adults": "2", "q_children": "3"}
    submit(app, training, "pre", {"submission_token": new_submission_token(), **answers})

    def export(**form: str) -> dict[str, str]:
        response = logged_in.post(f"/staff/trainings/{training}/export.csv", data=form)
        assert response.status_code == 200
        [row] = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
        return row

    without_text = export()
    assert (without_text["people"], without_text["per_adult"]) == ("5", "1.5")
    assert without_text["size"] == without_text["greeting"] == ""
    with_text = export(text="1")
    assert (with_text["size"], with_text["greeting"]) == ("large", "Hello Ana from ")
