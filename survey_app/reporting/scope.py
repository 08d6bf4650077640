"""Which responses a report (or one block of it) counts, as SQL conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from ..models import Response


@dataclass(frozen=True)
class Scope:
    """Responses to one questionnaire, optionally within submission dates (inclusive)."""

    questionnaire_id: str
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE conditions on `Response`."""
        out = [Response.questionnaire_id == self.questionnaire_id]
        if self.submitted_from is not None:
            out.append(Response.submitted_at >= _midnight(self.submitted_from))
        if self.submitted_to is not None:
            out.append(Response.submitted_at < _midnight(self.submitted_to + dt.timedelta(days=1)))
        return out


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
