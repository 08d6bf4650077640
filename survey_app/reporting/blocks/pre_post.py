"""Pre/post block: the group before vs the group after, on shared questions and a knowledge test.

Every report compares the two groups. A report filtered to a training whose pre and post
questionnaires are the block's also pairs each participant's answers by their code and
shows the change within pairs (`pre_post_paired`); without a training nothing is paired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from ...questionnaire.schema import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    MatrixQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionBase,
    ScaleQuestion,
)
from .. import charts
from ..context import ReportContext
from ..knowledge import KnowledgeItem, KnowledgeTest, knowledge_test
from ..privacy import suppress_counts
from ..results import BlockResult, Chart, suppressed_note
from ..schema import PrePostBlock
from ..scope import Scope
from ..sql import ALL, answered_by_group, count_respondents, grouped_counts, means
from ..stats import gain_band, normalised_gain
from . import BlockKind
from .pre_post_paired import PairedFigures, compute_paired, paired_note

PAIRING_NOTE = (
    "Responses are not paired in this report: it is not filtered to one training, so answers "
    "before and after cannot be matched to the same person, and the figures compare the group "
    "who answered before with the group who answered after, not each person's change. Paired "
    "figures (match rate, mean paired difference, Wilcoxon signed-rank test) are in the "
    "report of each training."
)
OTHER_TRAINING_NOTE = (
    "Responses are not paired: these are not the training's pre and post questionnaires. The "
    "figures compare the group who answered before with the group who answered after."
)
CORRECTNESS_RULE = (
    "A single-choice item counts as correct when the option picked is in the answer key; a "
    "multiple-choice item only when the options picked are exactly those of the key. "
    "Unanswered items count as not correct. The score is the sum of the points of the items "
    "answered correctly."
)
GAIN_RULE = (
    "Normalised gain (Hake): g = (after% − before%) / (100 − before%), on the group mean "
    "scores; low below 0.3, medium from 0.3 to 0.7, high from 0.7."
)


@dataclass(frozen=True)
class Phase:
    """One item's figures in one phase; None when suppressed."""

    #: Respondents who answered.
    n: int | None = None
    mean: float | None = None
    #: Share per category (scale point or option), None where withheld.
    shares: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class ComparedItem:
    """A scale question, a matrix row, a number question or a choice question."""

    label: str
    before: Phase
    after: Phase

    @property
    def change(self) -> float | None:
        """Mean after minus mean before, when both are shown."""
        if self.before.mean is None or self.after.mean is None:
            return None
        return self.after.mean - self.before.mean


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


@dataclass(frozen=True)
class PrePostResult(BlockResult):
    """Before/after comparison of two groups of respondents."""

    pre_title: str = ""
    post_title: str = ""
    #: Respondents per phase (None when fewer than k: the phase shows nothing).
    n_pre: int | None = None
    n_post: int | None = None
    paired: bool = False
    pairing_note: str = PAIRING_NOTE
    #: Figures within pairs, when the report is filtered to the block's training.
    pairing: PairedFigures | None = None
    questions: tuple[ComparedQuestion, ...] = ()
    knowledge: tuple[KnowledgeItem, ...] = ()
    knowledge_chart_index: int | None = None
    max_points: float = 0.0
    #: Mean score (points) per phase; None when withheld.
    score_before: float | None = None
    score_after: float | None = None
    correctness_rule: str = CORRECTNESS_RULE
    gain_rule: str = GAIN_RULE

    @property
    def percent_before(self) -> float | None:
        """Mean score before as % of the maximum."""
        return _percent(self.score_before, self.max_points)

    @property
    def percent_after(self) -> float | None:
        """Mean score after as % of the maximum."""
        return _percent(self.score_after, self.max_points)

    @property
    def gain(self) -> float | None:
        """Hake's normalised gain on the group means."""
        if self.percent_before is None or self.percent_after is None:
            return None
        return normalised_gain(self.percent_before, self.percent_after)

    @property
    def gain_band(self) -> str | None:
        """low, medium or high."""
        return None if self.gain is None else gain_band(self.gain)


