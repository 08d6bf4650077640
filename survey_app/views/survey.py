"""Participant-facing pages: questionnaire forms (open or through a training link), thanks."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .. import reminders
from ..codes import code_hasher
from ..content import (
    answered_version,
    phase_questionnaire_or_404,
    public_questionnaires,
    questionnaire_or_404,
)
from ..database import begin_read_only, end_read_only, log_failed_write
from ..extensions import db
from ..form_layout import TemplateHelpers
from ..forms import SurveyForm, form_class_for, localized
from ..i18n import browser_language, use_language
from ..i18n import gettext as _
from ..models import ParticipantLink
from ..questionnaire import LoadedFile, Questionnaire
from ..questionnaire.answers import digest
from ..questionnaire.texts import direction
from ..repeats import REPEAT_BUTTON, RepeatError, apply_action
from ..responses import Outcome, existing_outcome, new_submission_token, record_submission
from ..settings import Settings
from ..throttle import Keys, Limits, TooManySubmissions, admit, client_key
from ..trainings import Placement, has_pre_with_code, link_by_token, normalise_code
from ..waves import has_earlier_code
from .form_page import empty_form_page

bp = Blueprint("survey", __name__)

Page = str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]

#: Seconds a participant (or a proxy) should wait before retrying while the database is down.
RETRY_AFTER_SECONDS = 30


@bp.before_request
def prefer_browser_language() -> None:
    """Until a questionnaire says otherwise (e.g. on a 404), app strings follow the browser."""
    use_language(browser_language())


@bp.route("/")
def index() -> str:
    """The questionnaires this server offers."""
    return render_template("survey/index.html", questionnaires=public_questionnaires())


@bp.route("/q/<questionnaire_id>", methods=["GET", "POST"])
def show(questionnaire_id: str) -> Page:
    """Show the questionnaire; on POST validate, store once and redirect to thanks."""
    loaded = answered_version(questionnaire_or_404(questionnaire_id, public=True))
    thanks = url_for("survey.thanks", questionnaire_id=questionnaire_id)
    form_key = f"questionnaire:{questionnaire_id}"
    return answer_page(loaded, False, lambda form: (None, thanks), form_key)


@bp.route("/q/<questionnaire_id>/thanks")
def thanks(questionnaire_id: str) -> str:
    """Confirmation after a stored (or repeated) submission."""
    loaded = questionnaire_or_404(questionnaire_id, public=True)
    language = page_language(loaded.model)
    return render_page(
        "survey/thanks.html",
        localized(loaded, language),
        language,
        form_path=url_for("survey.show", questionnaire_id=questionnaire_id),
    )


@bp.route("/t/<token>", methods=["GET", "POST"])
def training_phase(token: str) -> Page:
    """One phase of a training, reached by its participant link; stores nothing unless open."""
    link = link_or_404(token)
    training = link.training
    loaded = phase_questionnaire_or_404(training, link.phase)
    if training.status != "open":
        language = page_language(loaded.model)
        return render_page("survey/closed.html", localized(loaded, language), language), 403
    with_code = training.asks_code

    def placement(form: SurveyForm) -> tuple[Placement, str]:
        code = normalise_code(*form.code) if form.code else None
        hashed = code_hasher().hash(training, code) if code else None
        matched = ""
        if link.phase == "post" and hashed is not None:
            matched = "1" if has_pre_with_code(session(), training.id, hashed) else "0"
        elif link.phase == "followup" and hashed is not None:
            matched = "1" if has_earlier_code(session(), training.id, hashed) else "0"
        # Why not for a matched post code: it is paired already; the tags' argon2id cost
        # (five more hashes) is spent only on codes that may still need them.
        tags = code_hasher().near_miss_tags(training, code) if code and matched != "1" else None
        thanks = url_for("survey.training_thanks", token=token, matched=matched or None)
        return Placement(training.id, link.phase, hashed, tags), thanks

    return answer_page(loaded, with_code, placement, f"training:{training.id}:{link.phase}")


@bp.route("/t/<token>/thanks")
def training_thanks(token: str) -> str:
    """Confirmation for a training phase; after the post and follow-up phases, says whether
    the code matched an earlier one."""
    link = link_or_404(token)
    return thanks_page(
        link, matched=request.args.get("matched"), reminder_kept=request.args.get("reminder")
    )


@bp.route("/t/<token>/remind", methods=["POST"])
def remind_me(token: str) -> Page:
    """Keep an address for the follow-up reminder, apart from any answer; then thank again."""
    link = link_or_404(token)
    training = link.training
    if not reminders.offered(training, link.phase):
        abort(404)
    email = request.form.get("email", "")
    try:
        end_read_only(session())
        reminders.add_address(session(), training, email)
        admit(session(), submission_keys(f"reminder:{training.id}"), submission_limits())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same address was kept by a concurrent request
    except reminders.ReminderError:
        db.session.rollback()
        problem = _("Please enter a whole email address, such as name@example.org.")
        return thanks_page(link, email=email, reminder_error=problem), 422
    except TooManySubmissions as limited:
        db.session.rollback()
        problem = _(
            "Too many requests from your network in the last few minutes. Please wait "
            "%(minutes)s min, then try again.",
            minutes=limited.minutes,
        )
        return thanks_page(link, email=email, reminder_error=problem), 429
    return redirect(url_for("survey.training_thanks", token=token, reminder="1"), 303)


def thanks_page(link: ParticipantLink, **context: object) -> str:
    """The thank-you page of a training phase, with the reminder form when it is offered."""
    loaded = phase_questionnaire_or_404(link.training, link.phase)
    language = page_language(loaded.model)
    return render_page(
        "survey/thanks.html",
        localized(loaded, language),
        language,
        phase=link.phase,
        form_path=url_for("survey.training_phase", token=link.token),
        reminder_path=url_for("survey.remind_me", token=link.token)
        if reminders.offered(link.training, link.phase)
        else None,
        **context,
    )


def link_or_404(token: str) -> ParticipantLink:
    """The active participant link for this token; revoked or made-up tokens are 404.

    Why read-only: a training page reads its link, training and the pre answers' codes, and
    derives the participant-code hash (~0.1 s of KDF) before it writes anything; on SQLite
    an ordinary transaction would hold the database's write lock all that time, so every
    other participant's Submit waited for this one's hashing. The write begins its own
    transaction (see store).
    """
    begin_read_only(session())
    link = link_by_token(session(), token)
    if link is None:
        abort(404, description=_("This link does not work. Ask the organisers for a new one."))
    return link


def answer_page(
    loaded: LoadedFile[Questionnaire],
    with_code: bool,
    placement: Callable[[SurveyForm], tuple[Placement | None, str]],
    form_key: str,
) -> Page:
    """GET: a fresh form. POST: switch language, or validate, store once and redirect."""
    language = page_language(loaded.model)
    form = form_class_for(loaded, with_code, language)()
    if request.method in ("GET", "HEAD"):
        form.submission_token.data = new_submission_token()
        render = functools.partial(render_form, form, language, None)
        return empty_form_page(form, language, form_path(), render)
    switch = request.form.get("switch_language", "")
    if switch in loaded.model.languages:
        # Same posted answers, shown in another language; nothing is validated or stored.
        use_language(switch)
        return render_form(form_class_for(loaded, with_code, switch)(), switch)
    if request.form.get(REPEAT_BUTTON) and REPEAT_BUTTON in form.input_names:
        return repeat_action(loaded, with_code, language)
    if not form.validate():
        return render_form(form, language), 400 if form.form_errors else 422
    try:
        where, thanks_url = placement(form)
        outcome = store(loaded, form, where, language, form_key)
    except TooManySubmissions as limited:
        db.session.rollback()
        return limited_form(form, language, limited)
    except DBAPIError as exc:
        db.session.rollback()
        log_failed_write(current_app.logger, "Submission", exc)
        if not database_unavailable(exc):
            raise
        return unavailable_form(form, language)
    if outcome is Outcome.CONFLICT:
        conflict = render_page(
            "survey/conflict.html", localized(loaded, language), language, form_path=form_path()
        )
        return conflict, 409
    return redirect(in_language(thanks_url, language, loaded.model), 303)


def repeat_action(
    loaded: LoadedFile[Questionnaire], with_code: bool, language: str
) -> tuple[str, int]:
    """An "Add another" or "Remove" button: the same answers with one item more or less.

    Nothing is validated or stored (CSRF was checked before the view ran); a button value
    that does not fit this questionnaire is refused like any damaged form.
    """
    form_class = form_class_for(loaded, with_code, language)
    try:
        formdata, notice = apply_action(
            form_class.questionnaire, request.form, request.form[REPEAT_BUTTON]
        )
    except RepeatError as exc:
        form = form_class()
        form.form_errors = [str(exc)]
        return render_form(form, language), 400
    return render_form(form_class(formdata=formdata), language, notice), 200


def session() -> Session:
    """The request's session, typed as the plain Session services take."""
    current: Session = db.session()
    return current


