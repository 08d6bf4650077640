"""Charts of the question block: the kind the report asks for, suppressed figures left out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .. import charts
from ..results import Chart
from ..summaries import (
    DateSummary,
    Distribution,
    DistributionSummary,
    MatrixSummary,
    NumberStats,
    NumberSummary,
    RankingSummary,
    ScaleSummary,
    Summary,
)
from .question_tables import Marks, by_answer

if TYPE_CHECKING:
    from .question import QuestionResult

SHARE_AXIS = "Share of respondents"
GROUP_SHARE_AXIS = "Share of respondents in each group"


def draw(result: QuestionResult) -> tuple[Chart, ...]:
    """The chart the block asks for (or the type's default); suppressed figures left out."""
    if result.summary is None:
        return ()
    return chart_of(result.summary, result.chart_kind)


def chart_of(summary: Summary, kind: str) -> tuple[Chart, ...]:
    """A summary's chart of the given kind (none when empty); other blocks draw with it too."""
    if summary.empty or kind == "none":
        return ()
    marks = Marks(summary.k)
    if isinstance(summary, MatrixSummary):
        return (_matrix_chart(summary, marks),)
    if isinstance(summary, RankingSummary):
        return (_ranking_chart(summary, kind, marks),)
    if isinstance(summary, NumberSummary):
        return (_number_chart(summary, kind, marks),)
    if isinstance(summary, ScaleSummary) and kind == "diverging":
        return (_scale_chart(summary, marks),)
    if isinstance(summary, DistributionSummary) and summary.categories:
        return (_distribution_chart(summary, marks),)
    return ()


def _described(labels: Sequence[str], values: Sequence[str]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))


def _distribution_chart(summary: DistributionSummary, marks: Marks) -> Chart:
    labels = [charts.wrap_label(c.label) for c in summary.categories]
    names = [c.label for c in summary.categories]
    if summary.groups:
        svg = charts.grouped_bar_chart(
            labels, [(g.label, g.shares) for g in summary.groups], xlabel=GROUP_SHARE_AXIS
        )
        return Chart(svg, f"Grouped bar chart of answers {by_answer(summary.by_prompt)}.")
    total = summary.total
    shares = [marks.share(s) for s in total.shares]
    if isinstance(summary, DateSummary):
        svg = charts.histogram_chart(
            names, total.counts, xlabel=summary.period.capitalize(), gap=True
        )
        counts = [marks.count(c) for c in total.counts]
        return Chart(
            svg, f"Bar chart of respondents per {summary.period}: {_described(names, counts)}."
        )
    svg = charts.bar_chart(labels, total.shares, xlabel=SHARE_AXIS, percent=True)
    return Chart(
        svg, f"Bar chart of the share of respondents per answer: {_described(names, shares)}."
    )


def _scale_chart(summary: ScaleSummary, marks: Marks) -> Chart:
    rows = [*summary.groups, summary.total] if summary.groups else [summary.total]
    points = [c.label for c in summary.categories]
    stacked, notes = _likert_rows(rows, marks)
    svg = charts.diverging_chart(
        [charts.wrap_label(r.label) for r in rows], stacked, points, k=summary.k, row_notes=notes
    )
    total = summary.total
    shares = [marks.share(s) for s in total.shares]
    return Chart(svg, f"Diverging bar chart of ratings: {_described(points, shares)}.")


def _likert_rows(
    rows: Sequence[Distribution], marks: Marks
) -> tuple[list[Sequence[float | None] | None], list[str | None]]:
    """Shares to stack per row, or None with the reason when the row is not drawn.

    A row whose hidden answers make up half or more of it would be a stub that misleads,
    so it is written out instead.
    """
    shares: list[Sequence[float | None] | None] = []
    notes: list[str | None] = []
    for row in rows:
        shown = sum(s for s in row.shares if s is not None)
        if row.n is None:
            shares.append(None)
            notes.append(f"fewer than {marks.k} respondents")
        elif row.shares and shown <= 0.5 and None in row.shares:
            # Not "fewer than k each": some may be hidden only to protect the others.
            shares.append(None)
            notes.append(f"most answers {marks.hidden()}")
        else:
            shares.append(row.shares)
            notes.append(None)
    return shares, notes


