"""The group part of a pre/post block: everyone before vs everyone after, through disclosure.

Each phase is a population (all of its respondents, or only the paired ones when the
report context says so). Each compared item describes the phase's people who answered
it, a population of its own: shown whole when it has k people or more, else only the
hidden mark. Every number returned here is the value `Disclosure.release` recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    MatrixQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionBase,
    ScaleQuestion,
)
from ..context import ReportContext
from ..disclosure import Population
from ..knowledge import correct_counts, mean_score, scored_questions
from ..schema import PrePostBlock
from ..scope import Scope
from ..sql import ALL, answered_by_group, grouped_counts, means
from ..stats import gain_band, normalised_gain, wilson_interval

Interval = tuple[float, float]


@dataclass(frozen=True)
class Phase:
    """One item's figures in one phase, as printed; `hidden` prints the hidden mark only."""

    hidden: bool = True
    #: Respondents who answered.
    n: int | None = None
    mean: float | None = None
    #: Percent (0-100) per category (scale point or option).
    shares: tuple[float, ...] = ()
    #: Wilson 95% interval per share, in percent (choice questions).
    intervals: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class ComparedItem:
    """A scale question, a matrix row, a number question or a choice question."""

    label: str
    before: Phase
    after: Phase


@dataclass(frozen=True)
class ComparedQuestion:
    """One shared question, before and after."""

    question_id: str
    prompt: str
    #: "scale", "matrix", "choice" or "number".
    kind: str
    #: Labels of the scale points or options the shares refer to.
    categories: tuple[str, ...]
    items: tuple[ComparedItem, ...]
    #: Position of this question's chart in the block's charts, None without one.
    chart_index: int | None = None
    #: Axis label of the chart.
    axis: str = ""

    @property
    def has_figures(self) -> bool:
        """Whether any item shows in either phase."""
        return any(not p.hidden for i in self.items for p in (i.before, i.after))


@dataclass(frozen=True)
class Share:
    """A released percentage with its Wilson 95% interval (percent)."""

    percent: float
    low: float
    high: float


@dataclass(frozen=True)
class KnowledgeItem:
    """One scored question: share correct before and after (None: the phase is hidden)."""

    question_id: str
    prompt: str
    #: A multi choice: correct only when the picks equal the key.
    multi: bool
    points: float
    before: Share | None
    after: Share | None


@dataclass(frozen=True)
class KnowledgeFigures:
    """Items and mean scores of the group before and the group after, as printed."""

    items: tuple[KnowledgeItem, ...] = ()
    max_points: float = 0.0
    score_before: float | None = None
    score_after: float | None = None
    percent_before: float | None = None
    percent_after: float | None = None
    gain: float | None = None
    gain_band: str | None = None


def compare_question(
    ctx: ReportContext,
    block: PrePostBlock,
    qid: str,
    pre: tuple[Scope, Population | None],
    post: tuple[Scope, Population | None],
) -> ComparedQuestion:
    """One shared question's figures per phase (a None population is a hidden phase)."""
    question = ctx.question(qid, block.pre)
    after_question = ctx.question(qid, block.post)
    if isinstance(question, MatrixQuestion | ScaleQuestion):
        points = _points(question, after_question)
        categories = tuple(_point_label(question, p) for p in points)
        if isinstance(question, MatrixQuestion):
            assert isinstance(after_question, MatrixQuestion)  # noqa: S101 -- schema-checked
            after_rows = {row.value for row in after_question.rows}
            rows: list[tuple[str | None, str]] = [
                (row.value, row.label) for row in question.rows if row.value in after_rows
            ]
            kind, axis = "matrix", f"Mean rating ({points[0]}–{points[-1]})"
        else:
            rows = [(None, question.prompt)]
            kind, axis = "scale", "Share of respondents"
        items = tuple(
            ComparedItem(
                label,
                _rated(ctx, *pre, question, row, points),
                _rated(ctx, *post, question, row, points),
            )
            for row, label in rows
        )
        return ComparedQuestion(qid, question.prompt, kind, categories, items, axis=axis)
    if isinstance(question, ChoiceQuestionBase):
        values, labels = _options(question, after_question)
        item = ComparedItem(
            question.prompt,
            _chosen(ctx, *pre, question, values),
            _chosen(ctx, *post, question, values),
        )
        return ComparedQuestion(
            qid, question.prompt, "choice", labels, (item,), axis="Share of respondents"
        )
    assert isinstance(question, NumberQuestion)  # noqa: S101 -- schema-checked
    unit = f" ({question.unit})" if question.unit else ""
    item = ComparedItem(
        question.prompt, _averaged(ctx, *pre, question), _averaged(ctx, *post, question)
    )
    return ComparedQuestion(qid, question.prompt, "number", (), (item,), axis=f"Mean{unit}")