def page_language(questionnaire: Questionnaire) -> str:
    """The participant's language for this questionnaire; app strings follow it."""
    language = chosen_language(questionnaire)
    use_language(language)
    return language


def in_language(url: str, language: str, questionnaire: Questionnaire) -> str:
    """`url` with `?lang=` when the page after a redirect should not be in the default."""
    if language == questionnaire.language:
        return url
    return f"{url}{'&' if '?' in url else '?'}lang={language}"


def chosen_language(questionnaire: Questionnaire) -> str:
    """The posted language, else `?lang=`, else the browser's preference, else the default."""
    offered = questionnaire.languages
    for asked in (request.form.get("language"), request.args.get("lang")):
        if asked in offered:
            return str(asked)
    return request.accept_languages.best_match(offered) or questionnaire.language


def store(
    loaded: LoadedFile[Questionnaire],
    form: SurveyForm,
    where: Placement | None,
    language: str,
    form_key: str,
) -> Outcome:
    """Record the submission in one transaction, within the submission limits (else
    TooManySubmissions); a concurrent twin ends as REPEATED or CONFLICT."""
    token = form.submission_token.data
    try:
        end_read_only(session())
        outcome = record_submission(session(), loaded, form.answers, token, language, where)
        if outcome is Outcome.STORED:
            admit(session(), submission_keys(form_key), submission_limits())
        db.session.commit()
    except IntegrityError:
        # Another request stored the same token between our check and our insert.
        db.session.rollback()
        repeated = existing_outcome(session(), token, digest(form.answers))
        if repeated is None:
            raise
        outcome = repeated
    return outcome


