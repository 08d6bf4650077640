"""Access to the content registry loaded at startup."""

from __future__ import annotations

from flask import Flask, abort, current_app

from .questionnaire import LoadedFile, Questionnaire, Registry, load_registry
from .settings import Settings

EXTENSION_KEY = "survey.registry"


def load_content(app: Flask, settings: Settings) -> None:
    """Load and validate every content file; ContentError stops the app from starting."""
    app.extensions[EXTENSION_KEY] = load_registry([settings.questionnaires_dir])


def registry() -> Registry:
    """The current app's registry."""
    loaded: Registry = current_app.extensions[EXTENSION_KEY]
    return loaded


def questionnaire_or_404(questionnaire_id: str) -> LoadedFile[Questionnaire]:
    """The loaded questionnaire with this id, or a 404 response."""
    loaded = registry().questionnaire(questionnaire_id)
    if loaded is None:
        abort(404, description=f"There is no questionnaire '{questionnaire_id}'.")
    return loaded
