"""Health endpoints for load balancers and monitors (and the benchmarks' trivial baseline)."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db

bp = Blueprint("health", __name__)


@bp.route("/livez")
def livez() -> tuple[dict[str, str], int]:
    """The app answers; touches no database (the trivial baseline of the benchmarks)."""
    return {"status": "ok"}, 200


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """App and database status; 503 while the database cannot be reached."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        # Only the exception's class: its message may carry a host name or a user.
        return {"status": "unavailable", "app": "ok", "database": type(exc).__name__}, 503
    return {"status": "ok", "app": "ok", "database": "ok"}, 200
