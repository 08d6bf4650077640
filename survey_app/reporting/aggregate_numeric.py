"""Aggregators whose figures go beyond counts: matrix means, ranking scores, number quantiles.

Same contract as `aggregate.py` (which lists them in `AGGREGATORS`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..questionnaire.schema import MatrixQuestion, NumberQuestion, QuestionBase, RankingQuestion
from .breakdown import (
    TOTAL_LABEL,
    Breakdown,
    base_fields,
    cells_of,
    distribution,
    point_label,
    start,
    tabulate,
    visible,
    weighted_mean,
)
from .privacy import suppress_counts, suppress_table
from .scope import Scope
from .sql import GroupFilter, grouped_counts, histogram_counts, number_stats, quantiles
from .summaries import (
    REST,
    TOTAL,
    Category,
    GroupMeans,
    GroupRanking,
    MatrixSummary,
    NumberStats,
    NumberSummary,
    RankedOption,
    RankingSummary,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: About this many histogram bins.
TARGET_BINS = 10


# --- matrices ---------------------------------------------------------------------


def summarize_matrix(
    session: Session,
    scope: Scope,
    question: QuestionBase,
    k: int,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> MatrixSummary:
    """Per matrix row (YAML order): respondents per point and the mean; per group, means."""
    assert isinstance(question, MatrixQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    answered, breakdown = start(session, scope, question, k, by, by_question)
    keys = ("row", "number_value")
    points = [str(p) for p in question.scale.points()]
    per_row: dict[str, dict[str, int]] = defaultdict(dict)
    for (_, row, value), n in grouped_counts(session, scope, question.id, keys).items():
        if row is not None and value is not None:
            per_row[str(row)][str(int(value))] = n
    rows = []
    for row in question.rows:
        counts = per_row.get(row.value, {})
        n = sum(counts.values())
        raw = {p: counts.get(p, 0) for p in points}
        cells = cells_of(raw, suppress_counts(raw, k), k)
        rows.append(distribution(row.value, row.label, n, cells, k, weighted_mean(counts)))
    groups: tuple[GroupMeans, ...] = ()
    if breakdown.rows:
        groups = _matrix_groups(session, scope, question, k, breakdown, per_row)
    return MatrixSummary(
        **base_fields(session, scope, question, k, breakdown),
        n=visible(answered, k),
        points=tuple(Category(str(p), point_label(question, p)) for p in question.scale.points()),
        rows=tuple(rows),
        groups=groups,
    )


def _matrix_groups(
    session: Session,
    scope: Scope,
    question: MatrixQuestion,
    k: int,
    breakdown: Breakdown,
    per_row: Mapping[str, Mapping[str, int]],
) -> tuple[GroupMeans, ...]:
    """Mean per matrix row for each breakdown row; respondents per (group, row) suppressed."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    keys = ("row", "number_value")
    for (group, row, value), n in grouped_counts(
        session, scope, question.id, keys, by=breakdown.by
    ).items():
        if row is not None and value is not None:
            counts[(str(group), str(row))][str(int(value))] = n
    for row in question.rows:
        counts[(REST, row.value)] = {
            v: n - sum(counts.get((g, row.value), {}).get(v, 0) for g in breakdown.named)
            for v, n in per_row.get(row.value, {}).items()
        }
    table = {
        (key, row.value): sum(counts.get((key, row.value), {}).values())
        for key, _, _ in breakdown.rows
        for row in question.rows
    }
    hidden = suppress_table(table, k)
    out = []
    for key, label, n in breakdown.rows:
        ns = tuple(hidden[(key, row.value)] for row in question.rows)
        out.append(
            GroupMeans(
                key,
                label,
                n,
                ns,
                tuple(
                    weighted_mean(counts.get((key, row.value), {})) if shown is not None else None
                    for row, shown in zip(question.rows, ns, strict=True)
                ),
                tuple(
                    i
                    for i, row in enumerate(question.rows)
                    if ns[i] is None and not 0 < table[(key, row.value)] < k
                ),
            )
        )
    return tuple(out)


# --- rankings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _RankTally:
    """Raw figures of one option for one row (total, group or rest)."""

    times: int
    first: int
    rank_sum: int
    points: int


def _tally(counts: Mapping[tuple[str, int], int], top: int, option: str) -> _RankTally:
    cells = {rank: n for (value, rank), n in counts.items() if value == option}
    return _RankTally(
        times=sum(cells.values()),
        first=cells.get(1, 0),
        rank_sum=sum(rank * n for rank, n in cells.items()),
        points=sum(max(0, top + 1 - rank) * n for rank, n in cells.items()),
    )


