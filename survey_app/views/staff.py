"""Staff pages: login, trainings (create, edit, open/close, participant links)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, ValidationError

from ..auth import AccountError, authenticate, change_password, end_sessions, staff_required
from ..bursts import BURST_GAP, BURST_MIN_RESPONSES, find_bursts
from ..content import registry
from ..dashboard import build_dashboard, completion_chart_uri
from ..extensions import db
from ..group_minimums import GroupMinimumError, GroupMinimums
from ..models import PHASES, Training
from ..passwords import MIN_LENGTH
from ..reminders import address_count
from ..reporting.disclosure import MIN_K
from ..trainings import (
    TrainingChangeError,
    TrainingFields,
    create_training,
    record_audit,
    regenerate_link,
    revoke_link,
    set_status,
    update_training,
)
from .survey import session as db_session

bp = Blueprint("staff", __name__, url_prefix="/staff")

#: What staff pages call each phase.
PHASE_TITLES = {"pre": "Before the training", "post": "After the training", "followup": "Follow-up"}


@bp.app_context_processor
def phase_names() -> dict[str, dict[str, str]]:
    """`phase_names` for every template: what staff pages call each phase."""
    return {"phase_names": PHASE_TITLES}


#: The training form's questionnaire choice of each phase.
PHASE_FIELDS = tuple(f"{phase}_questionnaire_id" for phase in PHASES)


class LoginForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """Email and password."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class PasswordForm(FlaskForm):  # type: ignore[misc]
    """The current password, and the new one twice."""

    current = PasswordField(
        "Current password",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    # Password managers offer to generate and save a new one for "new-password" fields.
    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_LENGTH} characters, and not a common or breached password. "
        "A few unrelated words make a good one.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


class TrainingForm(FlaskForm):  # type: ignore[misc]
    """A training's details and its questionnaires."""

    title = StringField("Title", validators=[DataRequired(), Length(max=200)])
    place = StringField("Place", validators=[DataRequired(), Length(max=200)])
    starts_on = DateField("First day", validators=[DataRequired()])
    ends_on = DateField("Last day", validators=[DataRequired()])
    organiser = StringField("Organiser", validators=[DataRequired(), Length(max=200)])
    pre_questionnaire_id = SelectField("Questionnaire before the training")
    post_questionnaire_id = SelectField("Questionnaire after the training")
    followup_questionnaire_id = SelectField(
        "Follow-up questionnaire (weeks or months later)",
        # Forms posted without the field (older pages, scripts) mean "none".
        filters=[lambda value: value or ""],
        description="Optional: asks how participants used what they learned. Its link can be "
        "sent through your own mailing list; the app never needs participants' emails.",
    )
    reminders = BooleanField(
        "Offer email reminders for the follow-up",
        description="Participants may leave an address on the thank-you page; it is kept apart "
        "from answers and deleted once the reminder is sent.",
    )
    min_group_size = IntegerField(
        "Smallest group a report shows (k)", validators=[NumberRange(min=MIN_K, max=1000)]
    )
    min_text_group_size = IntegerField(
        "Fewest writers whose comments a report prints",
        validators=[NumberRange(min=MIN_K, max=1000)],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", "— none —")] + [
            SelectChoice(qid, loaded.model.title)
            for qid, loaded in sorted(registry().questionnaires.items())
        ]
        # A retired questionnaire stays choosable for the trainings that already have it.
        for name in PHASE_FIELDS:
            kept = getattr(kwargs.get("obj"), name, None)
            if kept and kept not in registry().questionnaires:
                choices.append(SelectChoice(kept, f"{kept} (retired)"))
        for name in PHASE_FIELDS:
            getattr(self, name).choices = choices

    def validate_ends_on(self, field: DateField) -> None:
        """The last day cannot come before the first."""
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError("The last day cannot be before the first day.")

    def validate_post_questionnaire_id(self, field: SelectField) -> None:
        """A training needs at least one questionnaire."""
        if not any(getattr(self, name).data for name in PHASE_FIELDS):
            raise ValidationError("Choose a questionnaire for before or after the training.")

    def fields(self) -> TrainingFields:
        """The typed values."""
        return TrainingFields(
            title=self.title.data.strip(),
            place=self.place.data.strip(),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            organiser=self.organiser.data.strip(),
            pre_questionnaire_id=self.pre_questionnaire_id.data or None,
            post_questionnaire_id=self.post_questionnaire_id.data or None,
            followup_questionnaire_id=self.followup_questionnaire_id.data or None,
            reminders=bool(self.reminders.data),
            minimums=GroupMinimums(self.min_group_size.data, self.min_text_group_size.data),
        )


def client_address() -> str:
    """The client's address as the app sees it (behind a proxy: configure ProxyFix)."""
    return (request.remote_addr or "")[:64]


