"""Training page helpers: live counts as JSON, questionnaire titles, link confirmations,
UTC times for the browser to show in the viewer's zone.

Routes join the `staff` blueprint (endpoints `staff.*`).
"""

from __future__ import annotations

import datetime as dt

from flask import Response, abort, jsonify, render_template, request
from sqlalchemy import func, select

from ..auth import staff_required
from ..content import registry
from ..dashboard import as_utc
from ..models import PHASES
from ..models import Response as StoredResponse
from ..pairing import pairing_summary
from ..trainings import active_link
from .staff import bp, training_or_404
from .survey import session as db_session

LINK_ACTIONS = ("regenerate", "revoke")


@bp.app_template_filter("questionnaire_title")
def questionnaire_title(questionnaire_id: str | None) -> str:
    """A questionnaire's title (its id if it is not installed)."""
    loaded = registry().questionnaire(questionnaire_id or "")
    return str(loaded.model.title) if loaded else (questionnaire_id or "")


@bp.app_template_filter("iso_utc")
def iso_utc(value: dt.datetime) -> str:
    """ISO 8601 with its UTC offset, so the browser converts it to the viewer's zone right
    (SQLite gives back naive datetimes, which a browser would read as local time)."""
    return as_utc(value).isoformat()


@bp.route("/trainings/<int:training_id>/counts.json")
@staff_required
def training_counts(training_id: int) -> Response:
    """Responses per phase, pairs and the last submission, for the page to refresh itself."""
    training = training_or_404(training_id)
    summary = pairing_summary(db_session(), training.id)
    last = db_session().scalar(
        select(func.max(StoredResponse.submitted_at)).where(
            StoredResponse.training_id == training.id
        )
    )
    response = jsonify(
        pre=summary.pre,
        post=summary.post,
        pairs=len(summary.pairs),
        last=as_utc(last).isoformat() if last is not None else None,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/trainings/<int:training_id>/links/<phase>/confirm")
@staff_required
def confirm_link_change(training_id: int, phase: str) -> str:
    """Ask before a new link replaces the old one (or the link is revoked): printed QR codes
    and shared links stop working."""
    training = training_or_404(training_id)
    action = request.args.get("action", "")
    if phase not in PHASES or action not in LINK_ACTIONS or not training.questionnaire_for(phase):
        abort(404)
    if active_link(training, phase) is None:
        abort(404, description="This phase has no working link.")
    return render_template("staff/confirm_link.html", training=training, phase=phase, action=action)
