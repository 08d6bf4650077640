"""The `question` block: one question's distribution, a chart fitting its type, a short table.

compute() summarises the question for the disclosure layer's populations (aggregate.py):
everyone in scope who answered, and a breakdown's groups. A shown population prints all
its figures; a hidden one prints nothing but the marker. The tables are laid out in
question_tables.py, the chart drawn by question_charts.py. The overview block prints its
questions through the same functions.
"""

from __future__ import annotations

from ..aggregate import MAX_COUNTRIES, OTHER_PREFIX, summarize
from ..agreement import agreeing_scope, agreement_note
from ..context import ReportContext
from ..disclosure import HIDDEN_MARK
from ..schema import QuestionBlock
from ..scope import Scope
from ..shown import Frame
from ..summaries import (
    REST,
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
from .question_tables import Marks, QuestionResult, build_tables

__all__ = ["KIND", "QuestionResult", "base_sentence", "compute", "draw", "frame_of", "notes_for"]


def frame_of(ctx: ReportContext, scope: Scope | None = None) -> Frame:
    """What the aggregators need from a report build, for the report's (or a given) scope."""
    scope = scope or ctx.scope()
    return Frame(
        session=ctx.session,
        scope=scope,
        disclosure=ctx.disclosure,
        population=ctx.population(scope),
        label=ctx.scope_label(scope),
        questionnaire=ctx.questionnaires.get(scope.questionnaire_id),
        runner=ctx.aggregate,
    )


def compute(ctx: ReportContext, block: QuestionBlock) -> QuestionResult:
    """Summarise the question for its shown populations and lay out its table."""
    question = ctx.question(block.question)
    by_question = ctx.question(block.by) if block.by else None
    agreement = agreeing_scope(ctx, ctx.scope(), _ids(question.id, block.by))
    frame = frame_of(ctx, agreement.scope)
    summary = summarize(frame, question, block.by, by_question)
    notes = notes_for(summary)
    if agreement.restricted:
        notes = (agreement_note(ctx, agreement, frame.population), *notes)
    return QuestionResult(
        heading=block.title or question.prompt,
        intro=block.intro,
        notes=notes,
        empty=not summary.respondents,
        question_id=question.id,
        question_type=summary.question_type,
        chart_kind=block.chart_kind(question),
        summary=summary,
        base=base_sentence(summary),
        tables=build_tables(summary, Marks(summary.k)),
    )


def _ids(*question_ids: str | None) -> tuple[str, ...]:
    return tuple(qid for qid in question_ids if qid)


def base_sentence(summary: Summary) -> str:
    """How many answered, of how many it was shown to (skip logic) or of everyone.

    Who answered is a fact about taking part, printed whenever the scope shows (see
    disclosure.py); the answers of fewer than k people are not printed.
    """
    if summary.respondents is None:
        return f"Answered by {HIDDEN_MARK} respondents."
    answered = summary.answered or 0
    if summary.shown is not None and summary.shown != summary.respondents:
        text = (
            f"Answered by {answered:,} of the {summary.shown:,} respondents it was shown to "
            f"({summary.respondents:,} in all)"
        )
    elif answered == summary.respondents:
        text = f"Answered by all {answered:,} respondents"
    else:
        text = f"Answered by {answered:,} of {summary.respondents:,} respondents"
    if isinstance(summary, ScaleSummary) and summary.total.mean is not None:
        scale = f"{summary.categories[0].value}–{summary.categories[-1].value}"
        text += f"; mean rating {summary.total.mean:.1f} on {scale}"
    text += "."
    if answered and not _total_shown(summary):
        text += f" Its answers are not shown: {HIDDEN_MARK} people answered."
    return text


def _total_shown(summary: Summary) -> bool:
    if isinstance(summary, DistributionSummary | NumberSummary):
        return summary.total.n is not None
    if isinstance(summary, RankingSummary | MatrixSummary):
        return summary.n is not None
    return False  # pragma: no cover - every summary type is listed above


def notes_for(summary: Summary) -> tuple[str, ...]:
    """Breakdown, pooling and reading notes."""
    k = summary.k
    notes: list[str] = []
    groups = getattr(summary, "groups", ())
    if summary.by is not None and _total_shown(summary):
        if not groups:
            notes.append(
                f"No group of “{summary.by_prompt}” is shown: each has fewer than {k} "
                "respondents, or would let one that has be worked out by subtraction."
            )
        elif summary.hidden_groups and any(getattr(g, "key", "") == REST for g in groups):
            notes.append(
                f"Groups of fewer than {k} respondents, and any hidden so that one cannot be "
                "worked out by subtraction, are counted together as “Other groups”."
            )
    if isinstance(summary, ChoiceSummary):
        if summary.multiple:
            notes.append("Respondents could choose several answers, so shares add up to more.")
        if summary.total.intervals:
            notes.append(
                "The 95% interval (Wilson) is the range of shares that would be unsurprising "
                "if the same kind of people were asked again."
            )
        if any(c.value.startswith(OTHER_PREFIX) for c in summary.categories):
            notes.append(
                f"Countries beyond the {MAX_COUNTRIES} named most often are counted together "
                "as “Other countries”."
            )
    if isinstance(summary, RankingSummary):
        notes.append(
            f"Borda score: an option ranked first earns {summary.top} points, second "
            f"{summary.top - 1}, and so on; points are summed and divided by the respondents "
            "who answered. Mean rank counts only those who ranked the option (1 = first)."
        )
    if isinstance(summary, NumberSummary):
        notes.append(
            "Lowest, highest, median and quartiles are not printed: in groups this size each "
            "is one person's answer; the histogram shows the spread."
        )
    if isinstance(summary, TextSummary):
        notes.append("The answers themselves are not printed in this block.")
    return tuple(notes)


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/question.html")
