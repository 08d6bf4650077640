"""The paired part of a pre/post block: the same participants before and after one training.

Computed only when the report is filtered to a training whose pre and post questionnaires
are the block's; `pre_post.compute` decides, this module computes. The paired set is a
population nested in each phase's population, and each item's pairs (those who answered
it before and after) one nested in the phase's people who answered it: the disclosure
layer hides any of them that is under k or differs from the population around it by 1
to k-1 people. Every number returned is the value `Disclosure.release` recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import Subquery

from ...questionnaire.questions import MatrixQuestion, NumberQuestion, ScaleQuestion
from ..context import ReportContext
from ..disclosure import HIDDEN_MARK, Population
from ..knowledge import scored_questions
from ..paired import (
    SINGLE,
    PairedSample,
    PairedStats,
    paired_sample,
    paired_scores,
    paired_stats,
    paired_values,
    scoped_pairs,
)
from ..schema import PrePostBlock
from ..scope import Scope
from ..stats import gain_band, normalised_gain

METHOD_NOTE = (
    "Each participant's answers before and after are paired by the code they created "
    "(the latest answers of each code, before and after). Difference: after minus before, "
    "per participant, averaged over the pairs who answered both times. Wilcoxon "
    "signed-rank test, two-sided, with Pratt's treatment of pairs with no change (they are "
    "ranked but count towards neither direction). The p-value is exact while it can be: "
    "from the exact distribution without ties or unchanged pairs, else from every possible "
    "flip of the changes' signs (up to 13 changes; then 20,000 random flips, fixed seed); "
    "from the normal approximation only above 50 changes. The method is named in each "
    "row. Effect size r: the matched-pairs rank-biserial correlation, (sum of the ranks "
    "of the increases − sum of the ranks of the decreases) / sum of all ranks, unchanged "
    "pairs included, so r is +1 only when every pair increased; from −1 to +1, with its "
    "95% interval by Fisher's z (none when r is ±1). Normalised gain: Hake's g on the "
    "paired mean scores; below 0 it is a loss (“negative”)."
)


@dataclass(frozen=True)
class PairedRow:
    """One item's change within pairs, as printed; `hidden` prints the hidden mark only."""

    label: str
    hidden: bool = True
    n: int | None = None
    mean_before: float | None = None
    mean_after: float | None = None
    mean_difference: float | None = None
    #: Two-sided p, rounded to 3 decimals; with `p_below`, the bound 0.001.
    p_value: float | None = None
    p_below: bool = False
    #: How p was computed (`stats.METHOD_LABELS`).
    method: str = ""
    #: Matched-pairs rank-biserial r and its 95% interval; None when no pair changed.
    effect_size: float | None = None
    ci: tuple[float, float] | None = None


@dataclass(frozen=True)
class PairedQuestion:
    """A compared question's paired changes, one per item (matrix row) or a single one."""

    question_id: str
    prompt: str
    items: tuple[PairedRow, ...]


@dataclass(frozen=True)
class PairedKnowledge:
    """The knowledge-test score of each pair, before and after, and the paired gain."""

    score: PairedRow
    max_points: float
    gain: float | None = None
    gain_band: str | None = None


@dataclass(frozen=True)
class PairedFigures:
    """Paired figures of a pre/post block filtered to one training."""

    training_title: str
    #: Pairs in the block's scopes; None when the paired set is hidden (nothing paired shows).
    pairs: int | None = None
    #: Percent of the distinct participants who are paired.
    match_rate: float | None = None
    #: Probable pairs (near-miss codes), when that population may show; never in the pairs.
    probable_pairs: int | None = None
    questions: tuple[PairedQuestion, ...] = ()
    knowledge: PairedKnowledge | None = None
    #: Duplicate and unmatched codes, and why figures are missing.
    notes: tuple[str, ...] = ()
    method_note: str = METHOD_NOTE
    hidden_mark: str = HIDDEN_MARK

    @property
    def shown(self) -> bool:
        """Whether the paired set shows."""
        return self.pairs is not None


