"""Health endpoints for load balancers and monitors (and the benchmarks' trivial baseline).

/livez: the process answers (no database). /healthz: the database answers a read.
/readyz: the database took and committed a write just now, so submissions can be stored:
the one a load balancer should route by (README, "Deploying").
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..database import log_failed_write, write_heartbeat
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.route("/livez")
def livez() -> tuple[dict[str, str], int]:
    """The app answers; touches no database (the trivial baseline of the benchmarks)."""
    return {"status": "ok"}, 200


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """App and database status; 503 while the database cannot be read. Says nothing about
    writes: a read-only database or a full disk passes it (see /readyz)."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        # Only the exception's class: its message may carry a host name or a user.
        return {"status": "unavailable", "app": "ok", "database": type(exc).__name__}, 503
    return {"status": "ok", "app": "ok", "database": "ok"}, 200


#: A worker answers /readyz from its last heartbeat for this long. Why: the endpoint is public
#: (load balancers do not log in), so a flood of probes must not become a flood of writes.
READY_CACHE_SECONDS = 1.0


@bp.route("/readyz")
def readyz() -> tuple[dict[str, str], int]:
    """Ready for submissions: 200 once a heartbeat write is committed, else 503 (logged)."""
    cache: dict[str, Any] = current_app.extensions.setdefault("survey_readiness", {})
    if time.monotonic() - cache.get("at", -math.inf) < READY_CACHE_SECONDS:
        body: dict[str, str] = cache["body"]
        status: int = cache["status"]
        return body, status
    body, status = heartbeat()
    cache.update(at=time.monotonic(), body=body, status=status)
    return body, status


def heartbeat() -> tuple[dict[str, str], int]:
    """Write and commit the heartbeat row; the readiness answer."""
    try:
        try:
            write_heartbeat(db.session())
            db.session.commit()
        except IntegrityError:
            # Another worker's first heartbeat inserted the row in between: update it now.
            db.session.rollback()
            write_heartbeat(db.session())
            db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        log_failed_write(current_app.logger, "Readiness heartbeat", exc)
        return {"status": "unavailable", "app": "ok", "database": type(exc).__name__}, 503
    return {"status": "ok", "app": "ok", "database": "ok"}, 200
