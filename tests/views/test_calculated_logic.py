"""Calculations in show_if, constraints and piped texts on the participant form, no JS."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask

from survey_app.responses import new_submission_token
from tests.conftest import DATA_DIR

CALCULATED = DATA_DIR / "questionnaires" / "calculated"
URL = "/q/household-size"


def post(client, **answers: str | list[str]):
    """Post answers with a fresh submission token."""
    return client.post(URL, data={"submission_token": new_submission_token(), **answers})


@pytest.fixture
def app(make_app, tmp_path: Path) -> Flask:
    """The app serving only tests/data/questionnaires/calculated."""
    (tmp_path / "no-reports").mkdir()
    return make_app(questionnaires_dir=CALCULATED, reports_dir=tmp_path / "no-reports")


def values(response) -> dict[str, object]:
    return {
        a.question_id: a.number_value or a.text_value or a.option_value for a in response.answers
    }


def test_a_question_shown_only_above_a_calculated_threshold_is_stored_then(client, stored):
    assert post(client, q_adults="2", q_children="4", q_crowded="yes").status_code == 303
    [saved] = stored()
    assert values(saved)["crowded"] == "yes"
    assert values(saved)["people"] == 6


def test_below_the_threshold_the_question_is_hidden_and_its_answer_dropped(client, stored):
    assert post(client, q_adults="2", q_children="3", q_crowded="yes").status_code == 303
    [saved] = stored()
    assert "crowded" not in values(saved)
    assert values(saved)["people"] == 5


def test_an_unanswered_input_leaves_the_calculation_empty_and_its_comparison_false(client, stored):
    # `people` is empty: greater_than is false (crowded hidden); answered: false holds.
    assert post(client, q_adults="7", q_crowded="yes", q_note="tiny").status_code == 303
    [saved] = stored()
    assert "people" not in values(saved)
    assert "crowded" not in values(saved)
    assert values(saved)["note"] == "tiny"


def test_a_constraint_on_a_calculation_gives_its_message_and_keeps_the_answers(client, stored):
    response = post(client, q_adults="9", q_children="5", q_rooms="2", q_note="big")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "14 people in one home? Please check the numbers." in page
    assert re.search(r'name="q_children"[^>]*value="5"', page)
    assert re.search(r'name="q_adults"[^>]*value="9"', page)
    assert re.search(r'name="q_note"[^>]*value="big"', page)
    assert stored() == []


def test_a_page_shown_again_pipes_calculations_recomputed_from_the_posted_answers(client):
    response = post(client, q_adults="9", q_children="5", q_rooms="4")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-pipe="people" data-empty="…">14</span> people, is your home crowded?' in page
    assert 'data-pipe="per_room" data-empty="…">3.5</span> people per room' in page
    assert 'data-pipe="size" data-empty="…">large</span> homes?' in page


def test_a_fresh_page_shows_placeholders_and_ships_the_parsed_calculations(client):
    page = client.get(URL).get_data(as_text=True)
    assert 'data-pipe="people" data-empty="…">…</span> people' in page
    shipped = re.search(r"data-calculations='([^']*)'", page)
    assert shipped is not None
    trees = json.loads(shipped.group(1).replace("&#34;", '"'))
    assert trees[0] == {
        "id": "people",
        "ast": {"op": "+", "args": [{"ref": "adults"}, {"ref": "children"}]},
    }
    assert "${adults}" not in page


def test_without_js_the_condition_on_a_calculation_is_said_in_words(client):
    page = client.get(URL).get_data(as_text=True)
    assert "Answer only if “people” is more than 5." in page


def test_a_constraint_without_a_message_says_the_rule(client, stored):
    response = post(client, q_adults="2", q_rooms="0")
    assert response.status_code == 422
    assert "This answer does not fit the rule: “How many rooms?” is at least 1." in (
        response.get_data(as_text=True)
    )
    assert stored() == []


def test_a_section_shown_by_a_calculation_keeps_its_answers_only_then(client, stored):
    assert post(client, q_adults="4", q_children="2", q_support_wanted="Space").status_code == 303
    assert post(client, q_adults="1", q_children="2", q_support_wanted="Space").status_code == 303
    large, small = stored()
    assert values(large)["support_wanted"] == "Space"
    assert "support_wanted" not in values(small)
    assert values(small)["size"] == "small"
