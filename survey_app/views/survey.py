"""Participant-facing pages: the questionnaire form and the thank-you page."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ..content import questionnaire_or_404
from ..extensions import db
from ..forms import SurveyForm, TemplateHelpers, form_class_for
from ..questionnaire import LoadedFile, Questionnaire
from ..questionnaire.answers import digest
from ..responses import Outcome, existing_outcome, new_submission_token, record_submission

bp = Blueprint("survey", __name__)


@bp.route("/")
def index() -> str:
    """The questionnaires this server offers."""
    from ..content import registry

    items = sorted(registry().questionnaires.values(), key=lambda lf: lf.model.title)
    return render_template("survey/index.html", questionnaires=[lf.model for lf in items])


@bp.route("/q/<questionnaire_id>", methods=["GET", "POST"])
def show(questionnaire_id: str) -> str | Response | tuple[str, int]:
    """Show the questionnaire; on POST validate, store once and redirect to thanks."""
    loaded = questionnaire_or_404(questionnaire_id)
    form = form_class_for(loaded)()
    if request.method == "GET":
        form.submission_token.data = new_submission_token()
        return render_form(loaded, form)
    if not form.validate():
        return render_form(loaded, form), 400 if form.form_errors else 422
    outcome = store(loaded, form)
    if outcome is Outcome.CONFLICT:
        return render_template("survey/conflict.html", questionnaire=loaded.model), 409
    return redirect(url_for("survey.thanks", questionnaire_id=questionnaire_id), 303)


@bp.route("/q/<questionnaire_id>/thanks")
def thanks(questionnaire_id: str) -> str:
    """Confirmation after a stored (or repeated) submission."""
    loaded = questionnaire_or_404(questionnaire_id)
    return render_template("survey/thanks.html", questionnaire=loaded.model)


def session() -> Session:
    """The request's session, typed as the plain Session services take."""
    current: Session = db.session()
    return current


def store(loaded: LoadedFile[Questionnaire], form: SurveyForm) -> Outcome:
    """Record the submission in one transaction; a concurrent twin ends as REPEATED or CONFLICT."""
    token = form.submission_token.data
    try:
        outcome = record_submission(
            session(), loaded, form.answers, token, language=loaded.model.language
        )
        db.session.commit()
    except IntegrityError:
        # Another request stored the same token between our check and our insert.
        db.session.rollback()
        repeated = existing_outcome(session(), token, digest(form.answers))
        if repeated is None:
            raise
        outcome = repeated
    return outcome


def render_form(
    loaded: LoadedFile[Questionnaire], form: SurveyForm, notice: str | None = None
) -> str:
    """The questionnaire page with whatever answers and errors the form holds."""
    return render_template(
        "survey/questionnaire.html",
        questionnaire=loaded.model,
        form=form,
        question_errors=getattr(form, "question_errors", {}),
        form_errors=getattr(form, "form_errors", []),
        notice=notice,
        h=TemplateHelpers(loaded.model),
    )


def rerender_after_csrf_failure(questionnaire_id: str) -> tuple[str, int]:
    """Show the posted answers again with a fresh CSRF token; store nothing."""
    loaded = questionnaire_or_404(questionnaire_id)
    form = form_class_for(loaded)()
    notice = (
        "Your answers have not been sent yet: the page was open too long, or was sent from "
        "somewhere else. Your answers are kept below: please check them and press Submit again."
    )
    return render_form(loaded, form, notice), 400