def training_or_404(training_id: int) -> Training:
    """The training with this id, or 404."""
    return db.get_or_404(Training, training_id)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Staff login; failed attempts are counted per account and per address."""
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("staff/login.html", form=form), 400 if form.errors else 200
    result = authenticate(
        db_session(),
        form.email.data,
        form.password.data,
        client_address(),
        key=str(current_app.config["SECRET_KEY"]).encode(),
    )
    if result.user is None:
        # Only an account the email names: what was typed may be a password.
        detail = "" if result.account else "unknown account"
        record_audit(db_session(), result.account, "login_failed", detail, client_address())
        db.session.commit()
        form.password.errors = [result.message]
        return render_template("staff/login.html", form=form), 401
    # A fresh session at login: nothing from before the login survives (session fixation).
    session.clear()
    login_user(result.user)
    record_audit(db_session(), result.user, "login", "", client_address())
    db.session.commit()
    return redirect(url_for("staff.trainings"), 303)


@bp.route("/logout", methods=["POST"])
@staff_required
def logout() -> Response:
    """End the session; copies of its cookie stop working too."""
    end_sessions(db_session(), current_user)
    db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("staff.login"), 303)


@bp.route("/password", methods=["GET", "POST"])
@staff_required
def password() -> str | Response | tuple[str, int]:
    """Change one's own password; sessions in other browsers end."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(db_session(), user, form.current.data, form.new.data)
        except AccountError as exc:
            form.new.errors = [*form.new.errors, str(exc)]
        else:
            record_audit(db_session(), user, "password_changed", "", client_address())
            db.session.commit()
            # The session token changed with the password: this browser stays logged in.
            session.clear()
            login_user(user)
            flash("Your password has been changed. Other browsers were logged out.")
            return redirect(url_for("staff.trainings"), 303)
    page = render_template("staff/password.html", form=form)
    return (page, 422) if form.errors else page


@bp.route("/")
@staff_required
def trainings() -> str:
    """Every training, newest first."""
    rows = db.session.scalars(db.select(Training).order_by(Training.starts_on.desc())).all()
    return render_template("staff/trainings.html", trainings=rows)


@bp.route("/trainings/new", methods=["GET", "POST"])
@staff_required
def new_training() -> str | Response | tuple[str, int]:
    """Create a training (as a draft)."""
    settings = current_app.config["SURVEY_SETTINGS"]
    form = TrainingForm(
        min_group_size=settings.default_group_minimum,
        min_text_group_size=settings.default_text_group_minimum,
    )
    if not form.validate_on_submit():
        return render_template("staff/training_form.html", form=form, training=None), (
            422 if form.errors else 200
        )
    training = create_training(db_session(), form.fields())
    record_audit(db_session(), current_user, "training_created", training.title, client_address())
    db.session.commit()
    flash("Training created as a draft. Open it when participants should answer.")
    return redirect(url_for("staff.training", training_id=training.id), 303)


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_training(training_id: int) -> str | Response | tuple[str, int]:
    """Change a training's details."""
    training = training_or_404(training_id)
    form = TrainingForm(obj=training)
    if not form.validate_on_submit():
        return render_template("staff/training_form.html", form=form, training=training), (
            422 if form.errors else 200
        )
    try:
        change = update_training(db_session(), training, form.fields())
    except (TrainingChangeError, GroupMinimumError) as exc:
        db.session.rollback()
        field = (
            form.min_group_size
            if isinstance(exc, GroupMinimumError)
            else form.post_questionnaire_id
        )
        field.errors = [*field.errors, str(exc)]
        return render_template("staff/training_form.html", form=form, training=training), 409
    address = client_address()
    record_audit(db_session(), current_user, "training_changed", f"#{training.id}", address)
    if change is not None:
        detail = f"#{training.id} {change}"
        record_audit(db_session(), current_user, "group_minimums_changed", detail, address)
    db.session.commit()
    return redirect(url_for("staff.training", training_id=training.id), 303)


@bp.route("/trainings/<int:training_id>")
@staff_required
def training(training_id: int) -> str:
    """The training's page: dashboard, status, participant links."""
    training = training_or_404(training_id)
    dashboard = build_dashboard(db_session(), training)
    return render_template(
        "staff/training.html",
        training=training,
        phases=PHASES,
        dashboard=dashboard,
        chart=completion_chart_uri(dashboard),
        bursts=find_bursts(db_session(), training.id),
        burst_min=BURST_MIN_RESPONSES,
        burst_gap=int(BURST_GAP.total_seconds()),
        reminder_count=address_count(db_session(), training.id),
    )


@bp.route("/trainings/<int:training_id>/status", methods=["POST"])
@staff_required
def change_status(training_id: int) -> Response:
    """Open, close or reopen collection."""
    training = training_or_404(training_id)
    status = request.form.get("status", "")
    if status not in ("draft", "open", "closed"):
        abort(400, description="Unknown status.")
    set_status(db_session(), training, status)
    record_audit(
        db_session(), current_user, "training_status", f"#{training.id} {status}", client_address()
    )
    db.session.commit()
    return redirect(url_for("staff.training", training_id=training.id), 303)


@bp.route("/trainings/<int:training_id>/links/<phase>", methods=["POST"])
@staff_required
def change_link(training_id: int, phase: str) -> Response:
    """Revoke or regenerate a phase's participant link."""
    training = training_or_404(training_id)
    action = request.form.get("action")
    if phase not in PHASES or not training.questionnaire_for(phase):
        abort(404)
    if action == "revoke":
        revoke_link(db_session(), training, phase)
    elif action == "regenerate":
        regenerate_link(db_session(), training, phase)
    else:
        abort(400, description="Unknown action.")
    record_audit(
        db_session(), current_user, f"link_{action}", f"#{training.id} {phase}", client_address()
    )
    db.session.commit()
    return redirect(url_for("staff.training", training_id=training.id), 303)
