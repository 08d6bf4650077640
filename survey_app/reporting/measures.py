"""Measures of the needs-assessment blocks (priorities, gap, recommendations), from SQL.

Counts and sums come back from the database, never the answer rows themselves. The one
ranking score of the whole report is the Borda score defined here (`borda_score`): the
priorities block, the recommendations and the question block's ranking chart all use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Answer, Response
from .disclosure import Disclosure, Hidden, Population
from .scope import Scope

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")

#: The name the ranking score is printed under, everywhere.
BORDA_NAME = "Borda score"
#: How it is explained under every table or chart that prints it.
BORDA_EXPLANATION = (
    "Borda score: in a ranking of the top {top}, the option in first place earns {top} "
    "points, the next {top} − 1, and so on; the score is an option's points divided by "
    "everyone who answered the ranking (0 to {top})."
)


def borda_points(rank: int, top: int) -> int:
    """Points for place `rank` (1 = first) of a top-`top` ranking: top + 1 − rank, at least 0."""
    return max(0, top + 1 - rank)


def borda_score(rank_counts: Mapping[int, int], top: int, answered: int) -> float:
    """The Borda score of one option: its points per respondent who answered the ranking.

    `rank_counts` maps a place (1 = first) to the respondents who put the option there;
    `answered` counts everyone who ranked at least one option, so an option nobody ranked
    scores 0 and scores are comparable between options. Linear in the counts: the score is
    Σ (top + 1 − r) × count(option at r) / answered.
    """
    if answered <= 0:
        return 0.0
    return sum(borda_points(r, top) * n for r, n in rank_counts.items()) / answered


@dataclass(frozen=True)
class RankingCounts:
    """Who ranked what where, for one ranking question."""

    #: Respondents who ranked at least one option: the base of every Borda score.
    answered: int
    #: Respondents per (option, place).
    cells: dict[tuple[str, int], int]

    def rank_counts(self, option: str) -> dict[int, int]:
        """Respondents per place for one option."""
        return {rank: n for (value, rank), n in self.cells.items() if value == option}

    def ranked_by(self, option: str) -> int:
        """Respondents who ranked the option at any place."""
        return sum(self.rank_counts(option).values())

    def score(self, option: str, top: int) -> float:
        """The option's Borda score (`borda_score`)."""
        return borda_score(self.rank_counts(option), top, self.answered)


