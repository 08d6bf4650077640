"""Aggregates one build can answer without another query: shared cache keys, derived counts."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from typing import Any

from ..questionnaire.schema import Questionnaire
from .derived_needs import DERIVATIONS, importance_points_from_pairs, rows_for_respondents
from .measures import RankingCounts, count_answering, ranking_counts
from .schema import question_type
from .sql import ALL, answered_by_group, date_counts, grouped_counts, means

#: Question types stored as exactly one answer row per respondent (item "", which the
#: answers table's one-row-per-item constraint makes unique; see responses.answer_rows),
#: with the per-answer count their aggregator asks for anyway, as (query, keyword arguments).
ONE_ROW_COUNTS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "scale": (grouped_counts, {"keys": ("number_value",)}),
    "country": (grouped_counts, {}),
    "date": (date_counts, {}),
}


@cache
def _signature(query: Callable[..., Any]) -> inspect.Signature:
    return inspect.signature(query)


def call_key(
    query: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> Hashable:
    """One cache key for every spelling of a call: positional or keyword, defaults filled in.

    Why: blocks write the same query differently (`keys` by position or by name, `by=None`
    given or left out); one key lets them share a single run.
    """
    bound = _signature(query).bind(None, *args, **kwargs)
    bound.apply_defaults()
    arguments = list(bound.arguments.items())[1:]  # the first one is the session
    return (query, tuple((name, _hashable(value)) for name, value in arguments))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def from_counts(
    run: Callable[..., Any],
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    breakdowns: Mapping[str, str] | None = None,
    gaps: Mapping[str, str] | None = None,
) -> Any | None:
    """The call's result from per-answer counts when that is exact, else None (run the SQL).

    `breakdowns` maps a question to the `by` a block breaks it down by (see
    `derived_needs.rows_for_respondents`), `gaps` a gap block's importance matrix to its
    capacity matrix (`derived_needs.importance_points_from_pairs`).

    Why: at 100,000 responses each pass over a matrix's answers costs a few tenths of a
    second; the matrix aggregator counts (row, point) anyway, and row means and row
    respondents follow from those counts without reading the answers again.
    """
    derivations = (
        answered_from_counts,
        matrix_means_from_counts,
        row_answers_from_counts,
        ranking_from_counts,
        *DERIVATIONS,
    )
    for derive in derivations:
        found = derive(run, questionnaires, query, args, kwargs)
        if found is not None:
            return found
    found = importance_points_from_pairs(
        run, questionnaires, query, args, kwargs, gaps or {}, breakdowns or {}
    )
    if found is not None:
        return found
    return rows_for_respondents(run, questionnaires, query, args, kwargs, breakdowns)


def _matrix_question(
    questionnaires: Mapping[str, Questionnaire], questionnaire_id: str, question_id: str
) -> bool:
    questionnaire = questionnaires.get(questionnaire_id)
    question = questionnaire.question(question_id) if questionnaire else None
    return question is not None and question_type(question) == "matrix"


def _row_points(
    run: Callable[..., Any], scope: Any, question_id: str, by: str | None
) -> dict[tuple[Any, Any], dict[float, int]] | None:
    """Respondents per (group, row) and point of a matrix; None when a point is not whole.

    Why whole points only: then the sum of point x respondents is exact in floating point,
    so the mean is the very number SQL's AVG gives (a matrix's points are whole anyway).
    """
    out: dict[tuple[Any, Any], dict[float, int]] = {}
    counts = run(grouped_counts, scope, question_id, keys=("row", "number_value"), by=by)
    for (group, row, point), n in counts.items():
        if row is None:
            continue
        if point is None or not float(point).is_integer():
            return None
        out.setdefault((group, row), {})[float(point)] = n
    return out


def matrix_means_from_counts(
    run: Callable[..., Any],
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[tuple[Any, ...], tuple[int, float]] | None:
    """`means(keys=("row",))` of a matrix, from its (row, point) counts.

    Why exact: a matrix stores one answer row per (respondent, matrix row) (its item is
    the row, which the one-row-per-item constraint makes unique), so the point cells of a
    row add up to the row's respondents, and the points they gave to the sum AVG divides.
    """
    if query is not means:
        return None
    bound = _signature(query).bind(None, *args, **kwargs)
    bound.apply_defaults()
    scope, question_id, keys, by = (
        bound.arguments[n] for n in ("scope", "question_id", "keys", "by")
    )
    if tuple(keys) != ("row",) or not _matrix_question(
        questionnaires, scope.questionnaire_id, question_id
    ):
        return None
    cells = _row_points(run, scope, question_id, by)
    if cells is None:
        return None
    out: dict[tuple[Any, ...], tuple[int, float]] = {}
    for (group, row), points in sorted(cells.items(), key=_group_order):
        n = sum(points.values())
        if n:
            total = sum(point * count for point, count in points.items())
            out[(group, row)] = (n, total / n)
    return out


def row_answers_from_counts(
    run: Callable[..., Any],
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> int | None:
    """`count_answering` of one matrix row without a condition, from its point counts."""
    if query is not count_answering:
        return None
    bound = _signature(query).bind(None, *args, **kwargs)
    bound.apply_defaults()
    scope, question_id, row, condition = (
        bound.arguments[n] for n in ("scope", "question_id", "row", "condition")
    )
    if (
        row is None
        or condition is not None
        or not _matrix_question(questionnaires, scope.questionnaire_id, question_id)
    ):
        return None
    cells = _row_points(run, scope, question_id, None)
    if cells is None:
        return None
    return sum(cells.get((ALL, row), {}).values())


def _group_order(item: tuple[tuple[Any, Any], Any]) -> tuple[Any, ...]:
    """GROUP BY's order of (group, row) keys: missing values first, then by text."""
    group, row = item[0]
    return (group is not None, str(group), row is not None, str(row))


