"""Needs-assessment figures (gap, top box, shares of points) from counts a build reads anyway.

Why: at 100,000 responses every pass over a matrix's answers sorts some 600,000 rows, a
few tenths of a second each. The gap's means and discrepancy spread follow from one joint
count of the pairs, and a matrix's top box and share of points from the (row, point)
counts its question block reads. Each derivation is exact or declines (returns None), in
which case its SQL runs: with whole points every sum is exact in floating point, so a
mean is the very number SQL's AVG gives.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..questionnaire.schema import Questionnaire
from .measures import discrepancy_counts, paired_row_cells, paired_row_means, top_box_counts
from .schema import question_type
from .sql import ALL, grouped_counts, grouped_rows, grouped_rows_with_ungrouped

Run = Callable[..., Any]


def _type_of(questionnaires: Mapping[str, Questionnaire], qid: str, question_id: str) -> str | None:
    questionnaire = questionnaires.get(qid)
    question = questionnaire.question(question_id) if questionnaire else None
    return None if question is None else question_type(question)


def _whole(value: Any) -> bool:
    return value is not None and float(value).is_integer()


def _pair_cells(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[str, dict[tuple[float, float], int]] | None:
    """The joint (importance, capacity) counts per row, when both questions are matrices
    (one answer row per person and row) and every point is whole; else None."""
    named = dict(zip(("scope", "importance_id", "capacity_id"), args, strict=False))
    named.update(kwargs)
    scope, importance_id, capacity_id = (
        named[n] for n in ("scope", "importance_id", "capacity_id")
    )
    for question_id in (importance_id, capacity_id):
        if _type_of(questionnaires, scope.questionnaire_id, question_id) != "matrix":
            return None
    cells: dict[str, dict[tuple[float, float], int]] = {}
    for row, pairs in run(paired_row_cells, scope, importance_id, capacity_id).items():
        for (importance, capacity), n in pairs.items():
            if importance is None or capacity is None:
                continue  # not rated in both
            if not (_whole(importance) and _whole(capacity)):
                return None
            cells.setdefault(row, {})[(importance, capacity)] = n
    return cells


def paired_means_from_cells(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[str, tuple[int, float, float]] | None:
    """`paired_row_means` from the joint counts of the pairs."""
    if query is not paired_row_means:
        return None
    cells = _pair_cells(run, questionnaires, args, kwargs)
    if cells is None:
        return None
    out = {}
    for row, pairs in cells.items():
        n = sum(pairs.values())
        importance = sum(i * count for (i, _), count in pairs.items())
        capacity = sum(c * count for (_, c), count in pairs.items())
        out[row] = (n, importance / n, capacity / n)
    return out


def discrepancies_from_cells(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[str, dict[float, int]] | None:
    """`discrepancy_counts` from the joint counts of the pairs."""
    if query is not discrepancy_counts:
        return None
    cells = _pair_cells(run, questionnaires, args, kwargs)
    if cells is None:
        return None
    out: dict[str, dict[float, int]] = {}
    for row, pairs in cells.items():
        spread = out.setdefault(row, {})
        for (importance, capacity), n in pairs.items():
            spread[importance - capacity] = spread.get(importance - capacity, 0) + n
    return out


def point_counts(
    run: Run, questionnaires: Mapping[str, Questionnaire], scope: Any, question_id: str
) -> dict[str | None, dict[float, int]] | None:
    """Respondents per row (None for a scale) and point; None unless a matrix or scale with
    whole points (one answer row per person and row, so the cells of a row add up)."""
    kind = _type_of(questionnaires, scope.questionnaire_id, question_id)
    if kind not in ("matrix", "scale"):
        return None
    keys = ("row", "number_value") if kind == "matrix" else ("number_value",)
    out: dict[str | None, dict[float, int]] = {}
    for key, n in run(grouped_counts, scope, question_id, keys=keys).items():
        row, point = (key[1], key[2]) if kind == "matrix" else (None, key[1])
        if point is None:
            continue
        if not _whole(point):
            return None
        out.setdefault(row, {})[float(point)] = n
    return out


def top_box_from_counts(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
) -> dict[str | None, tuple[int, int]] | None:
    """`top_box_counts` of a matrix or scale from its (row, point) counts."""
    if query is not top_box_counts:
        return None
    named = dict(zip(("scope", "question_id", "threshold"), args, strict=False))
    named.update(kwargs)
    counts = point_counts(run, questionnaires, named["scope"], named["question_id"])
    if counts is None:
        return None
    threshold = named["threshold"]
    return {
        row: (sum(points.values()), sum(n for p, n in points.items() if p >= threshold))
        for row, points in counts.items()
    }


def share_of_points(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    scope: Any,
    question_id: str,
    row: str | None,
    values: Sequence[float] | None,
    at_least: float | None,
    at_most: float | None,
) -> int | None:
    """Respondents who gave the row (or scale) a point in `values` or within the bounds
    (inclusive), as `measures.value_condition` selects them; None to run the SQL."""
    if row is None and _type_of(questionnaires, scope.questionnaire_id, question_id) == "matrix":
        return None  # anyone rating any row so: people may count in several rows
    counts = point_counts(run, questionnaires, scope, question_id)
    if counts is None:
        return None
    chosen = set(values or ())
    ranged = at_least is not None or at_most is not None

    def selected(point: float) -> bool:
        within = (at_least is None or point >= at_least) and (at_most is None or point <= at_most)
        return point in chosen or (ranged and within)

    return sum(n for point, n in counts.get(row, {}).items() if selected(point))


def importance_points_from_pairs(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    gaps: Mapping[str, str],
    breakdowns: Mapping[str, str],
) -> dict[tuple[Any, ...], int] | None:
    """A gap's importance matrix's respondents per (row, point), from the gap's outer join
    (unless a block breaks the matrix down: then its breakdown's one pass gives them).

    Why exact: a matrix has one answer row per (respondent, row), and the join adds at most
    one capacity row to it (one per row as well), so the cells of a (row, point) summed
    over the capacity points, none included, are its respondents.
    """
    if query is not grouped_counts:
        return None
    named = dict(zip(("scope", "question_id", "keys", "by"), args, strict=False))
    named.update(kwargs)
    scope, question_id = named["scope"], named["question_id"]
    keys, by = tuple(named.get("keys", ("option_value",))), named.get("by")
    capacity_id = gaps.get(question_id)
    qid = scope.questionnaire_id
    if (
        capacity_id is None
        or by is not None
        or question_id in breakdowns
        or keys != ("row", "number_value")
        or _type_of(questionnaires, qid, question_id) != "matrix"
        or _type_of(questionnaires, qid, capacity_id) != "matrix"
    ):
        return None
    out: dict[tuple[Any, ...], int] = {}
    for row, pairs in run(paired_row_cells, scope, question_id, capacity_id).items():
        for (importance, _), n in pairs.items():
            out[(ALL, row, importance)] = out.get((ALL, row, importance), 0) + n
    return _in_sql_order(out)


#: The answer column that tells a respondent's rows to a question apart, by question type
#: (responses.answer_rows: one row per chosen option, matrix row or ranked option); other
#: types store one row per respondent.
_ROW_KEY = {
    "single_choice": "option_value",
    "multi_choice": "option_value",
    "ranking": "option_value",
    "matrix": "row",
}
#: Groups whose answers are one row per respondent, or one per chosen option (the group).
_GROUP_TYPES = ("single_choice", "multi_choice", "country")
#: Groups with one answer row per respondent: everyone is in one group or in none.
_ONE_ROW_GROUPS = ("single_choice", "country")


def rows_for_respondents(
    run: Run,
    questionnaires: Mapping[str, Questionnaire],
    query: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: Mapping[str, Any],
    breakdowns: Mapping[str, str] | None = None,
) -> dict[tuple[Any, ...], int] | None:
    """`grouped_counts` as a row count, when each respondent has at most one row per cell:
    the question's rows are told apart by a column among the keys (or it has one row per
    respondent), and the group question has one row per respondent and group.

    With `breakdowns` (question -> the `by` a block breaks it down by), the counts with and
    without that breakdown come from one pass (`grouped_rows_with_ungrouped`).
    """
    if query is not grouped_counts:
        return None
    named = dict(zip(("scope", "question_id", "keys", "by"), args, strict=False))
    named.update(kwargs)
    scope, question_id = named["scope"], named["question_id"]
    keys, by = tuple(named.get("keys", ("option_value",))), named.get("by")
    qid = scope.questionnaire_id
    kind = _type_of(questionnaires, qid, question_id)
    row_key = _ROW_KEY.get(kind or "")
    if kind is None or (row_key is not None and row_key not in keys):
        return None
    if by is not None and _type_of(questionnaires, qid, by) not in _GROUP_TYPES:
        return None
    planned = (breakdowns or {}).get(question_id)
    if (
        planned is not None
        and by in (None, planned)
        and _type_of(questionnaires, qid, planned) in _ONE_ROW_GROUPS
    ):
        both: dict[tuple[Any, ...], int] = run(
            grouped_rows_with_ungrouped, scope, question_id, keys, planned
        )
        if by is not None:
            return {key: n for key, n in both.items() if key[0] is not None}
        return _ungrouped(both)
    found: dict[tuple[Any, ...], int] = run(grouped_rows, scope, question_id, keys=keys, by=by)
    return found


def _ungrouped(counts: Mapping[tuple[Any, ...], int]) -> dict[tuple[Any, ...], int]:
    """Counts per (group, *keys) summed over the groups, as (ALL, *keys) in GROUP BY order."""
    out: dict[tuple[Any, ...], int] = {}
    for key, n in counts.items():
        out[(ALL, *key[1:])] = out.get((ALL, *key[1:]), 0) + n
    return _in_sql_order(out)


def _in_sql_order(counts: Mapping[tuple[Any, ...], int]) -> dict[tuple[Any, ...], int]:
    """(ALL, *keys) counts in the order GROUP BY returns them."""
    return dict(sorted(counts.items(), key=lambda item: tuple(_sql_order(v) for v in item[0][1:])))


def _sql_order(value: Any) -> tuple[int, Any]:
    """SQLite's order of one column: NULL first, then numbers, then text."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    return (2, str(value))


#: Every derivation above that stands in for a cached query, in the order they are tried.
DERIVATIONS = (
    paired_means_from_cells,
    discrepancies_from_cells,
    top_box_from_counts,
)
