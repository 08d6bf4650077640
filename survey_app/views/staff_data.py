"""Staff pages for a training's data: QR codes, exports, deleting responses.

Routes join the `staff` blueprint (endpoints `staff.*`); staff.py holds the training pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import StringField
from wtforms.validators import DataRequired, ValidationError

from ..auth import staff_required
from ..export_files import build_stat_file, build_xlsx_file, stream_file
from ..export_rows import NoQuestionnaireError, Plan, iter_plan_rows, plan_training_export
from ..exports import Cell, CodebookEntry, csv_chunks, export_filename
from ..extensions import db
from ..models import Training, utcnow
from ..pairing import pairing_summary
from ..qr import qr_svg
from ..trainings import active_link, delete_responses, record_audit
from .staff import bp, client_address, training_or_404
from .survey import session as db_session

PHASE_ANY = "<any(pre, post, followup):phase>"
PRIVATE = {"Cache-Control": "no-store"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def public_link(token: str) -> str:
    """The absolute participant URL for a link token, under SURVEY_PUBLIC_URL.

    Why not the request's host: staff print and project these links and QR codes, so a
    forged Host or X-Forwarded-Host must not decide where participants' answers go. Only
    without a configured public URL (a local `flask run`) does the request's host serve.
    """
    path = current_app.url_map.bind("localhost").build("survey.training_phase", {"token": token})
    base = current_app.config["SURVEY_SETTINGS"].public_url or request.host_url
    return f"{base.rstrip('/')}{path}"


def participant_url(training: Training, phase: str) -> str:
    """The absolute URL of the phase's working participant link, or 404."""
    link = active_link(training, phase)
    if link is None or not training.questionnaire_for(phase):
        abort(404, description="This phase has no working participant link.")
    return public_link(link.token)


@bp.route(f"/trainings/<int:training_id>/qr/{PHASE_ANY}.svg")
@staff_required
def qr_code(training_id: int, phase: str) -> Response:
    """The phase's participant link as a scalable SVG QR code."""
    training = training_or_404(training_id)
    svg = qr_svg(participant_url(training, phase), f"QR code: {training.title} ({phase})")
    return Response(svg, mimetype="image/svg+xml", headers=PRIVATE)


@bp.route(f"/trainings/<int:training_id>/qr/{PHASE_ANY}")
@staff_required
def qr_sheet(training_id: int, phase: str) -> str:
    """A page to print on A4: the QR code, the training's title, the phase and the link."""
    training = training_or_404(training_id)
    url = participant_url(training, phase)
    return render_template("staff/qr_sheet.html", training=training, phase=phase, url=url)


@bp.route("/trainings/<int:training_id>/followup-card")
@staff_required
def followup_card(training_id: int) -> str:
    """Cards to hand out at the end of the training: the follow-up link and its QR code."""
    training = training_or_404(training_id)
    url = participant_url(training, "followup")
    return render_template("staff/followup_card.html", training=training, url=url, copies=4)


@dataclass(frozen=True)
class ExportJob:
    """What one export request asked for, resolved to plain data (it outlives the view)."""

    title: str
    plan: Plan

    def filename(self, extension: str) -> str:
        """`<training-slug>-<shape>-<date>.<extension>`."""
        return export_filename(self.title, self.plan.shape, extension, utcnow().date())

    def rows(self) -> Iterator[list[Cell]]:
        """The rows, read in batches that each end their read transaction.

        Why a generator: the session is looked up on first iteration, so a streamed
        response reads with the session of the context it streams in (the view's own is
        removed when the view returns).
        """
        yield from iter_plan_rows(db_session(), self.plan, end_read=db.session.rollback)

    def codebook(self) -> Iterator[CodebookEntry]:
        """The codebook of the export's columns, per questionnaire version."""
        return self.plan.codebook()


