"""Priorities block: needs ranked across questions and matrix rows by one measure."""

from __future__ import annotations

from dataclasses import dataclass

from ...questionnaire.schema import MatrixQuestion, RankingQuestion, ScaleQuestion
from .. import charts
from ..context import ReportContext
from ..measures import borda_scores, competition_ranks, top_box_counts
from ..privacy import suppress_counts
from ..results import BlockResult, Chart, suppressed_note
from ..schema import PrioritiesBlock, PrioritySource
from ..scope import Scope
from ..sql import ALL, means
from . import BlockKind


@dataclass(frozen=True)
class PriorityItem:
    """One competing need: a matrix row, a scale question or a ranking option."""

    label: str
    question_id: str
    #: Row or option value; "" for a scale question.
    value: str
    #: None when suppressed.
    score: float | None
    #: Respondents behind the score (None when suppressed); see `PrioritiesResult.n_means`.
    n: int | None
    #: 1 = top priority; equal scores share a rank; None when suppressed.
    rank: int | None = None


@dataclass(frozen=True)
class PrioritiesResult(BlockResult):
    """Items ranked by score, the shown ones first, then those withheld."""

    measure: str = "mean"
    #: Column heading and chart axis for the score.
    score_label: str = ""
    #: Scores are shares (0..1) printed as percentages.
    percent: bool = False
    #: How the score is computed, printed under the table.
    explanation: str = ""
    #: What the n column counts.
    n_means: str = ""
    items: tuple[PriorityItem, ...] = ()

    @property
    def shown(self) -> tuple[PriorityItem, ...]:
        """Items with a score, best first."""
        return tuple(item for item in self.items if item.score is not None)

    @property
    def withheld(self) -> tuple[PriorityItem, ...]:
        """Items whose score is not shown."""
        return tuple(item for item in self.items if item.score is None)


def compute(ctx: ReportContext, block: PrioritiesBlock) -> PrioritiesResult:
    """Score every source item in SQL, suppress those under k, rank the rest."""
    scope = ctx.scope()
    items: list[PriorityItem] = []
    for source in block.sources:
        if block.measure == "borda":
            items += _borda_items(ctx, scope, source)
        elif block.measure == "top_box":
            items += _top_box_items(ctx, scope, source, block.top_box_min)
        else:
            items += _mean_items(ctx, scope, source)
    shown = sorted(
        (item for item in items if item.score is not None),
        key=lambda item: (-(item.score or 0.0), item.label),
    )
    ranks = competition_ranks([item.score or 0.0 for item in shown])
    ranked = [
        PriorityItem(i.label, i.question_id, i.value, i.score, i.n, rank)
        for i, rank in zip(shown, ranks, strict=True)
    ]
    withheld = [item for item in items if item.score is None]
    score_label, percent, explanation, n_means = _describe(ctx, block)
    return PrioritiesResult(
        heading=block.title or "Priorities",
        intro=block.intro,
        notes=(suppressed_note(ctx.k),) if withheld else (),
        empty=not ranked,
        measure=block.measure,
        score_label=score_label,
        percent=percent,
        explanation=explanation,
        n_means=n_means,
        items=(*ranked, *withheld),
    )


def draw(result: PrioritiesResult) -> tuple[Chart, ...]:
    """Sorted horizontal bars of the shown items, top priority first."""
    shown = result.shown
    if not shown:
        return ()
    svg = charts.bar_chart(
        [item.label for item in shown],
        [_chart_value(item.score, result.percent) for item in shown],
        xlabel=result.score_label,
        percent=result.percent,
        decimals=2,
    )
    listed = "; ".join(
        f"{item.label} {_format(item.score, result.percent)}" for item in shown if item.score
    )
    return (Chart(svg, f"Bar chart of priorities by {result.score_label.lower()}: {listed}."),)


def _chart_value(score: float | None, percent: bool) -> float | None:
    return None if score is None else (score if percent else round(score, 2))


def _format(score: float | None, percent: bool) -> str:
    if score is None:
        return ""
    return f"{score:.0%}" if percent else f"{score:.2f}"