def submission_keys(form_key: str) -> Keys:
    """What this request's submission counts against: its client address and its form."""
    secret = str(current_app.config["SECRET_KEY"])
    return Keys(client_key(request.remote_addr or "", secret), form_key)


def submission_limits() -> Limits:
    """The submission limits the app was configured with."""
    settings: Settings = current_app.config["SURVEY_SETTINGS"]
    return Limits(
        per_address=settings.submission_limit_per_address,
        per_form=settings.submission_limit_per_form,
        window=dt.timedelta(minutes=settings.submission_limit_window_minutes),
    )


def limited_form(
    form: SurveyForm, language: str, limited: TooManySubmissions
) -> tuple[str, int, dict[str, str]]:
    """The form again with the posted answers and a notice to wait; 429 with Retry-After."""
    notice = _(
        "Too many answers have been sent from your network or to this questionnaire in the "
        "last few minutes, so yours have not been stored yet. They are kept on this device "
        "and below: please wait, then press Submit again. Wait time: %(minutes)s min.",
        minutes=limited.minutes,
    )
    page = render_form(form, language, notice)
    return page, 429, {"Retry-After": str(math.ceil(limited.wait.total_seconds()))}


#: PostgreSQL's read_only_sql_transaction (a standby, or default_transaction_read_only):
#: psycopg raises it as an InternalError, yet it is an outage to wait out, not a bug.
READ_ONLY_SQLSTATE = "25006"


def database_unavailable(error: DBAPIError) -> bool:
    """Whether `error` says the database cannot take the submission now (unreachable, read-only,
    disk full), rather than a bug or a clash."""
    return (
        isinstance(error, OperationalError | InterfaceError)
        or error.connection_invalidated
        or getattr(error.orig, "sqlstate", None) == READ_ONLY_SQLSTATE
    )


def unavailable_form(form: SurveyForm, language: str) -> tuple[str, int, dict[str, str]]:
    """The form again with the posted answers (and submission token) and an outage notice.

    Why: the same token lets the participant's retry store exactly one response.
    """
    notice = _(
        "Your answers have not been stored yet: the server cannot save them at the moment. "
        "They are kept on this device and below: please wait a minute and press Submit again."
    )
    page = render_form(form, language, notice)
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def render_form(
    form: SurveyForm, language: str, notice: str | None = None, path: str | None = None
) -> str:
    """The questionnaire page, in `language`, with whatever answers and errors the form holds."""
    return render_page(
        "survey/questionnaire.html",
        form.questionnaire,
        language,
        form=form,
        form_path=form_path() if path is None else path,
        question_errors=getattr(form, "question_errors", {}),
        form_errors=getattr(form, "form_errors", []),
        notice=notice,
        h=TemplateHelpers(form.questionnaire, language),
    )


def form_path() -> str:
    """The URL path of this request's form: the key of the answers' draft in the browser.

    Why: the thanks and conflict pages name it, so that static/js/survey.js clears that draft.
    """
    return url_for(request.endpoint or "", **(request.view_args or {}))


def render_page(
    template: str, questionnaire: Questionnaire, language: str, **context: object
) -> str:
    """A participant page about one questionnaire (in `language`), with `<html lang dir>`."""
    return render_template(
        template,
        questionnaire=questionnaire,
        lang=language,
        direction=direction(language),
        **context,
    )


def rerender_after_csrf_failure(endpoint: str, view_args: dict[str, str]) -> tuple[str, int]:
    """A fresh, empty form (new CSRF and submission tokens) and a notice; store nothing.

    Why never the posted values: a cross-site post fails the check, and showing its
    answers and token would let survey.js keep them as the participant's draft (and the
    attacker's answers would then win the token). The participant's own answers come back
    from the draft survey.js kept on their device before sending.
    """
    if endpoint == "survey.training_phase":
        link = link_or_404(view_args["token"])
        training = link.training
        loaded = phase_questionnaire_or_404(training, link.phase)
        with_code = training.asks_code
    else:
        loaded = answered_version(questionnaire_or_404(view_args["questionnaire_id"], public=True))
        with_code = False
    language = page_language(loaded.model)
    form = form_class_for(loaded, with_code, language)(formdata=None)
    form.submission_token.data = new_submission_token()
    notice = _(
        "Your answers have not been sent: this page had expired, or the answers were sent from "
        "another site. Answers kept on this device are put back below: please check them and "
        "press Submit again. If the form is empty, reload the page."
    )
    return render_form(form, language, notice), 400
