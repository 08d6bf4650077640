"""Piping, cascading choices and calculations live in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.conftest import DATA_DIR
from tests.database import AppMaker

FEATURES = DATA_DIR / "questionnaires" / "features"


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """The real app (CSRF on, committing) serving only tests/data/questionnaires/features."""
    (tmp_path / "no-reports").mkdir()
    return make_app(
        csrf_enabled=True,
        committed=True,
        questionnaires_dir=FEATURES,
        reports_dir=tmp_path / "no-reports",
    )


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
