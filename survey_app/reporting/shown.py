"""What an aggregator works in (`Frame`), and who a conditional question was shown to.

"Answered by 12 of 30" misleads when the question was shown only to the 18 who gave a
certain earlier answer: `shown_count` evaluates the questionnaire's skip logic
(`show_if` of the question and its section) on each respondent's stored answers to the
questions conditions refer to, exactly as the form does (questionnaire/answers.py).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..questionnaire.answers import AnswerValue, Choice, visible_questions
from ..questionnaire.conditions import comparisons
from ..questionnaire.schema import Questionnaire
from .disclosure import Disclosure, Hidden, Population
from .scope import Scope
from .sql import respondent_answers

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Frame:
    """What every aggregator needs besides the question: data, scope and disclosure layer."""

    session: Session
    scope: Scope
    disclosure: Disclosure
    #: The scope's people as a population (shown, or hidden with nothing printed).
    population: Population | Hidden
    #: How the scope's people are named ("All respondents", "Paired post-training ...").
    label: str = "All respondents"
    #: For skip logic ("answered by X of the Y it was shown to"); None skips it.
    questionnaire: Questionnaire | None = None
    #: Runs a query once per report build (`ReportContext.aggregate`); None runs it directly.
    runner: Callable[..., Any] | None = None

    def run(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`query(session, *args, **kwargs)`, cached for the build when there is a runner."""
        if self.runner is not None:
            result: T = self.runner(query, *args, **kwargs)
            return result
        return query(self.session, *args, **kwargs)


def condition_questions(questionnaire: Questionnaire) -> tuple[str, ...]:
    """Every question a `show_if` (of a section or a question) refers to."""
    found: dict[str, None] = {}
    for section in questionnaire.sections:
        conditions = [section.show_if, *(q.show_if for q in section.questions)]
        for condition in conditions:
            if condition is not None:
                for comparison, _ in comparisons(condition):
                    found.setdefault(comparison.question)
    return tuple(found)


def shown_count(frame: Frame, question_id: str) -> int:
    """Respondents in scope to whom the question was shown, by the questionnaire's skip logic."""
    questionnaire = frame.questionnaire
    if questionnaire is None:
        raise ValueError("skip logic needs the questionnaire")
    ids, rows = frame.run(respondent_answers, frame.scope, condition_questions(questionnaire))
    answers = _answers(rows)
    return sum(
        1 for rid in ids if question_id in visible_questions(questionnaire, answers.get(rid, {}))
    )


def _answers(rows: tuple[tuple[Any, ...], ...]) -> dict[int, dict[str, AnswerValue]]:
    """Stored rows back into the values skip logic compares (see `answers.holds`).

    Options (choices, rankings, countries) become a Choice, whose `in` test matches as
    the form's values do; matrices a mapping; the rest their single value.
    """
    options: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    out: dict[int, dict[str, AnswerValue]] = defaultdict(dict)
    for rid, qid, row, option, number, date, _rank, text in rows:
        if row is not None:
            matrix = out[rid].setdefault(qid, {})
            if isinstance(matrix, dict) and number is not None:
                matrix[str(row)] = int(number)
        elif option is not None:
            options[rid][qid].append(str(option))
        elif number is not None:
            out[rid][qid] = int(number) if float(number).is_integer() else float(number)
        elif date is not None:
            out[rid][qid] = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date))
        elif text is not None:
            out[rid][qid] = str(text)
    for rid, by_question in options.items():
        for qid, values in by_question.items():
            out[rid][qid] = Choice(tuple(values))
    return out
