"""Report readers' pages: the list of reports, the print layout as HTML, the PDF download."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy.orm import Session

from ..auth import staff_required
from ..content import registry, report_or_404
from ..database import begin_read_only
from ..extensions import db
from ..reporting.pipeline import (
    ReportDocument,
    build_report,
    pdf_filename,
    render_html,
    render_pdf,
    report_fits_training,
)
from ..reporting.training import ReportTraining, load_report_training

bp = Blueprint("reports", __name__, url_prefix="/reports")

F = TypeVar("F", bound=Callable[..., Any])


def reports_access_required(view: F) -> F:
    """Who may read reports: logged-in staff (admins included); others go to the login page.

    Why a decorator of its own: should the rule for reports change (say, per training), it
    changes here, not in every view.
    """
    return staff_required(view)


@bp.route("/")
@reports_access_required
def index() -> str:
    """The reports this server defines, with links to the preview and the PDF.

    With `?training=<id>`: only the reports on that training's questionnaires, linking to
    their versions filtered to the training.
    """
    training = _training_or_404()
    reports = sorted((lf.model for lf in registry().reports.values()), key=lambda r: r.title)
    if training is not None:
        reports = [r for r in reports if report_fits_training(r, training)]
    return render_template("reports/index.html", reports=reports, training=training)


@bp.route("/<report_id>.html")
@reports_access_required
def preview(report_id: str) -> Response:
    """The print layout in the browser, to check a report without waiting for the PDF."""
    # Only what the report reads: the training filter.
    args: dict[str, Any] = (
        {"training": request.args["training"]} if "training" in request.args else {}
    )
    toolbar = [
        ("← Reports", url_for("reports.index", **args)),
        ("Trainings", url_for("staff.trainings")),
        ("Download PDF", url_for("reports.pdf", report_id=report_id, **args)),
    ]
    doc = _build(report_id)
    html = render_html(doc, static_url=url_for("static", filename=""), toolbar=toolbar)
    return _private(Response(html, mimetype="text/html"))


@bp.route("/<report_id>.pdf")
@reports_access_required
def pdf(report_id: str) -> Response:
    """The report as a PDF download named `<report-id>[-training-<id>]-<YYYY-MM-DD>.pdf`."""
    doc = _build(report_id)
    # The document is plain data: end the (reading) transaction before the slow layout.
    db.session.commit()
    response = Response(render_pdf(render_html(doc)).data, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=pdf_filename(doc))
    return _private(response)


def _build(report_id: str) -> ReportDocument:
    """Load the definition (or 404) and compute the report from the database.

    Why 404, not 400, for a report not about the training's questionnaires: that filtered
    report does not exist, just as an unknown report or training does not.
    """
    loaded = report_or_404(report_id)
    training = _training_or_404()
    if training is not None and not report_fits_training(loaded.model, training):
        abort(
            404,
            description=f"The report '{report_id}' is not about the questionnaires of the "
            f"training “{training.title}”.",
        )
    session: Session = db.session()
    begin_read_only(session)
    return build_report(
        session,
        loaded,
        registry().questionnaire_models(),
        training_id=training.id if training else None,
    )


def _training_or_404() -> ReportTraining | None:
    """The training `?training=<id>` names, None without the parameter; 404 for a bad id."""
    raw = request.args.get("training")
    if raw is None:
        return None
    training = None
    if re.fullmatch(r"[1-9][0-9]{0,17}", raw):
        training = load_report_training(db.session(), int(raw))
    if training is None:
        abort(404, description="There is no such training.")
    return training


def _private(response: Response) -> Response:
    """Reports describe today's data and people: no shared or stale caches."""
    response.headers["Cache-Control"] = "no-store"
    return response
