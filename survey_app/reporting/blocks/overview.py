"""Overview block: how many answered, when, from which countries, from which kinds of body.

The stakeholder and country tables are the tables a `question` block prints for the same
question (same aggregator, same suppression, same layout). Why: two blocks printing one
distribution with different hidden cells could be laid side by side to recover a cell
either of them hides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ...questionnaire.schema import CountryQuestion, QuestionBase, SingleChoiceQuestion
from ..aggregate import summarize
from ..breakdown import by_column
from ..context import ReportContext
from ..results import BlockResult, Chart, suppressed_note
from ..schema import OverviewBlock
from ..scope import Scope
from ..sql import count_respondents, grouped_counts, submission_range
from ..summaries import Summary
from . import BlockKind
from .question import base_sentence, notes_for
from .question_charts import chart_of
from .question_tables import Marks, Table, build_tables

#: The stakeholder question used when the block names none.
DEFAULT_STAKEHOLDER = "stakeholder_type"


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
    """Key figures about who answered; every count under k is hidden."""

    responses: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    #: Distinct countries respondents named (None when there is no country question).
    countries: int | None = None
    stakeholder: OverviewPart | None = None
    country: OverviewPart | None = None


def compute(ctx: ReportContext, block: OverviewBlock) -> OverviewResult:
    """Counts, dates, countries and stakeholder mix for the report's scope, all in SQL."""
    scope = ctx.scope()
    responses = ctx.aggregate(count_respondents, scope)
    first, last = ctx.aggregate(submission_range, scope)
    country = _country_question(ctx, block)
    stakeholder = _stakeholder_question(ctx, block)
    parts = {
        "stakeholder": _part(ctx, stakeholder) if stakeholder else None,
        "country": _part(ctx, country) if country else None,
    }
    notes = dict.fromkeys(
        note for part in parts.values() if part for note in notes_for(part.summary)
    )
    hidden = suppressed_note(ctx.k)
    return OverviewResult(
        heading=block.title or "Overview",
        intro=block.intro,
        # Each note once; the one on hidden figures, shared by both tables, last.
        notes=(*(n for n in notes if n != hidden), *((hidden,) if hidden in notes else ())),
        empty=responses == 0,
        responses=responses,
        first_day=_day(first),
        last_day=_day(last),
        countries=_distinct(ctx, scope, country) if country else None,
        **parts,
    )


def draw(result: OverviewResult) -> tuple[Chart, ...]:
    """A bar chart of the stakeholder mix, as a question block draws it."""
    if result.stakeholder is None:
        return ()
    return chart_of(result.stakeholder.summary, "bar")


def _part(ctx: ReportContext, question: QuestionBase) -> OverviewPart:
    summary = summarize(ctx.session, ctx.scope(), question, ctx.k)
    return OverviewPart(
        question.id,
        question.prompt,
        base_sentence(summary),
        summary,
        build_tables(summary, Marks(ctx.k)),
    )


def _distinct(ctx: ReportContext, scope: Scope, question: QuestionBase) -> int:
    """How many different answers the question received (how many countries)."""
    return len(by_column(ctx.aggregate(grouped_counts, scope, question.id)))


def _country_question(ctx: ReportContext, block: OverviewBlock) -> QuestionBase | None:
    if block.country is not None:
        return ctx.question(block.country)
    return next((q for q in ctx.questionnaire.questions() if isinstance(q, CountryQuestion)), None)


def _stakeholder_question(ctx: ReportContext, block: OverviewBlock) -> QuestionBase | None:
    if block.stakeholder is not None:
        return ctx.question(block.stakeholder)
    found = ctx.questionnaire.question(DEFAULT_STAKEHOLDER)
    return found if isinstance(found, SingleChoiceQuestion) else None


def _day(value: dt.datetime | None) -> dt.date | None:
    """The UTC day of a stored time (SQLite returns it naive, in UTC)."""
    if value is None:
        return None
    return (value.astimezone(dt.UTC) if value.tzinfo else value).date()


KIND = BlockKind(compute=compute, charts=draw, template="overview.html")
