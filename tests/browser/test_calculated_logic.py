"""show_if on calculations and piped calculated values update live in a real browser,
and what the page shows is what the server stores."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.forms import read_answers
from survey_app.models import Answer
from survey_app.questionnaire import Questionnaire, load_file
from survey_app.questionnaire.answers import calculated_values, visible_questions
from survey_app.questionnaire.calculations import answer_text
from survey_app.questionnaire.pipes import PLACEHOLDER
from tests.conftest import DATA_DIR
from tests.database import AppMaker

from .conftest import app_serving


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """The real app (CSRF on, committing) serving tests/data/questionnaires/calculated."""
    return app_serving(make_app, tmp_path, DATA_DIR / "questionnaires" / "calculated")


def test_a_question_shows_when_a_calculation_passes_its_threshold(page: Page, live_server: str):
    page.goto(f"{live_server}/q/household-size")
    crowded = page.locator('[data-question="crowded"]')
    note = page.locator('[data-question="note"]')
    expect(crowded).to_be_hidden()
    expect(note).to_be_visible()  # people is empty: answered: false holds
    page.get_by_label("How many adults live here?").fill("2")
    page.get_by_label("How many children live here?").fill("4")
    expect(crowded).to_be_visible()
    expect(crowded.locator("legend")).to_contain_text("With 6 people, is your home crowded?")
    expect(note.locator("label").first).to_contain_text("Anything else about large homes?")
    page.get_by_label("How many rooms?").fill("4")
    expect(crowded).to_contain_text("That is 1.5 people per room.")
    page.get_by_label("How many children live here?").fill("3")
    expect(crowded).to_be_hidden()
    expect(note).to_be_hidden()
    page.get_by_label("How many children live here?").fill("")
    expect(note).to_be_visible()
    expect(crowded).to_be_hidden()


def test_what_the_page_showed_is_what_the_server_stores(page: Page, live_server: str, app):
    page.goto(f"{live_server}/q/household-size")
    page.get_by_label("How many adults live here?").fill("3")
    page.get_by_label("How many children live here?").fill("3")
    page.get_by_label("How many rooms?").fill("3")
    page.get_by_label("Yes").check()
    page.get_by_label("Anything else about large homes?").fill("Busy")
    page.get_by_role("button", name="Submit").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank")
    with app.app_context():
        rows = db.session.scalars(select(Answer)).all()
        stored = {a.question_id: a.number_value or a.text_value or a.option_value for a in rows}
    assert stored["crowded"] == "yes"
    assert stored["note"] == "Busy"
    assert (stored["people"], stored["per_room"], stored["size"]) == (6, 2, "large")


def test_a_constraint_on_a_calculation_is_explained_and_the_answers_stay(
    page: Page, live_server: str
):
    page.goto(f"{live_server}/q/household-size")
    page.get_by_label("How many adults live here?").fill("9")
    page.get_by_label("How many children live here?").fill("5")
    page.get_by_role("button", name="Submit").last.click()
    expect(page.locator("#error-summary")).to_contain_text(
        "14 people in one home? Please check the numbers."
    )
    expect(page.get_by_label("How many children live here?")).to_have_value("5")
    expect(page.locator('[data-question="crowded"] legend')).to_contain_text("With 14 people")


def test_a_section_follows_a_calculation_and_a_fraction_in_a_whole_number_counts_as_empty(
    page: Page, live_server: str
):
    page.goto(f"{live_server}/q/household-size")
    support = page.locator("#section-support")
    expect(support).to_be_hidden()
    page.get_by_label("How many adults live here?").fill("4")
    page.get_by_label("How many children live here?").fill("2")
    expect(support).to_be_visible()
    expect(support.locator("legend")).to_have_text("Support for large homes")
    # The server refuses 2.5 children (a whole number), so `people` is empty there too.
    page.get_by_label("How many children live here?").fill("2.5")
    expect(support).to_be_hidden()
    expect(page.locator('[data-question="note"]')).to_be_visible()


FORM_ANSWERS: list[dict[str, str]] = [
    {},
    {"adults": "2", "children": "4", "rooms": "4"},
    {"adults": "2", "children": "3", "rooms": "3"},
    {"adults": "2", "children": "2.5"},  # refused by the server: not a whole number
    {"adults": "abc", "children": "7"},
    {"adults": " 3 ", "children": "1,0", "rooms": "0"},
    {"adults": "9", "children": "5", "rooms": "3"},  # the constraint fails; values computed
    {"adults": "-1", "children": "10", "rooms": "7"},
    {"adults": "1", "rooms": "4.5"},  # not a whole number: no room count, on both sides
    {"adults": "1", "rooms": "4"},
]


def posted(typed: dict[str, str]) -> Callable[[str], list[str]]:
    """The form's inputs as the server reads them, for answers typed by question id."""
    raw = {f"q_{qid}": [value] for qid, value in typed.items()}
    return lambda name: raw.get(name, [])


def test_the_page_shows_what_the_server_decides_for_each_set_of_answers(
    page: Page, live_server: str, app: Flask
):
    path = DATA_DIR / "questionnaires" / "calculated" / "household-size.yaml"
    model = load_file(Questionnaire, path).model
    page.goto(f"{live_server}/q/household-size")
    for typed in FORM_ANSWERS:
        for qid in ("adults", "children", "rooms"):
            page.locator(f"#q_{qid}").fill(typed.get(qid, ""))
        in_browser = page.evaluate(
            """() => ({
                shown: [...document.querySelectorAll('[data-question]')]
                  .filter((q) => !q.hidden && !q.closest('[data-section][hidden]'))
                  .map((q) => q.dataset.question),
                piped: Object.fromEntries([...document.querySelectorAll('[data-pipe]')]
                  .map((s) => [s.dataset.pipe, s.textContent])),
            })"""
        )
        with app.test_request_context():
            answers, _errors = read_answers(model, posted(typed))
            calculated = calculated_values(model, answers)
        shown = visible_questions(model, answers)
        assert sorted(in_browser["shown"]) == sorted(shown), typed
        expected = {k: answer_text(v) or PLACEHOLDER for k, v in calculated.items()}
        assert in_browser["piped"] == expected, typed
