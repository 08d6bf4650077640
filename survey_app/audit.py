"""Read side of the audit log: one page of events, newest first (writes: trainings.record_audit)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .dashboard import as_utc
from .models import AuditEvent

PER_PAGE = 50


@dataclass(frozen=True)
class AuditLine:
    """One event as the log page shows it."""

    at: dt.datetime
    user_email: str
    action: str
    detail: str
    address: str


@dataclass(frozen=True)
class AuditPage:
    """A page of the log and whether there are pages around it."""

    lines: tuple[AuditLine, ...]
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        """Whether a newer page exists."""
        return self.page > 1


def audit_page(session: Session, page: int, per_page: int = PER_PAGE) -> AuditPage:
    """Events of page `page` (1 = newest); one extra row tells whether a next page exists."""
    page = max(1, page)
    rows = session.execute(
        select(
            AuditEvent.at,
            AuditEvent.user_email,
            AuditEvent.action,
            AuditEvent.detail,
            AuditEvent.address,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page + 1)
    ).all()
    lines = tuple(
        AuditLine(as_utc(r.at), r.user_email, r.action, r.detail, r.address)
        for r in rows[:per_page]
    )
    return AuditPage(lines, page, has_next=len(rows) > per_page)
