"""Admin-only staff pages: the audit log and staff accounts.

Routes join the `staff` blueprint (endpoints `staff.*`); staff.py holds the training pages.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from ..accounts import issue_reset, redeem_reset, valid_reset
from ..audit import PER_PAGE, audit_page
from ..auth import AccountError, admin_required, all_users, create_user, set_user_active
from ..extensions import db
from ..models import ROLES, User
from ..passwords import MIN_LENGTH
from ..trainings import record_audit
from .converters import MAX_DATABASE_ID
from .staff import bp, client_address
from .survey import session as db_session


@bp.route("/audit")
@admin_required
def audit() -> str:
    """The audit log, newest first, 50 events a page."""
    number = request.args.get("page", 1, type=int) or 1
    if number > MAX_DATABASE_ID // PER_PAGE:
        abort(404)
    page = audit_page(db_session(), number)
    return render_template("staff/audit.html", log=page)


class NewUserForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """A new staff account; auth.create_user checks the rest."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        "Role", choices=[SelectChoice(r, r) for r in reversed(ROLES)], default="staff"
    )
    password = PasswordField(
        "Initial password",
        validators=[DataRequired(), Length(max=1024)],
        description="At least 12 characters, not a common or breached password. Give it to the "
        "person through a separate channel; they can change it under “Password”.",
    )


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users() -> str | Response | tuple[str, int]:
    """Every staff account; create a new one."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(db_session(), form.email.data, form.password.data, form.role.data)
        except AccountError as exc:
            form.email.errors = [*form.email.errors, str(exc)]
        else:
            detail = f"{user.email} ({user.role})"
            record_audit(db_session(), current_user, "user_created", detail, client_address())
            db.session.commit()
            flash(f"Account created for {user.email}.")
            return redirect(url_for("staff.users"), 303)
    page = render_template("staff/users.html", form=form, users=all_users(db_session()))
    return (page, 422) if form.errors else page


@bp.route("/users/<int:user_id>/active", methods=["GET", "POST"])
@admin_required
def user_active(user_id: int) -> str | Response:
    """Deactivate (after a confirmation page) or reactivate an account (never one's own)."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(400, description="You cannot deactivate or reactivate your own account.")
    if request.method == "GET":
        return render_template("staff/confirm_deactivate.html", user=user)
    active = request.form.get("active") == "1"
    set_user_active(db_session(), user, active)
    action = "user_reactivated" if active else "user_deactivated"
    record_audit(db_session(), current_user, action, user.email, client_address())
    db.session.commit()
    flash(f"{user.email} is now {'active' if active else 'deactivated'}.")
    return redirect(url_for("staff.users"), 303)


@bp.route("/users/<int:user_id>/reset-link", methods=["POST"])
@admin_required
def user_reset_link(user_id: int) -> str:
    """Make a one-time link for the account to set a new password; shown once."""
    user = db.get_or_404(User, user_id)
    token, reset = issue_reset(db_session(), user)
    record_audit(db_session(), current_user, "password_reset_link", user.email, client_address())
    db.session.commit()
    path = url_for("staff.password_reset", token=token)
    base = current_app.config["SURVEY_SETTINGS"].public_url or request.host_url
    link = f"{base.rstrip('/')}{path}"
    return render_template("staff/reset_link.html", user=user, link=link, reset=reset)


class ResetForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints
    """The new password, twice."""

    new = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=1024)],
        render_kw={"autocomplete": "new-password"},
        description=f"At least {MIN_LENGTH} characters, and not a common or breached password.",
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired(), EqualTo("new", message="The two passwords differ.")],
        render_kw={"autocomplete": "new-password"},
    )


@bp.route("/reset/<token>", methods=["GET", "POST"])
def password_reset(token: str) -> str | Response | tuple[str, int]:
    """Set a new password through a one-time link (no login: that is what it replaces)."""
    if valid_reset(db_session(), token) is None:
        return render_template("staff/reset_password.html", form=None), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            user = redeem_reset(db_session(), token, form.new.data)
        except AccountError as exc:
            form.new.errors = [*form.new.errors, str(exc)]
        else:
            record_audit(db_session(), user, "password_reset", "", client_address())
            db.session.commit()
            flash("Your password has been set. Log in with it.")
            return redirect(url_for("staff.login"), 303)
    page = render_template("staff/reset_password.html", form=form)
    return (page, 422) if form.errors else page