def knowledge_figures(
    ctx: ReportContext,
    block: PrePostBlock,
    pre: tuple[Scope, Population | None],
    post: tuple[Scope, Population | None],
) -> KnowledgeFigures:
    """Share correct per item, mean score and normalised gain of each shown phase.

    A shown phase shows every item, whatever the split of right and wrong: the item
    describes the whole phase population (unanswered counts as wrong), not a subgroup.
    """
    questions = scored_questions(ctx.questionnaires[block.pre], ctx.questionnaires[block.post])
    if not questions:
        return KnowledgeFigures()
    max_points = sum(q.points for q in questions)
    disclosure = ctx.disclosure
    shares: list[dict[str, Share]] = []
    #: Per phase: (unrounded mean score, printed mean score, printed percent of the maximum).
    scores: list[tuple[float, float, float] | None] = []
    for scope, population in (pre, post):
        if population is None:
            shares.append({})
            scores.append(None)
            continue
        n = population.size
        correct = correct_counts(ctx.session, scope, questions)
        phase: dict[str, Share] = {}
        for q in questions:
            low, high = wilson_interval(correct[q.id], n) or (0.0, 0.0)

            def put(
                statistic: str, value: float, qid: str = q.id, shown: Population = population
            ) -> float:
                return disclosure.release(shown, statistic, value, digits=0, question=qid)

            phase[q.id] = Share(
                put("percent_correct", 100 * correct[q.id] / n),
                put("percent_correct_ci_low", 100 * low),
                put("percent_correct_ci_high", 100 * high),
            )
        shares.append(phase)
        raw = mean_score(questions, correct, n) or 0.0
        scores.append(
            (
                raw,
                disclosure.release(population, "mean_score", raw, digits=2),
                disclosure.release(
                    population, "mean_score_percent", 100 * raw / max_points, digits=0
                ),
            )
        )
    items = tuple(
        KnowledgeItem(
            q.id,
            q.prompt,
            isinstance(q, MultiChoiceQuestion),
            q.points,
            shares[0].get(q.id),
            shares[1].get(q.id),
        )
        for q in questions
    )
    figures = KnowledgeFigures(items, max_points)
    before, after = scores
    if before is not None:
        figures = replace(figures, score_before=before[1], percent_before=before[2])
    if after is not None:
        figures = replace(figures, score_after=after[1], percent_after=after[2])
    if before is not None and after is not None and post[1] is not None:
        # From the unrounded means: the printed percentages are whole numbers.
        g = normalised_gain(100 * before[0] / max_points, 100 * after[0] / max_points)
        if g is not None:
            printed = disclosure.release(post[1], "normalised_gain", g, digits=2)
            figures = replace(figures, gain=printed, gain_band=gain_band(printed))
    return figures


def _answered(
    ctx: ReportContext, population: Population, question: QuestionBase, row: str | None, n: int
) -> Population | None:
    """The phase's people who answered the question (row), if that population may show."""
    label = f"{population.label} who answered “{question.prompt}”"
    if row is not None and isinstance(question, MatrixQuestion):
        label += f" — {next(r.label for r in question.rows if r.value == row)}"
    definition = population.definition.narrowed(answered=question.id, row=row)
    shown = ctx.disclosure.population(definition, label, n)
    return shown if isinstance(shown, Population) else None


