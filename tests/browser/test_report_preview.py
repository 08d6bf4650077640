"""The report preview in a real browser: our CSP blocks nothing it needs, charts keep colour."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Browser, BrowserContext

from survey_app.auth import create_user
from survey_app.extensions import db
from survey_app.settings import Settings
from tests.browser.conftest import TIMEOUT_MS
from tests.reporting.report_app import Person, seed, settings_with_reports

pytestmark = pytest.mark.browser

EMAIL, PASSWORD = "reader@example.org", "correct horse battery staple"
REPORT = """\
schema_version: 1
id: preview-report
questionnaire: untoc-needs-assessment
title: Preview of the print layout
blocks:
  - type: overview
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings_with_reports(settings, tmp_path / "reports", {"preview.yaml": REPORT})


@pytest.fixture
def reader(app: Flask, fast_password_hashing: None) -> None:
    with app.app_context():
        create_user(db.session(), EMAIL, PASSWORD, "staff")
        seed(db.session, [Person("ngo", "MY")] * 6 + [Person("academia", "TH")] * 5)


@pytest.fixture
def desktop(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


def test_preview_renders_under_the_csp_with_coloured_charts(desktop, live_server, reader):
    page = desktop.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/staff/**")

    response = page.goto(f"{live_server}/reports/preview-report.html")

    assert response is not None
    assert response.status == 200
    assert "style-src 'self'" in response.headers["content-security-policy"]
    assert page.get_by_role("heading", name="Preview of the print layout").is_visible()
    # report.css loaded: the block heading takes its colour from it.
    heading = page.locator("h2.block-heading")
    assert heading.evaluate("e => getComputedStyle(e).color") == "rgb(0, 114, 178)"
    # The chart is an SVG image (its own styles are not the page's, so the CSP allows them)
    # and keeps its colour: its bars are drawn in the palette's blue.
    chart = page.get_by_role("img", name="Bar chart of the share of respondents")
    assert chart.is_visible()
    assert chart.evaluate("e => e.complete && e.naturalWidth > 0")
    colours = Image.open(io.BytesIO(chart.screenshot())).convert("RGB").getcolors(1 << 24)
    blue = sum(n for n, (r, g, b) in colours if r < 40 and 84 < g < 144 and 148 < b < 208)
    assert blue > 200
    assert not [text for text in console if "Content Security Policy" in text]


def test_preview_on_a_phone_fits_its_width_and_downloads_the_pdf(page, live_server, reader):
    page.goto(f"{live_server}/staff/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server}/staff/**")
    page.goto(f"{live_server}/reports/preview-report.html")
    toolbar = page.get_by_role("navigation", name="Report preview")
    assert toolbar.get_by_role("link", name="← Reports").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    with page.expect_download() as info:
        toolbar.get_by_role("link", name="Download PDF").click()
    assert info.value.suggested_filename.endswith(".pdf")
