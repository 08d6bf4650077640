"""One aggregator per question type: counts in SQL, released through the disclosure layer.

`summarize_<type>(frame, question, by=None, by_question=None)` counts with the GROUP BY
helpers of `sql.py`, asks the disclosure layer which populations show (`breakdown.py`:
the scope's people who answered, and the groups of a `by` breakdown), releases every
figure of the shown ones and returns plain numbers and strings (`summaries.py`).
`AGGREGATORS` maps every question type to its aggregator; tests/test_question_types.py
fails when one is missing. Matrix, ranking and number aggregators live in
`aggregate_numeric.py`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..questionnaire.countries import country_name
from ..questionnaire.questions import OTHER_VALUE, ChoiceQuestionBase, QuestionBase, ScaleQuestion
from .aggregate_numeric import summarize_matrix, summarize_number, summarize_ranking
from .breakdown import (
    OTHER_LABEL,
    TOTAL_LABEL,
    Rows,
    base_fields,
    by_column,
    point_label,
    release_n,
    start,
    summarize_distribution,
    weighted_mean,
)
from .disclosure import Population
from .schema import question_type
from .shown import Frame
from .sql import date_counts, grouped_counts
from .summaries import (
    REST,
    TOTAL,
    Category,
    ChoiceSummary,
    DateSummary,
    Distribution,
    ScaleSummary,
    Summary,
    TextSummary,
)

#: Prefix of a column counting every answer but the listed ones ("Other countries", "Other
#: groups"): the JSON report names it by what it leaves out, so it can be recounted.
OTHER_PREFIX = "not:"


def other_than(named: Sequence[str]) -> str:
    """The key of the column of every answer but `named`."""
    return OTHER_PREFIX + ",".join(sorted(named))


#: Countries listed by name, the most frequent first; the others are counted together.
MAX_COUNTRIES = 12
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Aggregator = Callable[..., Summary]


# --- choices and countries ------------------------------------------------------------


def summarize_single_choice(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> ChoiceSummary:
    """Respondents and share per option ("Other" included); shares add up to 100%."""
    return _summarize_choice(frame, question, by, by_question, multiple=False)


def summarize_multi_choice(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> ChoiceSummary:
    """Respondents and share of respondents per option; shares add up to more than 100%."""
    return _summarize_choice(frame, question, by, by_question, multiple=True)


def _summarize_choice(
    frame: Frame,
    question: QuestionBase,
    by: str | None,
    by_question: QuestionBase | None,
    *,
    multiple: bool,
) -> ChoiceSummary:
    assert isinstance(question, ChoiceQuestionBase)  # noqa: S101 -- AGGREGATORS dispatches by type
    rows = start(frame, question, by, by_question)
    totals = by_column(frame.run(grouped_counts, frame.scope, question.id))
    categories = [Category(o.value, o.label) for o in question.options]
    if question.other or totals.get(OTHER_VALUE):
        categories.append(Category(OTHER_VALUE, OTHER_LABEL))
    groups = frame.run(grouped_counts, frame.scope, question.id, by=by) if rows.groups else {}
    if question.id in frame.disclosure.dimensions and not multiple:
        categories, totals, groups = fold_dimension(frame, rows, categories, totals, groups)
    summary = summarize_distribution(
        ChoiceSummary,
        frame,
        rows,
        categories,
        totals,
        groups,
        intervals=True,
        multiple=multiple,
    )
    assert isinstance(summary, ChoiceSummary)  # noqa: S101 -- built from cls above
    return summary


def summarize_country(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> ChoiceSummary:
    """Respondents per country, most frequent first; beyond MAX_COUNTRIES counted together.

    Every country of a shown population is a figure of that population, however few
    people named it (the population, not the cell, is what must reach k).
    """
    rows = start(frame, question, by, by_question)
    raw = by_column(frame.run(grouped_counts, frame.scope, question.id))
    named = sorted(raw, key=lambda c: (-raw[c], country_name(c)))[:MAX_COUNTRIES]
    if question.id in frame.disclosure.dimensions:
        named = list(shown_groups(frame, rows, {str(c): raw[c] for c in named}))

    others = other_than([str(c) for c in named])

    def fold(code: Any) -> str:
        return str(code) if code in named else others

    categories = [Category(c, country_name(c)) for c in named]
    totals: dict[str, int] = defaultdict(int)
    for code, n in raw.items():
        totals[fold(code)] += n
    if totals.get(others):
        categories.append(Category(others, "Other countries"))
    groups: dict[tuple[Any, ...], int] = defaultdict(int)
    if rows.groups:
        for (group, code), n in frame.run(grouped_counts, frame.scope, question.id, by=by).items():
            groups[(group, fold(code))] += n
    summary = summarize_distribution(ChoiceSummary, frame, rows, categories, totals, groups)
    assert isinstance(summary, ChoiceSummary)  # noqa: S101 -- built from cls above
    return summary


def shown_groups(frame: Frame, rows: Rows, sizes: Mapping[str, int]) -> tuple[str, ...]:
    """The answers to a group-defining question that may be printed by name.

    Why: each count of such a question is the size of a group; the groups hidden in a
    breakdown must not be counted here either. `Disclosure.breakdown` applies the same
    rules (k, and the residual of hidden groups either none or at least k).
    """
    if not isinstance(rows.total, Population):
        return ()
    question = rows.question
    labels = {value: value for value in sizes}
    plan = frame.disclosure.breakdown(
        rows.total, question.id, sizes, labels, max_groups=len(sizes) or 1
    )
    return tuple(value for value, _ in plan.groups)


def fold_dimension(
    frame: Frame,
    rows: Rows,
    categories: Sequence[Category],
    totals: Mapping[str, int],
    groups: Mapping[tuple[Any, ...], int],
) -> tuple[list[Category], dict[str, int], dict[tuple[Any, ...], int]]:
    """A group-defining question's options, those that may not show counted as one column."""
    named = set(shown_groups(frame, rows, {c.value: totals.get(c.value, 0) for c in categories}))

    others = other_than(list(named))

    def fold(value: Any) -> str:
        return str(value) if value in named else others

    folded_totals: dict[str, int] = defaultdict(int)
    for value, n in totals.items():
        folded_totals[fold(value)] += n
    folded_groups: dict[tuple[Any, ...], int] = defaultdict(int)
    for (group, value), n in groups.items():
        folded_groups[(group, fold(value))] += n
    kept = [c for c in categories if c.value in named]
    if folded_totals.get(others):
        kept.append(Category(others, "Other groups"))
    return kept, dict(folded_totals), dict(folded_groups)