def _rated(
    ctx: ReportContext,
    scope: Scope,
    population: Population | None,
    question: ScaleQuestion | MatrixQuestion,
    row: str | None,
    points: list[int],
) -> Phase:
    """Respondents, mean and share per scale point of a scale or one matrix row."""
    if population is None:
        return Phase()
    # The `row` column is NULL for a scale question, so one query shape serves both.
    counts = ctx.aggregate(grouped_counts, scope, question.id, keys=("row", "number_value"))
    found = ctx.aggregate(means, scope, question.id, keys=("row",))
    cells = {p: counts.get((ALL, row, float(p)), 0) for p in points}
    n = sum(cells.values())
    answered = _answered(ctx, population, question, row, n)
    if answered is None or (ALL, row) not in found:
        return Phase()
    disclosure, qid = ctx.disclosure, question.id
    return Phase(
        hidden=False,
        n=disclosure.release_count(answered, "answered", n, question=qid, row=row),
        mean=disclosure.release(
            answered, "mean", found[(ALL, row)][1], digits=2, question=qid, row=row
        ),
        shares=tuple(
            disclosure.release_share(answered, cells[p], n, question=qid, row=row, item=str(p))
            for p in points
        ),
    )


def _chosen(
    ctx: ReportContext,
    scope: Scope,
    population: Population | None,
    question: ChoiceQuestionBase,
    values: list[str],
) -> Phase:
    """Share (with its Wilson interval) of the respondents who answered that picked each option."""
    if population is None:
        return Phase()
    n = ctx.aggregate(answered_by_group, scope, question.id).get(ALL, 0)
    answered = _answered(ctx, population, question, None, n)
    if answered is None:
        return Phase()
    counts = ctx.aggregate(grouped_counts, scope, question.id)
    disclosure = ctx.disclosure
    shares, intervals = [], []
    for value in values:
        count = counts.get((ALL, value), 0)
        low, high = wilson_interval(count, n) or (0.0, 0.0)

        def put(statistic: str, percent: float, item: str = value) -> float:
            return disclosure.release(
                answered, statistic, percent, digits=0, question=question.id, item=item
            )

        shares.append(put("percent", 100 * count / n))
        intervals.append((put("percent_ci_low", 100 * low), put("percent_ci_high", 100 * high)))
    n_printed = disclosure.release_count(answered, "answered", n, question=question.id)
    return Phase(False, n_printed, None, tuple(shares), tuple(intervals))


def _averaged(
    ctx: ReportContext, scope: Scope, population: Population | None, question: NumberQuestion
) -> Phase:
    """Respondents and mean of a number question (never its minimum or maximum)."""
    if population is None:
        return Phase()
    n, mean = ctx.aggregate(means, scope, question.id).get((ALL,), (0, 0.0))
    answered = _answered(ctx, population, question, None, n)
    if answered is None:
        return Phase()
    return Phase(
        hidden=False,
        n=ctx.disclosure.release_count(answered, "answered", n, question=question.id),
        mean=ctx.disclosure.release(answered, "mean", mean, digits=2, question=question.id),
    )


def _points(before: ScaleQuestion | MatrixQuestion, after: QuestionBase) -> list[int]:
    scale = getattr(after, "scale", before.scale)
    return list(range(min(before.scale.min, scale.min), max(before.scale.max, scale.max) + 1))


def _point_label(question: ScaleQuestion | MatrixQuestion, point: int) -> str:
    label = question.scale.labels.get(point)
    return f"{point} – {label}" if label else str(point)


def _options(before: ChoiceQuestionBase, after: QuestionBase) -> tuple[list[str], tuple[str, ...]]:
    """Option values of the pre questionnaire (then new ones of the post), with labels."""
    labels = {o.value: o.label for o in before.options}
    if isinstance(after, ChoiceQuestionBase):
        for option in after.options:
            labels.setdefault(option.value, option.label)
        if before.other or after.other:
            labels[OTHER_VALUE] = "Other"
    return list(labels), tuple(labels.values())