def compute(ctx: ReportContext, block: PrePostBlock) -> PrePostResult:
    """Both phases' figures from their own scopes (same filter), all aggregated in SQL."""
    pre, post = ctx.scope(block.pre, "pre"), ctx.scope(block.post, "post")
    n_pre = ctx.aggregate(count_respondents, pre)
    n_post = ctx.aggregate(count_respondents, post)
    shown_pre, shown_post = n_pre >= ctx.k, n_post >= ctx.k
    questions: list[ComparedQuestion] = []
    charts_so_far = 0
    for qid in block.questions:
        compared = _compare(
            ctx, block, qid, pre if shown_pre else None, post if shown_post else None
        )
        if _has_figures(compared):
            compared = replace(compared, chart_index=charts_so_far)
            charts_so_far += 1
        questions.append(compared)
    test = KnowledgeTest()
    if block.knowledge:
        test = knowledge_test(
            ctx.session,
            ctx.questionnaires[block.pre],
            ctx.questionnaires[block.post],
            (pre if shown_pre else None, post if shown_post else None),
            (n_pre, n_post),
            ctx.k,
        )
    knowledge_chart = None
    if any(i.before is not None or i.after is not None for i in test.items):
        knowledge_chart = charts_so_far
    withheld = (
        not (shown_pre and shown_post)
        or any(_withholds(q) for q in questions)
        or any(i.withheld for i in test.items)
    )
    pairing, pairing_note = None, PAIRING_NOTE
    if ctx.training is not None:
        if ctx.training.is_pre_post(block.pre, block.post):
            pairing = compute_paired(ctx, block, pre, post)
            pairing_note = paired_note(ctx.training.title)
        else:
            pairing_note = OTHER_TRAINING_NOTE
    return PrePostResult(
        heading=block.title or "Before and after",
        intro=block.intro,
        notes=(suppressed_note(ctx.k),) if withheld else (),
        empty=not (shown_pre or shown_post),
        paired=pairing is not None,
        pairing_note=pairing_note,
        pairing=pairing,
        pre_title=ctx.questionnaires[block.pre].title,
        post_title=ctx.questionnaires[block.post].title,
        n_pre=n_pre if shown_pre else None,
        n_post=n_post if shown_post else None,
        questions=tuple(questions),
        knowledge=test.items,
        knowledge_chart_index=knowledge_chart,
        max_points=test.max_points,
        score_before=test.score_before,
        score_after=test.score_after,
    )


def draw(result: PrePostResult) -> tuple[Chart, ...]:
    """One grouped chart per compared question with figures, then the knowledge items."""
    out: list[Chart] = []
    for question in result.questions:
        if question.chart_index is None:
            continue
        out.append(_question_chart(question))
    if result.knowledge_chart_index is not None:
        labels = [_wrap(item.prompt) for item in result.knowledge]
        before = [item.before for item in result.knowledge]
        after = [item.after for item in result.knowledge]
        svg = charts.grouped_bar_chart(
            labels, [("Before", before), ("After", after)], xlabel="Share correct", percent=True
        )
        listed = "; ".join(
            f"{item.prompt} before {_pct(item.before)}, after {_pct(item.after)}"
            for item in result.knowledge
        )
        out.append(Chart(svg, f"Grouped bar chart of the share correct per item: {listed}."))
    return tuple(out)


def _question_chart(question: ComparedQuestion) -> Chart:
    if question.kind in ("scale", "choice"):
        [item] = question.items
        labels = list(question.categories)
        groups: list[tuple[str, Sequence[float | None]]] = [
            ("Before", item.before.shares),
            ("After", item.after.shares),
        ]
        svg = charts.grouped_bar_chart(labels, groups, xlabel=question.axis, percent=True)
        listed = "; ".join(
            f"{label} before {_pct(b)}, after {_pct(a)}"
            for label, b, a in zip(labels, item.before.shares, item.after.shares, strict=True)
        )
    else:
        labels = [_wrap(item.label) for item in question.items]
        groups = [
            ("Before", [item.before.mean for item in question.items]),
            ("After", [item.after.mean for item in question.items]),
        ]
        svg = charts.grouped_bar_chart(labels, groups, xlabel=question.axis, percent=False)
        listed = "; ".join(
            f"{item.label} before {_num(item.before.mean)}, after {_num(item.after.mean)}"
            for item in question.items
        )
    return Chart(svg, f"Grouped bar chart, before and after, of “{question.prompt}”: {listed}.")


