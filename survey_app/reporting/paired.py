"""Paired pre/post figures of one training: each participant's change, not the groups'.

Pairs come from `survey_app.pairing`: the latest pre and the latest post response of each
participant-code hash. Only pairs whose two responses are in the block's scopes count (the
report's date filter, the questionnaires). The Wilcoxon signed-rank test needs every pair's
difference, so, unlike the group figures, these queries return one row per pair: one query
per compared question and one for the whole knowledge test, never one per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    distinct,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from ..models import Answer, Response
from ..pairing import pairing_summary, pairs_query
from ..questionnaire.schema import ChoiceQuestionBase, MultiChoiceQuestion
from .scope import Scope
from .stats import (
    gain_band,
    match_rate,
    mean_paired_difference,
    normalised_gain,
    wilcoxon_signed_rank,
)

#: Item key of a scale or number question's answer row (a matrix row's is the row value).
SINGLE = ""


@dataclass(frozen=True)
class PairedSample:
    """How a training's participants pair up within the block's scopes."""

    pairs: int
    #: Participants (one per code; each response without a code is one) per phase.
    participants_pre: int
    participants_post: int
    #: Codes used by more than one pre (post) response; only the latest of each is paired.
    duplicate_pre: int
    duplicate_post: int
    #: Post responses whose code matches no pre response of the training.
    unmatched_post: int
    post_without_code: int

    @property
    def match_rate(self) -> float | None:
        """Pairs per participant seen in either phase (see `stats.match_rate`)."""
        return match_rate(self.participants_pre, self.participants_post, self.pairs)


@dataclass(frozen=True)
class PairedChange:
    """Each pair's change on one item (scale, matrix row, number, or test score)."""

    label: str
    #: Pairs who answered the item before and after; None when fewer than k (nothing shown).
    n: int | None = None
    mean_before: float | None = None
    mean_after: float | None = None
    #: Mean of (after − before) over the pairs.
    mean_difference: float | None = None
    #: Two-sided Wilcoxon signed-rank p-value; None when no pair changed.
    p_value: float | None = None
    #: "exact", "normal" (approximation) or "none" (no test: no pair changed).
    method: str = "none"
    #: Matched-pairs rank-biserial correlation, −1..1 (positive: higher after).
    effect_size: float | None = None


@dataclass(frozen=True)
class PairedQuestion:
    """A compared question's paired changes, one per item (matrix row) or a single one."""

    question_id: str
    prompt: str
    items: tuple[PairedChange, ...]


@dataclass(frozen=True)
class PairedKnowledge:
    """The knowledge-test score (points) of each pair, before and after."""

    score: PairedChange
    max_points: float

    @property
    def percent_before(self) -> float | None:
        """Paired mean score before, as % of the maximum."""
        return _percent(self.score.mean_before, self.max_points)

    @property
    def percent_after(self) -> float | None:
        """Paired mean score after, as % of the maximum."""
        return _percent(self.score.mean_after, self.max_points)

    @property
    def gain(self) -> float | None:
        """Hake's normalised gain on the paired means."""
        if self.percent_before is None or self.percent_after is None:
            return None
        return normalised_gain(self.percent_before, self.percent_after)

    @property
    def gain_band(self) -> str | None:
        """low, medium or high."""
        return None if self.gain is None else gain_band(self.gain)


def scoped_pairs(training_id: int, pre: Scope, post: Scope) -> Subquery:
    """(pre_id, post_id) of the training's pairs whose two responses are in scope."""
    every = pairs_query(training_id).order_by(None).subquery("every_pair")
    return (
        select(every.c.pre_id, every.c.post_id)
        .where(every.c.pre_id.in_(_ids(pre)), every.c.post_id.in_(_ids(post)))
        .subquery("pairs")
    )


def paired_sample(
    session: Session, training_id: int, pairs: Subquery, pre: Scope, post: Scope
) -> PairedSample:
    """Pairs (`scoped_pairs`) and participants in scope; the training's duplicate and
    unmatched codes, as `pairing_summary` counts them."""
    n_pairs = int(session.scalar(select(func.count()).select_from(pairs)) or 0)
    summary = pairing_summary(session, training_id)
    return PairedSample(
        pairs=n_pairs,
        participants_pre=_participants(session, pre),
        participants_post=_participants(session, post),
        duplicate_pre=summary.duplicate_pre_codes,
        duplicate_post=summary.duplicate_post_codes,
        unmatched_post=summary.unmatched_post,
        post_without_code=summary.post_without_code,
    )


