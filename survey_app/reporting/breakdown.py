"""Populations and released rows: the machinery every per-type aggregator shares.

A question's figures describe populations the disclosure layer clears (disclosure.py):
the scope's people who answered the question (`PopulationDef.answered`), and for a `by`
breakdown (a single_choice or country question) its groups as `Disclosure.breakdown`
plans them, hidden groups and people who left `by` blank counted as "Other groups" when
they are k or more together. A shown population prints all its figures, each released
here; a hidden one prints nothing. Aggregators never compare a count with k.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..questionnaire.countries import country_name
from ..questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    MatrixQuestion,
    QuestionBase,
    ScaleQuestion,
)
from .disclosure import Disclosure, Hidden, Population
from .schema import question_type
from .shown import Frame, shown_count
from .sql import ALL, GroupFilter, answered_by_group
from .stats import wilson_interval
from .summaries import REST, TOTAL, Category, Distribution, DistributionSummary

__all__ = ["Frame", "Rows"]

TOTAL_LABEL = "All respondents"
OTHER_LABEL = "Other"
#: Named groups in a breakdown; smaller ones join the other groups.
MAX_GROUPS = 8


@dataclass(frozen=True)
class Rows:
    """The populations of one question: who answered it, and the breakdown's shown rows."""

    question: QuestionBase
    #: Respondents in scope who answered.
    answered: int
    total: Population | Hidden
    #: (key, population) per shown breakdown row in print order; REST ("Other groups") last.
    groups: tuple[tuple[str, Population], ...] = ()
    #: Groups not shown by name (fewer than k, or hidden to protect one that is).
    hidden_groups: int = 0
    by: str | None = None
    by_question: QuestionBase | None = None

    @property
    def named(self) -> tuple[str, ...]:
        """Values of the groups shown by name."""
        return tuple(key for key, _ in self.groups if key != REST)

    def where(self, key: str) -> GroupFilter | None:
        """SQL filter for one row (None for the total)."""
        if self.by is None or key == TOTAL:
            return None
        if key == REST:
            return GroupFilter(self.by, self.named, exclude=True)
        return GroupFilter(self.by, (key,))


def start(
    frame: Frame,
    question: QuestionBase,
    by: str | None,
    by_question: QuestionBase | None,
) -> Rows:
    """Who answered the question, and the breakdown's groups, as populations."""
    disclosure = frame.disclosure
    answered = frame.run(answered_by_group, frame.scope, question.id).get(ALL, 0)
    definition = frame.scope.population().narrowed(answered=question.id)
    label = f"{frame.label} who answered “{question.id}”"
    total = disclosure.population(definition, label, answered)
    if by is None or not isinstance(total, Population):
        return Rows(question, answered, total, by=by, by_question=by_question)
    raw = frame.run(answered_by_group, frame.scope, question.id, by)
    sizes = {str(g): n for g, n in raw.items() if g is not None and n}
    ordered = {g: sizes[g] for g in _group_order(by_question, sizes)}
    blank = answered > sum(sizes.values())
    plan = disclosure.breakdown(
        total,
        by,
        ordered,
        {g: group_label(by_question, g) for g in ordered},
        max_groups=MAX_GROUPS,
        other_label="Other groups or no answer" if blank else "Other groups",
        before=_base_groups(frame, by),
    )
    groups = [(g, pop) for g, pop in plan.groups]
    if plan.other is not None:
        groups.append((REST, plan.other))
    return Rows(question, answered, total, tuple(groups), len(plan.hidden), by, by_question)


def _base_groups(frame: Frame, by: str) -> tuple[int, dict[str, int]] | None:
    """The scope's people and their sizes per answer to `by`, answered or not."""
    if not isinstance(frame.population, Population):
        return None
    raw = frame.run(answered_by_group, frame.scope, by, by)
    return frame.population.size, {str(g): n for g, n in raw.items() if g is not None}


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


def row_counts(
    rows: Rows,
    totals: Mapping[str, int],
    groups: Mapping[tuple[Any, ...], int],
    columns: Sequence[str],
) -> dict[str, dict[str, int]]:
    """Raw counts per column for the total (TOTAL) and every shown breakdown row.

    `groups` maps (group, column) -> respondents; "Other groups" is the total minus the
    groups shown by name.
    """
    out = {TOTAL: {c: totals.get(c, 0) for c in columns}}
    for key, _ in rows.groups:
        if key == REST:
            out[key] = {
                c: totals.get(c, 0) - sum(groups.get((g, c), 0) for g in rows.named)
                for c in columns
            }
        else:
            out[key] = {c: groups.get((key, c), 0) for c in columns}
    return out