def compute_paired(
    ctx: ReportContext,
    block: PrePostBlock,
    pre: tuple[Scope, Population | None],
    post: tuple[Scope, Population | None],
) -> PairedFigures:
    """Match rate, and per compared item and for the test score the change within pairs."""
    training = ctx.training
    assert training is not None  # noqa: S101 -- the caller checks
    pairs = scoped_pairs(training.id, pre[0], post[0])
    sample = paired_sample(ctx.session, training.id, pairs, pre[0], post[0])
    definition = replace(post[0], paired=True).population()
    label = "Paired respondents (the same code before and after)"
    within = tightest(sample.pairs, (pre[1], post[1]))
    paired = ctx.disclosure.population(definition, label, sample.pairs, within=within)
    if not isinstance(paired, Population):
        return PairedFigures(training.title, notes=(too_few_pairs_note(ctx.k),))
    release = ctx.disclosure.release
    n_pairs = ctx.disclosure.release_count(paired, "size", sample.pairs)
    rate = sample.match_rate
    printed_rate = None if rate is None else release(paired, "match_rate", 100 * rate, digits=0)
    notes = sample_notes(ctx, paired, sample)
    questions = tuple(
        question
        for qid in block.questions
        if (question := _paired_question(ctx, block, qid, pairs, pre, post)) is not None
    )
    knowledge = None
    scored = scored_questions(ctx.questionnaires[block.pre], ctx.questionnaires[block.post])
    if block.knowledge and scored:
        max_points = sum(q.points for q in scored)
        found = paired_stats(paired_scores(ctx.session, pairs, scored))
        knowledge = _paired_knowledge(ctx, paired, found, max_points)
    if any(row.hidden for q in questions for row in q.items):
        notes = (*notes, few_answers_note(ctx.k))
    return PairedFigures(
        training.title,
        n_pairs,
        printed_rate,
        probable_pairs=_probable_pairs(ctx, post[0], sample, (pre[1], post[1])),
        questions=questions,
        knowledge=knowledge,
        notes=notes,
    )


def _probable_pairs(
    ctx: ReportContext,
    post: Scope,
    sample: PairedSample,
    phases: Iterable[Population | None],
) -> int | None:
    """The number of probable pairs, when their population may show (else None).

    Why only a count: their answers are in no figure; a near miss is likely, not certain,
    the same person.
    """
    if not sample.probable_pairs:
        return None
    definition = replace(post, paired=False).population().narrowed(probable=True)
    found = ctx.disclosure.drawn_from_counts(
        definition,
        "Probable pairs (codes one element apart)",
        sample.probable_pairs,
        counts=(
            ("Post codes that matched no pre code", sample.unmatched_post),
            ("Pre codes that matched no post code", sample.unmatched_pre),
            *((phase.label, phase.size) for phase in phases if phase is not None),
        ),
    )
    if not isinstance(found, Population):
        return None
    return ctx.disclosure.release_count(found, "size", sample.probable_pairs)


def tightest(size: int, around: Iterable[Population | None]) -> Population | None:
    """Of the shown populations around one of `size` people, the one nearest in size.

    Why: the nesting rule compares a population with one that contains it; with two
    around it (the pre and the post phase), the smaller difference is the one that could
    give people away, so that is the one to check.
    """
    shown = [p for p in around if p is not None and p.size > size]
    return min(shown, key=lambda p: p.size - size) if shown else None


def sample_notes(ctx: ReportContext, paired: Population, sample: PairedSample) -> tuple[str, ...]:
    """What the reader should know about codes used twice or matching nothing."""

    def count(statistic: str, value: int, item: str) -> int:
        return ctx.disclosure.release_count(paired, statistic, value, item=item)

    notes = []
    for phase, n in (("pre", sample.duplicate_pre), ("post", sample.duplicate_post)):
        if n:
            notes.append(
                f"{_people(count('duplicate_codes', n, phase))} submitted the {phase} "
                "questionnaire more than once; the latest answers were used."
            )
    left_out = ctx.paired_only
    for phase, n, other in (
        ("post", sample.unmatched_post, "pre"),
        ("pre", sample.unmatched_pre, "post"),
    ):
        if n:
            printed = count("unmatched_codes", n, phase)
            they = "they are" if printed != 1 else "it is"
            where = (
                "left out of every figure"
                if phase in left_out
                else "counted in the group figures only"
            )
            notes.append(
                f"{_codes(printed)} of the {phase} questionnaire matched no {other} code: "
                f"{they} {where}."
            )
    if sample.post_without_code:
        n = count("without_code", sample.post_without_code, "post")
        notes.append(
            f"{n} post response{'s' if n != 1 else ''} carried no code and cannot be paired."
        )
    return tuple(notes)


def too_few_pairs_note(k: int) -> str:
    """Why a training's paired figures are missing (one sentence whatever the reason)."""
    return (
        f"Paired comparison: {HIDDEN_MARK}. Fewer than {k} participants answered both before "
        f"and after with the same code, or the paired figures would give away the answers of "
        f"fewer than {k} others, so no paired figure (number of pairs, match rate, paired "
        "difference, Wilcoxon test, effect size) is shown."
    )


