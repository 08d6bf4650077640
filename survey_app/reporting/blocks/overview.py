"""Overview block: how many answered, when, from which countries, from which kinds of body.

The stakeholder and country tables are the tables a `question` block prints for the same
question (same aggregator, same populations, same layout), so two blocks never print one
distribution two ways.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...questionnaire.questions import QuestionBase
from ..aggregate import summarize
from ..breakdown import by_column
from ..context import ReportContext
from ..disclosure import Population
from ..results import BlockResult, Chart
from ..schema import OverviewBlock
from ..sql import grouped_counts, submission_range
from ..summaries import ChoiceSummary, Summary
from . import BlockKind
from .question import base_sentence, frame_of, notes_for
from .question_charts import chart_of
from .question_tables import Marks, Table, build_tables


@dataclass(frozen=True)
class OverviewPart:
    """One question the overview summarises, laid out exactly as a question block would."""

    question_id: str
    prompt: str
    #: "Answered by 188 of 200 respondents."
    base: str
    summary: Summary
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class OverviewResult(BlockResult):
    """Key figures about who answered; nothing when the scope is under k."""

    responses: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    #: Distinct countries respondents named (None without a country question, or hidden).
    countries: int | None = None
    stakeholder: OverviewPart | None = None
    country: OverviewPart | None = None


def compute(ctx: ReportContext, block: OverviewBlock) -> OverviewResult:
    """Counts, dates, countries and stakeholder mix for the report's scope, all in SQL."""
    frame = frame_of(ctx)
    base = OverviewResult(heading=block.title or "Overview", intro=block.intro)
    scope = frame.population
    if not isinstance(scope, Population):
        return OverviewResult(heading=base.heading, intro=base.intro, empty=True)
    responses = ctx.disclosure.release_count(scope, "size", scope.size)
    first, last = ctx.aggregate(submission_range, frame.scope)
    country = ctx.country_question(block)
    stakeholder = ctx.stakeholder_question(block)
    parts = {
        "stakeholder": _part(ctx, stakeholder) if stakeholder else None,
        "country": _part(ctx, country) if country else None,
    }
    notes = dict.fromkeys(
        note for part in parts.values() if part for note in notes_for(part.summary)
    )
    return OverviewResult(
        heading=base.heading,
        intro=base.intro,
        notes=tuple(notes),
        empty=responses == 0,
        responses=responses,
        first_day=_day(first),
        last_day=_day(last),
        countries=_distinct(ctx, parts["country"]) if parts["country"] else None,
        **parts,
    )


def draw(result: OverviewResult) -> tuple[Chart, ...]:
    """A bar chart of the stakeholder mix, as a question block draws it."""
    if result.stakeholder is None:
        return ()
    return chart_of(result.stakeholder.summary, "bar")


def _part(ctx: ReportContext, question: QuestionBase) -> OverviewPart:
    summary = summarize(frame_of(ctx), question)
    return OverviewPart(
        question.id,
        question.prompt,
        base_sentence(summary),
        summary,
        build_tables(summary, Marks(ctx.k)),
    )


def _distinct(ctx: ReportContext, part: OverviewPart) -> int | None:
    """How many different countries were named: a figure of the country question's people."""
    summary = part.summary
    if not isinstance(summary, ChoiceSummary) or summary.total.n is None:
        return None
    frame = frame_of(ctx)
    found = len(by_column(ctx.aggregate(grouped_counts, frame.scope, part.question_id)))
    answered = frame.scope.population().narrowed(answered=part.question_id)
    population = ctx.disclosure.shown[answered.key()]
    return ctx.disclosure.release_count(population, "distinct", found, question=part.question_id)


def _day(value: dt.datetime | None) -> dt.date | None:
    """The UTC day of a stored time (SQLite returns it naive, in UTC)."""
    if value is None:
        return None
    return (value.astimezone(dt.UTC) if value.tzinfo else value).date()


KIND = BlockKind(compute=compute, charts=draw, template="overview.html")
