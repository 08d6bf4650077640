"""Builders for block tests: store answers as the app does, build a report context, render.

Plain functions rather than fixtures so each test states its own data; responses go in
through `responses.answer_rows`, the same row layout `record_submission` writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask
from sqlalchemy import insert
from sqlalchemy.orm import Session

from survey_app.content import registry
from survey_app.models import Answer, Response
from survey_app.questionnaire import AnswerValue, Questionnaire
from survey_app.reporting.blocks.registry import BLOCKS
from survey_app.reporting.context import ReportContext
from survey_app.reporting.pipeline import ReportDocument, render_html
from survey_app.reporting.results import RenderedBlock
from survey_app.reporting.schema import Report
from survey_app.responses import answer_rows, new_submission_token

NEEDS = "untoc-needs-assessment"
POST = "untoc-post-training"
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def sample_questionnaires(app: Flask) -> dict[str, Questionnaire]:
    """The shipped sample questionnaires by id."""
    with app.app_context():
        return registry().questionnaire_models()


def add_response(
    session: Session,
    questionnaire: Questionnaire,
    answers: Mapping[str, AnswerValue],
    submitted_at: dt.datetime | None = None,
    *,
    training_id: int | None = None,
    phase: str | None = None,
    code_hash: str | None = None,
    near_miss_tags: str | None = None,
) -> int:
    """Store one response with its answer rows (optionally a training's); returns its id."""
    response = Response(
        questionnaire_id=questionnaire.id,
        definition_hash="0" * 64,
        language="en",
        submission_token=new_submission_token(),
        answers_digest="0" * 64,
        submitted_at=submitted_at or START,
        training_id=training_id,
        phase=phase,
        participant_code_hash=code_hash,
        near_miss_tags=near_miss_tags,
    )
    session.add(response)
    session.flush()
    rows = [
        {"response_id": response.id, **row}
        for qid, value in answers.items()
        for row in answer_rows(qid, getattr(questionnaire.question(qid), "type", ""), value)
    ]
    if rows:
        session.execute(insert(Answer), rows)
    return response.id


def add_responses(
    session: Session, questionnaire: Questionnaire, many: Sequence[Mapping[str, AnswerValue]]
) -> None:
    """Store several responses, one minute apart, in list order."""
    for i, answers in enumerate(many):
        add_response(session, questionnaire, answers, START + dt.timedelta(minutes=i))
    session.flush()


def report(
    questionnaires: Mapping[str, Questionnaire],
    blocks: Sequence[Mapping[str, Any]],
    *,
    k: int = 5,
    questionnaire: str = NEEDS,
    **fields: Any,
) -> Report:
    """A validated report definition around the given blocks (references checked)."""
    data = {
        "schema_version": 1,
        "id": "test-report",
        "title": "Test report",
        "questionnaire": questionnaire,
        "k": k,
        "blocks": list(blocks),
        **fields,
    }
    return Report.model_validate(data, context={"questionnaires": dict(questionnaires)})


def context(
    session: Session,
    questionnaires: Mapping[str, Questionnaire],
    blocks: Sequence[Mapping[str, Any]],
    **kwargs: Any,
) -> ReportContext:
    """A ReportContext for a report made of `blocks`."""
    return ReportContext(session, report(questionnaires, blocks, **kwargs), questionnaires)


def render_first_block(ctx: ReportContext) -> str:
    """The print HTML of a report holding the context's first block, through the real templates."""
    block = ctx.report.blocks[0]
    kind = BLOCKS[block.type]
    result = kind.compute(ctx, block)
    rendered = RenderedBlock(
        number=1,
        anchor="block-1",
        block_type=block.type,
        result=result,
        charts=() if result.empty else kind.charts(result),
    )
    doc = ReportDocument(
        report_id=ctx.report.id,
        title=ctx.report.title,
        subtitle=None,
        intro=None,
        generated=dt.date(2026, 3, 31),
        k=ctx.k,
        responses=1,
        filter_description="All responses received so far.",
        sources=(),
        blocks=(rendered,),
    )
    return render_html(doc)