def summarize_ranking(
    session: Session,
    scope: Scope,
    question: QuestionBase,
    k: int,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> RankingSummary:
    """Per option: times ranked, times first, mean rank and Borda score, best first.

    Borda: an option at place r of a top-t list earns t + 1 - r points; the score is the
    points summed over respondents divided by the respondents who answered.
    """
    assert isinstance(question, RankingQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    answered, breakdown = start(session, scope, question, k, by, by_question)
    keys = ("option_value", "rank")
    totals = {
        (str(key[1]), int(key[2])): n
        for key, n in grouped_counts(session, scope, question.id, keys).items()
        if key[1] is not None and key[2] is not None
    }
    values = question.option_values()
    tallies = {v: _tally(totals, question.top, v) for v in values}
    small = 0 < answered < k
    times = suppress_counts({v: t.times for v, t in tallies.items()}, k)
    firsts = suppress_counts({v: t.first for v, t in tallies.items()}, k)
    options = []
    for option in question.options:
        t = tallies[option.value]
        shown = not small and times[option.value] is not None
        options.append(
            RankedOption(
                option.value,
                option.label,
                times_ranked=times[option.value] if not small else None,
                times_first=firsts[option.value] if not small else None,
                mean_rank=t.rank_sum / t.times if shown and t.times else None,
                borda=t.points / answered if shown and answered else None,
                ranked_withheld=not small and times[option.value] is None and not 0 < t.times < k,
                first_withheld=not small and firsts[option.value] is None and not 0 < t.first < k,
            )
        )
    options.sort(key=lambda o: (o.borda is None, -(o.borda or 0), o.mean_rank or math.inf, o.label))
    groups: tuple[GroupRanking, ...] = ()
    if breakdown.rows:
        order = [o.value for o in options]
        groups = _ranking_groups(session, scope, question, k, breakdown, totals, order)
    return RankingSummary(
        **base_fields(session, scope, question, k, breakdown),
        top=question.top,
        n=visible(answered, k),
        options=tuple(options),
        groups=groups,
    )


def _ranking_groups(
    session: Session,
    scope: Scope,
    question: RankingQuestion,
    k: int,
    breakdown: Breakdown,
    totals: Mapping[tuple[str, int], int],
    order: Sequence[str],
) -> tuple[GroupRanking, ...]:
    """Borda score and mean rank per option for each breakdown row."""
    raw: dict[str, dict[tuple[str, int], int]] = defaultdict(dict)
    keys = ("option_value", "rank")
    for (group, value, rank), n in grouped_counts(
        session, scope, question.id, keys, by=breakdown.by
    ).items():
        if value is not None and rank is not None:
            raw[str(group)][(str(value), int(rank))] = n
    raw[REST] = {
        cell: n - sum(raw[g].get(cell, 0) for g in breakdown.named) for cell, n in totals.items()
    }
    tallies = {
        (key, v): _tally(raw[key], question.top, v) for key, _, _ in breakdown.rows for v in order
    }
    hidden = suppress_table({cell: t.times for cell, t in tallies.items()}, k)
    out = []
    for key, label, n in breakdown.rows:
        shown = [hidden[(key, v)] is not None for v in order]
        out.append(
            GroupRanking(
                key,
                label,
                n,
                borda=tuple(
                    tallies[(key, v)].points / n if ok else None
                    for v, ok in zip(order, shown, strict=True)
                ),
                mean_rank=tuple(
                    tallies[(key, v)].rank_sum / tallies[(key, v)].times
                    if ok and tallies[(key, v)].times
                    else None
                    for v, ok in zip(order, shown, strict=True)
                ),
                withheld=tuple(
                    i
                    for i, v in enumerate(order)
                    if not shown[i] and not 0 < tallies[(key, v)].times < k
                ),
            )
        )
    return tuple(out)


# --- numbers -------------------------------------------------------------------------------


def summarize_number(
    session: Session,
    scope: Scope,
    question: QuestionBase,
    k: int,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> NumberSummary:
    """n, mean, median, quartiles, min/max and a histogram (bins in SQL), per group.

    Nothing but "not shown" is printed for fewer than k numbers: min and max are one
    person's answer each, and so are the quartiles of a handful.
    """
    assert isinstance(question, NumberQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    _, breakdown = start(session, scope, question, k, by, by_question)
    stats = number_stats(session, scope, question.id)
    n, _, low, high = stats
    total = _number_stats(session, scope, question.id, k, TOTAL, TOTAL_LABEL, None, stats)
    fields: dict[str, Any] = {}
    if n >= k and low is not None and high is not None:
        edges, bins = bin_edges(question, low, high)
        columns = [b.value for b in bins]
        totals = {
            str(key[1]): c
            for key, c in histogram_counts(session, scope, question.id, edges).items()
        }
        groups: dict[tuple[Any, ...], int] = {}
        if breakdown.rows:
            raw = histogram_counts(session, scope, question.id, edges, by=by)
            groups = {(key[0], str(key[1])): c for key, c in raw.items()}
        cells = tabulate(breakdown, totals, groups, columns, k, additive=True)
        fields = {
            "bins": bins,
            "histogram": distribution(TOTAL, TOTAL_LABEL, n, cells[TOTAL], k),
            "group_histograms": tuple(
                distribution(key, label, size, cells[key], k) for key, label, size in breakdown.rows
            ),
        }
    group_stats = []
    for key, label, _ in breakdown.rows:
        where = breakdown.where(key)
        found = number_stats(session, scope, question.id, where)
        group_stats.append(_number_stats(session, scope, question.id, k, key, label, where, found))
    return NumberSummary(
        **base_fields(session, scope, question, k, breakdown),
        unit=question.unit,
        integer=question.integer,
        total=total,
        groups=tuple(group_stats),
        **fields,
    )


def _number_stats(
    session: Session,
    scope: Scope,
    question_id: str,
    k: int,
    key: str,
    label: str,
    where: GroupFilter | None,
    stats: tuple[int, float | None, float | None, float | None],
) -> NumberStats:
    """Figures for one row: everything when n reaches k, else only that it does not."""
    n, mean, low, high = stats
    if n < k:
        return NumberStats(key, label, visible(n, k))
    q1, median, q3 = quantiles(session, scope, question_id, (0.25, 0.5, 0.75), n, where)
    return NumberStats(key, label, n, mean, median, q1, q3, low, high)


def bin_edges(
    question: NumberQuestion, low: float, high: float
) -> tuple[list[float], tuple[Category, ...]]:
    """Histogram edges: about TARGET_BINS bins of a round width over the answers' range.

    The question's min..max is used instead when the answers cover at least half of it
    (a 0-10 rating shows all its bins); otherwise a 0-120 age question answered between
    18 and 65 would crowd into three bars. Widths are 1, 2, 2.5 or 5 times a power of
    ten, whole for integer questions; the last bin includes its upper edge.
    """
    lo, hi = low, high
    q_min, q_max = question.min, question.max
    if q_min is not None and q_max is not None and high - low >= (q_max - q_min) / 2:
        lo, hi = min(low, q_min), max(high, q_max)
    width = _nice_width((hi - lo) / TARGET_BINS, question.integer)
    start = math.floor(lo / width) * width
    if question.integer:
        # Whole-number bins hold `width` values each, "10–14"; a maximum that falls on
        # an edge joins the last bin rather than getting one of its own.
        count = math.floor((hi - start) / width) + 1
        if width > 1 and count > 1 and (hi - start) % width == 0:
            count -= 1
    else:
        count = max(1, math.ceil((hi - start) / width))
    edges = [start + i * width for i in range(count + 1)]
    bins = []
    for i in range(count):
        a, b = edges[i], edges[i + 1]
        if question.integer:
            top = b if i == count - 1 and b <= hi else b - 1
            text = f"{a:g}" if top == a else f"{a:g}–{top:g}"
        else:
            text = f"{a:g}–{b:g}"
        bins.append(Category(str(i), text))
    return edges, tuple(bins)


def _nice_width(raw: float, integer: bool) -> float:
    """The smallest round width (1, 2, 2.5, 5 x 10^e) at least `raw`."""
    if raw <= 0:
        return 1.0
    exponent = math.floor(math.log10(raw))
    for mantissa in (1, 2, 2.5, 5, 10):
        width = mantissa * 10.0**exponent
        if width >= raw and (not integer or width.is_integer()):
            return max(width, 1.0) if integer else width
    return 10.0 ** (exponent + 1)  # pragma: no cover - the loop ends at 10 x 10^e
