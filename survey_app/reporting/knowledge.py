"""Knowledge-test scoring for pre/post reports: who answered each scored question right, in SQL.

Items are the questions that carry an answer key (`correct:`) in both questionnaires under
the same id. A single choice is correct when the option picked is in the key; a multi
choice only when the set of options picked equals the key. Unanswered counts as wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import Answer, Response
from ..questionnaire.questions import ChoiceQuestionBase, MultiChoiceQuestion
from ..questionnaire.schema import Questionnaire
from .scope import Scope


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


def correct_counts(
    session: Session, scope: Scope, questions: Sequence[ChoiceQuestionBase]
) -> dict[str, int]:
    """Respondents in scope who answered each scored question correctly, by question id."""
    return {q.id: count_correct(session, scope, q) for q in questions}


def mean_score(
    questions: Sequence[ChoiceQuestionBase], correct: Mapping[str, int], n: int
) -> float | None:
    """Mean points per respondent: each item's points times the share who got it right."""
    if n <= 0:
        return None
    return sum(q.points * correct[q.id] for q in questions) / n
