"""Liveness endpoint for load balancers (and the trivial baseline of the benchmarks)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """The app answers; it touches no database."""
    return {"status": "ok"}, 200
