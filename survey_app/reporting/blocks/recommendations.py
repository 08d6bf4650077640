"""Recommendations block: YAML rules on aggregates; those that hold are printed with their figure.

A rule is tested on the figure as the report prints it (a whole percentage, a mean to one
decimal, a place by the printed Borda scores), of the scope's people who answered the
question; when they are fewer than k, the rule is "not evaluated", which is not the same
as "does not hold". No sentence prints a count hidden behind a threshold.

Naming: a ShareMeasure's `in` / `at_least` / `at_most` select which *answers* count; a
Rule's `at_least` / `at_most` are the thresholds on the resulting *figure* (a share as a
fraction 0..1, a mean, or a Borda place where 1 is the top).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from ...models import Answer
from ...questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    MatrixQuestion,
    QuestionBase,
    RankingQuestion,
    ScaleQuestion,
)
from ..agreement import agreeing_scope
from ..context import ReportContext
from ..derived_needs import share_of_points
from ..disclosure import Population, round_half_up
from ..measures import (
    BORDA_NAME,
    answered_population,
    competition_ranks,
    count_answering,
    mean_of,
    ranking_counts,
    value_condition,
)
from ..results import BlockResult, Chart
from ..schema import MeanMeasure, RankMeasure, RecommendationsBlock, Rule, ShareMeasure
from ..scope import Scope
from ..sql import count_respondents
from . import BlockKind

Status = Literal["holds", "does_not_hold", "not_evaluated"]
#: Slack for comparing a figure with its threshold (a share of 2/5 against 0.4).
TOLERANCE = 1e-9
#: Decimal places of printed figures: shares as whole percentages, means as the question
#: block prints them, Borda scores as the priorities block does.
SHARE_DIGITS = 0
MEAN_DIGITS = 1
BORDA_DIGITS = 2


@dataclass(frozen=True)
class Finding:
    """One rule and what the data said about it."""

    rule_id: str
    #: The recommendation, as written in the report definition.
    text: str
    #: The sentence with the figure and the threshold.
    evidence: str
    status: Status
    #: The printed figure tested (share 0..1, mean, or place); None when not evaluated.
    figure: float | None = None
    n: int | None = None


@dataclass(frozen=True)
class RecommendationsResult(BlockResult):
    """Rules that hold, then (for the appendix) those that do not and those not evaluated."""

    fired: tuple[Finding, ...] = ()
    not_fired: tuple[Finding, ...] = ()
    not_evaluated: tuple[Finding, ...] = ()

    @property
    def summary(self) -> str:
        """What to say in place of the list when no rule holds."""
        if self.not_fired and self.not_evaluated:
            return (
                "None of the rules that could be evaluated holds for these responses, and "
                "some could not be evaluated (too few responses); the rules are listed below."
            )
        if self.not_fired:
            return "None of the rules tested holds for these responses; the rules are listed below."
        return (
            "No rule could be evaluated: too few people answered the questions the rules "
            "test. The rules are listed below."
        )


def compute(ctx: ReportContext, block: RecommendationsBlock) -> RecommendationsResult:
    """Evaluate every rule on the report's scope, one or two SQL aggregates per rule."""
    scope = ctx.scope()
    findings = [
        evaluate(ctx, agreeing_scope(ctx, scope, (rule.measure().question,)).scope, rule)
        for rule in block.rules
    ]
    return RecommendationsResult(
        heading=block.title or "Recommendations",
        intro=block.intro,
        empty=ctx.aggregate(count_respondents, scope) == 0,
        fired=tuple(f for f in findings if f.status == "holds"),
        not_fired=tuple(f for f in findings if f.status == "does_not_hold"),
        not_evaluated=tuple(f for f in findings if f.status == "not_evaluated"),
    )


def draw(result: RecommendationsResult) -> tuple[Chart, ...]:
    """Recommendations are sentences: no chart."""
    return ()


def evaluate(ctx: ReportContext, scope: Scope, rule: Rule) -> Finding:
    """The finding of one rule, tested on the figure as printed."""
    measure = rule.measure()
    if isinstance(measure, ShareMeasure):
        return _share(ctx, scope, rule, measure)
    if isinstance(measure, MeanMeasure):
        return _mean(ctx, scope, rule, measure)
    return _rank(ctx, scope, rule, measure)


def holds(rule: Rule, figure: float) -> bool:
    """Whether the figure lies within the rule's at_least..at_most (inclusive)."""
    if rule.at_least is not None and figure < rule.at_least - TOLERANCE:
        return False
    return rule.at_most is None or figure <= rule.at_most + TOLERANCE