# --- scales ---------------------------------------------------------------


def summarize_scale(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> ScaleSummary:
    """Respondents per scale point and the mean, per group."""
    assert isinstance(question, ScaleQuestion)  # noqa: S101 -- AGGREGATORS dispatches by type
    rows = start(frame, question, by, by_question)
    keys = ("number_value",)
    totals = {
        str(int(key[1])): n
        for key, n in frame.run(grouped_counts, frame.scope, question.id, keys).items()
        if key[1] is not None
    }
    groups = {
        (key[0], str(int(key[1]))): n
        for key, n in (
            frame.run(grouped_counts, frame.scope, question.id, keys, by=by) if rows.groups else {}
        ).items()
        if key[1] is not None
    }
    means = {TOTAL: weighted_mean(totals)}
    for key, _ in rows.groups:
        if key == REST:
            rest = {
                v: n - sum(groups.get((g, v), 0) for g in rows.named) for v, n in totals.items()
            }
            means[REST] = weighted_mean(rest)
        else:
            means[key] = weighted_mean({v: n for (g, v), n in groups.items() if g == key})
    categories = [Category(str(p), point_label(question, p)) for p in question.scale.points()]
    summary = summarize_distribution(
        ScaleSummary, frame, rows, categories, totals, groups, means=means
    )
    assert isinstance(summary, ScaleSummary)  # noqa: S101 -- built from cls above
    return summary


# --- dates and texts -------------------------------------------------------------------


def summarize_date(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> DateSummary:
    """Respondents per month; per year, or decade, when the dates span longer."""
    rows = start(frame, question, by, by_question)
    raw = frame.run(date_counts, frame.scope, question.id)
    months = sorted((int(y), int(m)) for _, y, m in raw)
    period = "month"
    categories: list[Category] = []
    if months:
        (y0, m0), (y1, m1) = months[0], months[-1]
        if (y1 * 12 + m1) - (y0 * 12 + m0) < 15:
            categories = [
                Category(f"{i // 12:04d}-{i % 12 + 1:02d}", f"{MONTHS[i % 12]} {i // 12}")
                for i in range(y0 * 12 + m0 - 1, y1 * 12 + m1)
            ]
        elif y1 - y0 < 15:
            period = "year"
            categories = [Category(str(y), str(y)) for y in range(y0, y1 + 1)]
        else:
            period = "decade"
            categories = [Category(f"{d}s", f"{d}s") for d in range(y0 // 10 * 10, y1 + 1, 10)]

    def column(year: int, month: int) -> str:
        if period == "month":
            return f"{year:04d}-{month:02d}"
        return str(year) if period == "year" else f"{year // 10 * 10}s"

    totals: dict[str, int] = defaultdict(int)
    for (_, y, m), n in raw.items():
        totals[column(y, m)] += n
    groups: dict[tuple[Any, ...], int] = defaultdict(int)
    if rows.groups:
        for (g, y, m), n in frame.run(date_counts, frame.scope, question.id, by).items():
            groups[(g, column(y, m))] += n
    summary = summarize_distribution(
        DateSummary, frame, rows, categories, totals, groups, period=period
    )
    assert isinstance(summary, DateSummary)  # noqa: S101 -- built from cls above
    return summary


def summarize_text(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> TextSummary:
    """How many answered, per group; the answers themselves never leave the database here."""
    rows = start(frame, question, by, by_question)
    disclosure = frame.disclosure
    return TextSummary(
        **base_fields(frame, rows),
        categories=(),
        total=Distribution(TOTAL, TOTAL_LABEL, release_n(disclosure, rows.total)),
        groups=tuple(
            Distribution(key, pop.label, release_n(disclosure, pop)) for key, pop in rows.groups
        ),
    )


#: The aggregator of every question type (a test checks none is missing).
AGGREGATORS: dict[str, Aggregator] = {
    "single_choice": summarize_single_choice,
    "multi_choice": summarize_multi_choice,
    "scale": summarize_scale,
    "matrix": summarize_matrix,
    "ranking": summarize_ranking,
    "number": summarize_number,
    "short_text": summarize_text,
    "long_text": summarize_text,
    "date": summarize_date,
    "country": summarize_country,
}


def summarize(
    frame: Frame,
    question: QuestionBase,
    by: str | None = None,
    by_question: QuestionBase | None = None,
) -> Summary:
    """The summary of any question, by its type."""
    return AGGREGATORS[question_type(question)](frame, question, by, by_question)
