"""An editor uploads a questionnaire with a mistake, sees where it is, fixes it, previews it
in each language and publishes it; participants get it at once, without a restart."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, expect

from survey_app.auth import create_user
from survey_app.extensions import db
from tests.browser.conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

EMAIL = "editor@example.org"
PASSWORD = "correct horse battery staple"
FEEDBACK = """\
schema_version: 1
id: workshop-feedback
visibility: public
languages: [en, fr]
title: {en: Workshop feedback, fr: Avis sur l'atelier}
sections:
  - id: main
    title: {en: Your view, fr: Votre avis}
    questions:
      - id: useful
        type: QTYPE
        prompt: {en: Was the workshop useful?, fr: "L'atelier était-il utile ?"}
        options:
          - {value: yes, label: {en: Yes, fr: Oui}}
          - {value: no, label: {en: No, fr: Non}}
"""


@pytest.fixture
def editor(app: Flask, fast_password_hashing: None) -> str:
    with app.app_context():
        create_user(db.session(), EMAIL, PASSWORD, "editor")
        db.session.commit()
    return EMAIL


@pytest.fixture
def desk(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def upload(page, text: str) -> None:
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "workshop-feedback.yaml", "mimeType": "application/yaml", "buffer": text.encode()}
    )
    page.get_by_role("button", name="Upload and check").click()


def test_upload_error_fix_preview_publish(live_server: str, editor: str, desk, new_phone_page):
    page = desk.new_page()
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Questionnaires").click()
    expect(page.get_by_role("heading", name="Questionnaires and reports")).to_be_visible()

    upload(page, FEEDBACK.replace("QTYPE", "single-choice"))
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("workshop-feedback.yaml:11:15: sections[0].questions[0].type")
    expect(errors).to_contain_text("unknown question type 'single-choice'")

    upload(page, FEEDBACK.replace("QTYPE", "single_choice"))
    expect(
        page.get_by_role("heading", name="Uploaded questionnaire: Workshop feedback")
    ).to_be_visible()
    expect(page.get_by_text("Publishing makes it version 1 of a new questionnaire")).to_be_visible()
    for code, prompt in (("en", "Was the workshop useful?"), ("fr", "L'atelier était-il utile ?")):
        with desk.expect_page() as opened:
            page.get_by_role("link", name=f"Preview in {code}").click()
        preview = opened.value
        expect(preview.get_by_text(prompt)).to_be_visible()
        expect(preview.locator("#preview-notice")).to_contain_text("answers are not stored")
        preview.close()

    participant = new_phone_page()
    participant.goto(f"{live_server}/q/workshop-feedback")
    expect(participant.get_by_role("heading", name="Page not found")).to_be_visible()

    page.get_by_label("What changed").fill("first version")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Published questionnaire workshop-feedback version 1"
    )
    expect(page.get_by_role("cell", name="first version")).to_be_visible()

    participant.goto(f"{live_server}/q/workshop-feedback")
    expect(participant.get_by_text("Was the workshop useful?")).to_be_visible()
