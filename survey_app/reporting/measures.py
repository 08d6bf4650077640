"""Measures shared by the priorities and recommendations blocks, each one SQL aggregate.

Borda scores, top-box counts, shares and means of one question (or one matrix row):
counts and sums come back from the database, never the answer rows themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, and_, case, cast, distinct, func, or_, select
from sqlalchemy.orm import Session, aliased

from ..models import Answer, Response
from .scope import Scope


@dataclass(frozen=True)
class BordaScores:
    """Normalised Borda points of a ranking question."""

    #: Respondents who ranked at least one option: the base of every score.
    respondents: int
    #: Per option: (respondents who ranked it, mean points per respondent in `respondents`).
    options: dict[str, tuple[int, float]]


def borda_scores(session: Session, scope: Scope, question_id: str) -> BordaScores:
    """Borda points normalised per respondent, averaged over the respondents to the question.

    A respondent who ranked m options gives the option in place r the points (m − r + 1),
    divided by 1 + 2 + … + m, so every respondent hands out exactly one point whatever
    they ranked; an option's score is its mean share of those points (scores add up to 1).
    """
    ranked = (
        select(Answer.response_id, func.count().label("m"))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question_id, Answer.rank.is_not(None), *scope.conditions())
        .group_by(Answer.response_id)
        .subquery()
    )
    respondents = int(session.scalar(select(func.count()).select_from(ranked)) or 0)
    answer = aliased(Answer)
    m = ranked.c.m
    points = cast(m - answer.rank + 1, Float) * 2 / cast(m * (m + 1), Float)
    stmt = (
        select(answer.option_value, func.count(distinct(answer.response_id)), func.sum(points))
        .join(ranked, ranked.c.response_id == answer.response_id)
        .where(answer.question_id == question_id, answer.rank.is_not(None))
        .group_by(answer.option_value)
    )
    options = {
        str(value): (int(n), float(total) / respondents)
        for value, n, total in session.execute(stmt)
        if respondents
    }
    return BordaScores(respondents, options)


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


def competition_ranks(scores: Sequence[float]) -> list[int]:
    """1-based ranks of scores sorted high to low, equal scores sharing a rank (1, 2, 2, 4)."""
    return [1 + sum(other > score for other in scores) for score in scores]
