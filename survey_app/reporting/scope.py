"""Which responses a report (or one block of it) counts, as SQL conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement

from ..models import Response


@dataclass(frozen=True)
class Scope:
    """Responses to one questionnaire, optionally within submission dates (inclusive), and
    optionally those collected through one training (and one of its phases)."""

    questionnaire_id: str
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    training_id: int | None = None
    #: "pre" or "post": only the training's responses to that phase (needs `training_id`).
    phase: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE conditions on `Response`."""
        out = [Response.questionnaire_id == self.questionnaire_id]
        if self.submitted_from is not None:
            out.append(Response.submitted_at >= _midnight(self.submitted_from))
        if self.submitted_to is not None:
            out.append(Response.submitted_at < _midnight(self.submitted_to + dt.timedelta(days=1)))
        if self.training_id is not None:
            out.append(Response.training_id == self.training_id)
            if self.phase is not None:
                out.append(Response.phase == self.phase)
        return out


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