def start_export(training_id: int, file_format: str) -> ExportJob:
    """Resolve training, layout (`phase=pre|post|long|wide`) and `text=1` from the posted
    form; log the export; commit."""
    training = training_or_404(training_id)
    shape = request.form.get("phase", "pre")
    include_text = request.form.get("text") == "1"
    try:
        plan = plan_training_export(db_session(), training, shape, include_text)
    except ValueError:
        abort(404, description="Export one phase, or both as long or wide.")
    except NoQuestionnaireError:
        abort(404, description="This training has no questionnaire for that phase.")
    job = ExportJob(training.title, plan)
    detail = f"#{training.id} {file_format} {shape} text={'yes' if include_text else 'no'}"
    record_audit(db_session(), current_user, "export", detail, client_address())
    db.session.commit()
    return job


def attachment(filename: str) -> dict[str, str]:
    """Headers for a private download."""
    return {**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'}


# POST with a CSRF token, never GET: a cross-site link or <img> made a logged-in staff
# member's browser run an export, logged in their name.
@bp.route("/trainings/<int:training_id>/export.csv", methods=["POST"])
@staff_required
def export_csv(training_id: int) -> Response:
    """Responses as CSV, streamed row by row."""
    job = start_export(training_id, "csv")
    chunks = csv_chunks(job.plan.header, job.rows())
    return Response(
        stream_with_context(chunks), mimetype="text/csv", headers=attachment(job.filename("csv"))
    )


@bp.route("/trainings/<int:training_id>/export.xlsx", methods=["POST"])
@staff_required
def export_xlsx(training_id: int) -> Response:
    """Responses as an XLSX workbook: labels, codes and codebook sheets."""
    job = start_export(training_id, "xlsx")
    path = build_xlsx_file(job.plan.columns, job.codebook(), job.rows, job.plan.labelled)
    return Response(stream_file(path), mimetype=XLSX, headers=attachment(job.filename("xlsx")))


STAT_TYPES = {"sav": "application/x-spss-sav", "dta": "application/x-stata-dta"}


@bp.route("/trainings/<int:training_id>/export.<any(sav, dta):kind>", methods=["POST"])
@staff_required
def export_stat(training_id: int, kind: str) -> Response:
    """Responses as an SPSS or Stata file with variable and value labels."""
    job = start_export(training_id, kind)
    path = build_stat_file(kind, job.plan.columns, job.rows())
    return Response(
        stream_file(path), mimetype=STAT_TYPES[kind], headers=attachment(job.filename(kind))
    )


class DeleteResponsesForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """Typing the training's title exactly confirms the deletion."""

    confirmation = StringField(
        "Type the training's title to confirm",
        validators=[DataRequired(message="Nothing was deleted: type the training's title.")],
    )

    def __init__(self, title: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = title

    def validate_confirmation(self, field: StringField) -> None:
        """The text must be the title, exactly (surrounding spaces aside)."""
        if field.data.strip() != self.title:
            raise ValidationError(
                "Nothing was deleted: the text does not match the training's title exactly."
            )


@bp.route("/trainings/<int:training_id>/delete-responses", methods=["GET", "POST"])
@staff_required
def delete_training_responses(training_id: int) -> str | BaseResponse | tuple[str, int]:
    """Delete every response of a training (and their answers) once its title is typed."""
    training = training_or_404(training_id)
    form = DeleteResponsesForm(training.title)
    if not form.validate_on_submit():
        summary = pairing_summary(db_session(), training.id)
        page = render_template(
            "staff/delete_responses.html", training=training, form=form, summary=summary
        )
        return (page, 422) if form.is_submitted() else page
    deleted = delete_responses(db_session(), training)
    detail = f"#{training.id} {deleted} responses"
    record_audit(db_session(), current_user, "responses_deleted", detail, client_address())
    db.session.commit()
    flash(f"Deleted {deleted} responses and their answers from “{training.title}”.")
    return redirect(url_for("staff.training", training_id=training.id), 303)
