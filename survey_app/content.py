"""The content the app serves: published versions from the database, refreshed by a stamp.

Why a stamp read per request rather than file watching: every worker on every host reads
the same row, so a publish anywhere is served everywhere on the next request, and the
read is one primary-key lookup in its own short transaction (on SQLite, a deferred BEGIN
that never takes the write lock participants' submissions wait for).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, abort, current_app, g, request
from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from .database import READ_ONLY
from .extensions import db
from .i18n import gettext as _
from .models import ContentVersion, Response, Training
from .publishing import sync_files
from .questionnaire import LoadedFile, Questionnaire, Registry, load_registry
from .reporting.schema import Report
from .settings import Settings
from .versions import VersionCache, build_registry, current_versions, read_stamp

EXTENSION_KEY = "survey.content"


@dataclass
class ContentState:
    """One app's view of the content: the files read at start-up and what is served now."""

    files: Registry[Report]
    served: Registry[Report]
    stamp: int | None = None
    synced: bool = False
    cache: VersionCache = field(default_factory=VersionCache)
    lock: threading.Lock = field(default_factory=threading.Lock)


def load_content(app: Flask, settings: Settings) -> None:
    """Load and validate every content file; ContentError stops the app from starting.

    The files are served until the database is first reached; then those that changed are
    published as new versions and the database's current versions are served.
    """
    loaded = load_registry(
        [settings.questionnaires_dir], [settings.reports_dir], report_model=Report
    )
    for questionnaire in loaded.questionnaires.values():
        for warning in questionnaire.warnings:
            app.logger.warning("%s (falls back to the default language)", warning)
    app.extensions[EXTENSION_KEY] = ContentState(files=loaded, served=loaded)
    app.before_request(refresh_before_request)


def refresh_before_request() -> None:
    """Check the stamp before the view runs, while the request's session has not begun.

    Why so early: on SQLite the request's first query takes the write lock (BEGIN
    IMMEDIATE), and publishing new start-up files in a session of our own would wait on it.
    """
    if request.endpoint != "static":
        registry()


def content_state() -> ContentState:
    """The current app's content state."""
    state: ContentState = current_app.extensions[EXTENSION_KEY]
    return state


@contextmanager
def content_session() -> Iterator[Session]:
    """A short session of its own, so content reads never hold the request's transaction."""
    bind = db.engine
    if isinstance(bind, Connection):  # a test's joined transaction
        with Session(bind=bind, join_transaction_mode="create_savepoint") as session:
            yield session
        return
    with Session(bind=bind) as session:
        yield session


def registry() -> Registry[Report]:
    """What is served now: checked against the database stamp once per request (or CLI call)."""
    if "survey_registry" not in g:
        g.survey_registry = refresh(content_state())
    served: Registry[Report] = g.survey_registry
    return served


def refresh(state: ContentState) -> Registry[Report]:
    """Publish new files once, then rebuild what is served if the stamp moved.

    While the database cannot be reached, the last registry served goes on being served.
    """
    try:
        # A caller mid-transaction (a CLI command) would hold the lock the sync waits for.
        if not state.synced and not db.session().in_transaction():
            synchronise_files(state)
        with content_session() as session:
            if not isinstance(session.get_bind(), Connection):
                session.connection(execution_options={READ_ONLY: True})
            stamp = read_stamp(session)
            if stamp != state.stamp:
                with state.lock:
                    if stamp != state.stamp:
                        rebuild(state, session, stamp)
    except DBAPIError as exc:
        current_app.logger.warning("content stamp not read, serving what was: %s", exc)
    return state.served


def synchronise_files(state: ContentState) -> None:
    """Publish the start-up files that are new (once per process; races end in one winner)."""
    with state.lock, content_session() as session:
        if state.synced:
            return
        lines = sync_files(session, state.files, state.cache)
        # Logged, not audit-logged: nobody acted; the versions list says "start-up".
        for line in lines:
            current_app.logger.info("content: %s", line)
        try:
            session.commit()
        except DBAPIError:
            # Another worker published the same file at the same moment: its version stands.
            session.rollback()
        state.synced = True


