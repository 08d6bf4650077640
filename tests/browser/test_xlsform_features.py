"""Piping, cascading choices and calculations live in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer
from tests.conftest import DATA_DIR
from tests.database import AppMaker

from .conftest import app_serving

FEATURES = DATA_DIR / "questionnaires" / "features"


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """The real app (CSRF on, committing) serving only tests/data/questionnaires/features."""
    return app_serving(make_app, tmp_path, FEATURES)


def test_an_answer_is_piped_into_later_texts_as_it_is_typed(page: Page, live_server: str):
    page.goto(f"{live_server}/q/xlsform-features")
    colour = page.locator('[data-question="colour"] legend')
    expect(colour).to_contain_text("…, which colour do you like?")
    page.get_by_label("What is your name?").fill("<img src=x onerror=alert(1)>")
    expect(colour).to_contain_text("<img src=x onerror=alert(1)>, which colour do you like?")
    expect(page.locator("img")).to_have_count(0)
    page.get_by_label("What is your name?").fill("Ana")
    expect(colour).to_contain_text("Ana, which colour do you like?")
    expect(page.locator("#section-more legend")).to_have_text("More about Ana")
    page.get_by_label("Green").check()
    expect(page.get_by_label("Why Green?")).to_be_visible()


def test_cascading_choices_follow_the_earlier_answer_and_store(page: Page, live_server: str, app):
    page.goto(f"{live_server}/q/xlsform-features")
    district = page.locator('[data-question="district"]')
    expect(district.get_by_label("Kampala")).to_be_hidden()
    expect(district.get_by_label("Nairobi")).to_be_hidden()
    page.get_by_label("Uganda").check()
    expect(district.get_by_label("Kampala")).to_be_visible()
    expect(district.get_by_label("Nairobi")).to_be_hidden()
    district.get_by_label("Gulu").check()
    page.get_by_label("Kenya").check()
    expect(district.get_by_label("Gulu")).to_be_hidden()
    expect(district.get_by_label("Gulu")).not_to_be_checked()
    district.get_by_label("Nairobi").check()
    expect(district.locator("legend")).to_contain_text("District in Kenya?")
    page.get_by_label("What is your name?").fill("Ana")
    page.get_by_role("button", name="Submit").last.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank")
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.question_id == "district")).all()
        assert [a.option_value for a in rows] == ["nbo"]
