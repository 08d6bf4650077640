"""Languages in a real browser: the switch keeps typed answers, Arabic reads right to left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from survey_app.settings import Settings
from tests.conftest import NEEDS
from tests.i18n.content import with_language_fixtures

from .test_participant_form import EXPECTED, fill_needs_assessment, open_form, stored_answers

ARABIC = "community-safety-ar"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The samples plus the Arabic questionnaire of tests/i18n/data."""
    return with_language_fixtures(settings, tmp_path / "content")


def test_switching_to_french_keeps_the_answers_and_stores_the_response_in_french(
    page: Page, live_server, stored
):
    open_form(page, live_server)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fill_needs_assessment(page)

    page.get_by_role("button", name="Français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Évaluation des besoins")
    expect(
        page.get_by_role("group", name=re.compile("Pour quel type d'organisation"))
    ).to_be_visible()
    submit = page.get_by_role("button", name="Envoyer")
    expect(submit).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
    # What was typed and picked in English is still there, now under French labels.
    expect(page.get_by_label("Organisation non gouvernementale")).to_be_checked()
    expect(page.get_by_label("Dans quel pays")).to_have_value("MY")
    expect(page.get_by_label("Depuis combien d'années")).to_have_value("7")
    expect(page.get_by_label("Rang 1")).to_have_value("cybercrime")
    channels = page.get_by_role("group", name=re.compile("Sous quelle forme"))
    expect(channels.get_by_label("Autre (veuillez préciser)")).to_have_value("Side event")
    expect(page.get_by_label("Y a-t-il autre chose")).to_have_value(EXPECTED["comments"])
    assert stored() == []

    submit.click()

    expect(page).to_have_url(f"{live_server}/q/{NEEDS}/thanks?lang=fr")
    expect(page.get_by_role("heading", name="Merci")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    [response] = stored()
    assert response.language == "fr"
    assert stored_answers(response) == EXPECTED


def test_a_french_browser_gets_the_french_form(new_phone_page, live_server):
    page = new_phone_page(locale="fr-FR")
    page.goto(f"{live_server}/q/{NEEDS}")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Envoyer")).to_be_visible()


def test_arabic_page_renders_right_to_left(page: Page, live_server):
    page.goto(f"{live_server}/q/{ARABIC}?lang=ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    expect(page.get_by_role("heading", level=1)).to_have_text("السلامة في المجتمع المحلي")
    # Right to left: each radio button sits to the right of its label.
    radio = page.get_by_role("radio", name="نعم")
    label = page.locator("label", has_text="نعم")
    radio_box, label_box = radio.bounding_box(), label.bounding_box()
    assert radio_box is not None
    assert label_box is not None
    assert radio_box["x"] > label_box["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
