"""Knowledge-test scoring for pre/post reports: share correct per item and mean scores, in SQL.

Items are the questions that carry an answer key (`correct:`) in both questionnaires under
the same id. A single choice is correct when the option picked is in the key; a multi
choice only when the set of options picked equals the key. Unanswered counts as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import Answer, Response
from ..questionnaire.schema import ChoiceQuestionBase, MultiChoiceQuestion, Questionnaire
from .privacy import suppress_counts
from .scope import Scope


@dataclass(frozen=True)
class KnowledgeItem:
    """One scored question: share correct before and after (None when withheld)."""

    question_id: str
    prompt: str
    #: A multi choice: correct only when the picks equal the key.
    multi: bool
    points: float
    before: float | None
    after: float | None
    #: A share was hidden because fewer than k answered it right, or wrong.
    withheld: bool = False


@dataclass(frozen=True)
class KnowledgeTest:
    """Items and mean scores (in points) of the group before and the group after."""

    items: tuple[KnowledgeItem, ...] = ()
    max_points: float = 0.0
    score_before: float | None = None
    score_after: float | None = None


def scored_questions(pre: Questionnaire, post: Questionnaire) -> list[ChoiceQuestionBase]:
    """Pre-questionnaire questions with an answer key whose post namesake has one too."""
    out = []
    for question in pre.questions():
        after = post.question(question.id)
        if (
            isinstance(question, ChoiceQuestionBase)
            and question.correct
            and isinstance(after, ChoiceQuestionBase)
            and after.correct
        ):
            out.append(question)
    return out


def count_correct(session: Session, scope: Scope, question: ChoiceQuestionBase) -> int:
    """Respondents in scope who answered the question correctly."""
    key = list(question.correct or [])
    if isinstance(question, MultiChoiceQuestion):
        in_key = func.sum(case((Answer.option_value.in_(key), 1), else_=0))
        exact = (
            select(Answer.response_id)
            .join(Response, Response.id == Answer.response_id)
            .where(Answer.question_id == question.id, *scope.conditions())
            .group_by(Answer.response_id)
            .having(func.count() == len(key), in_key == len(key))
            .subquery()
        )
        stmt = select(func.count()).select_from(exact)
    else:
        stmt = (
            select(func.count(func.distinct(Answer.response_id)))
            .join(Response, Response.id == Answer.response_id)
            .where(
                Answer.question_id == question.id,
                Answer.option_value.in_(key),
                *scope.conditions(),
            )
        )
    return int(session.scalar(stmt) or 0)


def knowledge_test(
    session: Session,
    pre: Questionnaire,
    post: Questionnaire,
    scopes: tuple[Scope | None, Scope | None],
    respondents: tuple[int, int],
    k: int,
) -> KnowledgeTest:
    """Share correct per item and mean score per phase; a None scope is a suppressed phase.

    Why a second item is hidden when exactly one is: the mean score is the points-weighted
    sum of the shares, so with one hidden share and the others shown the hidden one could be
    worked out from the mean score (with no other item to hide, the mean score is hidden).
    """
    questions = scored_questions(pre, post)
    phases: list[tuple[dict[str, float | None], float | None]] = []
    for scope, n in zip(scopes, respondents, strict=True):
        if scope is None or not questions:
            phases.append(({q.id: None for q in questions}, None))
            continue
        correct = {q.id: count_correct(session, scope, q) for q in questions}
        phases.append(_suppressed_phase(questions, correct, n, k))
    (before, score_before), (after, score_after) = phases
    items = tuple(
        KnowledgeItem(
            question_id=q.id,
            prompt=q.prompt,
            multi=isinstance(q, MultiChoiceQuestion),
            points=q.points,
            before=before[q.id],
            after=after[q.id],
            withheld=(scopes[0] is not None and before[q.id] is None)
            or (scopes[1] is not None and after[q.id] is None),
        )
        for q in questions
    )
    return KnowledgeTest(items, sum(q.points for q in questions), score_before, score_after)


def _suppressed_phase(
    questions: list[ChoiceQuestionBase], correct: Mapping[str, int], n: int, k: int
) -> tuple[dict[str, float | None], float | None]:
    """Shares correct with small splits hidden (plus one more if needed), and the mean score."""
    hidden = {
        q.id
        for q in questions
        if None in suppress_counts({"right": correct[q.id], "wrong": n - correct[q.id]}, k).values()
    }
    score: float | None = sum(q.points * correct[q.id] for q in questions) / n
    if len(hidden) == 1:
        candidates = [q.id for q in questions if q.id not in hidden]
        if candidates:
            hidden.add(min(candidates, key=lambda qid: (min(correct[qid], n - correct[qid]), qid)))
        else:
            score = None
    shares = {q.id: None if q.id in hidden else correct[q.id] / n for q in questions}
    return shares, score