def _labels(question: MatrixQuestion | RankingQuestion, only: list[str] | None) -> dict[str, str]:
    """Values and labels of the rows or options that compete, in questionnaire order."""
    entries = question.rows if isinstance(question, MatrixQuestion) else question.options
    return {o.value: o.label for o in entries if only is None or o.value in only}


def _mean_items(ctx: ReportContext, scope: Scope, source: PrioritySource) -> list[PriorityItem]:
    question = ctx.question(source.question)
    if isinstance(question, MatrixQuestion):
        found = ctx.aggregate(means, scope, question.id, keys=("row",))
        return [
            _item(label, question.id, value, *found.get((ALL, value), (0, 0.0)), ctx.k)
            for value, label in _labels(question, source.only).items()
        ]
    n, mean = ctx.aggregate(means, scope, question.id).get((ALL,), (0, 0.0))
    return [_item(question.prompt, question.id, "", n, mean, ctx.k)]


def _item(label: str, qid: str, value: str, n: int, score: float, k: int) -> PriorityItem:
    """An item whose score is withheld when fewer than k respondents stand behind it."""
    if n < k:
        return PriorityItem(label, qid, value, None, None)
    return PriorityItem(label, qid, value, score, n)


def _top_box_items(
    ctx: ReportContext, scope: Scope, source: PrioritySource, top_box_min: int | None
) -> list[PriorityItem]:
    question = ctx.question(source.question)
    assert isinstance(question, MatrixQuestion | ScaleQuestion)  # noqa: S101 -- schema-checked
    threshold = top_box_min if top_box_min is not None else question.scale.max - 1
    counts = ctx.aggregate(top_box_counts, scope, question.id, threshold)
    if isinstance(question, MatrixQuestion):
        entries = [
            (value, label, counts.get(value, (0, 0)))
            for value, label in _labels(question, source.only).items()
        ]
    else:
        entries = [("", question.prompt, counts.get(None, (0, 0)))]
    items = []
    for value, label, (n, top) in entries:
        # A share with its n printed tells the count on each side: both must be >= k.
        split = suppress_counts({"top": top, "rest": n - top}, ctx.k)
        if n < ctx.k or None in split.values():
            items.append(PriorityItem(label, question.id, value, None, None))
        else:
            items.append(PriorityItem(label, question.id, value, top / n, n))
    return items


def _borda_items(ctx: ReportContext, scope: Scope, source: PrioritySource) -> list[PriorityItem]:
    question = ctx.question(source.question)
    assert isinstance(question, RankingQuestion)  # noqa: S101 -- schema-checked
    scores = ctx.aggregate(borda_scores, scope, question.id)
    labels = _labels(question, None)
    ranked_by = {value: scores.options.get(value, (0, 0.0))[0] for value in labels}
    # Scores add up to 1 over all options: one hidden score could be recovered from the rest.
    shown = suppress_counts(ranked_by, ctx.k)
    items = []
    for value, label in labels.items():
        if source.only is not None and value not in source.only:
            continue
        n, score = scores.options.get(value, (0, 0.0))
        if scores.respondents < ctx.k or shown[value] is None:
            items.append(PriorityItem(label, question.id, value, None, None))
        else:
            items.append(PriorityItem(label, question.id, value, score, n))
    return items


def _describe(ctx: ReportContext, block: PrioritiesBlock) -> tuple[str, bool, str, str]:
    """Score heading, percent flag, explanation and the meaning of n for the measure."""
    if block.measure == "borda":
        return (
            "Share of Borda points",
            True,
            "Each respondent's ranking hands out one point: the option in place r of m "
            "ranked gets (m − r + 1) / (1 + … + m). The score is an option's mean share of "
            "the points over everyone who answered the ranking, so scores add up to 100%.",
            "respondents who ranked the option",
        )
    if block.measure == "top_box":
        if block.top_box_min is not None:
            cut = f"{block.top_box_min} or higher"
        else:
            cut = "one of the two highest points of the scale"
        return (
            "Share rating high",
            True,
            f"The score is the share of respondents rating an item {cut}.",
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
        False,
        "The score is the mean rating of an item over the respondents who rated it.",
        "respondents who rated the item",
    )


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/priorities.html")