def release_row(
    disclosure: Disclosure,
    population: Population | Hidden,
    key: str,
    label: str,
    question: str,
    counts: Mapping[str, int],
    *,
    mean: float | None = None,
    row: str | None = None,
    intervals: bool = False,
) -> Distribution:
    """A printed row: n, count and share per column, the mean; nothing when hidden."""
    if not isinstance(population, Population):
        return Distribution(key, label, None)
    where: dict[str, Any] = {"question": question, "row": row}
    n = disclosure.release_count(population, "size", population.size)
    released = tuple(
        disclosure.release_count(population, "count", c, item=item, **where)
        for item, c in counts.items()
    )
    shares = tuple(
        disclosure.release_share(population, c, n, item=item, **where) for item, c in counts.items()
    )
    cis: list[tuple[float, float]] = []
    if intervals:
        for item, c in counts.items():
            low, high = wilson_interval(c, n) or (0.0, 0.0)
            bounds = (
                disclosure.release(population, name, 100 * value, digits=0, item=item, **where)
                for name, value in (("ci_low", low), ("ci_high", high))
            )
            cis.append((next(bounds), next(bounds)))
    shown_mean = None
    if mean is not None:
        shown_mean = disclosure.release(population, "mean", mean, digits=1, **where)
    return Distribution(key, label, n, released, shares, shown_mean, tuple(cis))


def release_n(disclosure: Disclosure, population: Population | Hidden) -> int | None:
    """A population's size as printed, None when hidden."""
    if not isinstance(population, Population):
        return None
    return disclosure.release_count(population, "size", population.size)


def base_fields(frame: Frame, rows: Rows) -> dict[str, Any]:
    """The fields every summary has: scope size, answered, shown to, the breakdown."""
    question, disclosure, scope = rows.question, frame.disclosure, frame.population
    respondents = answered = shown = None
    if isinstance(scope, Population):
        respondents = disclosure.release_count(scope, "size", scope.size)
        answered = disclosure.release_count(scope, "answered", rows.answered, question=question.id)
        if frame.questionnaire is not None and _conditional(frame, question.id):
            count = shown_count(frame, question.id)
            shown = disclosure.release_count(scope, "shown", count, question=question.id)
    by_question = rows.by_question
    return {
        "question_id": question.id,
        "question_type": question_type(question),
        "prompt": question.prompt,
        "k": disclosure.k,
        "respondents": respondents,
        "answered": answered,
        "shown": shown,
        "by": rows.by,
        "by_prompt": by_question.prompt if by_question is not None else None,
        "hidden_groups": rows.hidden_groups,
    }


def _conditional(frame: Frame, question_id: str) -> bool:
    questionnaire = frame.questionnaire
    assert questionnaire is not None  # noqa: S101 -- checked by the caller
    for section in questionnaire.sections:
        for question in section.questions:
            if question.id == question_id:
                return section.show_if is not None or question.show_if is not None
    return False


def by_column(counts: Mapping[tuple[Any, ...], int]) -> dict[str, int]:
    """{(ALL, value): n} -> {value: n}."""
    return {str(key[1]): n for key, n in counts.items() if key[1] is not None}


def summarize_distribution(
    cls: type[DistributionSummary],
    frame: Frame,
    rows: Rows,
    categories: Sequence[Category],
    totals: Mapping[str, int],
    groups: Mapping[tuple[Any, ...], int],
    *,
    means: Mapping[str, float | None] | None = None,
    intervals: bool = False,
    **extra: Any,
) -> DistributionSummary:
    """Release and package a one-dimensional distribution and its breakdown."""
    counts = row_counts(rows, totals, groups, [c.value for c in categories])
    means = means or {}
    qid = rows.question.id
    total = release_row(
        frame.disclosure,
        rows.total,
        TOTAL,
        TOTAL_LABEL,
        qid,
        counts[TOTAL],
        mean=means.get(TOTAL),
        intervals=intervals,
    )
    groups_out = tuple(
        release_row(frame.disclosure, pop, key, pop.label, qid, counts[key], mean=means.get(key))
        for key, pop in rows.groups
    )
    return cls(
        **base_fields(frame, rows),
        categories=tuple(categories),
        total=total,
        groups=groups_out,
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
