"""Pre/post block: the group before vs the group after, on shared questions and a knowledge test.

Every report compares the two groups. A report filtered to a training whose pre and post
questionnaires are the block's also pairs each participant's answers by their code and
shows the change within pairs (`pre_post_paired`); without a training nothing is paired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .. import charts
from ..agreement import agreeing_scope
from ..context import ReportContext
from ..disclosure import HIDDEN_MARK, Population
from ..results import BlockResult, Chart
from ..schema import PrePostBlock
from ..scope import Scope
from . import BlockKind
from .pre_post_groups import (
    ComparedQuestion,
    KnowledgeFigures,
    Phase,
    compare_question,
    knowledge_figures,
)
from .pre_post_paired import PairedFigures, compute_paired

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
    "scores; negative below 0 (the group scored lower after), low from 0 to below 0.3, "
    "medium from 0.3 to below 0.7, high from 0.7."
)
SHARE_RULE = (
    "Brackets give the 95% confidence interval of a share (Wilson score interval), which "
    "stays meaningful for small groups and for shares near 0% or 100%."
)


@dataclass(frozen=True)
class PrePostResult(BlockResult):
    """Before/after comparison of two groups of respondents, as printed."""

    pre_title: str = ""
    post_title: str = ""
    #: Who each phase's figures describe ("All pre-training respondents"...).
    pre_label: str = ""
    post_label: str = ""
    #: Respondents per phase; None when the phase is hidden (it shows nothing).
    n_pre: int | None = None
    n_post: int | None = None
    paired: bool = False
    pairing_note: str = PAIRING_NOTE
    #: Figures within pairs, when the report is filtered to the block's training.
    pairing: PairedFigures | None = None
    questions: tuple[ComparedQuestion, ...] = ()
    knowledge: KnowledgeFigures = field(default_factory=KnowledgeFigures)
    knowledge_chart_index: int | None = None
    correctness_rule: str = CORRECTNESS_RULE
    gain_rule: str = GAIN_RULE
    share_rule: str = SHARE_RULE
    hidden_mark: str = HIDDEN_MARK


def _agreeing(
    ctx: ReportContext, phase: tuple[Scope, Population | None], qid: str
) -> tuple[Scope, Population | None]:
    """A phase narrowed to the versions of its questionnaire that define `qid` alike.

    Paired phases are left as they are: dropping one side of a pair would unpair it.
    """
    scope, population = phase
    if scope.paired or population is None:
        return phase
    agreement = agreeing_scope(ctx, scope, (qid,))
    if not agreement.restricted:
        return phase
    narrowed = ctx.population(agreement.scope, ctx.scope_label(agreement.scope))
    return agreement.scope, narrowed if isinstance(narrowed, Population) else None


def compute(ctx: ReportContext, block: PrePostBlock) -> PrePostResult:
    """Both phases' figures from their own populations (same filter), aggregated in SQL."""
    phases = []
    for qid, phase in ((block.pre, "pre"), (block.post, "post")):
        scope = ctx.scope(qid, phase)
        label = (
            ctx.scope_label(scope)
            if scope.phase
            else f"Respondents to “{ctx.questionnaires[qid].title}”"
        )
        population = ctx.population(scope, label)
        phases.append((scope, population if isinstance(population, Population) else None, label))
    (pre_scope, pre_pop, pre_label), (post_scope, post_pop, post_label) = phases
    pre, post = (pre_scope, pre_pop), (post_scope, post_pop)
    questions: list[ComparedQuestion] = []
    charts_so_far = 0
    for qid in block.questions:
        compared = compare_question(
            ctx, block, qid, _agreeing(ctx, pre, qid), _agreeing(ctx, post, qid)
        )
        if compared.has_figures:
            compared = replace(compared, chart_index=charts_so_far)
            charts_so_far += 1
        questions.append(compared)
    knowledge = knowledge_figures(ctx, block, pre, post) if block.knowledge else KnowledgeFigures()
    knowledge_chart = None
    if any(i.before is not None or i.after is not None for i in knowledge.items):
        knowledge_chart = charts_so_far
    hidden_any = (
        pre_pop is None
        or post_pop is None
        or any(p.hidden for q in questions for i in q.items for p in (i.before, i.after))
    )
    pairing, pairing_note = None, PAIRING_NOTE
    if ctx.training is not None:
        if ctx.training.is_pre_post(block.pre, block.post):
            pairing = compute_paired(ctx, block, pre, post)
            pairing_note = paired_note(ctx.training.title, ctx.paired_only)
        else:
            pairing_note = OTHER_TRAINING_NOTE
    release = ctx.disclosure.release_count
    return PrePostResult(
        heading=block.title or "Before and after",
        intro=block.intro,
        notes=(hidden_note(ctx.k),) if hidden_any else (),
        empty=pre_pop is None and post_pop is None,
        paired=pairing is not None,
        pairing_note=pairing_note,
        pairing=pairing,
        pre_title=ctx.questionnaires[block.pre].title,
        post_title=ctx.questionnaires[block.post].title,
        pre_label=pre_label,
        post_label=post_label,
        n_pre=release(pre_pop, "size", pre_pop.size) if pre_pop else None,
        n_post=release(post_pop, "size", post_pop.size) if post_pop else None,
        questions=tuple(questions),
        knowledge=knowledge,
        knowledge_chart_index=knowledge_chart,
    )


