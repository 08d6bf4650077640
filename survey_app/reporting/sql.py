"""Aggregation queries shared by the report blocks: counts and means in SQL, never raw rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, distinct, func, select
from sqlalchemy.orm import Session, aliased

from ..models import Answer, Response
from .scope import Scope

#: Group key used when a query has no breakdown.
ALL = "_all"


def count_respondents(session: Session, scope: Scope) -> int:
    """Responses in scope."""
    stmt = select(func.count(Response.id)).where(*scope.conditions())
    return int(session.scalar(stmt) or 0)


def grouped_counts(
    session: Session,
    scope: Scope,
    question_id: str,
    keys: Sequence[str] = ("option_value",),
    by: str | None = None,
) -> dict[tuple[Any, ...], int]:
    """Distinct respondents per (group, *answer columns) for one question.

    `keys` names `Answer` columns (`option_value`, `number_value`, `row`, `rank`); the group
    is the respondent's answer to the `by` question, or ALL.
    """
    answer = aliased(Answer)
    columns = [getattr(answer, k) for k in keys]
    group, stmt = _with_group(answer, by)
    stmt = (
        stmt.add_columns(*columns, func.count(distinct(answer.response_id)))
        .where(answer.question_id == question_id, *scope.conditions())
        .group_by(*group, *columns)
    )
    return {_key(row[:-1], by): int(row[-1]) for row in session.execute(stmt)}


def respondents_by_group(session: Session, scope: Scope, by: str | None) -> dict[Any, int]:
    """Respondents in scope per answer to `by` (ALL when None); unanswered are not counted."""
    if by is None:
        return {ALL: count_respondents(session, scope)}
    stmt = (
        select(Answer.option_value, func.count(distinct(Answer.response_id)))
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == by, *scope.conditions())
        .group_by(Answer.option_value)
    )
    return {value: int(n) for value, n in session.execute(stmt)}


def answered_by_group(
    session: Session, scope: Scope, question_id: str, by: str | None = None
) -> dict[Any, int]:
    """Respondents who answered the question, per group."""
    answer = aliased(Answer)
    group, stmt = _with_group(answer, by)
    stmt = stmt.add_columns(func.count(distinct(answer.response_id))).where(
        answer.question_id == question_id, *scope.conditions()
    )
    if group:
        stmt = stmt.group_by(*group)
    return {_key(row[:-1], by)[0]: int(row[-1]) for row in session.execute(stmt)}


def means(
    session: Session,
    scope: Scope,
    question_id: str,
    keys: Sequence[str] = (),
    by: str | None = None,
) -> dict[tuple[Any, ...], tuple[int, float]]:
    """(respondents, mean of number_value) per (group, *keys), e.g. per matrix row."""
    answer = aliased(Answer)
    columns = [getattr(answer, k) for k in keys]
    group, stmt = _with_group(answer, by)
    stmt = (
        stmt.add_columns(
            *columns, func.count(distinct(answer.response_id)), func.avg(answer.number_value)
        )
        .where(answer.question_id == question_id, *scope.conditions())
        .group_by(*group, *columns)
    )
    return {
        _key(row[:-2], by): (int(row[-2]), float(row[-1]))
        for row in session.execute(stmt)
        if row[-2]
    }


def _with_group(answer: Any, by: str | None) -> tuple[list[Any], Any]:
    """The group columns (none without a breakdown) and a SELECT joined to responses.

    Why no constant group: PostgreSQL refuses GROUP BY on a literal, so the ALL group is
    added to the keys in Python instead (see `_key`).
    """
    if by is None:
        stmt = select().select_from(answer).join(Response, Response.id == answer.response_id)
        return [], stmt
    grouping = aliased(Answer)
    stmt = (
        select(grouping.option_value)
        .select_from(answer)
        .join(Response, Response.id == answer.response_id)
        .join(
            grouping,
            and_(grouping.response_id == answer.response_id, grouping.question_id == by),
        )
    )
    return [grouping.option_value], stmt


def _key(values: Sequence[Any], by: str | None) -> tuple[Any, ...]:
    """Result key: (group, *answer columns), the group being ALL without a breakdown."""
    return tuple(values) if by is not None else (ALL, *values)