def few_answers_note(k: int) -> str:
    """Why some paired rows show the hidden mark."""
    return (
        f"Rows marked “{HIDDEN_MARK}”: fewer than {k} pairs answered the item both times, or "
        f"their figures would give away the answers of fewer than {k} others."
    )


def _paired_question(
    ctx: ReportContext,
    block: PrePostBlock,
    qid: str,
    pairs: Subquery,
    pre: tuple[Scope, Population | None],
    post: tuple[Scope, Population | None],
) -> PairedQuestion | None:
    """Paired changes of a scale or number question, or of each shared matrix row."""
    question = ctx.question(qid, block.pre)
    after_question = ctx.question(qid, block.post)
    if isinstance(question, MatrixQuestion) and isinstance(after_question, MatrixQuestion):
        after_rows = {row.value for row in after_question.rows}
        rows: list[tuple[str | None, str]] = [
            (row.value, row.label) for row in question.rows if row.value in after_rows
        ]
    elif isinstance(question, ScaleQuestion | NumberQuestion):
        rows = [(None, "Rating" if isinstance(question, ScaleQuestion) else "Value")]
    else:
        return None  # choice questions have no order to take a difference in
    values = paired_values(ctx.session, pairs, qid)
    items = []
    for row, label in rows:
        found = paired_stats(values.get(row or SINGLE, []))
        n = found.n if found else 0
        definition = (
            replace(post[0], phase=None, paired=True)
            .population()
            .narrowed(answered=qid, row=row, answered_both=True)
        )
        name = f"Pairs who answered “{question.prompt}”{f' — {label}' if row else ''} both times"
        around = [_answered_shown(ctx, phase[1], qid, row) for phase in (pre, post)]
        shown = ctx.disclosure.population(definition, name, n, within=tightest(n, around))
        if isinstance(shown, Population) and found is not None:
            items.append(_row(ctx, shown, label, found, question=qid, row=row))
        else:
            items.append(PairedRow(label))
    return PairedQuestion(qid, question.prompt, tuple(items))


def _answered_shown(
    ctx: ReportContext, phase: Population | None, qid: str, row: str | None
) -> Population | None:
    """The group table's population of the phase's people who answered, if it was shown."""
    if phase is None:
        return None
    key = phase.definition.narrowed(answered=qid, row=row).key()
    return ctx.disclosure.shown.get(key)


def _paired_knowledge(
    ctx: ReportContext, paired: Population, found: PairedStats | None, max_points: float
) -> PairedKnowledge | None:
    """The paired test score's row and Hake's gain on the paired means."""
    if found is None:
        return None
    score = _row(ctx, paired, "Knowledge-test score", found, item="knowledge_score")
    gain = normalised_gain(
        100 * found.mean_before / max_points, 100 * found.mean_after / max_points
    )
    if gain is None:
        return PairedKnowledge(score, max_points)
    printed = ctx.disclosure.release(
        paired, "normalised_gain", gain, digits=2, item="knowledge_score"
    )
    return PairedKnowledge(score, max_points, printed, gain_band(printed))


def _row(
    ctx: ReportContext,
    population: Population,
    label: str,
    found: PairedStats,
    **where: str | None,
) -> PairedRow:
    """Release an item's paired figures on its population."""
    disclosure = ctx.disclosure

    def put(statistic: str, value: float, digits: int) -> float:
        return disclosure.release(population, statistic, value, digits=digits, **where)

    test = found.test
    row = PairedRow(
        label,
        hidden=False,
        n=disclosure.release_count(population, "size", found.n),
        mean_before=put("mean_before", found.mean_before, 2),
        mean_after=put("mean_after", found.mean_after, 2),
        mean_difference=put("mean_difference", found.mean_difference, 2),
        method=test.method_label,
    )
    if test.p_value is None or test.rank_biserial is None:
        return row
    below = test.p_value < 0.001
    p = put("wilcoxon_p_below", 0.001, 3) if below else put("wilcoxon_p", test.p_value, 3)
    r = put("rank_biserial", test.rank_biserial, 2)
    ci = None
    if test.ci is not None:
        ci = (
            put("rank_biserial_ci_low", test.ci[0], 2),
            put("rank_biserial_ci_high", test.ci[1], 2),
        )
    return replace(row, p_value=p, p_below=below, effect_size=r, ci=ci)


def _people(n: int) -> str:
    return f"{n} participant{'s' if n != 1 else ''}"


def _codes(n: int) -> str:
    return f"{n} code{'s' if n != 1 else ''}"
