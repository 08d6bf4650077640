"""Charts of the question block: the kind the report asks for, saying what the table says.

Bars and labels are the released figures of the summary (shares are percentages); a
hidden population is written out as `HIDDEN_MARK`, never drawn as a bar nor dropped.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import charts
from ..disclosure import HIDDEN_MARK
from ..results import Chart
from ..summaries import (
    DateSummary,
    Distribution,
    DistributionSummary,
    MatrixSummary,
    NumberSummary,
    RankingSummary,
    ScaleSummary,
    Summary,
)
from .question_tables import Marks, QuestionResult, by_answer

SHARE_AXIS = "Share of respondents"
GROUP_SHARE_AXIS = "Share of respondents in each group"


def draw(result: QuestionResult) -> tuple[Chart, ...]:
    """The chart the block asks for (or the type's default)."""
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
        return _number_chart(summary, marks)
    if isinstance(summary, ScaleSummary) and kind == "diverging":
        return (_scale_chart(summary, marks),)
    if isinstance(summary, DistributionSummary) and summary.categories:
        return (_distribution_chart(summary, marks),)
    return ()


def _described(labels: Sequence[str], values: Sequence[str]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in zip(labels, values, strict=True))


def _fractions(row: Distribution, width: int) -> list[float | None]:
    """A row's released percentages as bar lengths (0-1); None (marked) when hidden."""
    if row.n is None:
        return [None] * width
    return [share / 100 for share in row.shares]


def _groups_alt(summary: Summary) -> str:
    """What the alt text adds when groups of a breakdown are not shown by name."""
    if summary.hidden_groups:
        return f" Groups of {HIDDEN_MARK} people are not shown by name."
    return ""


def _distribution_chart(summary: DistributionSummary, marks: Marks) -> Chart:
    labels = [charts.wrap_label(c.label) for c in summary.categories]
    names = [c.label for c in summary.categories]
    total = summary.total
    if summary.groups:
        rows = [*summary.groups, total]
        svg = charts.grouped_bar_chart(
            labels,
            [(g.label, _fractions(g, len(labels))) for g in rows],
            xlabel=GROUP_SHARE_AXIS,
        )
        parts = "; ".join(
            f"{g.label}: {_described(names, [marks.share(s) for s in g.shares])}" for g in rows
        )
        return Chart(
            svg,
            f"Grouped bar chart of the share of respondents per answer "
            f"{by_answer(summary.by_prompt)}: {parts}.{_groups_alt(summary)}",
        )
    if isinstance(summary, DateSummary):
        svg = charts.histogram_chart(
            names, list(total.counts), xlabel=summary.period.capitalize(), gap=True
        )
        counts = [marks.count(c) for c in total.counts]
        return Chart(
            svg, f"Bar chart of respondents per {summary.period}: {_described(names, counts)}."
        )
    svg = charts.bar_chart(labels, _fractions(total, len(labels)), xlabel=SHARE_AXIS, percent=True)
    shares = [marks.share(s) for s in total.shares]
    return Chart(
        svg, f"Bar chart of the share of respondents per answer: {_described(names, shares)}."
    )


def _scale_chart(summary: ScaleSummary, marks: Marks) -> Chart:
    rows = [*summary.groups, summary.total] if summary.groups else [summary.total]
    points = [c.label for c in summary.categories]
    svg = charts.diverging_chart(
        [charts.wrap_label(r.label) for r in rows],
        [_fractions(r, len(points)) if r.n is not None else None for r in rows],
        points,
        k=summary.k,
    )
    text = "; ".join(
        f"{r.label}: {_described(points, [marks.share(s) for s in r.shares])}" for r in rows
    )
    return Chart(svg, f"Diverging bar chart of ratings: {text}.{_groups_alt(summary)}")


def _matrix_chart(summary: MatrixSummary, marks: Marks) -> Chart:
    labels = [charts.wrap_label(r.label) for r in summary.rows]
    names = [r.label for r in summary.rows]
    if summary.groups:
        scale = f"{summary.points[0].value}–{summary.points[-1].value}"
        svg = charts.grouped_bar_chart(
            labels,
            [(g.label, list(g.means)) for g in summary.groups],
            xlabel=f"Mean rating ({scale})",
            percent=False,
        )
        parts = "; ".join(
            f"{g.label}: {_described(names, [marks.mean(m) for m in g.means])}"
            for g in summary.groups
        )
        return Chart(
            svg,
            f"Grouped bar chart of mean ratings {by_answer(summary.by_prompt)}: {parts}."
            f"{_groups_alt(summary)}",
        )
    shares = [_fractions(r, len(summary.points)) if r.n is not None else None for r in summary.rows]
    svg = charts.diverging_chart(labels, shares, [p.label for p in summary.points], k=summary.k)
    means = [marks.mean(r.mean) for r in summary.rows]
    return Chart(
        svg,
        f"Diverging bar chart of ratings per row; mean ratings: {_described(names, means)}.",
    )


def _ranking_chart(summary: RankingSummary, kind: str, marks: Marks) -> Chart:
    names = [o.label for o in summary.options]
    labels = [charts.wrap_label(n) for n in names]
    mean_rank = kind == "mean_rank"
    if summary.groups:
        svg = charts.grouped_bar_chart(
            labels,
            [(g.label, list(g.mean_rank if mean_rank else g.borda)) for g in summary.groups],
            xlabel="Mean rank (1 = ranked first)" if mean_rank else "Borda score",
            percent=False,
        )
        measure = "mean ranks" if mean_rank else "Borda scores"
        fmt = marks.mean if mean_rank else marks.score
        parts = "; ".join(
            f"{g.label}: "
            + _described(names, [fmt(v) for v in (g.mean_rank if mean_rank else g.borda)])
            for g in summary.groups
        )
        return Chart(
            svg,
            f"Grouped bar chart of {measure} {by_answer(summary.by_prompt)}: {parts}."
            f"{_groups_alt(summary)}",
        )
    if mean_rank:
        values = [o.mean_rank for o in summary.options]
        svg = charts.bar_chart(labels, values, xlabel="Mean rank (1 = ranked first)", decimals=1)
        text = [marks.mean(v) for v in values]
        return Chart(svg, f"Bar chart of mean rank per option: {_described(names, text)}.")
    values = [o.borda for o in summary.options]
    svg = charts.bar_chart(labels, values, xlabel="Borda score (points per respondent)", decimals=2)
    text = [marks.score(v) for v in values]
    return Chart(svg, f"Bar chart of Borda scores, highest first: {_described(names, text)}.")


def _number_chart(summary: NumberSummary, marks: Marks) -> tuple[Chart, ...]:
    histogram = summary.histogram
    if histogram is None or histogram.n is None:
        return ()
    axis = summary.unit.capitalize() if summary.unit else "Answer"
    names = [b.label for b in summary.bins]
    if summary.group_histograms:
        rows = [*summary.group_histograms, histogram]
        svg = charts.grouped_bar_chart(
            names, [(g.label, _fractions(g, len(names))) for g in rows], xlabel=GROUP_SHARE_AXIS
        )
        parts = "; ".join(
            f"{g.label}: {_described(names, [marks.share(s) for s in g.shares])}" for g in rows
        )
        return (
            Chart(
                svg,
                f"Grouped bar chart of answers {by_answer(summary.by_prompt)}: {parts}."
                f"{_groups_alt(summary)}",
            ),
        )
    svg = charts.histogram_chart(names, list(histogram.counts), xlabel=axis)
    counts = [marks.count(c) for c in histogram.counts]
    return (Chart(svg, f"Histogram of answers: {_described(names, counts)}."),)
