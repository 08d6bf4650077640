"""The `question` block: one question's distribution, a chart fitting its type, a short table.

compute() summarises the question in SQL (aggregate.py) and lays out its table
(question_tables.py); draw() charts it (question_charts.py). Every hidden figure prints as
"not shown", whether it is under k or hidden to protect one that is; one note per block
gives both reasons. The overview block prints its questions through the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..aggregate import MAX_COUNTRIES, OTHER_COUNTRIES, summarize
from ..context import ReportContext
from ..results import BlockResult, suppressed_note
from ..schema import QuestionBlock
from ..summaries import (
    ChoiceSummary,
    DistributionSummary,
    MatrixSummary,
    NumberSummary,
    RankingSummary,
    ScaleSummary,
    Summary,
    TextSummary,
)
from . import BlockKind
from .question_charts import draw
from .question_tables import Marks, Table, build_tables

__all__ = ["KIND", "QuestionResult", "base_sentence", "compute", "draw", "notes_for"]


@dataclass(frozen=True)
class QuestionResult(BlockResult):
    """One question's summary, its tables and which chart to draw."""

    question_id: str = ""
    question_type: str = ""
    chart_kind: str = "none"
    summary: Summary | None = None
    #: "Answered by 120 of 150 respondents." (or "fewer than k").
    base: str = ""
    tables: tuple[Table, ...] = ()


def compute(ctx: ReportContext, block: QuestionBlock) -> QuestionResult:
    """Summarise the question in SQL and lay out its table."""
    question = ctx.question(block.question)
    by_question = ctx.question(block.by) if block.by else None
    summary = summarize(ctx.session, ctx.scope(), question, ctx.k, block.by, by_question)
    tables = build_tables(summary, Marks(ctx.k))
    return QuestionResult(
        heading=block.title or question.prompt,
        intro=block.intro,
        notes=notes_for(summary),
        empty=summary.empty,
        question_id=question.id,
        question_type=summary.question_type,
        chart_kind=block.chart_kind(question),
        summary=summary,
        base=base_sentence(summary),
        tables=tables,
    )


def base_sentence(summary: Summary) -> str:
    """The sentence saying how many answered.

    Why "n of N" may print although N - n, the respondents who skipped an optional
    question, can be under k: it tells only that some people did not answer, nothing about
    any answer. The cells of the distribution add up to n, not N, so the skipped count is
    in no equation with a hidden cell, and N is on the cover anyway. (A question asked only
    after a given answer, `show_if`, is another matter: its n is then close to the count
    of that answer to the earlier question, whether or not N is printed.)
    """
    answered = _answered(summary)
    if answered is None:
        return f"Answered by fewer than {summary.k} respondents."
    if summary.respondents is None or summary.respondents == answered:
        text = f"Answered by {answered:,} respondents"
    else:
        text = f"Answered by {answered:,} of {summary.respondents:,} respondents"
    if isinstance(summary, ScaleSummary) and summary.total.mean is not None:
        scale = f"{summary.categories[0].value}–{summary.categories[-1].value}"
        text += f"; mean rating {summary.total.mean:.1f} on {scale}"
    return text + "."


def _answered(summary: Summary) -> int | None:
    if isinstance(summary, DistributionSummary):
        return summary.total.n
    if isinstance(summary, NumberSummary):
        return summary.total.n
    if isinstance(summary, RankingSummary):
        return summary.n
    if isinstance(summary, MatrixSummary):
        return summary.n
    return None  # pragma: no cover - every summary type is listed above


def notes_for(summary: Summary) -> tuple[str, ...]:
    """Pooling and reading notes, then the one note on hidden figures."""
    k = summary.k
    notes: list[str] = []
    if summary.by is not None:
        if not _group_rows(summary):
            notes.append(
                f"No group of “{summary.by_prompt}” has {k} or more respondents, "
                "so no breakdown is shown."
            )
        elif summary.pooled_groups:
            notes.append(
                f"Groups with fewer than {k} respondents are counted together rather than named."
            )
    if isinstance(summary, ChoiceSummary):
        if summary.multiple:
            notes.append("Respondents could choose several answers, so shares add up to more.")
        if any(c.value == OTHER_COUNTRIES for c in summary.categories):
            notes.append(
                f"Countries with fewer than {k} respondents, and any beyond the "
                f"{MAX_COUNTRIES} largest, are counted together as “Other countries”."
            )
    if isinstance(summary, RankingSummary):
        notes.append(
            f"Borda score: an option ranked first earns {summary.top} points, second "
            f"{summary.top - 1}, and so on; points are summed and divided by the respondents "
            "who answered. Mean rank counts only those who ranked the option (1 = first)."
        )
    if isinstance(summary, TextSummary):
        notes.append("The answers themselves are not printed in this block.")
    if summary.suppressed:
        notes.append(suppressed_note(k))
    return tuple(notes)


def _group_rows(summary: Summary) -> Sequence[object]:
    groups: Sequence[object] = getattr(summary, "groups", ())
    return groups


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/question.html")