def rebuild(state: ContentState, session: Session, stamp: int) -> None:
    """Serve the database's current versions (files stay served while none are published)."""
    versions = current_versions(session)
    if versions:
        served, errors = build_registry(versions, state.cache)
        for error in errors:
            current_app.logger.error("content: not served: %s", error)
        state.served = served
    state.stamp = stamp


def public_questionnaires() -> list[Questionnaire]:
    """Questionnaires anyone may answer at /q/<id>, by title."""
    items = [lf.model for lf in registry().questionnaires.values()]
    return sorted((q for q in items if q.visibility == "public"), key=lambda q: str(q.title))


def questionnaire_or_404(
    questionnaire_id: str, *, public: bool = False
) -> LoadedFile[Questionnaire]:
    """The served questionnaire with this id (only a public one when `public`), or a 404."""
    loaded = registry().questionnaire(questionnaire_id)
    if loaded is None or (public and loaded.model.visibility != "public"):
        abort(404, description=_("There is no questionnaire '%(id)s'.", id=questionnaire_id))
    return loaded


def questionnaire_version(version_id: int) -> LoadedFile[Questionnaire] | None:
    """A published questionnaire version by id, current or not (pinned trainings, old forms)."""
    version = db.session.get(ContentVersion, version_id)
    if version is None or version.kind != "questionnaire":
        return None
    return content_state().cache.questionnaire(version)


def answered_version(loaded: LoadedFile[Questionnaire]) -> LoadedFile[Questionnaire]:
    """On a POST, the version the form was shown in (its hidden `version`), else `loaded`.

    Why: a participant who opened the page before a publish answered the old questions;
    their answers are validated and stored against that version, not the new one.
    """
    posted = request.form.get("version", "") if request.method == "POST" else ""
    if not posted.isdigit() or int(posted) == loaded.version_id:
        return loaded
    earlier = questionnaire_version(int(posted))
    return earlier if earlier is not None and earlier.model.id == loaded.model.id else loaded


def phase_questionnaire_or_404(training: Training, phase: str) -> LoadedFile[Questionnaire]:
    """The version a training's phase serves: the pinned one, else (before collection opened)
    the current one; 404 when the phase has none."""
    version_id = training.version_for(phase)
    if version_id is not None:
        pinned = questionnaire_version(version_id)
        if pinned is not None:
            return pinned
    loaded = registry().questionnaire(training.questionnaire_for(phase) or "")
    if loaded is None:
        abort(404, description=_("There is no questionnaire '%(id)s'.", id=phase))
    return answered_version(loaded)


def phase_versions(training: Training, phase: str) -> dict[int, LoadedFile[Questionnaire]]:
    """The versions a training's phase was answered in, plus its pinned one, by version id."""
    used = set(
        db.session.scalars(
            select(Response.version_id)
            .where(Response.training_id == training.id, Response.phase == phase)
            .distinct()
        )
    )
    used.add(training.version_for(phase))
    found = {vid: questionnaire_version(vid) for vid in used if vid is not None}
    return {vid: loaded for vid, loaded in found.items() if loaded is not None}


def questionnaire_versions(questionnaire_id: str) -> dict[int, LoadedFile[Questionnaire]]:
    """Every published version of a questionnaire by number (for exports and reports)."""
    rows = db.session.scalars(
        select(ContentVersion).where(
            ContentVersion.kind == "questionnaire", ContentVersion.content_id == questionnaire_id
        )
    )
    cache = content_state().cache
    return {v.number: cache.questionnaire(v) for v in rows}


def report_or_404(report_id: str) -> LoadedFile[Report]:
    """The loaded report definition with this id, or a 404 response."""
    loaded = registry().report(report_id)
    if loaded is None:
        abort(404, description=f"There is no report '{report_id}'.")
    return loaded