def _share(ctx: ReportContext, scope: Scope, rule: Rule, measure: ShareMeasure) -> Finding:
    question = ctx.question(measure.question)
    what = _share_subject(question, measure)
    threshold = _threshold(rule, _percent)
    base = ctx.aggregate(count_answering, scope, question.id, measure.row)
    label = f"{ctx.scope_label(scope)} who answered “{question.prompt}”"
    pop = answered_population(ctx.disclosure, scope, base, label, question.id, measure.row)
    if not isinstance(pop, Population):
        return _not_evaluated(rule, ctx.k, f"share of respondents who {what}", threshold)
    count = _share_count(ctx, scope, question, measure)
    n = ctx.disclosure.release_count(pop, "size", base)
    share = ctx.disclosure.release_share(
        pop,
        count,
        base,
        digits=SHARE_DIGITS,
        question=question.id,
        row=measure.row,
        item=_items(question, measure),
    )
    evidence = f"{share:.0f}% of {n} respondents {what} (threshold: {threshold})."
    status: Status = "holds" if holds(rule, share / 100) else "does_not_hold"
    return Finding(rule.id, rule.text, evidence, status, share / 100, n)


def _share_count(
    ctx: ReportContext, scope: Scope, question: QuestionBase, measure: ShareMeasure
) -> int:
    """Respondents the share counts: from the point counts already read when exact."""
    if isinstance(question, MatrixQuestion | ScaleQuestion):
        values = [float(v) for v in measure.in_ if _is_number(v)] if measure.in_ else None
        found = share_of_points(
            ctx.aggregate,
            ctx.questionnaires,
            scope,
            question.id,
            measure.row,
            values,
            measure.at_least,
            measure.at_most,
        )
        if found is not None:
            return found
    condition = _condition(question, measure)
    return count_answering(ctx.session, scope, question.id, measure.row, condition)


def _items(question: QuestionBase, measure: ShareMeasure) -> str:
    """The answers a share counts, as the released figure's `item`.

    Values joined by commas (a person counts once if they gave any of them); a scale's
    range as the points in it; a number range as "lo..hi" (inclusive, an end left open).
    """
    if isinstance(question, MatrixQuestion | ScaleQuestion):
        points = range(question.scale.min, question.scale.max + 1)
        chosen = {float(v) for v in measure.in_ or [] if _is_number(v)}
        lo, hi = measure.at_least, measure.at_most
        ranged = lo is not None or hi is not None
        return ",".join(
            str(p)
            for p in points
            if p in chosen or (ranged and (lo is None or p >= lo) and (hi is None or p <= hi))
        )
    parts = list(measure.in_ or [])
    if measure.at_least is not None or measure.at_most is not None:
        low = f"{measure.at_least:g}" if measure.at_least is not None else ""
        high = f"{measure.at_most:g}" if measure.at_most is not None else ""
        parts.append(f"{low}..{high}")
    return ",".join(parts)


def _condition(question: QuestionBase, measure: ShareMeasure) -> Any:
    """SQL condition on the answer column the question stores its value in."""
    if isinstance(question, ChoiceQuestionBase | CountryQuestion):
        return value_condition(Answer.option_value, measure.in_, None, None)
    if isinstance(question, DateQuestion):
        values = [dt.date.fromisoformat(v) for v in measure.in_] if measure.in_ else None
        return value_condition(Answer.date_value, values, None, None)
    values_f = [float(v) for v in measure.in_ if _is_number(v)] if measure.in_ else None
    return value_condition(Answer.number_value, values_f, measure.at_least, measure.at_most)


def _share_subject(question: QuestionBase, measure: ShareMeasure) -> str:
    """ "chose “NGO” or “Academia” in answer to “…”", "rated “row” at 2 or below (“…”)"."""
    if isinstance(question, ChoiceQuestionBase):
        labels = {o.value: o.label for o in question.options} | {OTHER_VALUE: "Other"}
        picked = " or ".join(f"“{labels.get(v, v)}”" for v in measure.in_ or [])
        return f"chose {picked} in answer to “{question.prompt}”"
    answers = _answers(measure)
    if isinstance(question, MatrixQuestion):
        label = next((r.label for r in question.rows if r.value == measure.row), measure.row)
        return f"rated “{label}” {answers} (“{question.prompt}”)"
    return f"answered {answers.removeprefix('at ')} to “{question.prompt}”"


