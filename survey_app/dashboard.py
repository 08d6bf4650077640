"""A training's dashboard figures: responses per phase and per day, pairs, last submission."""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Date, func, select
from sqlalchemy.orm import Session

from .models import PHASES, Response, Training
from .pairing import PairingSummary, pairing_summary
from .reporting.charts import cumulative_step_chart
from .waves import WaveSummary, wave_summary

PHASE_NAMES = {"pre": "Before", "post": "After", "followup": "Follow-up"}


@dataclass(frozen=True)
class DayCount:
    """Responses submitted on one day (UTC), per phase."""

    day: dt.date
    pre: int
    post: int
    followup: int = 0


@dataclass(frozen=True)
class Dashboard:
    """What staff see at a glance on a training's page."""

    #: Phases that have a questionnaire, in order.
    phases: tuple[str, ...]
    pairing: PairingSummary
    per_day: tuple[DayCount, ...]
    last_submission: dt.datetime | None
    #: How the follow-up matches the earlier waves (None without a follow-up questionnaire).
    waves: WaveSummary | None = None

    @property
    def pairs(self) -> int:
        """How many pre/post pairs matched."""
        return len(self.pairing.pairs)

    @property
    def total(self) -> int:
        """Responses in every phase."""
        return self.pairing.pre + self.pairing.post + (self.waves.followup if self.waves else 0)

    def count(self, phase: str) -> int:
        """Responses in one phase."""
        if phase == "followup":
            return self.waves.followup if self.waves else 0
        return self.pairing.pre if phase == "pre" else self.pairing.post


def build_dashboard(session: Session, training: Training) -> Dashboard:
    """The dashboard figures of one training, each aggregated in SQL."""
    last = session.scalar(
        select(func.max(Response.submitted_at)).where(Response.training_id == training.id)
    )
    return Dashboard(
        phases=tuple(phase for phase in PHASES if training.questionnaire_for(phase)),
        pairing=pairing_summary(session, training.id),
        per_day=responses_per_day(session, training.id),
        last_submission=as_utc(last) if last is not None else None,
        waves=wave_summary(session, training.id) if training.followup_questionnaire_id else None,
    )


def responses_per_day(session: Session, training_id: int) -> tuple[DayCount, ...]:
    """Responses per submission day (UTC) and phase, oldest day first."""
    day = func.date(Response.submitted_at, type_=Date).label("day")
    rows = session.execute(
        select(day, Response.phase, func.count(Response.id))
        .where(Response.training_id == training_id)
        .group_by(day, Response.phase)
        .order_by(day)
    )
    counts: dict[dt.date, dict[str, int]] = {}
    for when, phase, count in rows:
        counts.setdefault(when, dict.fromkeys(PHASES, 0))[phase or ""] = int(count)
    return tuple(DayCount(when, c["pre"], c["post"], c["followup"]) for when, c in counts.items())


def as_utc(value: dt.datetime) -> dt.datetime:
    """Timezone-aware UTC (SQLite hands back naive datetimes that were stored as UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def completion_chart(dashboard: Dashboard) -> str | None:
    """Responses so far per phase as a step chart (SVG), or None before the first response."""
    if not dashboard.per_day:
        return None
    days = [d.day for d in dashboard.per_day]
    series = [
        (PHASE_NAMES.get(phase, phase), [getattr(d, phase) for d in dashboard.per_day])
        for phase in dashboard.phases
    ]
    return cumulative_step_chart(days, series, ylabel="Responses so far")


def completion_chart_uri(dashboard: Dashboard) -> str | None:
    """The completion chart as a `data:` URI for an `<img>`, or None without responses."""
    svg = completion_chart(dashboard)
    return svg_data_uri(svg) if svg is not None else None


def svg_data_uri(svg: str) -> str:
    """The SVG as a `data:` URI for an `<img>`.

    Why: matplotlib styles its SVG with `style` attributes, which the page's CSP
    (`style-src 'self'`) would block inline; an image document is not subject to it, and
    `img-src` allows `data:`.
    """
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
