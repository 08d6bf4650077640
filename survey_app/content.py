"""Access to the content registry loaded at startup."""

from __future__ import annotations

from flask import Flask, abort, current_app

from .i18n import gettext as _
from .questionnaire import LoadedFile, Questionnaire, Registry, load_registry
from .reporting.schema import Report
from .settings import Settings

EXTENSION_KEY = "survey.registry"


def load_content(app: Flask, settings: Settings) -> None:
    """Load and validate every content file; ContentError stops the app from starting."""
    loaded = load_registry(
        [settings.questionnaires_dir], [settings.reports_dir], report_model=Report
    )
    for questionnaire in loaded.questionnaires.values():
        for warning in questionnaire.warnings:
            app.logger.warning("%s (falls back to the default language)", warning)
    app.extensions[EXTENSION_KEY] = loaded


def registry() -> Registry[Report]:
    """The current app's registry."""
    loaded: Registry[Report] = current_app.extensions[EXTENSION_KEY]
    return loaded


def questionnaire_or_404(questionnaire_id: str) -> LoadedFile[Questionnaire]:
    """The loaded questionnaire with this id, or a 404 response."""
    loaded = registry().questionnaire(questionnaire_id)
    if loaded is None:
        abort(404, description=_("There is no questionnaire '%(id)s'.", id=questionnaire_id))
    return loaded


def report_or_404(report_id: str) -> LoadedFile[Report]:
    """The loaded report definition with this id, or a 404 response."""
    loaded = registry().report(report_id)
    if loaded is None:
        abort(404, description=f"There is no report '{report_id}'.")
    return loaded
