"""Error pages and security headers."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import survey

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


#: Participant pages whose CSRF failures re-show the posted answers instead of an error.
PARTICIPANT_FORMS = ("survey.show", "survey.training_phase")


def register_error_handlers(app: Flask) -> None:
    """Friendly pages for HTTP errors; a CSRF failure on a questionnaire keeps the answers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        if request.endpoint in PARTICIPANT_FORMS and request.view_args:
            return survey.rerender_after_csrf_failure(request.endpoint, request.view_args)
        return render_template("errors/error.html", error=error), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("errors/error.html", error=error), error.code or 500


def register_security_headers(app: Flask) -> None:
    """Headers that keep pages from being framed, sniffed or running foreign scripts."""

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
