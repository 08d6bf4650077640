"""Blueprints, one per audience."""

from flask import Flask

from . import health, staff, survey


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app."""
    app.register_blueprint(survey.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(staff.bp)