def paired_values(
    session: Session, pairs: Subquery, question_id: str
) -> dict[str, list[tuple[float, float]]]:
    """(before, after) of every pair that answered, per item (SINGLE, or the matrix row)."""
    before, after = aliased(Answer, name="pre_answer"), aliased(Answer, name="post_answer")
    stmt = (
        select(before.item, before.number_value, after.number_value)
        .select_from(pairs)
        .join(
            before,
            and_(
                before.response_id == pairs.c.pre_id,
                before.question_id == question_id,
                before.number_value.is_not(None),
            ),
        )
        .join(
            after,
            and_(
                after.response_id == pairs.c.post_id,
                after.question_id == question_id,
                after.item == before.item,
                after.number_value.is_not(None),
            ),
        )
        .order_by(before.item, pairs.c.pre_id)
    )
    out: dict[str, list[tuple[float, float]]] = {}
    for item, b, a in session.execute(stmt):
        if b is not None and a is not None:  # always: the joins ask for both
            out.setdefault(item, []).append((b, a))
    return out


def paired_scores(
    session: Session, pairs: Subquery, questions: Sequence[ChoiceQuestionBase]
) -> list[tuple[float, float]]:
    """(score before, score after) in points of every pair; unanswered items score 0.

    Correct as in `knowledge.count_correct`: a single choice when the option picked is in
    the key, a multi choice when the options picked are exactly the key.
    """
    if not questions:
        return []
    before = _scores(questions, select(pairs.c.pre_id)).subquery("score_before")
    after = _scores(questions, select(pairs.c.post_id)).subquery("score_after")
    stmt = (
        select(func.coalesce(before.c.score, 0.0), func.coalesce(after.c.score, 0.0))
        .select_from(pairs)
        .outerjoin(before, before.c.response_id == pairs.c.pre_id)
        .outerjoin(after, after.c.response_id == pairs.c.post_id)
        .order_by(pairs.c.pre_id)
    )
    return [(float(b), float(a)) for b, a in session.execute(stmt)]


def paired_change(label: str, pairs: Sequence[tuple[float, float]], k: int) -> PairedChange:
    """Means, mean difference and Wilcoxon test of (before, after) pairs; blank under k."""
    n = len(pairs)
    if n < k or n == 0:
        return PairedChange(label)
    test = wilcoxon_signed_rank([after - before for before, after in pairs])
    return PairedChange(
        label=label,
        n=n,
        mean_before=sum(before for before, _ in pairs) / n,
        mean_after=sum(after for _, after in pairs) / n,
        mean_difference=mean_paired_difference(pairs),
        p_value=test.p_value,
        method=test.method,
        effect_size=test.rank_biserial,
    )


def _ids(scope: Scope) -> Select[int]:
    return select(Response.id).where(*scope.conditions())


def _participants(session: Session, scope: Scope) -> int:
    """Distinct participants in scope: one per code hash, one per response without a code."""
    who = func.coalesce(Response.participant_code_hash, cast(Response.id, String))
    stmt = select(func.count(distinct(who))).where(*scope.conditions())
    return int(session.scalar(stmt) or 0)


def _scores(questions: Sequence[ChoiceQuestionBase], responses: Select[int]) -> Select[int, float]:
    """(response_id, points scored) of these responses, those with a scored answer.

    Grouped by response and question first: `hits` counts the options picked that are in
    that question's key, `picked` all options picked.
    """
    in_key = or_(
        *(
            and_(Answer.question_id == q.id, Answer.option_value.in_(list(q.correct or [])))
            for q in questions
        )
    )
    hits = func.sum(case((in_key, 1), else_=0))
    picked = func.count()
    points = case(
        *(
            (and_(Answer.question_id == q.id, _is_correct(q, hits, picked)), q.points)
            for q in questions
        ),
        else_=0.0,
    )
    per_item = (
        select(Answer.response_id.label("response_id"), cast(points, Float).label("points"))
        .where(
            Answer.question_id.in_([q.id for q in questions]),
            Answer.response_id.in_(responses),
        )
        .group_by(Answer.response_id, Answer.question_id)
        .subquery("per_item")
    )
    return select(per_item.c.response_id, func.sum(per_item.c.points).label("score")).group_by(
        per_item.c.response_id
    )


def _is_correct(
    question: ChoiceQuestionBase, hits: ColumnElement[int], picked: ColumnElement[int]
) -> ColumnElement[bool]:
    if isinstance(question, MultiChoiceQuestion):
        size = len(question.correct or [])
        return and_(picked == size, hits == size)
    return hits >= 1


def _percent(score: float | None, max_points: float) -> float | None:
    if score is None or max_points <= 0:
        return None
    return 100 * score / max_points