def _compare(
    ctx: ReportContext,
    block: PrePostBlock,
    qid: str,
    pre: Scope | None,
    post: Scope | None,
) -> ComparedQuestion:
    question = ctx.question(qid, block.pre)
    after_question = ctx.question(qid, block.post)
    if isinstance(question, MatrixQuestion):
        assert isinstance(after_question, MatrixQuestion)  # noqa: S101 -- schema-checked
        after_rows = {row.value for row in after_question.rows}
        points = _points(question, after_question)
        rows = [row for row in question.rows if row.value in after_rows]
        values = [row.value for row in rows]
        before = _rated(ctx, pre, qid, points, values)
        after = _rated(ctx, post, qid, points, values)
        items = tuple(ComparedItem(row.label, before[row.value], after[row.value]) for row in rows)
        categories = tuple(_point_label(question, p) for p in points)
        return ComparedQuestion(
            qid,
            question.prompt,
            "matrix",
            categories,
            items,
            axis=f"Mean rating ({points[0]}–{points[-1]})",
        )
    if isinstance(question, ScaleQuestion):
        assert isinstance(after_question, ScaleQuestion)  # noqa: S101 -- schema-checked
        points = _points(question, after_question)
        item = ComparedItem(
            question.prompt,
            _rated(ctx, pre, qid, points, [None])[None],
            _rated(ctx, post, qid, points, [None])[None],
        )
        categories = tuple(_point_label(question, p) for p in points)
        return ComparedQuestion(
            qid, question.prompt, "scale", categories, (item,), axis="Share of respondents"
        )
    if isinstance(question, ChoiceQuestionBase):
        values, labels = _options(question, after_question)
        additive = not isinstance(question, MultiChoiceQuestion)
        item = ComparedItem(
            question.prompt,
            _chosen(ctx, pre, qid, values, additive),
            _chosen(ctx, post, qid, values, additive),
        )
        return ComparedQuestion(
            qid, question.prompt, "choice", labels, (item,), axis="Share of respondents"
        )
    assert isinstance(question, NumberQuestion)  # noqa: S101 -- schema-checked
    unit = f" ({question.unit})" if question.unit else ""
    item = ComparedItem(question.prompt, _averaged(ctx, pre, qid), _averaged(ctx, post, qid))
    return ComparedQuestion(qid, question.prompt, "number", (), (item,), axis=f"Mean{unit}")


def _rated(
    ctx: ReportContext,
    scope: Scope | None,
    qid: str,
    points: list[int],
    rows: list[str] | list[None],
) -> dict[str | None, Phase]:
    """Mean and share per scale point of each matrix row (or, for [None], of a scale)."""
    if scope is None:
        return dict.fromkeys(rows, Phase())
    # The `row` column is NULL for a scale question, so one query shape serves both.
    counts = grouped_counts(ctx.session, scope, qid, keys=("row", "number_value"))
    found = means(ctx.session, scope, qid, keys=("row",))
    out: dict[str | None, Phase] = {}
    for row in rows:
        cells = {p: counts.get((ALL, row, float(p)), 0) for p in points}
        n = sum(cells.values())
        if n < ctx.k or (ALL, row) not in found:
            out[row] = Phase()
            continue
        shown = suppress_counts(cells, ctx.k)
        shares = tuple(None if shown[p] is None else cells[p] / n for p in points)
        out[row] = Phase(n, found[(ALL, row)][1], shares)
    return out


def _chosen(
    ctx: ReportContext, scope: Scope | None, qid: str, values: list[str], additive: bool
) -> Phase:
    """Share of the respondents who answered that picked each option."""
    if scope is None:
        return Phase()
    n = answered_by_group(ctx.session, scope, qid).get(ALL, 0)
    if n < ctx.k:
        return Phase()
    counts = grouped_counts(ctx.session, scope, qid)
    cells = {value: counts.get((ALL, value), 0) for value in values}
    shown = suppress_counts(cells, ctx.k, additive=additive)
    return Phase(n, None, tuple(None if shown[v] is None else cells[v] / n for v in values))


def _averaged(ctx: ReportContext, scope: Scope | None, qid: str) -> Phase:
    if scope is None:
        return Phase()
    n, mean = means(ctx.session, scope, qid).get((ALL,), (0, 0.0))
    return Phase(n, mean) if n >= ctx.k else Phase()


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


def _has_figures(question: ComparedQuestion) -> bool:
    return any(
        phase.mean is not None or any(s is not None for s in phase.shares)
        for item in question.items
        for phase in (item.before, item.after)
    )


def _withholds(question: ComparedQuestion) -> bool:
    return any(
        phase.n is None or None in phase.shares
        for item in question.items
        for phase in (item.before, item.after)
    )


def _percent(score: float | None, max_points: float) -> float | None:
    if score is None or max_points <= 0:
        return None
    return 100 * score / max_points


def _wrap(label: str) -> str:
    return charts.wrap_label(label, 40)


def _pct(share: float | None) -> str:
    return "not shown" if share is None else f"{share:.0%}"


def _num(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.2f}"


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/pre_post.html")
