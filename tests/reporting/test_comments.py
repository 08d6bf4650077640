"""Comments block: only groups of k or more, most recent first, escaped when printed."""

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


def by_stakeholder(counts: dict[str, int]) -> list[dict[str, AnswerValue]]:
    """Respondents per stakeholder type, each commenting "<type> comment <i>"."""
    rows: list[dict[str, AnswerValue]] = []
    for value, n in counts.items():
        rows += [
            {"stakeholder_type": Choice((value,)), "comments": f"{value} comment {i}"}
            for i in range(n)
        ]
    return rows


def test_the_most_recent_comments_are_printed_up_to_the_limit(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    rows = store(
        session,
        qs,
        [{"comments": f"comment {i}"} if i % 3 else {"comments": "   "} for i in range(12)]
        + [{"stakeholder_type": Choice(("ngo",))}] * 3,
    )
    result = compute(session, qs, limit=5)
    texts = [r["comments"] for r in rows if str(r.get("comments", "")).strip()]
    [group] = result.groups
    assert group.label is None
    assert group.respondents == 15
    assert group.comments == tuple(reversed(texts))[:5]
    assert (result.shown, result.total) == (5, len(texts))
    assert result.anonymisation_note.startswith("Comments are printed as written, without names")


def test_comments_from_a_group_under_k_never_appear(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    store(session, qs, by_stakeholder({"ngo": 8, "academia": 6, "private": 2}))
    result = compute(session, qs, by="stakeholder_type")
    assert [(g.label, g.respondents) for g in result.groups] == [
        ("Non-governmental organisation", 8),
        ("Academia or research", 6),
    ]
    printed = [text for group in result.groups for text in group.comments]
    assert not [text for text in printed if text.startswith("private")]
    assert result.withheld_groups == 1
    assert result.total == 14
    ctx = context(
        session,
        qs,
        [{"type": "comments", "question": "comments", "by": "stakeholder_type"}],
        k=K,
    )
    html = render_first_block(ctx)
    assert "private comment" not in html
    assert "Private sector" not in html
    assert "academia comment 5" in html
    assert "Comments from 1 group of fewer than 5 respondents are not printed." in html


def test_the_group_size_counts_respondents_not_commenters(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    """Six NGO respondents, one comment: the group has 6 >= k respondents, so it prints."""
    rows = by_stakeholder({"ngo": 1, "academia": 5})
    rows += [{"stakeholder_type": Choice(("ngo",))}] * 5
    store(session, qs, rows)
    result = compute(session, qs, by="stakeholder_type")
    assert next((g.label, g.comments) for g in result.groups) == (
        "Non-governmental organisation",
        ("ngo comment 0",),
    )


def test_respondents_without_a_group_form_their_own_group(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    rows = by_stakeholder({"ngo": 5}) + [{"comments": f"anonymous {i}"} for i in range(2)]
    store(session, qs, rows)
    result = compute(session, qs, by="stakeholder_type")
    assert [g.label for g in result.groups] == ["Non-governmental organisation"]
    assert result.withheld_groups == 1
    store(session, qs, [{"comments": f"anonymous {i}"} for i in range(2, 5)], after_hours=7)
    result = compute(session, qs, by="stakeholder_type")
    assert [g.label for g in result.groups] == ["Non-governmental organisation", "No answer"]
    assert result.groups[1].comments[0] == "anonymous 4"


def test_groups_by_country_use_country_names(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    rows: list[dict[str, AnswerValue]] = [
        {"country": code, "comments": f"from {code} {i}"}
        for code, n in (("TH", 5), ("KH", 6), ("TL", 1))
        for i in range(n)
    ]
    store(session, qs, rows)
    result = compute(session, qs, by="country")
    assert [g.label for g in result.groups] == ["Cambodia", "Thailand"]
    assert all("TL" not in text for g in result.groups for text in g.comments)


def test_nothing_is_printed_when_the_scope_has_fewer_than_k_respondents(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    store(session, qs, [{"comments": f"comment {i}"} for i in range(K - 1)])
    result = compute(session, qs)
    assert result.empty
    assert result.groups == ()
    assert (result.shown, result.total) == (0, 0)


def test_comment_html_is_escaped_and_long_strings_are_printed_whole(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    hostile = [
        "<img src=file:///etc/passwd>",
        '<link rel=attachment href="file:///etc/shadow">',
        "<style>@import url(http://169.254.169.254/);</style>",
        "<script>alert(1)</script> & more",
        "x" * 3000,
    ]
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
    assert "Comments are printed as written, without names" in html
