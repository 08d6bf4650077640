"""Aggregation queries shared by the report blocks: counts and means in SQL, never raw rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, case, distinct, extract, func, literal, select
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
    return _grouped(session, scope, question_id, keys, by, distinct_respondents=True)


def grouped_rows(
    session: Session,
    scope: Scope,
    question_id: str,
    keys: Sequence[str] = ("option_value",),
    by: str | None = None,
) -> dict[tuple[Any, ...], int]:
    """Answer rows per (group, *answer columns): `grouped_counts` without DISTINCT.

    Why: counting distinct respondents sorts every row a second time; where a respondent
    has at most one row per cell (derived_needs.py decides), the row count is the same.
    """
    return _grouped(session, scope, question_id, keys, by, distinct_respondents=False)


def grouped_rows_with_ungrouped(
    session: Session, scope: Scope, question_id: str, keys: Sequence[str], by: str
) -> dict[tuple[Any, ...], int]:
    """`grouped_rows` by `by`, plus group None: the rows of those who left `by` unanswered.

    Why: summed over the groups, these are the counts without a breakdown too (when `by`
    has one answer row per respondent), so one pass over the answers gives both.
    """
    return _grouped(
        session, scope, question_id, keys, by, distinct_respondents=False, ungrouped=True
    )


def _grouped(
    session: Session,
    scope: Scope,
    question_id: str,
    keys: Sequence[str],
    by: str | None,
    *,
    distinct_respondents: bool,
    ungrouped: bool = False,
) -> dict[tuple[Any, ...], int]:
    answer = aliased(Answer)
    columns = [getattr(answer, k) for k in keys]
    group, stmt = _with_group(answer, by, outer=ungrouped)
    counted = func.count(distinct(answer.response_id)) if distinct_respondents else func.count()
    stmt = (
        stmt.add_columns(*columns, counted)
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
    """Respondents who answered the question, per group.

    Why EXISTS per group answer: a matrix or multiple choice question has several answer
    rows per respondent; joining them all to the group answer, only to count each
    respondent once, read all of them (a fifth of a 10,000-response report's SQL time).
    Without a breakdown, counting the answer rows stays the faster way.
    """
    if by is None:
        answer = aliased(Answer)
        _, stmt = _with_group(answer, None)
        stmt = stmt.add_columns(func.count(distinct(answer.response_id))).where(
            answer.question_id == question_id, *scope.conditions()
        )
        return {ALL: int(session.scalar(stmt) or 0)}
    grouping, answer = aliased(Answer), aliased(Answer)
    answered = (
        select(answer.response_id)
        .where(answer.response_id == grouping.response_id, answer.question_id == question_id)
        .exists()
    )
    stmt = (
        select(grouping.option_value, func.count(distinct(grouping.response_id)))
        .join(Response, Response.id == grouping.response_id)
        .where(grouping.question_id == by, answered, *scope.conditions())
        .group_by(grouping.option_value)
    )
    return {value: int(n) for value, n in session.execute(stmt)}


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


def _with_group(answer: Any, by: str | None, outer: bool = False) -> tuple[list[Any], Any]:
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
            isouter=outer,
        )
    )
    return [grouping.option_value], stmt


def _key(values: Sequence[Any], by: str | None) -> tuple[Any, ...]:
    """Result key: (group, *answer columns), the group being ALL without a breakdown."""
    return tuple(values) if by is not None else (ALL, *values)


def submission_range(
    session: Session, scope: Scope
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first and last submission time in scope (None, None without responses)."""
    stmt = select(func.min(Response.submitted_at), func.max(Response.submitted_at)).where(
        *scope.conditions()
    )
    first, last = session.execute(stmt).one()
    return first, last


# --- per-question-type aggregates (question block) ---------------------------------------


#: Aliases reused by the number helpers: building expressions on a fresh alias costs
#: about as much as running the query, and a stable alias lets compiled SQL be cached.
_NUMBER = aliased(Answer, name="number_answer")
_IN_GROUP = aliased(Answer, name="group_answer")


@dataclass(frozen=True)
class GroupFilter:
    """Respondents whose answer to `by` is one of `values`; with `exclude`, everyone else.

    Why `exclude`: the pooled rest of a breakdown is "not in a shown group", which also
    takes in respondents who left `by` unanswered, so shown groups and rest add up.
    """

    by: str
    values: tuple[str, ...]
    exclude: bool = False


def number_stats(
    session: Session, scope: Scope, question_id: str, where: GroupFilter | None = None
) -> tuple[int, float | None, float | None, float | None]:
    """(respondents, mean, min, max) of a number question, for everyone or one group."""
    answer = _NUMBER
    stmt = _numbers(answer, scope, question_id, where).add_columns(
        func.count(distinct(answer.response_id)),
        func.avg(answer.number_value),
        func.min(answer.number_value),
        func.max(answer.number_value),
    )
    n, mean, low, high = session.execute(stmt).one()
    if not n:
        return 0, None, None, None
    return int(n), float(mean), float(low), float(high)


def histogram_counts(
    session: Session,
    scope: Scope,
    question_id: str,
    edges: Sequence[float],
    by: str | None = None,
) -> dict[tuple[Any, ...], int]:
    """Respondents per (group, bin index) of a number question; bin i is edges[i]..edges[i+1].

    Values below the first edge count in the first bin, values from the last inner edge
    up (the top edge included) in the last.
    """
    answer = aliased(Answer)
    inner = edges[1:-1]
    if inner:
        index: Any = case(
            *((answer.number_value < edge, i) for i, edge in enumerate(inner)), else_=len(inner)
        )
    else:
        index = literal(0, Integer)
    return _counts_by(
        session, scope, question_id, answer, by, answer.number_value.is_not(None), bin=index
    )


def date_counts(
    session: Session, scope: Scope, question_id: str, by: str | None = None
) -> dict[tuple[Any, ...], int]:
    """Respondents per (group, year, month) of a date question."""
    answer = aliased(Answer)
    return _counts_by(
        session,
        scope,
        question_id,
        answer,
        by,
        answer.date_value.is_not(None),
        year=extract("year", answer.date_value),
        month=extract("month", answer.date_value),
    )


def _counts_by(
    session: Session,
    scope: Scope,
    question_id: str,
    answer: Any,
    by: str | None,
    condition: Any,
    **derived: Any,
) -> dict[tuple[Any, ...], int]:
    """Distinct respondents per (group, *derived columns).

    Why a subquery: the derived columns (a CASE with the bin edges, EXTRACT) carry bound
    parameters, and PostgreSQL does not see `$1` in SELECT and `$4` in GROUP BY as the
    same expression; grouping by the subquery's columns sidesteps that on every backend.
    """
    group, stmt = _with_group(answer, by)
    columns = [
        *(g.label("grp") for g in group),
        *(column.label(name) for name, column in derived.items()),
        answer.response_id.label("respondent"),
    ]
    rows = (
        stmt.with_only_columns(*columns)
        .where(answer.question_id == question_id, condition, *scope.conditions())
        .subquery()
    )
    keys = [rows.c[name] for name in ("grp", *derived) if name in rows.c]
    outer = select(*keys, func.count(distinct(rows.c.respondent))).group_by(*keys)
    out: dict[tuple[Any, ...], int] = {}
    for row in session.execute(outer):
        values = [int(v) for v in row[len(group) : -1]]
        out[_key([*row[: len(group)], *values], by)] = int(row[-1])
    return out


def _numbers(answer: Any, scope: Scope, question_id: str, where: GroupFilter | None) -> Any:
    """SELECT over one number question's answers in scope, optionally for one group."""
    stmt = (
        select()
        .select_from(answer)
        .join(Response, Response.id == answer.response_id)
        .where(
            answer.question_id == question_id,
            answer.number_value.is_not(None),
            *scope.conditions(),
        )
    )
    if where is not None:
        grouping = _IN_GROUP
        in_group = (
            select(grouping.id)
            .where(
                grouping.response_id == answer.response_id,
                grouping.question_id == where.by,
                grouping.option_value.in_(where.values),
            )
            .exists()
        )
        stmt = stmt.where(~in_group if where.exclude else in_group)
    return stmt


def respondent_answers(
    session: Session, scope: Scope, question_ids: tuple[str, ...]
) -> tuple[tuple[int, ...], tuple[tuple[Any, ...], ...]]:
    """(every respondent in scope, their answer rows to `question_ids`).

    Rows are (response_id, question_id, row, option_value, number_value, date_value, rank,
    text_value), ordered by rank, so that skip logic can be evaluated as the form does.
    """
    ids = tuple(int(i) for i in session.scalars(select(Response.id).where(*scope.conditions())))
    if not question_ids:
        return ids, ()
    stmt = (
        select(
            Answer.response_id,
            Answer.question_id,
            Answer.row,
            Answer.option_value,
            Answer.number_value,
            Answer.date_value,
            Answer.rank,
            Answer.text_value,
        )
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id.in_(question_ids), *scope.conditions())
        .order_by(Answer.response_id, Answer.question_id, Answer.rank)
    )
    return ids, tuple(tuple(row) for row in session.execute(stmt))


#: Response ids per IN list: well inside every backend's limit on bound parameters.
ID_CHUNK = 500


def numbers_of(
    session: Session, question_id: str, response_ids: Sequence[int]
) -> Iterator[tuple[int, str | None, float]]:
    """(response, row, value) of one question's numeric answers by the given responses."""
    for start in range(0, len(response_ids), ID_CHUNK):
        stmt = select(Answer.response_id, Answer.row, Answer.number_value).where(
            Answer.question_id == question_id,
            Answer.response_id.in_(response_ids[start : start + ID_CHUNK]),
            Answer.number_value.is_not(None),
        )
        for response_id, row, value in session.execute(stmt):
            if value is not None:  # ruled out in SQL; narrows the type
                yield int(response_id), row, float(value)
