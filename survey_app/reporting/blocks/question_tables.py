"""Tables of the question block, and its result: short, printable, every figure released.

Every number here comes from a summary, whose figures the disclosure layer released; a
hidden population prints `HIDDEN_MARK` (or is left out of a breakdown, unnamed, with a
note saying groups are hidden).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..disclosure import HIDDEN_MARK
from ..results import BlockResult
from ..summaries import (
    ChoiceSummary,
    DateSummary,
    DistributionSummary,
    MatrixSummary,
    NumberStats,
    NumberSummary,
    RankingSummary,
    ScaleSummary,
    Summary,
    TextSummary,
)


@dataclass(frozen=True)
class TableRow:
    """One printed row: a label and its formatted cells."""

    label: str
    cells: tuple[str, ...]
    #: A total row (printed in bold by report.css).
    total: bool = False
    #: Every cell of the row is a respondent count (as in a cross-tab's "Respondents" row).
    counts: bool = False


@dataclass(frozen=True)
class Table:
    """A short table, ready to print."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    #: Positions in `cells` of columns holding respondent counts.
    count_columns: tuple[int, ...] = ()
    #: A groups-by-answers table: many narrow columns.
    crosstab: bool = False


@dataclass(frozen=True)
class QuestionResult(BlockResult):
    """One question's summary, its tables and which chart to draw."""

    question_id: str = ""
    question_type: str = ""
    chart_kind: str = "none"
    summary: Summary | None = None
    #: "Answered by 120 of 150 respondents." (or of those it was shown to).
    base: str = ""
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Marks:
    """How released figures print; a hidden one reads `HIDDEN_MARK` whatever the reason."""

    k: int

    def count(self, n: int | None) -> str:
        """A respondent count."""
        return self.hidden() if n is None else f"{n:,}"

    def hidden(self) -> str:
        """The one marker of a hidden figure."""
        return HIDDEN_MARK

    def share(self, value: float | None) -> str:
        """A released percentage (0-100), already rounded to a whole number."""
        return self.hidden() if value is None else f"{value:.0f}%"

    def interval(self, bounds: tuple[float, float] | None) -> str:
        """A released 95% interval in percent."""
        return self.hidden() if bounds is None else f"{bounds[0]:.0f}–{bounds[1]:.0f}%"

    def mean(self, value: float | None) -> str:
        """A mean or mean rank, always with one decimal so a column lines up."""
        return "–" if value is None else f"{value:,.1f}"

    def score(self, value: float | None) -> str:
        """A Borda score, always with two decimals so a column lines up."""
        return self.hidden() if value is None else f"{value:.2f}"


def build_tables(summary: Summary, marks: Marks) -> tuple[Table, ...]:
    """The block's table (none when empty or hidden, or for free text without a breakdown)."""
    if summary.empty:
        return ()
    for kind, build in _TABLES:
        if isinstance(summary, kind):
            return build(summary, marks)
    return ()  # pragma: no cover - every summary type is listed in _TABLES


def _distribution_tables(summary: Summary, marks: Marks) -> tuple[Table, ...]:
    assert isinstance(summary, DistributionSummary)  # noqa: S101 -- dispatched by type
    if isinstance(summary, TextSummary):
        if not summary.groups:
            return ()
        rows = [TableRow(g.label, (marks.count(g.n),)) for g in (*summary.groups, summary.total)]
        return (
            Table(
                f"Respondents who answered, {by_answer(summary.by_prompt)}",
                ("Group", "Answers"),
                _totalled(rows),
                (0,),
            ),
        )
    total = summary.total
    header_label = _category_heading(summary)
    if not summary.groups:
        with_ci = bool(total.intervals)
        rows = [
            TableRow(
                category.label,
                (
                    marks.count(count),
                    marks.share(share),
                    *((marks.interval(total.intervals[i]),) if with_ci else ()),
                ),
            )
            for i, (category, count, share) in enumerate(
                zip(summary.categories, total.counts, total.shares, strict=True)
            )
        ]
        blank = ("", "") if with_ci else ("",)
        rows.append(TableRow("Answered", (marks.count(total.n), *blank), total=True))
        header = (header_label, "Respondents", "Share", *(("95% interval",) if with_ci else ()))
        return (Table("", header, tuple(rows), (0,)),)
    return (_crosstab(summary, header_label, marks),)