def _answers(measure: ShareMeasure) -> str:
    """Which answers count: "at 2 or below", "at 1 or 2", "between 2 and 4"."""
    parts = []
    if measure.in_:
        parts.append("at " + " or ".join(measure.in_))
    lo, hi = measure.at_least, measure.at_most
    if lo is not None and hi is not None:
        parts.append(f"between {lo:g} and {hi:g}")
    elif lo is not None:
        parts.append(f"at {lo:g} or above")
    elif hi is not None:
        parts.append(f"at {hi:g} or below")
    return ", or ".join(parts)


def _mean(ctx: ReportContext, scope: Scope, rule: Rule, measure: MeanMeasure) -> Finding:
    question = ctx.question(measure.question)
    if isinstance(question, MatrixQuestion):
        label = next((r.label for r in question.rows if r.value == measure.row), measure.row)
        subject = f"mean rating of “{label}” (“{question.prompt}”)"
    else:
        subject = f"mean answer to “{question.prompt}”"
    threshold = _threshold(rule, _number)
    n, mean = ctx.aggregate(mean_of, scope, question.id, measure.row)
    name = f"{ctx.scope_label(scope)} who answered “{question.prompt}”"
    pop = answered_population(ctx.disclosure, scope, n, name, question.id, measure.row)
    if not isinstance(pop, Population) or mean is None:
        return _not_evaluated(rule, ctx.k, subject, threshold)
    printed_n = ctx.disclosure.release_count(pop, "size", n)
    printed = ctx.disclosure.release(
        pop, "mean", mean, digits=MEAN_DIGITS, question=question.id, row=measure.row
    )
    evidence = (
        f"The {subject} is {printed:.{MEAN_DIGITS}f} (n = {printed_n}; threshold: {threshold})."
    )
    status: Status = "holds" if holds(rule, printed) else "does_not_hold"
    return Finding(rule.id, rule.text, evidence, status, printed, printed_n)


def _rank(ctx: ReportContext, scope: Scope, rule: Rule, measure: RankMeasure) -> Finding:
    question = ctx.question(measure.question)
    assert isinstance(question, RankingQuestion)  # noqa: S101 -- schema-checked
    label = next(o.label for o in question.options if o.value == measure.option)
    options = question.option_values()
    subject = f"place of “{label}” among the {len(options)} options of “{question.prompt}”"
    threshold = _threshold(rule, _place)
    counts = ctx.aggregate(ranking_counts, scope, question.id)
    name = f"{ctx.scope_label(scope)} who answered “{question.prompt}”"
    pop = answered_population(ctx.disclosure, scope, counts.answered, name, question.id)
    if not isinstance(pop, Population):
        return _not_evaluated(rule, ctx.k, subject, threshold)
    # Places follow the scores as printed (two decimals), as a ranking table shows them.
    scores = [round_half_up(counts.score(v, question.top), BORDA_DIGITS) for v in options]
    where = {"question": question.id, "item": measure.option}
    n = ctx.disclosure.release_count(pop, "size", counts.answered)
    score = ctx.disclosure.release(
        pop,
        "borda_score",
        counts.score(measure.option, question.top),
        digits=BORDA_DIGITS,
        **where,
    )
    place = ctx.disclosure.release_count(
        pop, "borda_place", competition_ranks(scores)[options.index(measure.option)], **where
    )
    evidence = (
        f"“{label}” is in place {place} of {len(options)} by {BORDA_NAME} "
        f"({score:.{BORDA_DIGITS}f}) in “{question.prompt}” (n = {n}; threshold: {threshold})."
    )
    status: Status = "holds" if holds(rule, place) else "does_not_hold"
    return Finding(rule.id, rule.text, evidence, status, float(place), n)


def _not_evaluated(rule: Rule, k: int, subject: str, threshold: str) -> Finding:
    evidence = (
        f"The {subject} is shown only when at least {k} people answered (threshold: {threshold})."
    )
    return Finding(rule.id, rule.text, evidence, "not_evaluated")


def _threshold(rule: Rule, fmt: Any) -> str:
    lo, hi = rule.at_least, rule.at_most
    if fmt is _place:
        if lo is not None and hi is not None:
            return f"between places {lo:g} and {hi:g}"
        return f"place {hi:g} or better" if hi is not None else f"place {lo:g} or lower"
    if lo is not None and hi is not None:
        return f"between {fmt(lo)} and {fmt(hi)}"
    return f"at least {fmt(lo)}" if lo is not None else f"at most {fmt(hi)}"


def _percent(share: float) -> str:
    """A share as a percentage: whole numbers unless the share needs a decimal (12.5%)."""
    return f"{share:.0%}" if round(share * 100, 6).is_integer() else f"{share:.1%}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:g}"


def _place(value: float) -> str:
    return f"{value:g}"


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/recommendations.html")
