"""Read side of content versions: the stamp, current versions, and versions as loaded models.

Versions are immutable, so a loaded version is cached for the life of the process; what
changes is which versions are current, and the stamp says when that happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import ContentStamp, ContentVersion
from .questionnaire import ContentError, DefinitionError, LoadedFile, Questionnaire, Registry
from .questionnaire.loader import load_bytes
from .reporting.schema import Report

M = TypeVar("M", bound=BaseModel)
STAMP_ID = 1


_STAMP_TABLE = ContentStamp.metadata.tables[ContentStamp.__tablename__]
#: Built once and on the table, not the entity: every request reads the stamp, and building
#: an ORM select each time cost twice what running it did.
_READ_STAMP = select(_STAMP_TABLE.c.value).where(_STAMP_TABLE.c.id == STAMP_ID)


def read_stamp(session: Session) -> int:
    """The content stamp (0 before anything was published)."""
    return int(session.scalar(_READ_STAMP) or 0)


def bump_stamp(session: Session) -> None:
    """Tell every worker that what is served changed (flush only)."""
    stamp = session.get(ContentStamp, STAMP_ID)
    if stamp is None:
        session.add(ContentStamp(id=STAMP_ID, value=1))
    else:
        # An UPDATE ... SET value = value + 1: two publishers cannot both write the same value.
        stamp.value = ContentStamp.value + 1
    session.flush()


def current_versions(session: Session, kind: str | None = None) -> list[ContentVersion]:
    """The newest version of every content id (retired ones included), by kind and id."""
    highest = func.max(ContentVersion.number).label("highest")
    newest = (
        select(ContentVersion.kind, ContentVersion.content_id, highest)
        .group_by(ContentVersion.kind, ContentVersion.content_id)
        .subquery()
    )
    stmt = select(ContentVersion).join(
        newest,
        (ContentVersion.kind == newest.c.kind)
        & (ContentVersion.content_id == newest.c.content_id)
        & (ContentVersion.number == newest.c.highest),
    )
    if kind is not None:
        stmt = stmt.where(ContentVersion.kind == kind)
    return list(session.scalars(stmt.order_by(ContentVersion.kind, ContentVersion.content_id)))


def current_version(session: Session, kind: str, content_id: str) -> ContentVersion | None:
    """The newest version of one content id, if any was published."""
    return session.scalar(
        select(ContentVersion)
        .where(ContentVersion.kind == kind, ContentVersion.content_id == content_id)
        .order_by(ContentVersion.number.desc())
        .limit(1)
    )


def versions_of(session: Session, kind: str, content_id: str) -> list[ContentVersion]:
    """Every version of one content id, newest first."""
    return list(
        session.scalars(
            select(ContentVersion)
            .where(ContentVersion.kind == kind, ContentVersion.content_id == content_id)
            .order_by(ContentVersion.number.desc())
        )
    )


def version_label(version: ContentVersion) -> str:
    """How errors name a stored version: `<id>.yaml@v<number>`."""
    return f"{version.content_id}.yaml@v{version.number}"


def load_version(
    model: type[M], version: ContentVersion, context: dict[str, Any] | None = None
) -> LoadedFile[M]:
    """A stored version validated into its model, carrying its version id and number."""
    label = version_label(version)
    loaded = load_bytes(model, version.source.encode("utf-8"), Path(label), label, context)
    return replace(loaded, version_id=version.id, version=version.number)


class VersionCache:
    """Loaded questionnaire versions by id: a version never changes, so it is parsed once."""

    def __init__(self) -> None:
        self._loaded: dict[int, LoadedFile[Questionnaire]] = {}

    def questionnaire(self, version: ContentVersion) -> LoadedFile[Questionnaire]:
        """The loaded questionnaire of this version."""
        loaded = self._loaded.get(version.id)
        if loaded is None or loaded.sha256 != version.sha256:
            loaded = load_version(Questionnaire, version)
            self._loaded[version.id] = loaded
        return loaded


def build_registry(
    versions: Iterable[ContentVersion], cache: VersionCache
) -> tuple[Registry[Report], list[DefinitionError]]:
    """What workers serve: the current, unretired versions; reports checked against them.

    A stored report that does not validate against the current questionnaires (publishing
    checks this, so only a retired questionnaire can cause it) is left out, with its errors.
    """
    current = [v for v in versions if v.retired_at is None]
    questionnaires = {
        v.content_id: cache.questionnaire(v) for v in current if v.kind == "questionnaire"
    }
    context = {"questionnaires": {qid: lf.model for qid, lf in questionnaires.items()}}
    reports: dict[str, LoadedFile[Report]] = {}
    errors: list[DefinitionError] = []
    for v in current:
        if v.kind != "report":
            continue
        try:
            reports[v.content_id] = load_version(Report, v, context)
        except ContentError as exc:
            errors += exc.errors
    return Registry(questionnaires, reports), errors
