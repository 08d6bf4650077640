"""Paired pre/post figures of one training: each participant's change, not the groups'.

Pairs come from `survey_app.pairing`: the latest pre and the latest post response of each
participant-code hash. Only pairs whose two responses are in the block's scopes count (the
report's date filter, the questionnaires). The Wilcoxon signed-rank test needs every pair's
difference, so, unlike the group figures, these queries return one row per pair: one query
per compared question and one for the whole knowledge test, never one per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

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
from ..questionnaire.questions import ChoiceQuestionBase, MultiChoiceQuestion
from .scope import Scope
from .sql import ID_CHUNK
from .stats import WilcoxonResult, match_rate, mean_paired_difference, wilcoxon_signed_rank

#: Item key of a scale or number question's answer row (a matrix row's is the row value).
SINGLE = ""


@dataclass(frozen=True)
class PairedSample:
    """How a training's participants pair up within the block's scopes."""

    pairs: int
    #: Distinct people in either phase: one per code, one per response without a code.
    participants: int
    #: Codes used by more than one pre (post) response; only the latest of each is paired.
    duplicate_pre: int
    duplicate_post: int
    #: Distinct post codes that match no pre code (and pre codes no post code matches).
    unmatched_post: int
    unmatched_pre: int
    post_without_code: int
    #: Probable pairs: unmatched codes one element apart, unambiguous (pairing.py).
    probable_pairs: int = 0

    @property
    def match_rate(self) -> float | None:
        """Pairs per distinct participant (see `stats.match_rate`)."""
        return match_rate(self.pairs, self.participants)


@dataclass(frozen=True)
class PairedStats:
    """Each pair's change on one item (a scale, matrix row, number or test score), unrounded."""

    n: int
    mean_before: float
    mean_after: float
    #: Mean of (after − before) over the pairs.
    mean_difference: float
    test: WilcoxonResult


def scoped_pairs(training_id: int, pre: Scope, post: Scope) -> Subquery:
    """(pre_id, post_id) of the training's pairs whose two responses are in scope."""
    every = pairs_query(training_id).order_by(None).subquery("every_pair")
    return (
        select(every.c.pre_id, every.c.post_id)
        .where(every.c.pre_id.in_(_ids(pre)), every.c.post_id.in_(_ids(post)))
        .subquery("pairs")
    )


def count_pairs(session: Session, pairs: Subquery) -> int:
    """Pairs in a `scoped_pairs` subquery."""
    return int(session.scalar(select(func.count()).select_from(pairs)) or 0)


def paired_sample(
    session: Session, training_id: int, pairs: Subquery, pre: Scope, post: Scope
) -> PairedSample:
    """Pairs (`scoped_pairs`) and distinct participants in scope; the training's duplicate
    and unmatched codes, as `pairing_summary` counts them.

    `pre` and `post` are taken with every respondent of their phase, also when the report
    shows only the paired ones: the match rate is about everyone who took part.
    """
    summary = pairing_summary(session, training_id)
    return PairedSample(
        pairs=count_pairs(session, pairs),
        participants=_participants(
            session, replace(pre, paired=False), replace(post, paired=False)
        ),
        duplicate_pre=summary.duplicate_pre_codes,
        duplicate_post=summary.duplicate_post_codes,
        unmatched_post=summary.unmatched_post_codes,
        unmatched_pre=summary.unmatched_pre_codes,
        post_without_code=summary.post_without_code,
        probable_pairs=len(summary.probable_pairs),
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
    # The pairs are fetched once and scored by id: a statement that joins the pairs subquery
    # to two score subqueries over it can get a plan that runs for minutes on PostgreSQL
    # when the table statistics are stale (seen on freshly loaded tables).
    pair_ids = session.execute(
        select(pairs.c.pre_id, pairs.c.post_id).order_by(pairs.c.pre_id)
    ).all()
    score = _scores(
        session, questions, [pre for pre, _ in pair_ids] + [post for _, post in pair_ids]
    )
    return [(score.get(pre, 0.0), score.get(post, 0.0)) for pre, post in pair_ids]


def paired_stats(pairs: Sequence[tuple[float, float]]) -> PairedStats | None:
    """Means, mean difference and Wilcoxon test of (before, after) pairs; None without pairs."""
    n = len(pairs)
    if n == 0:
        return None
    return PairedStats(
        n=n,
        mean_before=sum(before for before, _ in pairs) / n,
        mean_after=sum(after for _, after in pairs) / n,
        mean_difference=mean_paired_difference(pairs) or 0.0,
        test=wilcoxon_signed_rank([after - before for before, after in pairs]),
    )


def _ids(scope: Scope) -> Select[int]:
    return select(Response.id).where(*scope.conditions())


def _participants(session: Session, pre: Scope, post: Scope) -> int:
    """Distinct people in either scope: one per code hash, one per response without a code.

    Why across both phases: a code used before and after is one person, and a code used
    twice in one phase is one person too (each scope keeps the latest response per code).
    """
    who = func.coalesce(Response.participant_code_hash, cast(Response.id, String))
    either = or_(and_(*pre.conditions()), and_(*post.conditions()))
    stmt = select(func.count(distinct(who))).where(either)
    return int(session.scalar(stmt) or 0)


def _scores(
    session: Session, questions: Sequence[ChoiceQuestionBase], response_ids: Sequence[int]
) -> dict[int, float]:
    """Points scored by each of these responses that has a scored answer, by response id.

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
    out: dict[int, float] = {}
    for start in range(0, len(response_ids), ID_CHUNK):
        per_item = (
            select(Answer.response_id.label("response_id"), cast(points, Float).label("points"))
            .where(
                Answer.question_id.in_([q.id for q in questions]),
                Answer.response_id.in_(response_ids[start : start + ID_CHUNK]),
            )
            .group_by(Answer.response_id, Answer.question_id)
            .subquery("per_item")
        )
        stmt = select(per_item.c.response_id, func.sum(per_item.c.points)).group_by(
            per_item.c.response_id
        )
        out.update((int(response), float(total)) for response, total in session.execute(stmt))
    return out


def _is_correct(
    question: ChoiceQuestionBase, hits: ColumnElement[int], picked: ColumnElement[int]
) -> ColumnElement[bool]:
    if isinstance(question, MultiChoiceQuestion):
        size = len(question.correct or [])
        return and_(picked == size, hits == size)
    return hits >= 1
