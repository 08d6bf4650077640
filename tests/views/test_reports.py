"""/reports/: the list, the HTML preview under our CSP, and the PDF download."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from survey_app.auth import create_user
from survey_app.extensions import db
from survey_app.settings import Settings
from survey_app.views.errors import CONTENT_SECURITY_POLICY
from tests.reporting.report_app import Person, pdf_pages, seed, settings_with_reports

REPORT = """\
schema_version: 1
id: view-report
questionnaire: untoc-needs-assessment
title: Findings for the programme team
subtitle: First round
blocks:
  - type: overview
"""
OTHER = REPORT.replace("view-report", "another-report").replace("Findings", "Another look")
STAFF, PASSWORD = "officer@example.org", "correct horse battery staple"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings_with_reports(
        settings, tmp_path / "reports", {"view-report.yaml": REPORT, "another.yaml": OTHER}
    )


@pytest.fixture
def staff(app, client, fast_password_hashing) -> FlaskClient:
    """The test client, logged in as a staff member."""
    with app.app_context():
        create_user(db.session(), STAFF, PASSWORD, "staff")
        db.session.commit()
    response = client.post("/staff/login", data={"email": STAFF, "password": PASSWORD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def test_index_lists_every_report_with_preview_and_pdf_links(staff):
    response = staff.get("/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<a href="/reports/view-report.html">Findings for the programme team</a>' in html
    assert '<a href="/reports/view-report.pdf">PDF</a>' in html
    assert '<a href="/reports/another-report.html">Another look for the programme team</a>' in html
    assert "First round" in html


def test_preview_is_the_print_layout_working_under_our_csp(staff, session):
    seed(session, [Person("ngo", "MY")] * 6)
    response = staff.get("/reports/view-report.html")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Findings for the programme team" in html
    assert '<link rel="stylesheet" href="/static/css/report.css">' in html
    assert '<img src="data:image/svg+xml;base64,' in html  # the stakeholder chart
    # style-src 'self' blocks inline styles: none may be needed.
    assert not re.search(r"<style|\sstyle=", html)
    assert "<script" not in html
    stylesheet = staff.get("/static/css/report.css")
    assert stylesheet.status_code == 200
    stylesheet.close()


def test_pdf_downloads_as_an_attachment_named_after_the_report_and_date(staff, session):
    seed(session, [Person("ngo", "MY")] * 6)
    response = staff.get("/reports/view-report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=view-report-{today}.pdf"
    )
    assert response.headers["Cache-Control"] == "no-store"
    pages = pdf_pages(response.data)
    assert len(pages) == 4  # cover, contents, the overview, the disclosure page
    assert "Findings for the programme team" in pages[0]


@pytest.mark.parametrize("url", ["/reports/nope.html", "/reports/nope.pdf", "/reports/nope"])
def test_unknown_report_is_404(staff, url):
    response = staff.get(url)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/reports/",
        "/reports/view-report.html",
        "/reports/view-report.pdf",
        "/reports/nope.pdf",
        "/reports/jobs/1",
        "/reports/jobs/1.pdf",
    ],
)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    """Every reports page goes through `reports_access_required`; unknown ids reveal nothing."""
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login")


def test_the_reports_blueprint_has_exactly_these_views(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert {e for e in endpoints if e.startswith("reports.")} == {
        "reports.index",
        "reports.preview",
        "reports.pdf",
        "reports.job",
        "reports.job_pdf",
    }
