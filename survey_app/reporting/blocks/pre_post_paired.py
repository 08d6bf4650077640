"""The paired part of a pre/post block: the same participants before and after one training.

Computed only when the report is filtered to a training whose pre and post questionnaires
are the block's; `pre_post.compute` decides, this module computes. Fewer than k pairs
show no paired figure at all, and an item answered by fewer than k pairs shows none.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Subquery

from ...questionnaire.schema import MatrixQuestion, NumberQuestion, ScaleQuestion
from ..context import ReportContext
from ..knowledge import scored_questions
from ..paired import (
    SINGLE,
    PairedKnowledge,
    PairedQuestion,
    PairedSample,
    paired_change,
    paired_sample,
    paired_scores,
    paired_values,
    scoped_pairs,
)
from ..schema import PrePostBlock
from ..scope import Scope

METHOD_NOTE = (
    "Each participant's answers before and after are paired by the code they created "
    "(the latest answers of each code, before and after). Difference: after minus before, per "
    "participant, averaged over the pairs who answered both times. Wilcoxon signed-rank test, "
    "two-sided: pairs with no change are left out of it; the p-value is exact for up to 25 "
    "changes without ties, otherwise from the normal approximation. Effect size r: the "
    "matched-pairs rank-biserial correlation, from −1 (all lower after) to 1 (all higher "
    "after). Normalised gain: Hake's g on the paired mean scores."
)


@dataclass(frozen=True)
class PairedFigures:
    """Paired figures of a pre/post block filtered to one training."""

    training_title: str
    #: Pairs in the block's scopes; None when fewer than k (then nothing paired is shown).
    pairs: int | None = None
    match_rate: float | None = None
    questions: tuple[PairedQuestion, ...] = ()
    knowledge: PairedKnowledge | None = None
    #: Duplicate and unmatched codes, and why figures are missing.
    notes: tuple[str, ...] = ()
    method_note: str = METHOD_NOTE

    @property
    def shown(self) -> bool:
        """Whether there are enough pairs to show paired figures."""
        return self.pairs is not None


def compute_paired(
    ctx: ReportContext, block: PrePostBlock, pre: Scope, post: Scope
) -> PairedFigures:
    """Match rate, and per compared item and for the test score the change within pairs."""
    training = ctx.training
    assert training is not None  # noqa: S101 -- the caller checks
    pairs = scoped_pairs(training.id, pre, post)
    sample = paired_sample(ctx.session, training.id, pairs, pre, post)
    notes = sample_notes(sample)
    if sample.pairs < ctx.k:
        return PairedFigures(training.title, notes=(*notes, too_few_pairs_note(ctx.k)))
    questions = tuple(
        question
        for qid in block.questions
        if (question := _paired_question(ctx, block, qid, pairs)) is not None
    )
    knowledge = None
    scored = scored_questions(ctx.questionnaires[block.pre], ctx.questionnaires[block.post])
    if block.knowledge and scored:
        scores = paired_scores(ctx.session, pairs, scored)
        knowledge = PairedKnowledge(
            paired_change("Knowledge-test score", scores, ctx.k),
            sum(q.points for q in scored),
        )
    changes = [item for q in questions for item in q.items]
    if knowledge is not None:
        changes.append(knowledge.score)
    if any(change.n is None for change in changes):
        notes = (*notes, few_answers_note(ctx.k))
    return PairedFigures(
        training.title, sample.pairs, sample.match_rate, questions, knowledge, notes
    )


def sample_notes(sample: PairedSample) -> tuple[str, ...]:
    """What the reader should know about codes used twice or matching nothing."""
    notes = []
    if sample.duplicate_pre:
        notes.append(
            f"{_people(sample.duplicate_pre)} submitted the pre questionnaire more than once; "
            "the latest answers were used."
        )
    if sample.duplicate_post:
        notes.append(
            f"{_people(sample.duplicate_post)} submitted the post questionnaire more than once; "
            "the latest answers were used."
        )
    if sample.unmatched_post:
        n = sample.unmatched_post
        notes.append(
            f"{n} post response{'s' if n != 1 else ''} matched no pre code: "
            f"{'they count' if n != 1 else 'it counts'} in the group figures only."
        )
    if sample.post_without_code:
        n = sample.post_without_code
        notes.append(
            f"{n} post response{'s' if n != 1 else ''} carried no code and cannot be paired."
        )
    return tuple(notes)


def paired_note(training_title: str) -> str:
    """The note on top of a block whose responses are paired within a training."""
    return (
        f"Responses of the training “{training_title}” are paired by the code each participant "
        "created. The group figures below compare everyone who answered before with everyone "
        "who answered after; the paired figures at the end follow the same participants."
    )


def too_few_pairs_note(k: int) -> str:
    """Why a training's paired figures are missing."""
    return (
        f"Fewer than {k} participants answered both before and after with the same code, so "
        "no paired figure (match rate, paired difference, Wilcoxon test, effect size) is "
        "shown, to protect anonymity."
    )


def few_answers_note(k: int) -> str:
    """Why some paired rows are empty."""
    return f"Items answered both times by fewer than {k} pairs show no paired figures."


def _paired_question(
    ctx: ReportContext, block: PrePostBlock, qid: str, pairs: Subquery
) -> PairedQuestion | None:
    """Paired changes of a scale or number question, or of each shared matrix row."""
    question = ctx.question(qid, block.pre)
    after_question = ctx.question(qid, block.post)
    if isinstance(question, MatrixQuestion) and isinstance(after_question, MatrixQuestion):
        values = paired_values(ctx.session, pairs, qid)
        after_rows = {row.value for row in after_question.rows}
        items = tuple(
            paired_change(row.label, values.get(row.value, []), ctx.k)
            for row in question.rows
            if row.value in after_rows
        )
        return PairedQuestion(qid, question.prompt, items)
    if isinstance(question, ScaleQuestion | NumberQuestion):
        values = paired_values(ctx.session, pairs, qid)
        label = "Rating" if isinstance(question, ScaleQuestion) else "Value"
        change = paired_change(label, values.get(SINGLE, []), ctx.k)
        return PairedQuestion(qid, question.prompt, (change,))
    return None  # choice questions have no order to take a difference in


def _people(n: int) -> str:
    return f"{n} participant{'s' if n != 1 else ''}"
