"""Blueprints, one per audience."""

from flask import Flask

from . import (
    health,
    offline,
    reports,
    staff,
    staff_admin,
    staff_bursts,
    staff_content,
    staff_data,
    staff_live,
    staff_programmes,
    staff_reminders,
    staff_responses,
    survey,
)
from .converters import DatabaseIdConverter

#: Modules that add routes to the `staff` blueprint: one audience, split by topic.
STAFF_ROUTE_MODULES = (
    staff_admin,
    staff_bursts,
    staff_content,
    staff_data,
    staff_live,
    staff_programmes,
    staff_reminders,
    staff_responses,
)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint to the app; `<int:...>` in their routes is a database id."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.register_blueprint(survey.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(offline.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(reports.bp)
