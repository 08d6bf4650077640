"""Gap block: importance vs current capacity per matrix row, by Borich and by the RDM.

Every figure of a row describes one population: the scope's people who rated the row in
both matrices (k or more, else the row shows nothing). Ranks, quadrants and the chart use
the printed (rounded) figures, so what the chart shows is what the table says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ...questionnaire.questions import MatrixQuestion
from .. import charts
from ..agreement import agreeing_scope, versions_note
from ..context import ReportContext
from ..disclosure import HIDDEN_MARK, Hidden, Population
from ..measures import (
    answered_population,
    borich_mwds,
    competition_ranks,
    discrepancy_counts,
    paired_row_means,
    rdm,
)
from ..results import BlockResult, Chart
from ..schema import GapBlock
from ..scope import Scope
from ..sql import ALL
from ..sql import means as sql_means
from . import BlockKind

#: Corner captions of the quadrant chart: top left, top right, bottom left, bottom right.
QUADRANTS = (
    "More important, less capacity: train first",
    "More important, more capacity: keep up",
    "Less important, less capacity",
    "Less important, more capacity",
)
DIGITS = 2


@dataclass(frozen=True)
class GapRow:
    """One matrix row's printed figures; all None when its population is hidden."""

    value: str
    label: str
    #: Respondents who rated the row in both matrices.
    n: int | None = None
    importance: float | None = None
    capacity: float | None = None
    #: Mean of (importance − capacity).
    discrepancy: float | None = None
    #: Borich's mean weighted discrepancy score.
    mwds: float | None = None
    #: Ranked Discrepancy Model: median discrepancy, and % rating importance above capacity.
    rdm_median: float | None = None
    rdm_positive: float | None = None
    #: 1 = first training need by MWDS / by the RDM; equal printed figures share a rank.
    rank: int | None = None
    rdm_rank: int | None = None
    #: The row's number on the chart and in its key (its place in the table).
    point: int | None = None
    #: Where the row's printed figures put it, against the printed split.
    quadrant: str | None = None


@dataclass(frozen=True)
class GapResult(BlockResult):
    """Rows ranked by MWDS (shown first), and where the quadrant chart splits."""

    importance_prompt: str = ""
    capacity_prompt: str = ""
    scale_min: int = 1
    scale_max: int = 5
    rows: tuple[GapRow, ...] = ()
    #: Quadrant split: the printed mean of the shown rows' printed means.
    capacity_split: float | None = None
    importance_split: float | None = None
    hidden_mark: str = HIDDEN_MARK

    @property
    def shown(self) -> tuple[GapRow, ...]:
        """Rows with figures, largest MWDS first."""
        return tuple(row for row in self.rows if row.mwds is not None)

    @property
    def withheld(self) -> tuple[GapRow, ...]:
        """Rows whose population is hidden."""
        return tuple(row for row in self.rows if row.mwds is None)

    @property
    def by_rdm(self) -> tuple[GapRow, ...]:
        """Shown rows in RDM order."""
        return tuple(sorted(self.shown, key=lambda row: (row.rdm_rank or 0, row.label)))


def compute(ctx: ReportContext, block: GapBlock) -> GapResult:
    """Per-row figures from two SQL aggregates, released for the rows shown."""
    importance = ctx.question(block.importance)
    capacity = ctx.question(block.capacity)
    assert isinstance(importance, MatrixQuestion)  # noqa: S101 -- schema-checked
    assert isinstance(capacity, MatrixQuestion)  # noqa: S101 -- schema-checked
    agreement = agreeing_scope(ctx, ctx.scope(), (block.importance, block.capacity))
    scope = agreement.scope
    means = ctx.aggregate(paired_row_means, scope, block.importance, block.capacity)
    spreads = ctx.aggregate(discrepancy_counts, scope, block.importance, block.capacity)
    raters = {
        qid: ctx.aggregate(sql_means, scope, qid, keys=("row",))
        for qid in (block.importance, block.capacity)
    }
    shown: list[tuple[Population, GapRow]] = []
    withheld: list[GapRow] = []
    for option in importance.rows:
        n, imp, cap = means.get(option.value, (0, 0.0, 0.0))
        label = f"{ctx.scope_label(scope)} who rated “{option.label}” in both questions"
        pop = answered_population(
            ctx.disclosure,
            scope,
            n,
            label,
            importance.id,
            option.value,
            also=capacity.id,
            within=_enclosing(ctx, scope, option.value, option.label, n, raters),
        )
        if not isinstance(pop, Population):
            withheld.append(GapRow(option.value, option.label))
            continue
        shown.append(
            (
                pop,
                _release(
                    ctx,
                    pop,
                    block,
                    option.value,
                    option.label,
                    n,
                    imp,
                    cap,
                    spreads.get(option.value, {}),
                ),
            )
        )
    rows = _ranked(ctx, block, shown)
    imp_split, cap_split = _splits(ctx, scope, rows)
    if imp_split is not None and cap_split is not None:
        rows = [replace(row, quadrant=quadrant(row, imp_split, cap_split)) for row in rows]
    return GapResult(
        heading=block.title or "Training needs: importance and current capacity",
        intro=block.intro,
        notes=(
            *versions_note(ctx, agreement),
            *(
                (
                    f"“{HIDDEN_MARK}”: fewer than {ctx.k} people rated the item in both "
                    "questions, so it shows no figure at all.",
                )
                if withheld
                else ()
            ),
        ),
        empty=not rows,
        importance_prompt=importance.prompt,
        capacity_prompt=capacity.prompt,
        scale_min=importance.scale.min,
        scale_max=importance.scale.max,
        rows=(*rows, *withheld),
        capacity_split=cap_split,
        importance_split=imp_split,
    )


