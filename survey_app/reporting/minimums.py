"""Which k and k_text a report build uses: its own, or its trainings' if they are larger."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Response, Training
from .schema import PrePostBlock, Report
from .training import ReportTraining


@dataclass(frozen=True)
class ReportMinimums:
    """The minimums of one build, and a sentence saying where they came from."""

    k: int
    k_text: int
    source: str


def report_questionnaire_ids(report: Report) -> tuple[str, ...]:
    """The questionnaires whose responses a report counts."""
    ids = [report.questionnaire]
    for block in report.blocks:
        if isinstance(block, PrePostBlock):
            ids += [qid for qid in (block.pre, block.post) if qid not in ids]
    return tuple(ids)


def report_minimums(
    session: Session, report: Report, training: ReportTraining | None
) -> ReportMinimums:
    """max(report, training) for a training's report; else max(report, every training counted).

    Why the largest: a training promised its participants its minimum when they answered;
    a report that counts them, alone or with others, must keep every such promise.
    """
    if training is not None:
        counted: Iterable[tuple[int, int]] = [
            (training.min_group_size, training.min_text_group_size)
        ]
        whose = f"training “{training.title}”"
    else:
        counted = _contributing(session, report_questionnaire_ids(report))
        whose = "the trainings whose responses it counts (the largest)"
    rows = list(counted)
    k_training = max((k for k, _ in rows), default=0)
    text_training = max((t for _, t in rows), default=0)
    k = max(report.k, k_training)
    k_text = max(report.k_text, text_training)
    return ReportMinimums(
        k,
        k_text,
        f"k = {k}, set by {whose if k_training > report.k else 'the report'}; "
        f"free text needs {max(k, k_text)} writers, set by "
        f"{whose if text_training > report.k_text else 'the report'}.",
    )


def _contributing(session: Session, questionnaire_ids: tuple[str, ...]) -> list[tuple[int, int]]:
    """(k, k_text) of every training with responses to these questionnaires."""
    has_responses = (
        select(Response.training_id)
        .where(Response.questionnaire_id.in_(questionnaire_ids), Response.training_id.is_not(None))
        .distinct()
    )
    stmt = select(func.max(Training.min_group_size), func.max(Training.min_text_group_size)).where(
        Training.id.in_(has_responses)
    )
    row = session.execute(stmt).one()
    return [] if row[0] is None else [(int(row[0]), int(row[1]))]
