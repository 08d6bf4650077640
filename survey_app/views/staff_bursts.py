"""Staff pages for submission bursts: review one and void its responses.

Routes join the `staff` blueprint (endpoints `staff.*`); bursts.py finds them.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..auth import staff_required
from ..bursts import burst_named
from ..extensions import db
from ..trainings import delete_response_ids, record_audit
from .staff import bp, client_address, training_or_404
from .survey import session as db_session

BURST_URL = "/trainings/<int:training_id>/bursts/<any(pre, post):phase>/<int:first>-<int:last>"


class VoidBurstForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """Ticking the box confirms the voiding."""

    confirm = BooleanField(
        "I have checked: these responses are not a room of participants submitting together",
        validators=[DataRequired(message="Nothing was voided: tick the box to confirm.")],
    )


@bp.route(BURST_URL, methods=["GET", "POST"])
@staff_required
def void_burst(
    training_id: int, phase: str, first: int, last: int
) -> str | BaseResponse | tuple[str, int]:
    """Show a burst; on a confirmed POST delete its responses (and answers) and log it."""
    training = training_or_404(training_id)
    burst = burst_named(db_session(), training.id, phase, first, last)
    if burst is None:
        flash("That burst has changed since it was listed (or is gone): nothing was voided.")
        return redirect(url_for("staff.training", training_id=training.id), 303)
    form = VoidBurstForm()
    if not form.validate_on_submit():
        page = render_template("staff/void_burst.html", training=training, burst=burst, form=form)
        return (page, 422) if form.is_submitted() else page
    voided = delete_response_ids(db_session(), training, burst.response_ids)
    span = f"{burst.started:%Y-%m-%d %H:%M:%S}–{burst.ended:%H:%M:%S} UTC"
    detail = f"#{training.id} {phase} burst {span}: {voided} responses (ids {first}..{last})"
    record_audit(db_session(), current_user, "responses_voided", detail, client_address())
    db.session.commit()
    flash(f"Voided {voided} responses submitted {span}; reports and exports leave them out.")
    return redirect(url_for("staff.training", training_id=training.id), 303)