def _enclosing(
    ctx: ReportContext,
    scope: Scope,
    row: str,
    label: str,
    n: int,
    raters: dict[str, dict[tuple[Any, ...], tuple[int, float]]],
) -> Population | Hidden:
    """The population of those who rated the row in one of the two questions, for `within`.

    Why: a question block prints the mean importance of everyone who rated the row; if the
    gap's pairs were 1 to k-1 fewer, the difference of the two would give those people's
    ratings. The one of the two that differs from the pairs by 1 to k-1, if any, is the one
    to check against (the disclosure layer then hides the pairs' figures).
    """
    candidates = []
    for qid, found in raters.items():
        size = found.get((ALL, row), (0, 0.0))[0]
        name = f"{ctx.scope_label(scope)} who rated “{label}”"
        candidates.append((size, answered_population(ctx.disclosure, scope, size, name, qid, row)))
    close = [pop for size, pop in candidates if 0 < size - n < ctx.k]
    return close[0] if close else candidates[0][1]


def _release(
    ctx: ReportContext,
    pop: Population,
    block: GapBlock,
    value: str,
    label: str,
    n: int,
    imp: float,
    cap: float,
    spread: dict[float, int],
) -> GapRow:
    """Release one shown row's figures and return them as printed."""
    release = ctx.disclosure.release
    on_imp = {"question": block.importance, "row": value}
    median, positive = rdm(spread)
    return GapRow(
        value,
        label,
        n=ctx.disclosure.release_count(pop, "size", n),
        importance=release(pop, "mean", imp, digits=DIGITS, **on_imp),
        capacity=release(pop, "mean", cap, digits=DIGITS, question=block.capacity, row=value),
        discrepancy=release(pop, "mean_discrepancy", imp - cap, digits=DIGITS, **on_imp),
        mwds=release(pop, "borich_mwds", borich_mwds(imp, cap), digits=DIGITS, **on_imp),
        rdm_median=release(pop, "rdm_median_discrepancy", median, digits=1, **on_imp),
        rdm_positive=release(pop, "rdm_percent_positive", positive, digits=0, **on_imp),
    )


def _ranked(
    ctx: ReportContext, block: GapBlock, shown: list[tuple[Population, GapRow]]
) -> list[GapRow]:
    """Shown rows in MWDS order, with both ranks (from printed figures) and chart numbers."""
    by_mwds = competition_ranks([row.mwds for _, row in shown])
    by_rdm = competition_ranks([(row.rdm_median, row.rdm_positive) for _, row in shown])
    ranked = []
    for (pop, row), rank, rdm_rank in zip(shown, by_mwds, by_rdm, strict=True):
        where = {"question": block.importance, "row": row.value}
        ranked.append(
            replace(
                row,
                rank=ctx.disclosure.release_count(pop, "rank_by_mwds", rank, **where),
                rdm_rank=ctx.disclosure.release_count(pop, "rank_by_rdm", rdm_rank, **where),
            )
        )
    ranked.sort(key=lambda row: (row.rank or 0, row.label))
    return [replace(row, point=i) for i, row in enumerate(ranked, start=1)]


def _splits(
    ctx: ReportContext, scope: Scope, rows: list[GapRow]
) -> tuple[float | None, float | None]:
    """Where the chart splits: the mean of the printed row means, released as printed."""
    everyone = ctx.population(scope)
    if not rows or not isinstance(everyone, Population):
        return None, None
    imp = sum(row.importance or 0.0 for row in rows) / len(rows)
    cap = sum(row.capacity or 0.0 for row in rows) / len(rows)
    release = ctx.disclosure.release
    return (
        release(everyone, "quadrant_split_importance", imp, digits=DIGITS),
        release(everyone, "quadrant_split_capacity", cap, digits=DIGITS),
    )


def quadrant(row: GapRow, importance_split: float, capacity_split: float) -> str:
    """Where a row's printed figures put it against the printed split."""
    if row.importance == importance_split or row.capacity == capacity_split:
        return "on a dividing line"
    high = (row.importance or 0.0) > importance_split
    low = (row.capacity or 0.0) < capacity_split
    if high:
        return "train first" if low else "keep up"
    return "less important, less capacity" if low else "less important, more capacity"


def draw(result: GapResult) -> tuple[Chart, ...]:
    """MWDS as sorted bars (hidden rows marked), then importance against capacity."""
    shown = result.shown
    if not shown:
        return ()
    rows = (*shown, *result.withheld)
    bars = charts.bar_chart(
        [charts.wrap_label(row.label) for row in rows],
        [row.mwds for row in rows],
        xlabel="Mean weighted discrepancy score (MWDS)",
        decimals=DIGITS,
    )
    listed = "; ".join(
        f"{row.label} {row.mwds:.2f}" if row.mwds is not None else f"{row.label} {HIDDEN_MARK}"
        for row in rows
    )
    out = [Chart(bars, f"Bar chart of training needs by MWDS, largest first: {listed}.")]
    if result.capacity_split is not None and result.importance_split is not None:
        points = [(str(row.point), row.capacity, row.importance) for row in shown]
        scatter = charts.quadrant_chart(
            points,
            "Mean current capacity",
            "Mean importance",
            result.capacity_split,
            result.importance_split,
            quadrant_labels=QUADRANTS,
        )
        placed = "; ".join(
            f"{row.point} {row.label}: importance {row.importance:.2f}, capacity "
            f"{row.capacity:.2f} ({row.quadrant})"
            for row in shown
        )
        out.append(
            Chart(
                scatter,
                "Scatter chart of importance against current capacity, split at the means "
                f"({result.importance_split:.2f} and {result.capacity_split:.2f}): {placed}.",
            )
        )
    return tuple(out)


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/gap.html")
