"""Blueprints, one per audience."""

from flask import Flask

from . import survey


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    app.register_blueprint(survey.bp)
