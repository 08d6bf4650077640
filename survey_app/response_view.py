"""One stored response as staff read it: each answered question with its answer in words."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from .exports import CHOSEN, fill_question, question_columns, utc_iso
from .models import Answer, Response
from .questionnaire import Questionnaire


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
        )
        .where(Answer.response_id == response.id)
        .order_by(Answer.question_id, Answer.id)
    ).all()
    by_question = {qid: list(group) for qid, group in groupby(rows, lambda a: a.question_id)}
    shown = []
    for question in questionnaire.questions():
        answers = by_question.get(question.id)
        if not answers:
            continue
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
        shown.append(ShownAnswer(question.id, str(question.prompt), tuple(lines)))
    return shown


def submitted_when(response: Response) -> str:
    """The submission time, ISO 8601 UTC."""
    return utc_iso(response.submitted_at)