def ranking_counts(session: Session, scope: Scope, question_id: str) -> RankingCounts:
    """Respondents to a ranking question and per (option, place), in two SQL aggregates."""
    ranked = (
        select(func.count(distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id, Answer.rank.is_not(None), *scope.conditions())
    )
    answered = int(session.scalar(ranked) or 0)
    stmt = (
        select(Answer.option_value, Answer.rank, func.count(distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id, Answer.rank.is_not(None), *scope.conditions())
        .group_by(Answer.option_value, Answer.rank)
    )
    cells = {
        (str(value), int(rank)): int(n)
        for value, rank, n in session.execute(stmt)
        if rank is not None  # ruled out in SQL; narrows the type
    }
    return RankingCounts(answered, cells)


def top_box_counts(
    session: Session, scope: Scope, question_id: str, threshold: float
) -> dict[str | None, tuple[int, int]]:
    """Per matrix row (None for a scale): (respondents who rated it, those rating >= threshold)."""
    stmt = (
        select(
            Answer.row,
            func.count(distinct(Answer.response_id)),
            func.sum(case((Answer.number_value >= threshold, 1), else_=0)),
        )
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.question_id == question_id,
            Answer.number_value.is_not(None),
            *scope.conditions(),
        )
        .group_by(Answer.row)
    )
    return {row: (int(n), int(top or 0)) for row, n, top in session.execute(stmt)}


def count_answering(
    session: Session,
    scope: Scope,
    question_id: str,
    row: str | None,
    condition: ColumnElement[bool] | None = None,
) -> int:
    """Respondents with an answer row to the question (and row) meeting `condition`."""
    stmt = (
        select(func.count(distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id, *scope.conditions())
    )
    if row is not None:
        stmt = stmt.where(Answer.row == row)
    if condition is not None:
        stmt = stmt.where(condition)
    return int(session.scalar(stmt) or 0)


def value_condition(
    column: Any,
    values: Sequence[Any] | None,
    at_least: float | None,
    at_most: float | None,
) -> ColumnElement[bool]:
    """`column IN values` or within at_least..at_most (inclusive), as one SQL condition."""
    parts: list[ColumnElement[bool]] = []
    if values is not None:
        parts.append(column.in_(list(values)))
    bounds: list[ColumnElement[bool]] = []
    if at_least is not None:
        bounds.append(column >= at_least)
    if at_most is not None:
        bounds.append(column <= at_most)
    if bounds:
        parts.append(and_(*bounds))
    return or_(*parts) if len(parts) > 1 else parts[0]


def mean_of(
    session: Session, scope: Scope, question_id: str, row: str | None
) -> tuple[int, float | None]:
    """(respondents, mean number_value) of a scale, number or one matrix row."""
    stmt = (
        select(func.count(distinct(Answer.response_id)), func.avg(Answer.number_value))
        .join(Response, Response.id == Answer.response_id)
        .where(
            Answer.question_id == question_id,
            Answer.number_value.is_not(None),
            *scope.conditions(),
        )
    )
    if row is not None:
        stmt = stmt.where(Answer.row == row)
    n, mean = session.execute(stmt).one()
    return int(n or 0), (float(mean) if mean is not None else None)


def rated_in_both(
    stmt: S,
    imp: Any,
    cap: Any,
    scope: Scope,
    importance_id: str,
    capacity_id: str,
) -> S:
    """`stmt` over the answers `imp` (importance) and `cap` (capacity) of one matrix row,
    for the respondents in scope who rated that row in both matrices."""
    return (
        stmt.select_from(imp)
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
    )


def discrepancy_counts(
    session: Session, scope: Scope, importance_id: str, capacity_id: str
) -> dict[str, dict[float, int]]:
    """Per matrix row: respondents per discrepancy (importance − capacity), over those who
    rated the row in both matrices."""
    imp, cap = aliased(Answer), aliased(Answer)
    discrepancy = (imp.number_value - cap.number_value).label("discrepancy")
    stmt = rated_in_both(
        select(imp.row, discrepancy, func.count(distinct(imp.response_id))),
        imp,
        cap,
        scope,
        importance_id,
        capacity_id,
    ).group_by(imp.row, discrepancy)
    out: dict[str, dict[float, int]] = {}
    for row, value, n in session.execute(stmt):
        if value is not None:  # ruled out in SQL; narrows the type
            out.setdefault(str(row), {})[float(value)] = int(n)
    return out


def paired_row_means(
    session: Session, scope: Scope, importance_id: str, capacity_id: str
) -> dict[str, tuple[int, float, float]]:
    """Per row: (respondents who rated it in both, mean importance, mean capacity)."""
    imp, cap = aliased(Answer), aliased(Answer)
    columns = select(imp.row, func.count(), func.avg(imp.number_value), func.avg(cap.number_value))
    stmt = rated_in_both(columns, imp, cap, scope, importance_id, capacity_id).group_by(imp.row)
    return {str(row): (int(n), float(i), float(c)) for row, n, i, c in session.execute(stmt)}


def paired_row_cells(
    session: Session, scope: Scope, importance_id: str, capacity_id: str
) -> dict[str, dict[tuple[float | None, float | None], int]]:
    """Per row: its importance answers per (importance, capacity) point, capacity None
    where the row has no capacity point.

    Why one outer join: the pairs' means and discrepancy spread come from the cells with
    both points, and the importance matrix's (row, point) counts from all of them
    (derived_needs.py), so its answers are read once instead of once per figure.
    """
    imp, cap = aliased(Answer), aliased(Answer)
    stmt = (
        select(imp.row, imp.number_value, cap.number_value, func.count())
        .select_from(imp)
        .join(Response, Response.id == imp.response_id)
        .outerjoin(
            cap,
            and_(
                cap.response_id == imp.response_id,
                cap.question_id == capacity_id,
                cap.row == imp.row,
            ),
        )
        .where(imp.question_id == importance_id, *scope.conditions())
        .group_by(imp.row, imp.number_value, cap.number_value)
    )
    out: dict[str, dict[tuple[float | None, float | None], int]] = {}
    for row, importance, capacity, n in session.execute(stmt):
        point = (_point(importance), _point(capacity))
        out.setdefault(str(row), {})[point] = int(n)
    return out


def _point(value: Any) -> float | None:
    return None if value is None else float(value)


def median_of_counts(counts: Mapping[float, int]) -> float | None:
    """The median of a distribution given as value → frequency (mean of the middle two)."""
    total = sum(counts.values())
    if total <= 0:
        return None
    ordered = sorted(counts.items())

    def value_at(position: int) -> float:
        seen = 0
        for value, n in ordered:
            seen += n
            if position < seen:
                return value
        return ordered[-1][0]  # pragma: no cover - position is always < total

    return (value_at((total - 1) // 2) + value_at(total // 2)) / 2


def borich_mwds(mean_importance: float, mean_capacity: float) -> float:
    """Borich's mean weighted discrepancy score over the people who rated an item twice.

    Borich, G. D. (1980). A needs assessment model for conducting follow-up studies.
    Journal of Teacher Education, 31(3), 39–42: each person's discrepancy (importance −
    capacity) is weighted by the item's mean importance and the weighted discrepancies are
    averaged, which over one set of people is mean(I − C) × mean(I).
    """
    return (mean_importance - mean_capacity) * mean_importance


def rdm(discrepancies: Mapping[float, int]) -> tuple[float, float]:
    """The Ranked Discrepancy Model's figures of one item: (median discrepancy, % positive).

    Narine, L., & Harder, A. (2021). Comparing the Borich model with the Ranked Discrepancy
    Model for competency assessment: A novel approach. Advancements in Agricultural
    Development, 2(3), 96–111. https://doi.org/10.37433/aad.v2i3.169. Why it sits beside
    Borich: the ratings are ordinal, so the RDM summarises each person's discrepancy
    (importance − capacity) without a mean: by its median, and by the share of people whose
    discrepancy is positive (who need training on the item). Items rank by the median,
    then by that share. `discrepancies` maps a discrepancy to the people who have it.
    """
    median = median_of_counts(discrepancies)
    if median is None:
        raise ValueError("the RDM needs at least one discrepancy")
    positive = sum(n for d, n in discrepancies.items() if d > 0)
    return median, 100 * positive / sum(discrepancies.values())


def competition_ranks(scores: Sequence[Any]) -> list[int]:
    """1-based ranks of scores sorted high to low, equal scores sharing a rank (1, 2, 2, 4)."""
    return [1 + sum(other > score for other in scores) for score in scores]


def answered_population(
    disclosure: Disclosure,
    scope: Scope,
    size: int,
    label: str,
    question: str,
    row: str | None = None,
    also: str | None = None,
    within: Population | Hidden | None = None,
) -> Population | Hidden:
    """The scope's people who answered `question` (`row` of it; and `also` that), if k or more.

    Why no `within` for the scope itself: whether someone answered is printed as "n of N",
    and the answers of the N − n who did not are not there to be derived (see
    disclosure.py). With `also`, pass as `within` the population of those who answered
    one of the two questions: its figures include answers the others' do not.
    """
    definition = scope.population().narrowed(answered=question, row=row, also_answered=also)
    return disclosure.population(definition, label, size, within=within)