def _crosstab(summary: DistributionSummary, header_label: str, marks: Marks) -> Table:
    """Categories down, groups across: share of each group; n and mean below."""
    columns = (*summary.groups, summary.total)
    rows = [
        TableRow(category.label, tuple(marks.share(g.shares[i]) for g in columns))
        for i, category in enumerate(summary.categories)
    ]
    rows.append(
        TableRow("Respondents", tuple(marks.count(g.n) for g in columns), total=True, counts=True)
    )
    if isinstance(summary, ScaleSummary):
        rows.append(TableRow("Mean", tuple(marks.mean(g.mean) for g in columns), True))
    return Table(
        f"Share of respondents in each group, {by_answer(summary.by_prompt)}",
        (header_label, *(g.label for g in columns)),
        tuple(rows),
        crosstab=True,
    )


def _matrix_tables(summary: Summary, marks: Marks) -> tuple[Table, ...]:
    assert isinstance(summary, MatrixSummary)  # noqa: S101 -- dispatched by type
    if summary.groups:
        header = ("", *(g.label for g in summary.groups), "All respondents")
        rows = [
            TableRow(
                row.label,
                (*(marks.mean(g.means[i]) for g in summary.groups), marks.mean(row.mean)),
            )
            for i, row in enumerate(summary.rows)
        ]
        rows.append(
            TableRow(
                "Respondents",
                (*(marks.count(g.n) for g in summary.groups), marks.count(summary.n)),
                total=True,
                counts=True,
            )
        )
        scale = f"{summary.points[0].value}–{summary.points[-1].value}"
        return (
            Table(
                f"Mean rating ({scale}), {by_answer(summary.by_prompt)}",
                header,
                tuple(rows),
                crosstab=True,
            ),
        )
    header = ("", *(p.value for p in summary.points), "Respondents", "Mean")
    rows = [
        TableRow(
            row.label,
            (
                *(marks.share(share) for share in row.shares),
                marks.count(row.n),
                marks.mean(row.mean),
            ),
        )
        for row in summary.rows
    ]
    return (
        Table(
            "Share of respondents per point",
            header,
            tuple(rows),
            (len(summary.points),),
            crosstab=True,
        ),
    )


def _ranking_tables(summary: Summary, marks: Marks) -> tuple[Table, ...]:
    assert isinstance(summary, RankingSummary)  # noqa: S101 -- dispatched by type
    if summary.groups:
        header = ("", *(g.label for g in summary.groups), "All respondents")
        rows = [
            TableRow(
                option.label,
                (*(marks.score(g.borda[i]) for g in summary.groups), marks.score(option.borda)),
            )
            for i, option in enumerate(summary.options)
        ]
        rows.append(
            TableRow(
                "Respondents",
                (*(marks.count(g.n) for g in summary.groups), marks.count(summary.n)),
                total=True,
                counts=True,
            )
        )
        caption = f"Borda score, {by_answer(summary.by_prompt)}"
        return (Table(caption, header, tuple(rows), crosstab=True),)
    header = ("Option", "Borda score", "Mean rank", "Ranked", "Ranked first")
    rows = [
        TableRow(
            option.label,
            (
                marks.score(option.borda),
                marks.mean(option.mean_rank),
                marks.count(option.times_ranked),
                marks.count(option.times_first),
            ),
        )
        for option in summary.options
    ]
    return (Table("", header, tuple(rows), (2, 3)),)


def _number_tables(summary: Summary, marks: Marks) -> tuple[Table, ...]:
    assert isinstance(summary, NumberSummary)  # noqa: S101 -- dispatched by type
    unit = f" ({summary.unit})" if summary.unit else ""
    header = ("", "Respondents", f"Mean{unit}")

    def row(stats: NumberStats, total: bool) -> TableRow:
        return TableRow(stats.label, (marks.count(stats.n), marks.mean(stats.mean)), total)

    rows = [row(g, False) for g in summary.groups] + [row(summary.total, bool(summary.groups))]
    return (Table("", header, tuple(rows), (0,)),)


def _category_heading(summary: DistributionSummary) -> str:
    if isinstance(summary, DateSummary):
        return summary.period.capitalize()
    if isinstance(summary, ScaleSummary):
        return "Rating"
    if isinstance(summary, ChoiceSummary) and summary.question_type == "country":
        return "Country"
    return "Answer"


def by_answer(prompt: str | None, width: int = 60) -> str:
    """`by answer to “Where do you live?”`, the prompt shortened for a caption."""
    text = prompt or "the grouping question"
    if len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return f"by answer to “{text}”"


def _totalled(rows: list[TableRow]) -> tuple[TableRow, ...]:
    """The last row marked as the total."""
    last = rows[-1]
    return (*rows[:-1], TableRow(last.label, last.cells, total=True))


_TABLES: tuple[tuple[type[Summary], Callable[[Summary, Marks], tuple[Table, ...]]], ...] = (
    (DistributionSummary, _distribution_tables),
    (MatrixSummary, _matrix_tables),
    (RankingSummary, _ranking_tables),
    (NumberSummary, _number_tables),
)
