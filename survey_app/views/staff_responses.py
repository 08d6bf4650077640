"""Staff pages for single responses: view one as submitted, delete one, delete a code's.

Routes join the `staff` blueprint (endpoints `staff.*`). Deleting removes the rows, so every
report and export (which read only what is stored) leaves them out.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..auth import admin_required, staff_required
from ..codes import code_hasher
from ..content import questionnaire_version, registry
from ..extensions import db
from ..forms import AnswerError, read_code
from ..models import Response
from ..response_view import shown_answers
from ..trainings import delete_response_ids, normalise_code, record_audit
from .staff import bp, client_address, training_or_404
from .survey import session as db_session

MAX_REASON = 500


def response_or_404(training_id: int, response_id: int) -> Response:
    """The training's response with this id, or 404."""
    response = db.session.get(Response, response_id)
    if response is None or response.training_id != training_id:
        abort(404)
    return response


@bp.route("/trainings/<int:training_id>/responses/find")
@staff_required
def find_response(training_id: int) -> BaseResponse:
    """Go to the response whose number (the exports' response_id) was typed."""
    number = request.args.get("response", "").strip().lstrip("#")
    if not number.isdigit() or len(number) > 12:
        flash("Type a response number, as in the response_id column of an export.")
        return redirect(url_for("staff.training", training_id=training_id), 303)
    return redirect(url_for("staff.response", training_id=training_id, response_id=number), 303)


@bp.route("/trainings/<int:training_id>/responses/<int:response_id>")
@staff_required
def response(training_id: int, response_id: int) -> str:
    """One response as submitted, with its training, phase and questionnaire version."""
    training = training_or_404(training_id)
    stored = response_or_404(training_id, response_id)
    # Read with the version it answered: its questions, options and wording.
    own = questionnaire_version(stored.version_id) if stored.version_id else None
    loaded = own or registry().questionnaire(stored.questionnaire_id)
    answers = shown_answers(db_session(), loaded.model, stored) if loaded else []
    return render_template(
        "staff/response.html",
        training=training,
        response=stored,
        questionnaire=loaded.model if loaded else None,
        version=own.version if own else None,
        answers=answers,
    )


def _reason() -> str:
    reason = " ".join(request.form.get("reason", "").split())[:MAX_REASON]
    if not reason:
        abort(422, description="Nothing was deleted: say why the response is deleted.")
    return reason


@bp.route("/trainings/<int:training_id>/responses/<int:response_id>/delete", methods=["POST"])
@admin_required
def delete_response(training_id: int, response_id: int) -> BaseResponse:
    """Delete one response and its answers, with a reason for the audit log."""
    training = training_or_404(training_id)
    stored = response_or_404(training_id, response_id)
    if request.form.get("confirm") != "1":
        abort(422, description="Nothing was deleted: tick the box to confirm.")
    reason = _reason()
    delete_response_ids(db_session(), training, [stored.id])
    detail = f"#{training.id} response {response_id} ({stored.phase}): {reason}"
    record_audit(db_session(), current_user, "response_deleted", detail, client_address())
    db.session.commit()
    flash(f"Response {response_id} and its answers were deleted.")
    return redirect(url_for("staff.training", training_id=training.id), 303)


@bp.route("/trainings/<int:training_id>/delete-by-code", methods=["GET", "POST"])
@admin_required
def delete_by_code(training_id: int) -> str | BaseResponse | tuple[str, int]:
    """Delete every response made with a participant's code, once staff confirm the count.

    The code is hashed the way the participant form hashes it; it is neither stored nor
    logged, only how many responses it matched.
    """
    training = training_or_404(training_id)
    if request.method == "GET":
        return render_template("staff/delete_by_code.html", training=training, step="ask")
    try:
        code = normalise_code(*read_code(request.form.getlist))
    except AnswerError as exc:
        page = render_template(
            "staff/delete_by_code.html", training=training, step="ask", error=str(exc)
        )
        return page, 422
    hashed = code_hasher().hash(training, code)
    ids = db.session.scalars(
        select(Response.id).where(
            Response.training_id == training.id, Response.participant_code_hash == hashed
        )
    ).all()
    if request.form.get("confirm") != "1" or not ids:
        return render_template(
            "staff/delete_by_code.html", training=training, step="confirm", matched=len(ids)
        )
    reason = _reason()
    deleted = delete_response_ids(db_session(), training, ids)
    detail = f"#{training.id} {deleted} responses of one participant code: {reason}"
    record_audit(db_session(), current_user, "code_responses_deleted", detail, client_address())
    db.session.commit()
    flash(f"Deleted {deleted} responses made with that code, and their answers.")
    return redirect(url_for("staff.training", training_id=training.id), 303)
