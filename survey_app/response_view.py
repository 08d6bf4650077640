"""One stored response as staff read it: each answered question with its answer in words."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from .exports import CHOSEN, fill_question, question_columns, utc_iso
from .models import Answer, Response
from .questionnaire import Questionnaire
from .questionnaire.questions import QuestionBase


@dataclass(frozen=True)
class ShownAnswer:
    """A question's prompt and its answer, one line per chosen option, row or rank."""

    question_id: str
    prompt: str
    lines: tuple[str, ...]


def shown_answers(
    session: Session, questionnaire: Questionnaire, response: Response
) -> list[ShownAnswer]:
    """The response's answers in questionnaire order (free text included, escaped later)."""
    rows = session.execute(
        select(
            Answer.question_id,
            Answer.row,
            Answer.option_value,
            Answer.number_value,
            Answer.text_value,
            Answer.date_value,
            Answer.rank,
            Answer.instance,
        )
        .where(Answer.response_id == response.id)
        .order_by(Answer.question_id, Answer.instance, Answer.id)
    ).all()
    grouped = groupby(rows, lambda a: (a.question_id, a.instance))
    by_question = {key: list(group) for key, group in grouped}
    shown = []
    for question, instance, prompt in _asked(questionnaire, by_question):
        answers = by_question[(question.id, instance)]
        cells = fill_question(question, answers, include_text=True)
        lines = []
        for column in question_columns(question, include_text=True):
            value = cells.get(column.name)
            if value is None or (column.number_labels == CHOSEN and value == 0):
                continue
            if column.number_labels == CHOSEN:
                lines.append(column.label)
                continue
            text = column.label_of(value)
            lines.append(f"{column.label}: {text}" if column.label else str(text))
        shown.append(ShownAnswer(question.id, prompt, tuple(lines)))
    return shown


def _asked(
    questionnaire: Questionnaire, answered: Mapping[tuple[str, int], object]
) -> Iterator[tuple[QuestionBase, int, str]]:
    """(question, item, prompt) of each answer in page order; a repeated question once per
    item it was answered in, its prompt naming the item."""
    for section in questionnaire.sections:
        if section.repeat is None:
            for question in section.questions:
                if (question.id, 0) in answered:
                    yield question, 0, str(question.prompt)
            continue
        name = str(section.repeat.item_label or "Item")
        most = max(
            (n for qid, n in answered if qid in {q.id for q in section.questions}), default=0
        )
        for n in range(1, most + 1):
            for question in section.questions:
                if (question.id, n) in answered:
                    yield question, n, f"{name} {n}: {question.prompt}"


def submitted_when(response: Response) -> str:
    """The submission time, ISO 8601 UTC."""
    return utc_iso(response.submitted_at)
