"""Aggregators whose figures go beyond counts: matrix means, ranking scores, number means.

Same contract as `aggregate.py` (which lists them in `AGGREGATORS`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..questionnaire.questions import MatrixQuestion, NumberQuestion, QuestionBase, RankingQuestion
from .breakdown import (
    TOTAL_LABEL,
    Rows,
    base_fields,
    point_label,
    release_n,
    release_row,
    row_counts,
    start,
    weighted_mean,
)
from .disclosure import Population
from .shown import Frame
from .sql import grouped_counts, histogram_counts, number_stats
from .summaries import (
    REST,
    TOTAL,
    Category,
    Distribution,
    GroupMeans,
    GroupRanking,
    MatrixSummary,
    NumberStats,
    NumberSummary,
    RankedOption,
    RankingSummary,
)

#: About this many histogram bins.
TARGET_BINS = 10


# --- matrices ---------------------------------------------------------------------


def summarize_matrix(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> MatrixSummary:
    """Per matrix row (YAML order): respondents per point and the mean; per group, means.

    The population is everyone who rated at least one row; per row, "answered" counts
    those who rated it, the base of its shares and mean.
    """
    assert isinstance(question, MatrixQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    rows = start(frame, question, by, by_question)
    disclosure = frame.disclosure
    keys = ("row", "number_value")
    points = [str(p) for p in question.scale.points()]
    per_row: dict[str, dict[str, int]] = defaultdict(dict)
    for (_, row, value), n in frame.run(grouped_counts, frame.scope, question.id, keys).items():
        if row is not None and value is not None:
            per_row[str(row)][str(int(value))] = n
    out = []
    for row in question.rows:
        counts = per_row.get(row.value, {})
        total = rows.total
        if not isinstance(total, Population):
            out.append(Distribution(row.value, row.label, None))
            continue
        where: dict[str, Any] = {"question": question.id, "row": row.value}
        n = disclosure.release_count(total, "answered", sum(counts.values()), **where)
        raw = {p: counts.get(p, 0) for p in points}
        released = tuple(
            disclosure.release_count(total, "count", c, item=p, **where) for p, c in raw.items()
        )
        shares = tuple(
            disclosure.release_share(total, c, n, item=p, **where) if n else 0.0
            for p, c in raw.items()
        )
        mean = weighted_mean(counts)
        shown_mean = (
            None if mean is None else disclosure.release(total, "mean", mean, digits=1, **where)
        )
        out.append(Distribution(row.value, row.label, n, released, shares, shown_mean))
    groups: tuple[GroupMeans, ...] = ()
    if rows.groups:
        groups = _matrix_groups(frame, question, rows, per_row)
    return MatrixSummary(
        **base_fields(frame, rows),
        n=release_n(disclosure, rows.total),
        points=tuple(Category(str(p), point_label(question, p)) for p in question.scale.points()),
        rows=tuple(out),
        groups=groups,
    )


def _matrix_groups(
    frame: Frame,
    question: MatrixQuestion,
    rows: Rows,
    per_row: Mapping[str, Mapping[str, int]],
) -> tuple[GroupMeans, ...]:
    """Mean per matrix row for each shown breakdown row (a function of its cells)."""
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    keys = ("row", "number_value")
    for (group, row, value), n in frame.run(
        grouped_counts, frame.scope, question.id, keys, by=rows.by
    ).items():
        if row is not None and value is not None:
            counts[(str(group), str(row))][str(int(value))] = n
    for row in question.rows:
        counts[(REST, row.value)] = {
            v: n - sum(counts.get((g, row.value), {}).get(v, 0) for g in rows.named)
            for v, n in per_row.get(row.value, {}).items()
        }
    out = []
    for key, population in rows.groups:
        means: list[float | None] = []
        for row in question.rows:
            mean = weighted_mean(counts.get((key, row.value), {}))
            means.append(
                None
                if mean is None
                else frame.disclosure.release(
                    population, "mean", mean, digits=1, question=question.id, row=row.value
                )
            )
        n = frame.disclosure.release_count(population, "size", population.size)
        out.append(GroupMeans(key, population.label, n, tuple(means)))
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
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> RankingSummary:
    """Per option: times ranked, times first, mean rank and Borda score, best first.

    Borda: an option at place r of a top-t list earns t + 1 - r points; the score is the
    points summed over respondents divided by the respondents who answered. Released as
    count (item = option: ranked anywhere; "option@1": ranked first), mean_rank and borda.
    """
    assert isinstance(question, RankingQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    rows = start(frame, question, by, by_question)
    disclosure = frame.disclosure
    keys = ("option_value", "rank")
    totals = {
        (str(key[1]), int(key[2])): n
        for key, n in frame.run(grouped_counts, frame.scope, question.id, keys).items()
        if key[1] is not None and key[2] is not None
    }
    total = rows.total
    options = []
    for option in question.options:
        if not isinstance(total, Population):
            options.append(RankedOption(option.value, option.label, None, None, None, None))
            continue
        t = _tally(totals, question.top, option.value)
        where: dict[str, Any] = {"question": question.id}
        options.append(
            RankedOption(
                option.value,
                option.label,
                times_ranked=disclosure.release_count(
                    total, "count", t.times, item=option.value, **where
                ),
                times_first=disclosure.release_count(
                    total, "count", t.first, item=f"{option.value}@1", **where
                ),
                mean_rank=_release_mean_rank(frame, total, question.id, option.value, t),
                borda=disclosure.release(
                    total, "borda", t.points / total.size, digits=2, item=option.value, **where
                ),
            )
        )
    options.sort(key=lambda o: (o.borda is None, -(o.borda or 0), o.mean_rank or math.inf, o.label))
    groups: tuple[GroupRanking, ...] = ()
    if rows.groups:
        order = [o.value for o in options]
        groups = _ranking_groups(frame, question, rows, totals, order)
    return RankingSummary(
        **base_fields(frame, rows),
        top=question.top,
        n=release_n(disclosure, total),
        options=tuple(options),
        groups=groups,
    )


def _release_mean_rank(
    frame: Frame, population: Population, question_id: str, option: str, tally: _RankTally
) -> float | None:
    if not tally.times:
        return None
    return frame.disclosure.release(
        population,
        "mean_rank",
        tally.rank_sum / tally.times,
        digits=1,
        question=question_id,
        item=option,
    )


def _ranking_groups(
    frame: Frame,
    question: RankingQuestion,
    rows: Rows,
    totals: Mapping[tuple[str, int], int],
    order: Sequence[str],
) -> tuple[GroupRanking, ...]:
    """Borda score and mean rank per option for each shown breakdown row."""
    raw: dict[str, dict[tuple[str, int], int]] = defaultdict(dict)
    keys = ("option_value", "rank")
    for (group, value, rank), n in frame.run(
        grouped_counts, frame.scope, question.id, keys, by=rows.by
    ).items():
        if value is not None and rank is not None:
            raw[str(group)][(str(value), int(rank))] = n
    raw[REST] = {
        cell: n - sum(raw[g].get(cell, 0) for g in rows.named) for cell, n in totals.items()
    }
    out = []
    for key, population in rows.groups:
        tallies = [_tally(raw[key], question.top, v) for v in order]
        out.append(
            GroupRanking(
                key,
                population.label,
                frame.disclosure.release_count(population, "size", population.size),
                borda=tuple(
                    frame.disclosure.release(
                        population,
                        "borda",
                        t.points / population.size,
                        digits=2,
                        question=question.id,
                        item=v,
                    )
                    for v, t in zip(order, tallies, strict=True)
                ),
                mean_rank=tuple(
                    _release_mean_rank(frame, population, question.id, v, t)
                    for v, t in zip(order, tallies, strict=True)
                ),
            )
        )
    return tuple(out)


# --- numbers -------------------------------------------------------------------------------


def summarize_number(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> NumberSummary:
    """n, mean and a histogram (bins in SQL), per group.

    Why no minimum, maximum, median or quartiles: the extremes are one person's answer,
    and in the small groups this product reports on (6 to 50 people) a median or
    quartile is one person's answer too, or the midpoint of two; the histogram, whose
    bins count people, shows the spread without naming any one answer.
    """
    assert isinstance(question, NumberQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    rows = start(frame, question, by, by_question)
    disclosure = frame.disclosure
    _, mean, low, high = frame.run(number_stats, frame.scope, question.id)
    total = _number_stats(frame, question.id, TOTAL, TOTAL_LABEL, rows.total, mean)
    fields: dict[str, Any] = {}
    if isinstance(rows.total, Population) and low is not None and high is not None:
        edges, bins = bin_edges(question, low, high)
        columns = [b.value for b in bins]
        totals = {
            columns[int(key[1])]: c
            for key, c in frame.run(
                histogram_counts, frame.scope, question.id, tuple(edges)
            ).items()
        }
        groups: dict[tuple[Any, ...], int] = {}
        if rows.groups:
            raw = frame.run(histogram_counts, frame.scope, question.id, tuple(edges), by=by)
            groups = {(key[0], columns[int(key[1])]): c for key, c in raw.items()}
        cells = row_counts(rows, totals, groups, columns)
        fields = {
            "bins": bins,
            "histogram": release_row(
                disclosure, rows.total, TOTAL, TOTAL_LABEL, question.id, cells[TOTAL]
            ),
            "group_histograms": tuple(
                release_row(disclosure, pop, key, pop.label, question.id, cells[key])
                for key, pop in rows.groups
            ),
        }
    group_stats = []
    for key, pop in rows.groups:
        found = frame.run(number_stats, frame.scope, question.id, rows.where(key))
        group_stats.append(_number_stats(frame, question.id, key, pop.label, pop, found[1]))
    return NumberSummary(
        **base_fields(frame, rows),
        unit=question.unit,
        integer=question.integer,
        total=total,
        groups=tuple(group_stats),
        **fields,
    )


def _number_stats(
    frame: Frame,
    question_id: str,
    key: str,
    label: str,
    population: Any,
    mean: float | None,
) -> NumberStats:
    """n and mean of one row as released; only the label when its population is hidden."""
    if not isinstance(population, Population):
        return NumberStats(key, label, None)
    disclosure = frame.disclosure
    n = disclosure.release_count(population, "size", population.size)
    shown = (
        None
        if mean is None
        else disclosure.release(population, "mean", mean, digits=1, question=question_id)
    )
    return NumberStats(key, label, n, shown)


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
            item = f"{a:g}..{top:g}"
        else:
            text = f"{a:g}–{b:g}"
            item = f"{a:g}..{b:g}"
        bins.append(Category(item, text))
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