def paired_note(training_title: str, paired_only: frozenset[str]) -> str:
    """The note on top of a block whose responses are paired within a training."""
    note = (
        f"Responses of the training “{training_title}” are paired by the code each "
        "participant created. "
    )
    if paired_only:
        phases = " and ".join(f"{p}-training" for p in ("pre", "post") if p in paired_only)
        return note + (
            f"The {phases} figures describe only the paired participants (see the disclosure "
            "page); the paired figures at the end follow each participant's change."
        )
    return note + (
        "The group figures below compare everyone who answered before with everyone who "
        "answered after; the paired figures at the end follow the same participants."
    )


def hidden_note(k: int) -> str:
    """The one sentence under a block wherever something shows the hidden mark."""
    return (
        f"Figures marked “{HIDDEN_MARK}” describe fewer than {k} people, or would give away "
        f"the answers of fewer than {k} others; nothing about them is shown."
    )


def draw(result: PrePostResult) -> tuple[Chart, ...]:
    """One grouped chart per compared question with figures, then the knowledge items."""
    out: list[Chart] = []
    for question in result.questions:
        if question.chart_index is None:
            continue
        out.append(_question_chart(question))
    if result.knowledge_chart_index is not None:
        items = result.knowledge.items
        labels = [_wrap(item.prompt) for item in items]
        before = [_fraction(item.before.percent if item.before else None) for item in items]
        after = [_fraction(item.after.percent if item.after else None) for item in items]
        svg = charts.grouped_bar_chart(
            labels, [("Before", before), ("After", after)], xlabel="Share correct", percent=True
        )
        listed = "; ".join(
            f"{item.prompt} before {_pct(item.before.percent if item.before else None)}, "
            f"after {_pct(item.after.percent if item.after else None)}"
            for item in items
        )
        out.append(Chart(svg, f"Grouped bar chart of the share correct per item: {listed}."))
    return tuple(out)


def _question_chart(question: ComparedQuestion) -> Chart:
    if question.kind in ("scale", "choice"):
        [item] = question.items
        labels = list(question.categories)
        before, after = _shares(item.before, len(labels)), _shares(item.after, len(labels))
        groups: list[tuple[str, Sequence[float | None]]] = [
            ("Before", [_fraction(s) for s in before]),
            ("After", [_fraction(s) for s in after]),
        ]
        svg = charts.grouped_bar_chart(labels, groups, xlabel=question.axis, percent=True)
        listed = "; ".join(
            f"{label} before {_pct(b)}, after {_pct(a)}"
            for label, b, a in zip(labels, before, after, strict=True)
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


def _shares(phase: Phase, size: int) -> list[float | None]:
    """A phase's printed percentages, or None for each category of a hidden phase."""
    return list(phase.shares) if not phase.hidden else [None] * size


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100


def _wrap(label: str) -> str:
    return charts.wrap_label(label, 40)


def _pct(percent: float | None) -> str:
    return HIDDEN_MARK if percent is None else f"{percent:.0f}%"


def _num(value: float | None) -> str:
    return HIDDEN_MARK if value is None else f"{value:.2f}"


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/pre_post.html")
