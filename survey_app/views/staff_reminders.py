"""Staff page that sends the optional follow-up reminders and then forgets the addresses.

Routes join the `staff` blueprint (endpoints `staff.*`); reminders.py owns the addresses.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..auth import editor_required
from ..content import registry
from ..extensions import db
from ..reminders import ReminderError, Smtp, address_count, mail_languages, send_reminders
from ..settings import Settings
from ..trainings import record_audit
from .staff import bp, client_address, training_or_404
from .staff_data import participant_url
from .survey import session as db_session


class SendRemindersForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """Ticking the box confirms the sending."""

    confirm = BooleanField(
        "The follow-up is open: send the reminder now",
        validators=[DataRequired(message="Nothing was sent: tick the box to confirm.")],
    )


@bp.route("/trainings/<int:training_id>/reminders", methods=["GET", "POST"])
@editor_required
def send_training_reminders(training_id: int) -> str | BaseResponse | tuple[str, int]:
    """Mail the follow-up link to every kept address once, then delete the addresses."""
    training = training_or_404(training_id)
    if not training.followup_questionnaire_id:
        abort(404)
    count = address_count(db_session(), training.id)
    form = SendRemindersForm()
    page = render_template(
        "staff/send_reminders.html", training=training, form=form, count=count, error=None
    )
    if not form.validate_on_submit():
        return (page, 422) if form.is_submitted() else page
    url = participant_url(training, "followup")
    loaded = registry().questionnaire(training.followup_questionnaire_id)
    languages = mail_languages(loaded.model.languages if loaded else ())
    try:
        sent = send_reminders(db_session(), training, url, smtp_settings(), languages)
    except ReminderError as error:
        if error.sent:
            # Those mailed are gone from the list, so that sending again mails nobody twice.
            detail = f"#{training.id} {error.sent} reminders (then: {error})"
            record_audit(db_session(), current_user, "reminders_sent", detail, client_address())
            db.session.commit()
        else:
            db.session.rollback()
        count = address_count(db_session(), training.id)
        page = render_template(
            "staff/send_reminders.html", training=training, form=form, count=count, error=error
        )
        return page, 502
    detail = f"#{training.id} {sent} reminders"
    record_audit(db_session(), current_user, "reminders_sent", detail, client_address())
    db.session.commit()
    flash(f"Sent {sent} follow-up reminders; their addresses are deleted.")
    return redirect(url_for("staff.training", training_id=training.id), 303)


def smtp_settings() -> Smtp:
    """The SMTP server the app was configured with."""
    settings: Settings = current_app.config["SURVEY_SETTINGS"]
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
    return Smtp(
        settings.smtp_host, settings.smtp_port, settings.smtp_user, password, settings.smtp_from
    )
