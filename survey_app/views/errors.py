"""Error pages and security headers."""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from ..i18n import gettext as _
from . import survey

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


#: Participant pages whose CSRF failures re-show the posted answers instead of an error.
PARTICIPANT_FORMS = ("survey.show", "survey.training_phase")


def register_error_handlers(app: Flask) -> None:
    """Friendly pages for HTTP errors and database outages; a CSRF failure on a questionnaire
    keeps the answers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
        if request.endpoint in PARTICIPANT_FORMS and request.view_args:
            try:
                return survey.rerender_after_csrf_failure(request.endpoint, request.view_args)
            except (OperationalError, InterfaceError) as exc:
                # A training link is read from the database, and an error raised in an error
                # handler reaches no other handler.
                return database_unavailable(exc)
        return error_page(error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return error_page(error), error.code or 500

    # Pages that must read the database (a training link, staff pages) cannot do without it;
    # a questionnaire POST catches the outage itself, to give the answers back.
    app.register_error_handler(OperationalError, database_unavailable)
    app.register_error_handler(InterfaceError, database_unavailable)


def database_unavailable(error: DBAPIError) -> tuple[str, int, dict[str, str]]:
    """A plain 503 page with Retry-After, for a page that cannot be shown without the database."""
    # Only the class: the message may carry a host name or a user.
    current_app.logger.warning("Database unavailable (%s)", type(error).__name__)
    headers = {"Retry-After": str(survey.RETRY_AFTER_SECONDS)}
    unavailable = ServiceUnavailable()
    if request.endpoint in PARTICIPANT_FORMS:
        # survey.js keeps a draft of the answers and puts it back when the form opens again.
        unavailable = ServiceUnavailable(
            _(
                "The service cannot reach its database right now. Any answers you gave are "
                "kept on this device: open the questionnaire again in a minute and press Submit."
            )
        )
    return error_page(unavailable), 503, headers


def error_page(error: HTTPException) -> str:
    """The error page in the request's language: our heading, and our wording unless the
    code that raised the error gave its own description."""
    titles = {
        400: _("The request could not be understood"),
        403: _("Access denied"),
        404: _("Page not found"),
        405: _("This page cannot be used that way"),
        413: _("Too much was sent"),
        429: _("Too many requests"),
        503: _("Temporarily unavailable"),
    }
    descriptions = {
        400: _("Something in what was sent did not fit. Please go back and try again."),
        403: _("You do not have access to this page."),
        404: _("This page does not exist. Please check the link you were given."),
        413: _("What was sent is too large. Please shorten your answers and try again."),
        429: _("Please wait a moment, then try again."),
        500: _("Please try again in a few minutes. If it keeps happening, tell the organisers."),
        503: _("The service cannot reach its database right now. Please try again in a minute."),
    }
    code = error.code or 500
    described = error.description != type(error).description
    return render_template(
        "errors/error.html",
        code=code,
        title=titles.get(code, _("Something went wrong")),
        description=error.description if described else descriptions.get(code, ""),
    )


#: Blueprints whose every response (pages, exports, QR codes, reports) is private to staff.
PRIVATE_BLUEPRINTS = ("staff", "reports")


def register_security_headers(app: Flask) -> None:
    """Headers that keep pages from being framed, sniffed, cached or running foreign scripts."""
    hsts_seconds = app.config["SURVEY_SETTINGS"].hsts_seconds

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.blueprint in PRIVATE_BLUEPRINTS:
            # Staff data must not stay in a shared computer's cache or a proxy's.
            response.headers["Cache-Control"] = "no-store"
        # Only over HTTPS (as the app sees it: behind a proxy, with SURVEY_PROXY_HOPS set):
        # a browser ignores the header on plain HTTP, and it must not pin a plain-HTTP host.
        if request.is_secure and hsts_seconds:
            response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}")
        return response
