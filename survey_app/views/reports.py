"""Report readers' pages: the list of reports, the print layout as HTML, the PDF download."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from ..auth import staff_required
from ..content import registry, report_or_404
from ..database import begin_read_only
from ..extensions import db
from ..models import ReportBuild, utcnow
from ..questionnaire import LoadedFile
from ..report_builds import STAGES, as_utc, build_key, claim_build, data_version, find_build
from ..report_jobs import start_build
from ..reporting.pipeline import ReportDocument, build_report, render_html, report_fits_training
from ..reporting.schema import Report
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
def pdf(report_id: str) -> BaseResponse:
    """The report as a PDF download named `<report-id>[-training-<id>]-<YYYY-MM-DD>.pdf`.

    A PDF already built from the same data is sent at once. Otherwise a build starts in a
    thread; if it is not done within `report_wait_seconds`, the browser is sent to its
    progress page rather than left with a tab that seems to hang.
    """
    loaded, training = _report_and_training(report_id)
    training_id = training.id if training else None
    session: Session = db.session()
    key = _key(session, loaded.model.id, loaded.sha256, training_id)
    try:
        build, run = claim_build(session, key, report_id, training_id)
        build_id = build.id
        # Ends the transaction before the build thread writes: on SQLite an open one
        # holds the write lock (so nothing here touches the session until the join).
        session.commit()
    except IntegrityError:  # another request claimed the same key a moment ago
        session.rollback()
        found, run = find_build(session, key), False
        if found is None:
            abort(409, description="The report is being built; try again in a moment.")
        build_id = found.id
        session.commit()
    if run:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        thread = start_build(app, build_id, report_id, training_id)
        thread.join(current_app.config["SURVEY_SETTINGS"].report_wait_seconds)
        session.expire_all()
    done = session.get(ReportBuild, build_id)
    if done is not None and done.status == "done" and done.pdf is not None:
        return _pdf_response(done)
    return redirect(url_for("reports.job", build_id=build_id), 303)


@bp.route("/jobs/<int:build_id>")
@reports_access_required
def job(build_id: int) -> BaseResponse | str:
    """A build's progress; it reloads itself (no JavaScript needed) until the PDF is ready."""
    build = _build_or_404(build_id)
    if build.status == "done":
        return redirect(url_for("reports.job_pdf", build_id=build.id), 303)
    html = render_template(
        "reports/job.html",
        build=build,
        step=STAGES.index(build.stage) + 1 if build.stage in STAGES else 1,
        steps=len(STAGES),
        elapsed=int((utcnow() - as_utc(build.started_at)).total_seconds()),
        retry=url_for("reports.pdf", report_id=build.report_id, training=build.training_id),
    )
    return _private(Response(html, mimetype="text/html"))


@bp.route("/jobs/<int:build_id>.pdf")
@reports_access_required
def job_pdf(build_id: int) -> BaseResponse:
    """A finished build's PDF, if the data are still those it was built from."""
    build = _build_or_404(build_id)
    fresh = url_for("reports.pdf", report_id=build.report_id, training=build.training_id)
    loaded = registry().report(build.report_id)
    if build.status != "done" or build.pdf is None or loaded is None:
        return redirect(url_for("reports.job", build_id=build.id) if loaded else fresh, 303)
    if _key(db.session(), build.report_id, loaded.sha256, build.training_id) != build.key:
        return redirect(fresh, 303)  # the data changed since: never send a stale PDF
    return _pdf_response(build)


def _key(session: Session, report_id: str, definition: str, training_id: int | None) -> str:
    data = data_version(session, training_id)
    return build_key(report_id, definition, training_id, data, utcnow().date())


def _pdf_response(build: ReportBuild) -> Response:
    response = Response(build.pdf, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=build.filename)
    return _private(response)


def _build_or_404(build_id: int) -> ReportBuild:
    build = db.session.get(ReportBuild, build_id)
    if build is None:
        abort(404, description="There is no such report build; download the report again.")
    return build


def _report_and_training(report_id: str) -> tuple[LoadedFile[Report], ReportTraining | None]:
    """The definition and the `?training=` filter, or 404.

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
    return loaded, training


def _build(report_id: str) -> ReportDocument:
    """Load the definition (or 404) and compute the report from the database."""
    loaded, training = _report_and_training(report_id)
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
