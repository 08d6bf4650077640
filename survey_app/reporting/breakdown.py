"""Breakdowns and suppressed tables: the machinery every per-type aggregator shares.

A breakdown (`by`, a single_choice or country question) is built in two steps.

1. Groups: a group with fewer than k respondents to the question is pooled, with those
   who left `by` blank, into one "rest" row. If the rest is itself under k, the smallest
   shown group joins it until it reaches k (complementary suppression of whole groups).
   So every printed row covers at least k people, and the rows add up to the total.
2. Cells: the total row is suppressed exactly as in a block without `by` (other blocks
   print it), and the group rows are suppressed as one table whose totals are public,
   with that total row as a settled margin: a total cell hidden is never the sum of
   group cells shown, and a group cell hidden is never the total minus the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..questionnaire.countries import country_name
from ..questionnaire.schema import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    MatrixQuestion,
    QuestionBase,
    ScaleQuestion,
)
from .privacy import share, suppress_counts, suppress_table
from .schema import question_type
from .scope import Scope
from .sql import ALL, GroupFilter, answered_by_group, count_respondents
from .summaries import REST, TOTAL, Category, Distribution, DistributionSummary

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TOTAL_LABEL = "All respondents"
OTHER_LABEL = "Other"
#: Named groups in a breakdown; smaller ones join the pooled rest.
MAX_GROUPS = 8


def visible(n: int, k: int) -> int | None:
    """A count as printed: None when it describes 1 to k-1 people."""
    return None if 0 < n < k else n


@dataclass(frozen=True)
class Breakdown:
    """The rows of a `by` breakdown: named groups of at least k, then the pooled rest."""

    by: str | None = None
    by_question: QuestionBase | None = None
    #: (key, label, respondents who answered this question) per row; REST last if any.
    rows: tuple[tuple[str, str, int], ...] = ()
    #: Groups not shown by name (under k, beyond MAX_GROUPS, or pooled to protect the rest).
    pooled: int = 0

    @property
    def named(self) -> tuple[str, ...]:
        """Values of the groups shown by name."""
        return tuple(key for key, _, _ in self.rows if key != REST)

    def where(self, key: str) -> GroupFilter | None:
        """SQL filter for one row (None for the total)."""
        if self.by is None or key == TOTAL:
            return None
        if key == REST:
            return GroupFilter(self.by, self.named, exclude=True)
        return GroupFilter(self.by, (key,))


def plan_breakdown(
    session: Session,
    scope: Scope,
    question_id: str,
    k: int,
    by: str | None,
    by_question: QuestionBase | None,
    answered: int,
) -> Breakdown:
    """Which groups are shown by name and who falls into the rest (see the module doc)."""
    if by is None:
        return Breakdown()
    sizes = {str(g): n for g, n in answered_by_group(session, scope, question_id, by).items() if n}
    ordered = _group_order(by_question, sizes)
    largest = sorted((g for g in ordered if sizes[g] >= k), key=lambda g: (-sizes[g], g))
    shown = [g for g in ordered if g in largest[:MAX_GROUPS]]

    def rest() -> int:
        return answered - sum(sizes[g] for g in shown)

    while shown and 0 < rest() < k:
        shown.remove(min(shown, key=lambda g: (sizes[g], g)))
    if not shown:
        return Breakdown(by, by_question, (), len(sizes))
    pooled = len(sizes) - len(shown)
    rows = [(g, group_label(by_question, g), sizes[g]) for g in shown]
    if rest():
        blank = answered > sum(sizes.values())
        label = {
            (True, True): "Other groups or no answer",
            (True, False): "Other groups",
            (False, True): "No answer",
        }[(pooled > 0, blank)]
        rows.append((REST, label, rest()))
    return Breakdown(by, by_question, tuple(rows), pooled)


def group_label(by_question: QuestionBase | None, value: str) -> str:
    """How a group (an answer to the `by` question) is named in tables and charts."""
    if isinstance(by_question, ChoiceQuestionBase):
        if value == OTHER_VALUE:
            return OTHER_LABEL
        return next((o.label for o in by_question.options if o.value == value), value)
    if isinstance(by_question, CountryQuestion):
        return country_name(value)
    return value


def _group_order(by_question: QuestionBase | None, sizes: Mapping[str, int]) -> list[str]:
    """Choice groups in questionnaire order; countries (and unknown values) largest first."""
    if isinstance(by_question, ChoiceQuestionBase):
        known = [v for v in by_question.option_values() if v in sizes]
        return known + sorted(v for v in sizes if v not in known)
    return sorted(sizes, key=lambda g: (-sizes[g], group_label(by_question, g)))


@dataclass(frozen=True)
class Cells:
    """One row of counts as printed, and which hidden ones are hidden only as a cover."""

    counts: tuple[int | None, ...]
    withheld: tuple[int, ...] = ()


def tabulate(
    breakdown: Breakdown,
    totals: Mapping[str, int],
    groups: Mapping[tuple[Any, ...], int],
    columns: Sequence[str],
    k: int,
    *,
    additive: bool,
) -> dict[str, Cells]:
    """Suppressed cells for the total (TOTAL) and for every breakdown row.

    `totals` maps column -> respondents; `groups` maps (group, column) -> respondents.
    The rest row is the total minus the named groups. `additive` tells whether the total
    row's cells add up to its printed n (single choice) or overlap (multi-choice).
    """
    raw_total = {c: totals.get(c, 0) for c in columns}
    out = {TOTAL: cells_of(raw_total, suppress_counts(raw_total, k, additive=additive), k)}
    if not breakdown.rows:
        return out
    table: dict[tuple[str, str], int] = {}
    for key, _, _ in breakdown.rows:
        for c in columns:
            if key == REST:
                named = sum(groups.get((g, c), 0) for g in breakdown.named)
                table[(key, c)] = max(0, raw_total[c] - named)
            else:
                table[(key, c)] = groups.get((key, c), 0)
    # The total row as printed (here and in every block without `by`) takes part in the
    # columns: a total hidden there must not be the sum of shown group cells.
    printed = dict(zip(columns, out[TOTAL].counts, strict=True))
    hidden = suppress_table(table, k, fixed={(TOTAL, c): printed[c] for c in columns})
    for key, _, _ in breakdown.rows:
        raw = {c: table[(key, c)] for c in columns}
        out[key] = cells_of(raw, {c: hidden[(key, c)] for c in columns}, k)
    return out


def cells_of(raw: Mapping[str, int], shown: Mapping[str, int | None], k: int) -> Cells:
    """A row as printed; `withheld` lists the hidden cells that are not under k themselves."""
    columns = list(raw)
    if 0 < sum(raw.values()) < k:
        # A row about fewer than k people shows nothing, not even its zeros.
        return Cells(tuple(None for _ in columns))
    return Cells(
        tuple(shown[c] for c in columns),
        tuple(i for i, c in enumerate(columns) if shown[c] is None and not 0 < raw[c] < k),
    )


def distribution(
    key: str, label: str, n: int, cells: Cells, k: int, mean: float | None = None
) -> Distribution:
    """A printed row: n answered, counts, shares of n, and the mean when n reaches k."""
    if 0 < n < k:
        return Distribution(key, label, None, tuple(None for _ in cells.counts))
    return Distribution(
        key,
        label,
        n,
        cells.counts,
        tuple(share(c, n) for c in cells.counts),
        mean if n else None,
        cells.withheld,
    )


def base_fields(
    session: Session, scope: Scope, question: QuestionBase, k: int, breakdown: Breakdown
) -> dict[str, Any]:
    """The fields every summary has."""
    by_question = breakdown.by_question
    return {
        "question_id": question.id,
        "question_type": question_type(question),
        "prompt": question.prompt,
        "k": k,
        "respondents": visible(count_respondents(session, scope), k),
        "by": breakdown.by,
        "by_prompt": by_question.prompt if by_question is not None else None,
        "pooled_groups": breakdown.pooled,
    }


def answered_in_scope(session: Session, scope: Scope, question_id: str) -> int:
    return answered_by_group(session, scope, question_id).get(ALL, 0)


def start(
    session: Session,
    scope: Scope,
    question: QuestionBase,
    k: int,
    by: str | None,
    by_question: QuestionBase | None,
) -> tuple[int, Breakdown]:
    """Respondents who answered, and the breakdown plan."""
    answered = answered_in_scope(session, scope, question.id)
    return answered, plan_breakdown(session, scope, question.id, k, by, by_question, answered)


def by_column(counts: Mapping[tuple[Any, ...], int]) -> dict[str, int]:
    """{(ALL, value): n} -> {value: n}."""
    return {str(key[1]): n for key, n in counts.items() if key[1] is not None}


def summarize_distribution(
    cls: type[DistributionSummary],
    session: Session,
    scope: Scope,
    question: QuestionBase,
    k: int,
    breakdown: Breakdown,
    answered: int,
    categories: Sequence[Category],
    totals: Mapping[str, int],
    groups: Mapping[tuple[Any, ...], int],
    *,
    additive: bool = True,
    means: Mapping[str, float | None] | None = None,
    **extra: Any,
) -> DistributionSummary:
    """Tabulate, suppress and package a one-dimensional distribution and its breakdown."""
    cells = tabulate(breakdown, totals, groups, [c.value for c in categories], k, additive=additive)
    means = means or {}
    total = distribution(TOTAL, TOTAL_LABEL, answered, cells[TOTAL], k, means.get(TOTAL))
    rows = tuple(
        distribution(key, label, n, cells[key], k, means.get(key))
        for key, label, n in breakdown.rows
    )
    return cls(
        **base_fields(session, scope, question, k, breakdown),
        categories=tuple(categories),
        total=total,
        groups=rows,
        **extra,
    )


def point_label(question: ScaleQuestion | MatrixQuestion, point: int) -> str:
    """`1 – Not at all` for labelled points, else the number."""
    label = question.scale.labels.get(point)
    return f"{point} – {label}" if label else str(point)


def weighted_mean(counts: Mapping[Any, int]) -> float | None:
    """Mean of numeric keys weighted by their counts (None without counts)."""
    n = sum(counts.values())
    return sum(float(v) * c for v, c in counts.items()) / n if n else None
