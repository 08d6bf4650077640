"""Staff pages for programmes: list and create them, assign trainings, the programme report."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth import staff_required
from ..content import registry
from ..extensions import db
from ..models import Programme, Training
from ..programmes import ProgrammeError, assign_trainings, create_programme, programme_questionnaire
from ..reporting.programme import (
    ProgrammeReport,
    build_programme_report,
    default_question,
    matrix_questions,
    programme_json,
    programme_pdf,
)
from ..trainings import record_audit
from .staff import bp, client_address
from .survey import session as db_session

PRIVATE = {"Cache-Control": "no-store"}


@bp.route("/programmes", methods=["GET", "POST"])
@staff_required
def programmes() -> str | Response | tuple[str, int]:
    """Every programme; a form to create one."""
    if request.method == "POST":
        try:
            programme = create_programme(
                db_session(), request.form.get("name", ""), request.form.get("description", "")
            )
        except ProgrammeError as exc:
            db.session.rollback()
            return _list(str(exc)), 422
        record_audit(
            db_session(), current_user, "programme_created", programme.name, client_address()
        )
        db.session.commit()
        return redirect(url_for("staff.programme", programme_id=programme.id), 303)
    return _list()


def _list(error: str = "") -> str:
    rows = db.session.scalars(db.select(Programme).order_by(Programme.name)).all()
    return render_template("staff/programmes.html", programmes=rows, error=error, form=request.form)


@bp.route("/programmes/<int:programme_id>", methods=["GET", "POST"])
@staff_required
def programme(programme_id: int) -> str | Response:
    """A programme: its trainings (choose them here) and its report."""
    found = db.get_or_404(Programme, programme_id)
    if request.method == "POST":
        chosen = [int(v) for v in request.form.getlist("training") if v.isdigit()]
        assign_trainings(db_session(), found, chosen)
        detail = f"#{found.id} trainings {','.join(str(i) for i in sorted(chosen)) or 'none'}"
        record_audit(db_session(), current_user, "programme_trainings", detail, client_address())
        db.session.commit()
        flash("The programme's trainings were saved.")
        return redirect(url_for("staff.programme", programme_id=found.id), 303)
    trainings = db.session.scalars(db.select(Training).order_by(Training.starts_on.desc())).all()
    qid = programme_questionnaire(found)
    loaded = registry().questionnaire(qid) if qid else None
    return render_template(
        "staff/programme.html",
        programme=found,
        trainings=trainings,
        questionnaire=qid,
        matrices=matrix_questions(loaded.model) if loaded else [],
        chosen=default_question(loaded.model) if loaded else None,
    )


def _report(programme_id: int) -> ProgrammeReport:
    """The report on the matrix `?question=` names (by default the needs question)."""
    found = db.get_or_404(Programme, programme_id)
    qid = programme_questionnaire(found)
    loaded = registry().questionnaire(qid) if qid else None
    if loaded is None:
        abort(404, description="None of the programme's trainings has a needs assessment.")
    question = request.args.get("question") or None
    try:
        return build_programme_report(db_session(), found.id, loaded.model, question_id=question)
    except ValueError as exc:
        abort(404, description=str(exc))


@bp.route("/programmes/<int:programme_id>/report.pdf")
@staff_required
def programme_report_pdf(programme_id: int) -> Response:
    """The programme report as PDF."""
    pdf = programme_pdf(_report(programme_id))
    headers = {
        **PRIVATE,
        "Content-Disposition": f"attachment; filename=programme-{programme_id}.pdf",
    }
    return Response(pdf, mimetype="application/pdf", headers=headers)


@bp.route("/programmes/<int:programme_id>/report.json")
@staff_required
def programme_report_json(programme_id: int) -> Response:
    """The programme report's figures and disclosure record as JSON."""
    return Response(
        programme_json(_report(programme_id)), mimetype="application/json", headers=PRIVATE
    )
