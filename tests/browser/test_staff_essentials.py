"""Staff essentials in a real browser: an admin resets a colleague's password with a
one-time link and deactivates an account; deletes one response and a participant's
responses by their code; the training page refreshes its counts, copies links and shows
times in the viewer's zone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from survey_app.auth import create_user
from survey_app.codes import code_hasher
from survey_app.content import registry
from survey_app.extensions import db
from survey_app.models import Training
from survey_app.responses import new_submission_token, record_submission
from survey_app.trainings import (
    Placement,
    TrainingFields,
    create_training,
    normalise_code,
    set_status,
)
from tests.browser.conftest import TIMEOUT_MS

pytestmark = pytest.mark.browser

ADMIN, OFFICER = "admin@example.org", "officer@example.org"
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "violet harbour lantern 42"
TITLE = "Regional workshop, Putrajaya"


@pytest.fixture
def accounts(app: Flask, fast_password_hashing: None) -> None:
    with app.app_context():
        create_user(db.session(), ADMIN, PASSWORD, "admin")
        create_user(db.session(), OFFICER, PASSWORD, "staff")
        db.session.commit()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Asia/Kuala_Lumpur"
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def log_in(page: Page, base_url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/staff/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Trainings", level=1)).to_be_visible()


def open_training(app: Flask) -> int:
    with app.app_context():
        fields = TrainingFields(
            TITLE,
            "Putrajaya",
            dt.date(2027, 1, 15),
            dt.date(2027, 1, 17),
            "UNODC",
            "untoc-needs-assessment",
            "untoc-post-training",
        )
        training = create_training(db.session(), fields)
        set_status(db.session(), training, "open")
        db.session.commit()
        return training.id


def store(app: Flask, training_id: int, phase: str, code: tuple[str, int, str]) -> None:
    """A participant's response, stored as the form stores it (hashed code)."""
    with app.app_context():
        training = db.session.get(Training, training_id)
        questionnaire = training.questionnaire_for(phase)
        hashed = code_hasher().hash(training, normalise_code(*code))
        record_submission(
            db.session(),
            registry().questionnaire(questionnaire),
            {"country": "MY"} if phase == "pre" else {"overall_satisfaction": 5},
            new_submission_token(),
            "en",
            Placement(training_id, phase, hashed),
        )
        db.session.commit()


def test_admin_resets_a_password_with_a_one_time_link_and_deactivates(
    live_server: str, accounts: None, desktop: BrowserContext, browser: Browser
):
    admin = desktop.new_page()
    log_in(admin, live_server, ADMIN)
    admin.get_by_role("link", name="Accounts").click()
    row = admin.locator(f'tr[data-user="{OFFICER}"]')
    expect(row.locator("[data-last-login]")).to_have_text("never")
    row.get_by_role("button", name="Reset password link").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Password reset link for {OFFICER}")
    link = admin.get_by_label("One-time link").input_value()
    assert link.startswith(f"{live_server}/staff/reset/")

    # The colleague, in their own browser.
    colleague = browser.new_context()
    try:
        page = colleague.new_page()
        page.goto(link)
        page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        page.get_by_label("New password again").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Set password").click()
        expect(page.get_by_role("status")).to_contain_text("Your password has been set")
        log_in(page, live_server, OFFICER, NEW_PASSWORD)
        page.goto(link)
        expect(page.get_by_text("This link has expired or has been used")).to_be_visible()
    finally:
        colleague.close()

    admin.goto(f"{live_server}/staff/users")
    row = admin.locator(f'tr[data-user="{OFFICER}"]')
    expect(row.locator("[data-last-login]")).to_contain_text("GMT+8")  # the viewer's zone
    row.get_by_role("link", name="Deactivate…").click()
    expect(admin.get_by_text("They are logged out at once")).to_be_visible()
    admin.get_by_role("button", name=f"Deactivate {OFFICER}").click()
    expect(admin.get_by_role("status")).to_contain_text(f"{OFFICER} is now deactivated")
    admin.get_by_role("link", name="Audit log").click()
    for action in ("password_reset_link", "password_reset", "user_deactivated"):
        expect(admin.get_by_text(action, exact=True).first).to_be_visible()


