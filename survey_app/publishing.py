"""Write side of content versions: publish (with the compatibility check), retire, drafts,
and publishing changed files at start-up. Flush only; callers commit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from .models import Answer, ContentDraft, ContentVersion, Response, utcnow
from .questionnaire import ContentError, LoadedFile, Questionnaire, Registry
from .questionnaire.compat import Change, questionnaire_changes
from .questionnaire.loader import load_bytes, read_document
from .reporting.schema import Report
from .versions import (
    VersionCache,
    bump_stamp,
    current_version,
    current_versions,
    load_version,
)

log = logging.getLogger(__name__)

#: Who published, in the versions table and the audit log, when no one logged in did.
AT_STARTUP = "start-up"


class BreakingChangeError(Exception):
    """The new version changes what stored answers mean; publish again to confirm."""

    def __init__(self, content_id: str, changes: list[Change]) -> None:
        self.content_id = content_id
        self.changes = changes
        listed = "; ".join(c.message for c in changes)
        super().__init__(f"{content_id}: breaks stored answers: {listed}")


@dataclass(frozen=True)
class Published:
    """The outcome of one publish: the version (new, or the unchanged current one)."""

    version: ContentVersion
    created: bool
    #: Confirmed breaking changes (empty for safe ones).
    breaking: list[Change] = field(default_factory=list)


#: Report files published in the same run as a questionnaire, by the id they declare:
#: (text, display name). A questionnaire is checked against these instead of the stored
#: versions they replace.
PendingReports = Mapping[str, tuple[bytes, str]]


def pending_reports(files: Iterable[tuple[bytes, str]]) -> dict[str, tuple[bytes, str]]:
    """(text, display name) of report files by the id they declare; unreadable ones left out.

    Why: a questionnaire that drops a question and the report file that drops its block
    are edited together; checked against the stored report alone, the questionnaire would
    be refused until the report was published, and that report may need the new question.
    """
    out: dict[str, tuple[bytes, str]] = {}
    for raw, display in files:
        try:
            report_id = read_document(raw.decode("utf-8"), display).data.get("id")
        except (UnicodeDecodeError, ContentError):
            continue
        if isinstance(report_id, str):
            out[report_id] = (raw, display)
    return out


def validate_source(
    session: Session,
    kind: str,
    raw: bytes,
    display: str,
    cache: VersionCache | None = None,
    pending: PendingReports | None = None,
) -> LoadedFile[Questionnaire] | LoadedFile[Report]:
    """Validate content as it would be served beside the current versions.

    A questionnaire is also checked against every current report (one may name a question it
    removes), or against the report file of the same id about to be published with it
    (`pending`); a report against the current questionnaires. Raises ContentError, all
    located.
    """
    cache = cache or VersionCache()
    served = current_versions(session)
    questionnaires = {
        v.content_id: cache.questionnaire(v).model
        for v in served
        if v.kind == "questionnaire" and v.retired_at is None
    }
    if kind == "report":
        context = {"questionnaires": questionnaires}
        return load_bytes(Report, raw, Path(display), display, context)
    loaded = load_bytes(Questionnaire, raw, Path(display), display)
    context = {"questionnaires": {**questionnaires, loaded.model.id: loaded.model}}
    errors = []
    pending = pending or {}
    for v in served:
        if v.kind == "report" and v.retired_at is None:
            try:
                if v.content_id in pending:
                    text, shown = pending[v.content_id]
                    load_bytes(Report, text, Path(shown), shown, context)
                else:
                    load_version(Report, v, context)
            except ContentError as exc:
                errors += exc.errors
    if errors:
        raise ContentError(errors)
    return loaded


def publish(
    session: Session,
    kind: str,
    raw: bytes,
    display: str,
    *,
    by: str,
    note: str = "",
    fmt: str = "yaml",
    allow_breaking: bool = False,
    only_if_new: bool = False,
    cache: VersionCache | None = None,
    pending: PendingReports | None = None,
) -> Published:
    """Store `raw` as the next version of its content id unless it equals the current one.

    `only_if_new` (start-up) also skips text that any earlier version had: a worker
    restarting with an old file on disk must not undo what staff published since.
    Raises ContentError (invalid, every error located) or BreakingChangeError.
    """
    cache = cache or VersionCache()
    loaded = validate_source(session, kind, raw, display, cache, pending)
    content_id = loaded.model.id
    current = current_version(session, kind, content_id)
    if current is not None and current.sha256 == loaded.sha256 and current.retired_at is None:
        return Published(current, created=False)
    sha256 = loaded.sha256
    if only_if_new and current is not None and _published_before(session, kind, content_id, sha256):
        return Published(current, created=False)
    changes: list[Change] = []
    if kind == "questionnaire" and current is not None:
        old = cache.questionnaire(current).model
        changes = stored_answer_changes(
            session, content_id, questionnaire_changes(old, loaded.model)
        )
        if changes and not allow_breaking:
            raise BreakingChangeError(content_id, changes)
    version = ContentVersion(
        kind=kind,
        content_id=content_id,
        number=(current.number + 1) if current else 1,
        source=raw.decode("utf-8"),
        format=fmt,
        sha256=loaded.sha256,
        published_by=by[:254],
        note=note[:2000],
    )
    session.add(version)
    session.flush()
    if kind == "questionnaire":
        link_responses(session, version)
    bump_stamp(session)
    return Published(version, created=True, breaking=changes)


def _published_before(session: Session, kind: str, content_id: str, sha256: str) -> bool:
    return (
        session.scalar(
            select(ContentVersion.id).where(
                ContentVersion.kind == kind,
                ContentVersion.content_id == content_id,
                ContentVersion.sha256 == sha256,
            )
        )
        is not None
    )


def stored_answer_changes(
    session: Session, questionnaire_id: str, changes: list[Change]
) -> list[Change]:
    """The changes some stored answer depends on (one EXISTS query per change).

    Why not every structural change: removing an option nobody chose breaks nothing.
    """
    out = []
    for change in changes:
        cond = (Answer.response_id == Response.id) & (Response.questionnaire_id == questionnaire_id)
        cond &= Answer.question_id == change.question_id
        if change.item is not None:
            cond &= Answer.item == change.item
        if session.scalar(select(exists().where(cond))):
            out.append(change)
    return out


def link_responses(session: Session, version: ContentVersion) -> None:
    """Point responses stored from this exact text before versions existed at the version."""
    session.execute(
        update(Response)
        .where(
            Response.version_id.is_(None),
            Response.questionnaire_id == version.content_id,
            Response.definition_hash == version.sha256,
        )
        .values(version_id=version.id)
    )


def retire(session: Session, kind: str, content_id: str) -> ContentVersion | None:
    """Stop serving a questionnaire or report (its current version is marked); None if unknown.

    Trainings already pinned to one of its versions keep it: their links go on working.
    """
    current = current_version(session, kind, content_id)
    if current is None or current.retired_at is not None:
        return current
    current.retired_at = utcnow()
    bump_stamp(session)
    return current


def sync_files(session: Session, files: Registry[Report], cache: VersionCache) -> list[str]:
    """Publish content files that are new since start-up; returns what happened, line by line.

    Breaking or invalid-beside-the-database files are not published (logged instead): at
    start-up nobody is there to confirm, so `flask survey publish --allow-breaking` does it.
    """
    lines = []
    items: list[tuple[str, LoadedFile[Questionnaire] | LoadedFile[Report]]] = [
        *(("questionnaire", lf) for lf in files.questionnaires.values()),
        *(("report", lf) for lf in files.reports.values()),
    ]
    unchanged: list[tuple[str, bytes, str]] = []
    for kind, loaded in items:
        raw = loaded.path.read_bytes()
        # Changed on disk since start-up: publish it with `flask survey publish`.
        if hashlib.sha256(raw).hexdigest() == loaded.sha256:
            unchanged.append((kind, raw, str(loaded.path)))
    pending = pending_reports((raw, shown) for kind, raw, shown in unchanged if kind == "report")
    for kind, raw, shown in unchanged:
        try:
            result = publish(
                session,
                kind,
                raw,
                shown,
                by=AT_STARTUP,
                only_if_new=True,
                cache=cache,
                pending=pending,
            )
        except (ContentError, BreakingChangeError) as exc:
            lines.append(f"not published: {exc}")
            continue
        if result.created:
            lines.append(
                f"published {kind} {result.version.content_id} version {result.version.number}"
            )
    return lines


def save_draft(
    session: Session, kind: str, content_id: str, source: str, fmt: str, filename: str, by: str
) -> ContentDraft:
    """Keep a valid upload for preview until it is published (flush only)."""
    draft = ContentDraft(
        kind=kind,
        content_id=content_id,
        source=source,
        format=fmt,
        filename=filename[:255],
        uploaded_by=by[:254],
    )
    session.add(draft)
    session.flush()
    return draft
