"""Running a report PDF build in a thread of the worker that was asked for it.

The thread is its own unit of work, like a request: it commits each stage so the progress
page (served by any worker) sees it, and the finished file or the failure.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from .content import registry
from .database import begin_read_only
from .extensions import db
from .report_builds import STAGES, record_done, record_failure, record_stage
from .reporting.pipeline import build_report, pdf_filename, render_html, render_pdf

log = logging.getLogger("survey_app")


def start_build(
    app: Flask, build_id: int, report_id: str, training_id: int | None
) -> threading.Thread:
    """Run the build in a daemon thread; the caller may wait on it for a while."""
    thread = threading.Thread(
        target=run_build,
        args=(app, build_id, report_id, training_id),
        name=f"report-build-{build_id}",
        daemon=True,
    )
    thread.start()
    return thread


def run_build(app: Flask, build_id: int, report_id: str, training_id: int | None) -> None:
    """Compute the report, lay it out, store the PDF; record the failure if anything fails."""
    with app.app_context():
        session = db.session()
        try:
            loaded = registry().report(report_id)
            if loaded is None:
                raise LookupError(f"There is no report '{report_id}' any more.")
            models = registry().questionnaire_models()
            begin_read_only(session)
            doc = build_report(session, loaded, models, training_id=training_id)
            session.commit()
            record_stage(session, build_id, STAGES[1])
            session.commit()
            pdf = render_pdf(render_html(doc)).data
            record_stage(session, build_id, STAGES[2])
            record_done(session, build_id, pdf, pdf_filename(doc))
            session.commit()
        except Exception as exc:  # the page must say it failed, whatever the cause
            log.exception("report build %s failed", build_id)
            session.rollback()
            record_failure(session, build_id, f"{type(exc).__name__}: {exc}")
            session.commit()
        finally:
            db.session.remove()
