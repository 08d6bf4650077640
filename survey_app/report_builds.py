"""Report PDFs kept per state of the data: the key of a build, finding or claiming one, and
recording its stages, file or failure. Functions flush and never commit.

Why derive the data version from the rows instead of a counter bumped on every write:
responses are written and deleted in several places (forms, the offline outbox, admin
deletions, the demo); a counter one of them forgets to bump would serve a stale PDF, while
the rows themselves cannot forget.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from .models import ReportBuild, Response, Training, utcnow
from .versions import read_stamp

#: A build untouched this long lost its worker (restarted, killed by a timeout): redo it.
ABANDONED_AFTER = dt.timedelta(minutes=5)
STAGES = ("Reading the responses", "Laying out the pages", "Saving the PDF")


def data_version(session: Session, training_id: int | None) -> str:
    """What a report's numbers depend on, hashed: the responses it may count (how many, the
    newest id and submission time) and the trainings' facts, group minimums included.

    A new response raises the newest id; a deletion lowers the count; a deletion followed
    by an insert that reuses the id (SQLite may) still has a later submission time.
    """
    responses = select(
        func.count(Response.id), func.max(Response.id), func.max(Response.submitted_at)
    )
    # Every column but the secret: a fact added later (such as the group minimums) then
    # cannot be forgotten here.
    columns = [c for c in Training.__table__.c if c.name != "pairing_secret"]
    trainings = select(*columns).order_by(Training.id)
    if training_id is not None:
        responses = responses.where(Response.training_id == training_id)
        trainings = trainings.where(Training.id == training_id)
    facts = [
        [str(v) for v in session.execute(responses).one()],
        [[str(v) for v in row] for row in session.execute(trainings)],
        read_stamp(session),
    ]
    return hashlib.sha256(json.dumps(facts).encode()).hexdigest()


def build_key(
    report_id: str, definition: str, training_id: int | None, data: str, day: dt.date
) -> str:
    """One key per (report and its definition, training or none, data version, day).

    Why the day: the PDF prints the day it was generated.
    """
    text = json.dumps([report_id, definition, training_id, data, day.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()


def find_build(session: Session, key: str) -> ReportBuild | None:
    """The build with this key, if any."""
    return session.scalar(select(ReportBuild).where(ReportBuild.key == key))


def claim_build(
    session: Session, key: str, report_id: str, training_id: int | None
) -> tuple[ReportBuild, bool]:
    """The build for this key and whether the caller must run it: a new one, or one that
    failed or was abandoned, is (re)started; a running or finished one is left alone.

    Older builds of the same report and training are deleted: they can never be served.
    """
    build = find_build(session, key)
    now = utcnow()
    if build is not None and build.status == "done":
        return build, False
    if build is not None and build.status == "building" and not _abandoned(build, now):
        return build, False
    if build is None:
        build = ReportBuild(key=key, report_id=report_id, training_id=training_id)
        session.add(build)
    build.status, build.stage, build.error, build.pdf = "building", STAGES[0], "", None
    build.started_at = build.updated_at = now
    session.flush()
    session.execute(
        delete(ReportBuild).where(
            ReportBuild.report_id == report_id,
            ReportBuild.training_id.is_(None)
            if training_id is None
            else ReportBuild.training_id == training_id,
            ReportBuild.id != build.id,
            ReportBuild.status != "building",
        )
    )
    return build, True


def record_stage(session: Session, build_id: int, stage: str) -> None:
    """The build is at `stage` now (and still alive)."""
    build = session.get(ReportBuild, build_id)
    if build is not None:
        build.stage, build.updated_at = stage, utcnow()
        session.flush()


def record_done(session: Session, build_id: int, pdf: bytes, filename: str) -> None:
    """The build's file is ready."""
    build = session.get(ReportBuild, build_id)
    if build is not None:
        now = utcnow()
        build.status, build.stage, build.pdf, build.filename = "done", "Done", pdf, filename
        build.updated_at = now
        build.seconds = (now - as_utc(build.started_at)).total_seconds()
        session.flush()


def record_failure(session: Session, build_id: int, message: str) -> None:
    """The build failed; the next download starts it again."""
    build = session.get(ReportBuild, build_id)
    if build is not None:
        build.status, build.error, build.updated_at = "failed", message[:2000], utcnow()
        session.flush()


def _abandoned(build: ReportBuild, now: dt.datetime) -> bool:
    return now - as_utc(build.updated_at) > ABANDONED_AFTER


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
