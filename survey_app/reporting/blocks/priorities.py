"""Priorities block: needs ranked across questions and matrix rows by one measure.

Each item's figures describe the scope's people who answered it (rated the row, the scale,
or ranked at least one option): shown in full when they are k or more, else not at all.
Items are ranked by their printed scores, so equal printed scores share a rank.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...questionnaire.questions import MatrixQuestion, RankingQuestion, ScaleQuestion
from .. import charts
from ..agreement import agreeing_scope, versions_note
from ..context import ReportContext
from ..disclosure import HIDDEN_MARK, Population
from ..measures import (
    BORDA_EXPLANATION,
    BORDA_NAME,
    answered_population,
    competition_ranks,
    ranking_counts,
    top_box_counts,
)
from ..results import BlockResult, Chart
from ..schema import PrioritiesBlock, PrioritySource
from ..scope import Scope
from ..sql import ALL, means
from . import BlockKind

#: Decimal places of each measure's printed score (top_box is a whole percentage).
DIGITS = {"mean": 2, "top_box": 0, "borda": 2}
#: Statistic names of the released scores and ranks (see disclosure.LINEAR_STATISTICS).
STATISTIC = {"mean": "mean", "top_box": "percent", "borda": "borda_score"}
RANK_STATISTIC = {"mean": "rank_by_mean", "top_box": "rank_by_percent", "borda": "rank_by_borda"}


@dataclass(frozen=True)
class PriorityItem:
    """One competing need: a matrix row, a scale question or a ranking option."""

    label: str
    question_id: str
    #: Row or option value; "" for a scale question.
    value: str
    #: The printed score (a percentage 0-100 for top_box); None when hidden.
    score: float | None
    #: Printed count behind the score (see `PrioritiesResult.n_means`); None when hidden.
    n: int | None
    #: 1 = top priority; equal printed scores share a rank; None when hidden.
    rank: int | None = None


@dataclass(frozen=True)
class PrioritiesResult(BlockResult):
    """Items ranked by score, the shown ones first, then those hidden."""

    measure: str = "mean"
    #: Column heading and chart axis for the score.
    score_label: str = ""
    #: Scores are percentages (0-100).
    percent: bool = False
    digits: int = 2
    #: How the score is computed, printed under the table.
    explanation: str = ""
    #: What the n column counts.
    n_means: str = ""
    items: tuple[PriorityItem, ...] = ()
    hidden_mark: str = HIDDEN_MARK

    @property
    def shown(self) -> tuple[PriorityItem, ...]:
        """Items with a score, best first."""
        return tuple(item for item in self.items if item.score is not None)

    @property
    def withheld(self) -> tuple[PriorityItem, ...]:
        """Items whose population is hidden."""
        return tuple(item for item in self.items if item.score is None)

    def formatted(self, score: float) -> str:
        """A printed score as the table, chart and alt text write it."""
        return f"{score:.0f}%" if self.percent else f"{score:.{self.digits}f}"


@dataclass(frozen=True)
class _Scored:
    """An item before ranking: its population (None when hidden) and printed figures."""

    label: str
    question_id: str
    value: str
    population: Population | None
    score: float | None = None
    n: int | None = None


def compute(ctx: ReportContext, block: PrioritiesBlock) -> PrioritiesResult:
    """Score every source item in SQL, release the figures of the shown ones, rank them."""
    agreement = agreeing_scope(ctx, ctx.scope(), tuple(s.question for s in block.sources))
    scope = agreement.scope
    scored: list[_Scored] = []
    for source in block.sources:
        if block.measure == "borda":
            scored += _borda_items(ctx, scope, source)
        elif block.measure == "top_box":
            scored += _top_box_items(ctx, scope, source, block.top_box_min)
        else:
            scored += _mean_items(ctx, scope, source)
    shown = sorted(
        (s for s in scored if s.population is not None),
        key=lambda s: (-(s.score or 0.0), s.label),
    )
    ranks = competition_ranks([s.score for s in shown])
    ranked = []
    for s, rank in zip(shown, ranks, strict=True):
        assert s.population is not None  # noqa: S101 - filtered above
        printed = ctx.disclosure.release_count(
            s.population,
            RANK_STATISTIC[block.measure],
            rank,
            question=s.question_id,
            **_where(s),
        )
        ranked.append(PriorityItem(s.label, s.question_id, s.value, s.score, s.n, printed))
    withheld = [
        PriorityItem(s.label, s.question_id, s.value, None, None)
        for s in scored
        if s.population is None
    ]
    score_label, explanation, n_means = _describe(ctx, block)
    notes = versions_note(ctx, agreement)
    if withheld:
        notes += (
            f"“{HIDDEN_MARK}”: fewer than {ctx.k} people answered, so the item shows no "
            "figure at all.",
        )
    return PrioritiesResult(
        heading=block.title or "Priorities",
        intro=block.intro,
        notes=notes,
        empty=not ranked,
        measure=block.measure,
        score_label=score_label,
        percent=block.measure == "top_box",
        digits=DIGITS[block.measure],
        explanation=explanation,
        n_means=n_means,
        items=(*ranked, *withheld),
    )


def draw(result: PrioritiesResult) -> tuple[Chart, ...]:
    """Sorted horizontal bars, top priority first; hidden items marked, not drawn."""
    if not result.shown:
        return ()
    items = (*result.shown, *result.withheld)
    values = [
        None if item.score is None else item.score / 100 if result.percent else item.score
        for item in items
    ]
    svg = charts.bar_chart(
        [charts.wrap_label(item.label) for item in items],
        values,
        xlabel=result.score_label,
        percent=result.percent,
        decimals=None if result.percent else result.digits,
    )
    listed = "; ".join(
        f"{item.label} {result.formatted(item.score)}"
        if item.score is not None
        else f"{item.label} {HIDDEN_MARK}"
        for item in items
    )
    return (Chart(svg, f"Bar chart of priorities by {result.score_label.lower()}: {listed}."),)


def _where(item: _Scored) -> dict[str, str | None]:
    """The row or item (option) a released figure of the item is about."""
    if not item.value:
        return {}
    if isinstance(item.population, Population) and item.population.definition.row:
        return {"row": item.value}
    return {"item": item.value}


def _labels(question: MatrixQuestion | RankingQuestion, only: list[str] | None) -> dict[str, str]:
    """Values and labels of the rows or options that compete, in questionnaire order."""
    entries = question.rows if isinstance(question, MatrixQuestion) else question.options
    return {o.value: o.label for o in entries if only is None or o.value in only}


def _mean_items(ctx: ReportContext, scope: Scope, source: PrioritySource) -> list[_Scored]:
    question = ctx.question(source.question)
    if isinstance(question, MatrixQuestion):
        found = ctx.aggregate(means, scope, question.id, keys=("row",))
        entries = [
            (value, label, *found.get((ALL, value), (0, 0.0)))
            for value, label in _labels(question, source.only).items()
        ]
    else:
        entries = [
            ("", question.prompt, *ctx.aggregate(means, scope, question.id).get((ALL,), (0, 0.0)))
        ]
    out = []
    for value, label, n, mean in entries:
        row = value or None
        pop = answered_population(
            ctx.disclosure, scope, n, _label(ctx, scope, label), question.id, row
        )
        if not isinstance(pop, Population):
            out.append(_Scored(label, question.id, value, None))
            continue
        where = {"question": question.id, "row": row}
        printed_n = ctx.disclosure.release_count(pop, "size", n)
        score = ctx.disclosure.release(pop, "mean", mean, digits=DIGITS["mean"], **where)
        out.append(_Scored(label, question.id, value, pop, score, printed_n))
    return out


def _top_box_items(
    ctx: ReportContext, scope: Scope, source: PrioritySource, top_box_min: int | None
) -> list[_Scored]:
    question = ctx.question(source.question)
    assert isinstance(question, MatrixQuestion | ScaleQuestion)  # noqa: S101 -- schema-checked
    threshold = top_box_min if top_box_min is not None else question.scale.max - 1
    points = ",".join(
        str(p) for p in range(question.scale.min, question.scale.max + 1) if p >= threshold
    )
    counts = ctx.aggregate(top_box_counts, scope, question.id, threshold)
    if isinstance(question, MatrixQuestion):
        entries = [
            (value, label, counts.get(value, (0, 0)))
            for value, label in _labels(question, source.only).items()
        ]
    else:
        entries = [("", question.prompt, counts.get(None, (0, 0)))]
    out = []
    for value, label, (n, top) in entries:
        row = value or None
        pop = answered_population(
            ctx.disclosure, scope, n, _label(ctx, scope, label), question.id, row
        )
        if not isinstance(pop, Population):
            out.append(_Scored(label, question.id, value, None))
            continue
        printed_n = ctx.disclosure.release_count(pop, "size", n)
        share = ctx.disclosure.release_share(
            pop, top, n, digits=DIGITS["top_box"], question=question.id, row=row, item=points
        )
        out.append(_Scored(label, question.id, value, pop, share, printed_n))
    return out


def _borda_items(ctx: ReportContext, scope: Scope, source: PrioritySource) -> list[_Scored]:
    question = ctx.question(source.question)
    assert isinstance(question, RankingQuestion)  # noqa: S101 -- schema-checked
    counts = ctx.aggregate(ranking_counts, scope, question.id)
    pop = answered_population(
        ctx.disclosure, scope, counts.answered, _label(ctx, scope, question.prompt), question.id
    )
    out = []
    for value, label in _labels(question, source.only).items():
        if not isinstance(pop, Population):
            out.append(_Scored(label, question.id, value, None))
            continue
        where = {"question": question.id, "item": value}
        ranked_by = ctx.disclosure.release_count(pop, "count", counts.ranked_by(value), **where)
        score = ctx.disclosure.release(
            pop, "borda_score", counts.score(value, question.top), digits=DIGITS["borda"], **where
        )
        out.append(_Scored(label, question.id, value, pop, score, ranked_by))
    return out


def _label(ctx: ReportContext, scope: Scope, subject: str) -> str:
    """How an item's population is named on the disclosure page."""
    return f"{ctx.scope_label(scope)} who answered “{subject}”"


