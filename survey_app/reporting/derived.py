"""Aggregates one build can answer without another query: shared cache keys, derived counts."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Mapping
from functools import cache
from typing import Any

from ..questionnaire.schema import Questionnaire
from .schema import question_type
from .sql import ALL, answered_by_group, date_counts, grouped_counts

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
