"""Which responses a report (or one block of it) counts, as SQL conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, union
from sqlalchemy.orm import aliased

from ..models import ContentVersion, Response
from ..pairing import pairs_query
from .disclosure import PopulationDef


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
    #: Only responses that are part of a pre/post pair (needs `training_id`).
    paired: bool = False
    #: Only responses to these version numbers of the questionnaire (None: any version;
    #: responses stored before versions were kept have none and count only then).
    versions: tuple[int, ...] | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE conditions on `Response`.

        Within a training, a participant who submitted a phase twice under the same code
        counts once, with the latest submission (the one pairing uses).
        """
        out = [Response.questionnaire_id == self.questionnaire_id, *self._dates(Response)]
        if self.training_id is not None:
            out.append(Response.training_id == self.training_id)
            if self.phase is not None:
                out.append(Response.phase == self.phase)
            out.append(_latest_per_code(self.training_id))
            if self.paired:
                out.append(Response.id.in_(self._paired_ids(self.training_id)))
        if self.versions is not None:
            numbered = select(ContentVersion.id).where(
                ContentVersion.kind == "questionnaire",
                ContentVersion.content_id == self.questionnaire_id,
                ContentVersion.number.in_(self.versions),
            )
            out.append(Response.version_id.in_(numbered))
        return out

    def _dates(self, response: Any) -> list[ColumnElement[bool]]:
        """Submitted within the date filter (inclusive days)."""
        out = []
        if self.submitted_from is not None:
            out.append(response.submitted_at >= _midnight(self.submitted_from))
        if self.submitted_to is not None:
            out.append(response.submitted_at < _midnight(self.submitted_to + dt.timedelta(days=1)))
        return out

    def _paired_ids(self, training_id: int) -> Any:
        """Ids of both responses of every pair whose two responses are within the dates.

        Why both: a pair cut by the date filter is no pair in this report; counting its
        one side would make the paired set differ from what the pairing figures say.
        """
        pairs = pairs_query(training_id).subquery()
        stmt_pairs = select(pairs.c.pre_id, pairs.c.post_id)
        if self.submitted_from is not None or self.submitted_to is not None:
            other = aliased(Response)
            in_range = select(other.id).where(*self._dates(other))
            stmt_pairs = stmt_pairs.where(
                pairs.c.pre_id.in_(in_range), pairs.c.post_id.in_(in_range)
            )
        chosen = stmt_pairs.subquery()
        return union(select(chosen.c.pre_id), select(chosen.c.post_id))

    def population(self) -> PopulationDef:
        """The same responses as a disclosure population."""
        return PopulationDef(
            questionnaire=self.questionnaire_id,
            training=self.training_id,
            phase=self.phase,
            submitted_from=self.submitted_from.isoformat() if self.submitted_from else None,
            submitted_to=self.submitted_to.isoformat() if self.submitted_to else None,
            paired=self.paired,
            versions=self.versions,
        )


def _latest_per_code(training_id: int) -> ColumnElement[bool]:
    """Responses without a code, or the latest one per (phase, code) of the training."""
    other = aliased(Response)
    latest = (
        select(func.max(other.id))
        .where(other.training_id == training_id, other.participant_code_hash.is_not(None))
        .group_by(other.phase, other.participant_code_hash)
    )
    return or_(Response.participant_code_hash.is_(None), Response.id.in_(latest))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def version_ranges(numbers: tuple[int, ...] | list[int]) -> str:
    """`1–3, 5` for (1, 2, 3, 5): runs of consecutive versions as a range."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs)