def _describe(ctx: ReportContext, block: PrioritiesBlock) -> tuple[str, str, str]:
    """Score heading, explanation and the meaning of n for the measure."""
    if block.measure == "borda":
        tops = {
            q.top
            for q in (ctx.question(s.question) for s in block.sources)
            if isinstance(q, RankingQuestion)
        }
        top = next(iter(tops)) if len(tops) == 1 else "t"
        return (
            BORDA_NAME,
            BORDA_EXPLANATION.format(top=top),
            "respondents who ranked the option",
        )
    if block.measure == "top_box":
        if block.top_box_min is not None:
            cut = f"{block.top_box_min} or higher"
        else:
            cut = "one of the two highest points of the scale"
        return (
            "Share rating high",
            f"The score is the share of the respondents who rated an item that rated it {cut}.",
            "respondents who rated the item",
        )
    scales = {
        (q.scale.min, q.scale.max)
        for q in (ctx.question(s.question) for s in block.sources)
        if isinstance(q, MatrixQuestion | ScaleQuestion)
    }
    scale = ""
    if len(scales) == 1:
        lo, hi = next(iter(scales))
        scale = f" ({lo}–{hi})"
    return (
        f"Mean rating{scale}",
        "The score is the mean rating of an item over the respondents who rated it.",
        "respondents who rated the item",
    )


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/priorities.html")
