"""Gap block: importance vs current capacity per matrix row, ranked by Borich's MWDS.

Borich (1980): each respondent's discrepancy (importance − capacity) on a row is weighted
by the row's mean importance; the mean weighted discrepancy score (MWDS) is the mean of
those weighted discrepancies, i.e. mean(I − C) × mean(I). Every figure of a row is taken
over the same respondents: those who rated the row in both matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from ...models import Answer, Response
from ...questionnaire.schema import MatrixQuestion
from .. import charts
from ..context import ReportContext
from ..measures import competition_ranks
from ..results import BlockResult, Chart, suppressed_note
from ..schema import GapBlock
from ..scope import Scope
from . import BlockKind

#: Corner captions of the quadrant chart: top left, top right, bottom left, bottom right.
QUADRANTS = (
    "More important, less capacity: train first",
    "More important, more capacity: keep up",
    "Less important, less capacity",
    "Less important, more capacity",
)


@dataclass(frozen=True)
class GapRow:
    """One matrix row; every figure None when fewer than k respondents rated it twice."""

    value: str
    label: str
    #: Respondents who rated the row in both matrices.
    n: int | None
    importance: float | None
    capacity: float | None
    #: Mean of (importance − capacity).
    discrepancy: float | None
    #: Mean weighted discrepancy score: mean(importance − capacity) × mean importance.
    mwds: float | None
    #: 1 = largest MWDS, the first training need; None when withheld.
    rank: int | None = None


@dataclass(frozen=True)
class GapResult(BlockResult):
    """Rows ranked by MWDS (shown first), and where the quadrant chart splits."""

    importance_prompt: str = ""
    capacity_prompt: str = ""
    scale_min: int = 1
    scale_max: int = 5
    rows: tuple[GapRow, ...] = ()
    #: Quadrant split: the means of the shown rows' mean capacity and mean importance.
    capacity_split: float | None = None
    importance_split: float | None = None

    @property
    def shown(self) -> tuple[GapRow, ...]:
        """Rows with figures, largest MWDS first."""
        return tuple(row for row in self.rows if row.mwds is not None)

    @property
    def withheld(self) -> tuple[GapRow, ...]:
        """Rows rated in both matrices by fewer than k respondents."""
        return tuple(row for row in self.rows if row.mwds is None)


def compute(ctx: ReportContext, block: GapBlock) -> GapResult:
    """Per-row means and MWDS from one SQL join of the two answers of a response and row."""
    importance = ctx.question(block.importance)
    capacity = ctx.question(block.capacity)
    assert isinstance(importance, MatrixQuestion)  # noqa: S101 -- schema-checked
    assert isinstance(capacity, MatrixQuestion)  # noqa: S101 -- schema-checked
    figures = paired_row_means(ctx, ctx.scope(), block.importance, block.capacity)
    rows = []
    for option in importance.rows:
        n, imp, cap, gap, mwds = figures.get(option.value, (0, 0.0, 0.0, 0.0, 0.0))
        if n < ctx.k:
            rows.append(GapRow(option.value, option.label, None, None, None, None, None))
        else:
            rows.append(GapRow(option.value, option.label, n, imp, cap, gap, mwds))
    shown = sorted(
        (row for row in rows if row.mwds is not None),
        key=lambda row: (-(row.mwds or 0.0), row.label),
    )
    ranks = competition_ranks([row.mwds or 0.0 for row in shown])
    ranked = [
        GapRow(r.value, r.label, r.n, r.importance, r.capacity, r.discrepancy, r.mwds, rank)
        for r, rank in zip(shown, ranks, strict=True)
    ]
    withheld = [row for row in rows if row.mwds is None]
    return GapResult(
        heading=block.title or "Training needs: importance and current capacity",
        intro=block.intro,
        notes=(suppressed_note(ctx.k),) if withheld else (),
        empty=not ranked,
        importance_prompt=importance.prompt,
        capacity_prompt=capacity.prompt,
        scale_min=importance.scale.min,
        scale_max=importance.scale.max,
        rows=(*ranked, *withheld),
        capacity_split=_mean([row.capacity for row in ranked]),
        importance_split=_mean([row.importance for row in ranked]),
    )


def paired_row_means(
    ctx: ReportContext, scope: Scope, importance_id: str, capacity_id: str
) -> dict[str, tuple[int, float, float, float, float]]:
    """Per row: (paired respondents, mean I, mean C, mean I − C, MWDS), all in one query."""
    imp = aliased(Answer)
    cap = aliased(Answer)
    discrepancy = imp.number_value - cap.number_value
    stmt = (
        select(
            imp.row,
            func.count(),
            func.avg(imp.number_value),
            func.avg(cap.number_value),
            func.avg(discrepancy),
            func.avg(discrepancy) * func.avg(imp.number_value),
        )
        .select_from(imp)
        .join(Response, Response.id == imp.response_id)
        .join(
            cap,
            and_(
                cap.response_id == imp.response_id,
                cap.question_id == capacity_id,
                cap.row == imp.row,
            ),
        )
        .where(
            imp.question_id == importance_id,
            imp.number_value.is_not(None),
            cap.number_value.is_not(None),
            *scope.conditions(),
        )
        .group_by(imp.row)
    )
    return {
        str(row): (int(n), float(i), float(c), float(d), float(w))
        for row, n, i, c, d, w in ctx.session.execute(stmt)
    }


def draw(result: GapResult) -> tuple[Chart, ...]:
    """MWDS as sorted bars, then importance against capacity in four quadrants."""
    shown = result.shown
    if not shown:
        return ()
    bars = charts.bar_chart(
        [row.label for row in shown],
        [round(row.mwds or 0.0, 2) for row in shown],
        xlabel="Mean weighted discrepancy score (MWDS)",
        decimals=2,
    )
    listed = "; ".join(f"{row.label} {row.mwds:.2f}" for row in shown)
    out = [Chart(bars, f"Bar chart of training needs by MWDS, largest first: {listed}.")]
    if result.capacity_split is not None and result.importance_split is not None:
        points = [(row.label, row.capacity or 0.0, row.importance or 0.0) for row in shown]
        quadrant = charts.quadrant_chart(
            points,
            "Mean current capacity",
            "Mean importance",
            result.capacity_split,
            result.importance_split,
            quadrant_labels=QUADRANTS,
        )
        placed = "; ".join(
            f"{row.label}: importance {row.importance:.2f}, capacity {row.capacity:.2f}"
            for row in shown
        )
        out.append(
            Chart(
                quadrant,
                "Scatter chart of importance against current capacity, split at the means "
                f"({result.importance_split:.2f} and {result.capacity_split:.2f}): {placed}.",
            )
        )
    return tuple(out)


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/gap.html")
