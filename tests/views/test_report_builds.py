"""Report PDFs kept per state of the data: served again at once, never stale, with a progress
page for slow builds and a clear failure."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select

from survey_app import report_jobs
from survey_app.extensions import db
from survey_app.models import Answer, ReportBuild, Response, Training
from survey_app.report_builds import data_version
from survey_app.settings import Settings
from tests.conftest import open_training
from tests.reporting.report_app import Person, pdf_pages, seed, settings_with_reports

REPORT = """\
schema_version: 1
id: cached-report
questionnaire: untoc-needs-assessment
title: Findings kept per state of the data
blocks:
  - type: overview
"""
URL = "/reports/cached-report.pdf"


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    return settings_with_reports(settings, tmp_path / "reports", {"cached.yaml": REPORT})


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """The training filter of every report computation the build thread runs."""
    calls: list[int | None] = []
    real = report_jobs.build_report

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("training_id"))
        return real(*args, **kwargs)

    monkeypatch.setattr(report_jobs, "build_report", counting)
    return calls


def respondents(pdf: bytes) -> str:
    """The overview's first page, where the number of respondents is printed."""
    return "\n".join(pdf_pages(pdf)[2:3])


def test_the_same_data_is_served_from_the_stored_build(logged_in, session, builds):
    seed(session, [Person("ngo", "MY")] * 6)
    first = logged_in.get(URL)
    second = logged_in.get(URL)
    assert first.status_code == second.status_code == 200
    assert second.data == first.data
    assert builds == [None]
    assert session.scalar(select(func.count(ReportBuild.id))) == 1


def test_a_new_response_builds_the_pdf_again(logged_in, session, builds):
    seed(session, [Person("ngo", "MY")] * 6)
    before = logged_in.get(URL)
    seed(session, [Person("ngo", "MY")])
    after = logged_in.get(URL)
    assert before.status_code == after.status_code == 200
    assert len(builds) == 2
    assert "Answered by all 6 respondents." in respondents(before.data)
    assert "Answered by all 7 respondents." in respondents(after.data)
    assert after.data != before.data
    # The old file can never be served again: it is gone.
    assert session.scalar(select(func.count(ReportBuild.id))) == 1


def test_a_deleted_response_builds_the_pdf_again(logged_in, session, builds):
    seed(session, [Person("ngo", "MY")] * 7)
    before = logged_in.get(URL)
    newest = session.scalar(select(func.max(Response.id)))
    session.execute(delete(Answer).where(Answer.response_id == newest))
    session.execute(delete(Response).where(Response.id == newest))
    session.commit()
    after = logged_in.get(URL)
    assert len(builds) == 2
    assert after.data != before.data


def test_data_version_follows_responses_and_the_trainings_group_minimums(logged_in, session):
    training_id = open_training(logged_in)

    def version() -> str:
        found = data_version(session, training_id)
        session.commit()  # SQLite: the next request must be able to write
        return found

    versions = [version()]
    training = session.get(Training, training_id)
    training.min_group_size = 7
    session.commit()
    versions.append(version())
    training.min_text_group_size = 12
    session.commit()
    versions.append(version())
    seed(session, [Person()])  # outside the training: its report does not change
    versions.append(version())
    assert len(set(versions[:3])) == 3
    assert versions[3] == versions[2]


def test_a_finished_build_is_not_sent_once_the_data_changed(logged_in, session, builds):
    seed(session, [Person("ngo", "MY")] * 6)
    assert logged_in.get(URL).status_code == 200
    build_id = session.scalar(select(ReportBuild.id))
    assert logged_in.get(f"/reports/jobs/{build_id}.pdf").status_code == 200
    seed(session, [Person("ngo", "MY")])
    stale = logged_in.get(f"/reports/jobs/{build_id}.pdf")
    assert stale.status_code == 303
    assert stale.headers["Location"] == URL


@pytest.fixture
def slow_build(monkeypatch: pytest.MonkeyPatch, app) -> threading.Event:
    """Builds that wait for the returned event before computing the report."""
    app.config["SURVEY_SETTINGS"] = app.config["SURVEY_SETTINGS"].model_copy(
        update={"report_wait_seconds": 0}
    )
    go = threading.Event()
    real = report_jobs.build_report

    def waiting(*args: Any, **kwargs: Any) -> Any:
        assert go.wait(60), "the test never let the build go on"
        return real(*args, **kwargs)

    monkeypatch.setattr(report_jobs, "build_report", waiting)
    return go


def follow_until_pdf(client: FlaskClient, url: str) -> Any:
    """Reload the progress page as its meta refresh would, until it hands over the PDF."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code != 200:
            assert response.status_code == 303
            return client.get(response.headers["Location"])
        time.sleep(0.2)
    raise AssertionError("the build never finished")


# Committed: the build thread and the requests work at the same time, each on its own
# connection (a test's joined transaction is one connection, which they cannot share).
@pytest.mark.committed
def test_a_slow_build_shows_a_progress_page_then_the_pdf(app, logged_in, slow_build):
    # Not the `session` fixture: its app context would make every request below share (and
    # keep) one session, holding SQLite's write lock that the build thread waits for.
    with app.app_context():
        seed(db.session, [Person("ngo", "MY")] * 6)
    started = logged_in.get(URL)
    assert started.status_code == 303
    job = started.headers["Location"]
    assert job.startswith("/reports/jobs/")
    page = logged_in.get(job)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "Step 1 of 3: Reading the responses" in html
    assert page.headers["Cache-Control"] == "no-store"
    # Asking again while it runs joins the same build rather than starting another.
    assert logged_in.get(URL).headers["Location"] == job
    slow_build.set()
    pdf = follow_until_pdf(logged_in, job)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert "Findings kept per state of the data" in pdf_pages(pdf.data)[0]


def test_a_failed_build_says_why_and_the_next_download_tries_again(logged_in, session, monkeypatch):
    seed(session, [Person("ngo", "MY")] * 6)
    real = report_jobs.build_report

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(report_jobs, "build_report", failing)
    failed = logged_in.get(URL)
    assert failed.status_code == 303
    page = logged_in.get(failed.headers["Location"])
    html = page.get_data(as_text=True)
    assert "The PDF could not be built: RuntimeError: the disk is full" in html
    assert f'<a href="{URL}">Try again</a>' in html
    assert "http-equiv" not in html  # a failed build does not reload itself forever
    monkeypatch.setattr(report_jobs, "build_report", real)
    retried = logged_in.get(URL)
    assert retried.status_code == 200
    assert retried.mimetype == "application/pdf"


def test_an_unknown_build_is_404(logged_in):
    assert logged_in.get("/reports/jobs/999999").status_code == 404
    assert logged_in.get("/reports/jobs/999999.pdf").status_code == 404