def _matrix_chart(summary: MatrixSummary, marks: Marks) -> Chart:
    labels = [charts.wrap_label(r.label) for r in summary.rows]
    if summary.groups:
        svg = charts.grouped_bar_chart(
            labels,
            [(g.label, g.means) for g in summary.groups],
            xlabel=f"Mean rating ({summary.points[0].value}–{summary.points[-1].value})",
            percent=False,
        )
        return Chart(svg, f"Grouped bar chart of mean ratings {by_answer(summary.by_prompt)}.")
    shares, notes = _likert_rows(summary.rows, marks)
    svg = charts.diverging_chart(
        labels, shares, [p.label for p in summary.points], k=summary.k, row_notes=notes
    )
    means = [marks.mean(r.mean) for r in summary.rows]
    return Chart(
        svg,
        "Diverging bar chart of ratings per row; mean ratings: "
        f"{_described([r.label for r in summary.rows], means)}.",
    )


def _ranking_chart(summary: RankingSummary, kind: str, marks: Marks) -> Chart:
    names = [o.label for o in summary.options]
    labels = [charts.wrap_label(n) for n in names]
    if summary.groups:
        mean_rank = kind == "mean_rank"
        svg = charts.grouped_bar_chart(
            labels,
            [(g.label, g.mean_rank if mean_rank else g.borda) for g in summary.groups],
            xlabel="Mean rank (1 = ranked first)" if mean_rank else "Borda score",
            percent=False,
        )
        measure = "mean ranks" if mean_rank else "Borda scores"
        return Chart(svg, f"Grouped bar chart of {measure} {by_answer(summary.by_prompt)}.")
    if kind == "mean_rank":
        values = [o.mean_rank for o in summary.options]
        svg = charts.bar_chart(
            labels, [_round(v) for v in values], xlabel="Mean rank (1 = ranked first)", decimals=1
        )
        text = [marks.mean(v) for v in values]
        return Chart(svg, f"Bar chart of mean rank per option: {_described(names, text)}.")
    values = [o.borda for o in summary.options]
    svg = charts.bar_chart(
        labels,
        [_round(v) for v in values],
        xlabel="Borda score (points per respondent)",
        decimals=2,
    )
    text = [marks.score(v) for v in values]
    return Chart(svg, f"Bar chart of Borda scores, highest first: {_described(names, text)}.")


def _number_chart(summary: NumberSummary, kind: str, marks: Marks) -> Chart:
    axis = summary.unit.capitalize() if summary.unit else "Answer"
    if kind == "box" or summary.histogram is None:
        rows = [*summary.groups, summary.total] if summary.groups else [summary.total]
        svg = charts.box_chart(
            [(charts.wrap_label(r.label), _box(r)) for r in rows], xlabel=axis, k=summary.k
        )
        total = summary.total
        return Chart(
            svg,
            f"Box plot: median {marks.number(total.median)}, middle half "
            f"{marks.number(total.q1)} to {marks.number(total.q3)}, "
            f"range {marks.number(total.minimum)} to {marks.number(total.maximum)}.",
        )
    names = [b.label for b in summary.bins]
    if summary.groups:
        svg = charts.grouped_bar_chart(
            names, [(g.label, g.shares) for g in summary.group_histograms], xlabel=GROUP_SHARE_AXIS
        )
        return Chart(svg, f"Grouped bar chart of answers {by_answer(summary.by_prompt)}.")
    histogram = summary.histogram
    svg = charts.histogram_chart(names, histogram.counts, xlabel=axis)
    counts = [marks.count(c) for c in histogram.counts]
    return Chart(svg, f"Histogram of answers: {_described(names, counts)}.")


def _box(stats: NumberStats) -> charts.Box | None:
    values = (stats.minimum, stats.q1, stats.median, stats.q3, stats.maximum)
    if stats.n is None or any(v is None for v in values):
        return None
    low, q1, median, q3, high = (float(v or 0) for v in values)
    return charts.Box(low, q1, median, q3, high, stats.mean)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)
