"""A 6-person training (6 pre, 6 post, all paired): the needs blocks show every figure.

All six answered every question the blocks use, so with k = 5 every population is shown;
each printed figure is recomputed here from the raw answers in plain Python.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.reporting.blocks import gap, priorities, recommendations
from survey_app.reporting.blocks.gap import GapResult
from survey_app.reporting.blocks.priorities import PrioritiesResult
from survey_app.reporting.blocks.recommendations import RecommendationsResult
from survey_app.reporting.context import ReportContext
from survey_app.reporting.disclosure import HIDDEN_MARK

from .needs_data import (
    AREAS,
    CONFIDENCE,
    ENGAGED,
    FAMILIARITY,
    IMPORTANCE,
    RANKINGS,
    ROWS,
    borda,
    half_up,
    median,
    ranks,
    six_person_training,
)
from .seeding import render_first_block, report, sample_questionnaires

BLOCKS: list[dict[str, Any]] = [
    {"type": "priorities", "measure": "mean", "sources": [{"question": "capacity_importance"}]},
    {"type": "priorities", "measure": "top_box", "sources": [{"question": "capacity_importance"}]},
    {"type": "priorities", "measure": "borda", "sources": [{"question": "crime_areas"}]},
    {"type": "gap", "importance": "capacity_importance", "capacity": "confidence"},
    {
        "type": "recommendations",
        "rules": [
            {
                "id": "review_module",
                "text": "Build a review mechanism module.",
                "share": {"question": "confidence", "row": "review_mechanism", "at_most": 2},
                "at_least": 0.4,
            },
            {
                "id": "pair",
                "text": "Pair NGOs with focal points.",
                "share": {"question": "engaged_before", "in": ["no", "unsure"]},
                "at_least": 0.5,
            },
            {
                "id": "refresher",
                "text": "Open with a refresher.",
                "mean": {"question": "familiarity_untoc"},
                "at_most": 3,
            },
            {
                "id": "trafficking",
                "text": "Use trafficking as the case study.",
                "rank": {"question": "crime_areas", "option": "trafficking"},
                "at_most": 1,
            },
        ],
    },
]


@pytest.fixture
def ctx(app: Flask, session: Session) -> ReportContext:
    qs = sample_questionnaires(app)
    training = six_person_training(session, qs)
    return ReportContext(session, report(qs, BLOCKS, k=5), qs, training)


def run(ctx: ReportContext, index: int) -> Any:
    block = ctx.report.blocks[index]
    ctx.disclosure.block = index + 1
    return {"priorities": priorities, "gap": gap, "recommendations": recommendations}[
        block.type
    ].compute(ctx, block)


def test_the_training_scope_is_its_six_pre_respondents(ctx: ReportContext) -> None:
    scope = ctx.scope()
    assert ctx.training is not None
    assert (scope.training_id, scope.phase, scope.paired) == (ctx.training.id, "pre", False)


def test_priorities_show_every_item_with_figures_recomputed_from_raw_answers(
    ctx: ReportContext,
) -> None:
    mean, top_box, by_borda = (run(ctx, i) for i in range(3))
    assert isinstance(mean, PrioritiesResult)
    assert not mean.empty
    assert mean.withheld == top_box.withheld == by_borda.withheld == ()
    ratings = {row: [imp[i] for imp in IMPORTANCE] for i, row in enumerate(ROWS)}
    means = {row: half_up(sum(r) / 6, 2) for row, r in ratings.items()}
    assert {item.value: (item.score, item.n) for item in mean.items} == {
        row: (means[row], 6) for row in ROWS
    }
    assert {item.value: item.rank for item in mean.items} == dict(
        zip(ROWS, ranks([means[row] for row in ROWS]), strict=True)
    )
    shares = {row: half_up(100 * sum(r >= 4 for r in ratings[row]) / 6, 0) for row in ROWS}
    assert {item.value: item.score for item in top_box.items} == shares
    scores = borda(RANKINGS)
    assert {item.value: item.score for item in by_borda.items} == {
        option: half_up(scores[option], 2) for option in AREAS
    }
    assert {item.value: item.n for item in by_borda.items} == {
        option: sum(option in ranking for ranking in RANKINGS) for option in AREAS
    }


def test_gap_shows_borich_and_rdm_for_every_row(ctx: ReportContext) -> None:
    result = run(ctx, 3)
    assert isinstance(result, GapResult)
    assert not result.withheld
    for i, row in enumerate(ROWS):
        pairs = [(imp[i], conf[i]) for imp, conf in zip(IMPORTANCE, CONFIDENCE, strict=True)]
        mean_i = sum(p[0] for p in pairs) / 6
        gaps = [p[0] - p[1] for p in pairs]
        [shown] = [r for r in result.rows if r.value == row]
        assert shown.n == 6
        assert shown.importance == half_up(mean_i, 2)
        assert shown.capacity == half_up(sum(p[1] for p in pairs) / 6, 2)
        assert shown.mwds == half_up(sum(g * mean_i for g in gaps) / 6, 2)
        assert shown.rdm_median == half_up(median(gaps), 1)
        assert shown.rdm_positive == half_up(100 * sum(g > 0 for g in gaps) / 6, 0)
    assert len(gap.draw(result)) == 2


def test_recommendations_evaluate_every_rule_on_the_six(ctx: ReportContext) -> None:
    result = run(ctx, 4)
    assert isinstance(result, RecommendationsResult)
    assert result.not_evaluated == ()
    review = half_up(100 * sum(c[1] <= 2 for c in CONFIDENCE) / 6, 0)
    pair = half_up(100 * sum(e in ("no", "unsure") for e in ENGAGED) / 6, 0)
    refresher = half_up(sum(FAMILIARITY) / 6, 1)
    scores = borda(RANKINGS)
    place = dict(zip(AREAS, ranks([half_up(scores[o], 2) for o in AREAS]), strict=True))
    figures = {f.rule_id: f.figure for f in (*result.fired, *result.not_fired)}
    assert figures == {
        "review_module": review / 100,
        "pair": pair / 100,
        "refresher": refresher,
        "trafficking": place["trafficking"],
    }
    evidence = " ".join(f.evidence for f in (*result.fired, *result.not_fired))
    assert f"{review:.0f}% of 6 respondents" in evidence
    assert f"is {refresher:.1f} (n = 6;" in evidence


def test_rendered_blocks_print_no_hidden_marker(app: Flask, session: Session) -> None:
    qs = sample_questionnaires(app)
    training = six_person_training(session, qs)
    for block in BLOCKS:
        html = render_first_block(ReportContext(session, report(qs, [block], k=5), qs, training))
        assert HIDDEN_MARK not in html
        assert "Nothing to show" not in html