def test_admin_deletes_a_response_and_a_participants_responses_by_code(
    app: Flask, live_server: str, accounts: None, desktop: BrowserContext
):
    training = open_training(app)
    store(app, training, "pre", ("Ma", 7, "42"))
    store(app, training, "post", ("ma", 7, "42"))
    store(app, training, "pre", ("Zo", 30, "11"))
    admin = desktop.new_page()
    log_in(admin, live_server, ADMIN)
    admin.get_by_role("link", name=TITLE).click()
    expect(admin.locator('[data-figure="pre"]')).to_have_text("2")

    admin.get_by_role("link", name="Delete a participant's responses (by their code)…").click()
    admin.get_by_label("First two letters of their mother's first name").fill("MA")
    admin.get_by_label("Day of the month they were born").fill("7")
    admin.get_by_label("Last two digits of their phone number").fill("42")
    admin.get_by_role("button", name="Find their responses").click()
    expect(admin.locator("[data-matched]")).to_contain_text("matches 2 responses")
    admin.get_by_role("button", name="Delete 2 responses").click()
    expect(admin.get_by_role("status")).to_contain_text("Deleted 2 responses")
    expect(admin.locator('[data-figure="pre"]')).to_have_text("1")
    expect(admin.locator('[data-figure="post"]')).to_have_text("0")

    with app.app_context():
        from sqlalchemy import select

        from survey_app.models import Response

        (remaining,) = db.session.scalars(select(Response.id)).all()
    admin.get_by_label("View a response by its number").fill(str(remaining))
    admin.get_by_role("button", name="View response").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Response {remaining}")
    expect(admin.locator('[data-figure="phase"]')).to_have_text("Before the training")
    expect(admin.locator('[data-question="country"]')).to_contain_text("Malaysia")
    admin.get_by_label("Why is it deleted?").fill("Entered by the organiser as a test")
    admin.get_by_role("button", name="Delete response").click()
    # The box is not ticked: the browser refuses to send the form.
    expect(admin.get_by_role("heading", level=1)).to_have_text(f"Response {remaining}")
    admin.get_by_label(f"Delete response {remaining} and its answers").check()
    admin.get_by_role("button", name="Delete response").click()
    expect(admin.get_by_role("status")).to_contain_text(f"Response {remaining} and its answers")
    expect(admin.locator('[data-figure="pre"]')).to_have_text("0")


def test_training_page_refreshes_counts_copies_links_and_confirms_new_links(
    app: Flask, live_server: str, accounts: None, desktop: BrowserContext
):
    training = open_training(app)
    desktop.grant_permissions(["clipboard-read", "clipboard-write"])
    page = desktop.new_page()
    page.clock.install()
    log_in(page, live_server, OFFICER)
    page.goto(f"{live_server}/staff/trainings/{training}")
    expect(page.locator('[data-figure="pre"]')).to_have_text("0")
    store(app, training, "pre", ("Ma", 7, "42"))
    page.clock.run_for(16_000)
    expect(page.locator('[data-figure="pre"]')).to_have_text("1")  # no reload
    expect(page.locator('[data-figure="last"]')).to_contain_text("GMT+8")

    link = page.locator('[data-phase="pre"] a.participant-link').get_attribute("href")
    page.locator('[data-phase="pre"]').get_by_role("button", name="Copy link").click()
    assert page.evaluate("navigator.clipboard.readText()") == link

    page.locator('[data-phase="pre"]').get_by_role("link", name="New link…").click()
    expect(page.get_by_text("Printed or projected QR codes")).to_be_visible()
    page.get_by_role("button", name="Make a new link").click()
    new = page.locator('[data-phase="pre"] a.participant-link').get_attribute("href")
    assert new != link
