"""Submission bursts on a training's dashboard: many responses in quick succession, which
staff may judge a script's work and void (trainings.delete_response_ids)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from .dashboard import as_utc
from .models import Response

#: Responses closer together than this belong to one run.
BURST_GAP = dt.timedelta(seconds=2)
#: A run this long is a burst. A room of 50 submitting over two minutes arrives about
#: 2.4 s apart on average, so ten in a row under 2 s each is rare for people, but the
#: norm for a script.
BURST_MIN_RESPONSES = 10


@dataclass(frozen=True)
class Burst:
    """One run of responses to a phase, each within BURST_GAP of the one before."""

    phase: str
    started: dt.datetime
    ended: dt.datetime
    response_ids: tuple[int, ...]

    @property
    def first_id(self) -> int:
        """The earliest response of the run: with `last_id`, what names the burst in URLs."""
        return self.response_ids[0]

    @property
    def last_id(self) -> int:
        """The latest response of the run."""
        return self.response_ids[-1]

    @property
    def count(self) -> int:
        """How many responses the burst holds."""
        return len(self.response_ids)

    @property
    def seconds(self) -> float:
        """From the first to the last response."""
        return (self.ended - self.started).total_seconds()


def find_bursts(
    session: Session,
    training_id: int,
    gap: dt.timedelta = BURST_GAP,
    min_responses: int = BURST_MIN_RESPONSES,
) -> tuple[Burst, ...]:
    """The training's bursts, per phase, newest first."""
    rows = session.execute(
        select(Response.id, Response.phase, Response.submitted_at)
        .where(Response.training_id == training_id)
        .order_by(Response.phase, Response.submitted_at, Response.id)
    ).all()
    bursts: list[Burst] = []
    for phase, in_phase in groupby(rows, lambda r: r.phase):
        run: list[tuple[int, dt.datetime]] = []
        for row in in_phase:
            at = as_utc(row.submitted_at)
            if run and at - run[-1][1] > gap:
                bursts += _burst(phase, run, min_responses)
                run = []
            run.append((row.id, at))
        bursts += _burst(phase, run, min_responses)
    return tuple(sorted(bursts, key=lambda b: b.started, reverse=True))


def _burst(phase: str, run: list[tuple[int, dt.datetime]], min_responses: int) -> list[Burst]:
    if len(run) < min_responses:
        return []
    return [Burst(phase, run[0][1], run[-1][1], tuple(rid for rid, _ in run))]


def burst_named(
    session: Session, training_id: int, phase: str, first: int, last: int
) -> Burst | None:
    """The current burst that starts with response `first` and ends with `last`, if any.

    Why both ends: a burst that grew or shrank since staff looked is not the one they saw.
    """
    return next(
        (
            b
            for b in find_bursts(session, training_id)
            if (b.phase, b.first_id, b.last_id) == (phase, first, last)
        ),
        None,
    )