def answered_from_counts(
    run: Callable[..., Any],
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[Any, int] | None:
    """`answered_by_group`, summed from the per-answer counts the aggregator reads anyway.

    Why exact: with one answer row per respondent, each respondent falls in exactly one
    (group, answer) cell, so the cells of a group add up to its respondents who answered.
    None when the call is another query or the question may have several rows per person.
    """
    if query is not answered_by_group:
        return None
    bound = _signature(query).bind(None, *args, **kwargs)
    bound.apply_defaults()
    scope, question_id, by = (bound.arguments[n] for n in ("scope", "question_id", "by"))
    questionnaire = questionnaires.get(scope.questionnaire_id)
    question = questionnaire.question(question_id) if questionnaire else None
    if question is None or question_type(question) not in ONE_ROW_COUNTS:
        return None
    counter, extra = ONE_ROW_COUNTS[question_type(question)]
    out: dict[Any, int] = {ALL: 0} if by is None else {}
    for key, n in run(counter, scope, question_id, by=by, **extra).items():
        out[key[0]] = out.get(key[0], 0) + n
    return out


def ranking_from_counts(
    run: Callable[..., Any],
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> RankingCounts | None:
    """`ranking_counts` from the (option, place) counts and respondents the ranking's
    question block reads anyway.

    Why exact: a ranking stores one answer row per (respondent, option) (its item is the
    option), so rows per (option, place) are respondents; and when every row has a place,
    those who ranked anything are those who answered.
    """
    if query is not ranking_counts:
        return None
    bound = _signature(query).bind(None, *args, **kwargs)
    scope, question_id = bound.arguments["scope"], bound.arguments["question_id"]
    questionnaire = questionnaires.get(scope.questionnaire_id)
    question = questionnaire.question(question_id) if questionnaire else None
    if question is None or question_type(question) != "ranking":
        return None
    counts = run(grouped_counts, scope, question_id, keys=("option_value", "rank"))
    if any(rank is None for _, _, rank in counts):
        return None
    answered = run(answered_by_group, scope, question_id)[ALL]
    cells = {(str(option), int(rank)): n for (_, option, rank), n in counts.items()}
    return RankingCounts(answered, cells)
