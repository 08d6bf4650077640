"""Comments block: only for k_text writers or more, never per group, shuffled, escaped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import comments
from survey_app.reporting.blocks.comments import CommentsResult

from .seeding import NEEDS, START, add_response, context, render_first_block, sample_questionnaires

K = 5


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def store(
    session: Session,
    qs: dict[str, Questionnaire],
    rows: list[dict[str, AnswerValue]],
    after_hours: int = 0,
) -> list[dict[str, AnswerValue]]:
    """Store responses in order, one hour apart (the last is the most recent)."""
    for i, answers in enumerate(rows, start=after_hours):
        add_response(session, qs[NEEDS], answers, START + dt.timedelta(hours=i))
    session.flush()
    return rows


def compute(session: Session, qs: dict[str, Questionnaire], **block: Any) -> CommentsResult:
    ctx = context(session, qs, [{"type": "comments", "question": "comments", **block}], k=K)
    result = comments.compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, CommentsResult)
    return result


def test_comments_print_shuffled_with_a_fixed_seed_not_in_submission_order(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    rows = store(
        session,
        qs,
        [{"comments": f"comment {i:02d}"} if i % 3 else {"comments": "   "} for i in range(36)]
        + [{"stakeholder_type": Choice(("ngo",))}] * 3,
    )
    texts = [str(r["comments"]) for r in rows if str(r.get("comments", "")).strip()]
    result = compute(session, qs, limit=50)
    assert sorted(result.comments) == sorted(texts)
    assert result.total == len(texts) == 24
    assert list(result.comments) not in (texts, texts[::-1])
    # The same order on every build, and each text keeps its place when others arrive.
    assert compute(session, qs, limit=50).comments == result.comments
    store(session, qs, [{"comments": "a late comment"}], after_hours=40)
    everything = compute(session, qs, limit=50).comments
    assert [c for c in everything if c != "a late comment"] == list(result.comments)
    limited = compute(session, qs, limit=5)
    assert limited.comments == everything[:5]
    assert limited.total == 25
    assert result.anonymisation_note.startswith("Comments are printed as written, in a shuffled")


def test_fewer_than_k_text_writers_print_no_comment_although_k_is_reached(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    """k is 5 and k_text 10: nine comments from twelve respondents stay in the database."""
    store(
        session,
        qs,
        [{"comments": f"private words {i}"} for i in range(9)]
        + [{"stakeholder_type": Choice(("ngo",))}] * 3,
    )
    ctx = context(session, qs, [{"type": "comments", "question": "comments"}], k=K)
    result = comments.compute(ctx, ctx.report.blocks[0])
    assert result.withheld
    assert result.comments == ()
    assert result.total is None
    assert ctx.disclosure.figures == []
    html = render_first_block(ctx)
    assert "private words" not in html
    assert "No comments are printed: fewer than 10 people wrote one." in html
    store(session, qs, [{"comments": "the tenth"}], after_hours=20)
    assert len(compute(session, qs).comments) == 10


def test_k_text_is_set_per_report(session: Session, qs: dict[str, Questionnaire]) -> None:
    store(session, qs, [{"comments": f"comment {i}"} for i in range(12)])
    ctx = context(session, qs, [{"type": "comments", "question": "comments"}], k=K, k_text=15)
    assert comments.compute(ctx, ctx.report.blocks[0]).withheld


def test_comments_per_group_are_a_located_error(qs: dict[str, Questionnaire]) -> None:
    with pytest.raises(ValueError, match="comments are never printed per group"):
        context(
            None,  # type: ignore[arg-type]
            qs,
            [{"type": "comments", "question": "comments", "by": "stakeholder_type"}],
        )


def test_comment_html_is_escaped_and_long_strings_are_printed_whole(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    hostile = [
        "<img src=file:///etc/passwd>",
        '<link rel=attachment href="file:///etc/shadow">',
        "<style>@import url(http://169.254.169.254/);</style>",
        "<script>alert(1)</script> & more",
        "x" * 3000,
        # What the demo data printed until a new user's first report had to look real.
        "Great training! <img src=file:///etc/passwd> Please share the slides.",
        "https://drive.example.org/s/" + ("Qm9vay1yZXBvcnQtMjAyNg" * 68)[:1472],
    ]
    hostile += [f"ordinary comment {i}" for i in range(10 - len(hostile))]
    store(session, qs, [{"comments": text} for text in hostile])
    html = render_first_block(
        context(session, qs, [{"type": "comments", "question": "comments"}], k=K)
    )
    assert "<img src=file" not in html
    assert "<link rel=attachment" not in html
    assert "<style>@import" not in html
    assert "<script>" not in html
    assert '<p class="comment">&lt;img src=file:///etc/passwd&gt;</p>' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert f'<p class="comment">{"x" * 3000}</p>' in html
    assert "Comments are printed as written, in a shuffled order" in html
    assert "Qm9vay1yZXBvcnQtMjAyNg" * 60 in html


def test_a_report_with_comments_by_group_fails_to_load_at_the_line_of_by(tmp_path) -> None:
    from survey_app.questionnaire import ContentError, load_registry
    from survey_app.reporting.schema import Report
    from survey_app.settings import ROOT

    (tmp_path / "r.yaml").write_text(
        "schema_version: 1\n"
        "id: r\n"
        "title: R\n"
        "questionnaire: untoc-needs-assessment\n"
        "blocks:\n"
        "  - type: comments\n"
        "    question: comments\n"
        "    by: stakeholder_type\n"
    )
    with pytest.raises(ContentError) as caught:
        load_registry([ROOT / "questionnaires"], [tmp_path], report_model=Report)
    (error,) = caught.value.errors
    assert str(error).endswith(
        "8:9: blocks[0].by: comments are never printed per group: a small group's comments "
        "would point at its members (remove `by`)"
    )
