"""Priorities block: scores equal a plain-Python computation; items under k are withheld."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Questionnaire
from survey_app.reporting.blocks import priorities
from survey_app.reporting.blocks.priorities import PrioritiesResult

from .seeding import NEEDS, add_responses, context, render_first_block, sample_questionnaires

ROWS = [
    "engaging_government",
    "review_mechanism",
    "advocacy",
    "data_collection",
    "victim_support",
    "digital_literacy",
]
AREAS = [
    "trafficking",
    "smuggling",
    "cybercrime",
    "corruption",
    "illicit_tobacco",
    "organised_fraud",
]
K = 5


def seeded_answers(seed: int = 4, n: int = 40) -> list[dict[str, AnswerValue]]:
    """Needs-assessment answers with known small cells.

    digital_literacy is rated by 3 respondents only; victim_support is rated 4 or 5 by
    exactly 2; wildlife is ranked by exactly 2 respondents.
    """
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    out: list[dict[str, AnswerValue]] = []
    for i in range(n):
        ratings = {row: rng.choice([2, 3, 3, 4, 4, 5, 5]) for row in ROWS[:4]}
        ratings["victim_support"] = 4 + i % 2 if i < 2 else rng.choice([1, 2, 3])
        if i < 3:
            ratings["digital_literacy"] = rng.randint(1, 5)
        m = rng.choice([3, 3, 3, 2, 1])
        ranked = rng.sample(AREAS, m)
        if i in (7, 11):
            ranked = ["wildlife", *ranked[: m - 1]]
        out.append(
            {
                "capacity_importance": ratings,
                "familiarity_untoc": rng.randint(1, 5),
                "crime_areas": tuple(ranked),
            }
        )
    return out


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


@pytest.fixture
def seeded(
    session: Session, qs: dict[str, Questionnaire]
) -> Callable[..., list[dict[str, AnswerValue]]]:
    def seed(**kwargs: Any) -> list[dict[str, AnswerValue]]:
        answers = seeded_answers(**kwargs)
        add_responses(session, qs[NEEDS], answers)
        return answers

    return seed


def compute(session: Session, qs: dict[str, Questionnaire], block: dict[str, Any]) -> Any:
    ctx = context(session, qs, [{"type": "priorities", **block}], k=K)
    return priorities.compute(ctx, ctx.report.blocks[0])


def by_value(result: PrioritiesResult) -> dict[str, Any]:
    return {item.value or item.question_id: item for item in result.items}


def test_mean_scores_equal_plain_means_and_are_ranked(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    result = compute(
        session,
        qs,
        {
            "measure": "mean",
            "sources": [{"question": "capacity_importance"}, {"question": "familiarity_untoc"}],
        },
    )
    expected: dict[str, tuple[int, float]] = {}
    for row in ROWS:
        ratings = [a["capacity_importance"][row] for a in raw if row in a["capacity_importance"]]
        expected[row] = (len(ratings), sum(ratings) / len(ratings))
    familiarity = [a["familiarity_untoc"] for a in raw]
    expected["familiarity_untoc"] = (len(familiarity), sum(familiarity) / len(familiarity))

    items = by_value(result)
    assert items["digital_literacy"].score is None
    assert items["digital_literacy"].n is None
    for key, (n, mean) in expected.items():
        if n < K:
            continue
        assert items[key].n == n
        assert items[key].score == pytest.approx(mean)
    shown = {key: mean for key, (n, mean) in expected.items() if n >= K}
    ranks = {key: 1 + sum(other > mean for other in shown.values()) for key, mean in shown.items()}
    assert [item.score for item in result.shown] == sorted(
        (item.score for item in result.shown), reverse=True
    )
    assert {item.value or item.question_id: item.rank for item in result.shown} == ranks
    # review_mechanism and data_collection tie (145/40): same rank, listed by label.
    assert items["review_mechanism"].rank == items["data_collection"].rank == 2
    assert [i.value for i in result.shown[1:3]] == ["data_collection", "review_mechanism"]
    assert result.score_label == "Mean rating (1–5)"
    assert result.notes


def test_top_box_share_hides_items_with_fewer_than_k_on_either_side(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    result = compute(
        session, qs, {"measure": "top_box", "sources": [{"question": "capacity_importance"}]}
    )
    items = by_value(result)
    for row in ROWS:
        ratings = [a["capacity_importance"][row] for a in raw if row in a["capacity_importance"]]
        top = sum(r >= 4 for r in ratings)
        if len(ratings) < K or 0 < top < K or 0 < len(ratings) - top < K:
            assert items[row].score is None, row
        else:
            assert items[row].score == pytest.approx(top / len(ratings)), row
            assert items[row].n == len(ratings)
    assert items["victim_support"].score is None  # 2 of 40 rate it 4 or 5
    assert items["digital_literacy"].score is None  # 3 raters


def test_top_box_min_sets_the_cut(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    result = compute(
        session,
        qs,
        {
            "measure": "top_box",
            "top_box_min": 3,
            "sources": [{"question": "capacity_importance", "only": ["advocacy"]}],
        },
    )
    ratings = [a["capacity_importance"]["advocacy"] for a in raw]
    [item] = result.items
    assert item.score == pytest.approx(sum(r >= 3 for r in ratings) / len(ratings))
    assert "3 or higher" in result.explanation


def test_borda_scores_equal_normalised_points_and_hide_small_and_complementary_items(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    result = compute(session, qs, {"measure": "borda", "sources": [{"question": "crime_areas"}]})
    points: dict[str, float] = defaultdict(float)
    ranked_by: dict[str, int] = defaultdict(int)
    for a in raw:
        ranking = a["crime_areas"]
        m = len(ranking)
        for place, option in enumerate(ranking, start=1):
            points[option] += (m - place + 1) / (m * (m + 1) / 2)
            ranked_by[option] += 1
    items = by_value(result)
    assert ranked_by["wildlife"] == 2
    assert items["wildlife"].score is None
    # Scores add up to 1, so the next smallest option is hidden too.
    smallest = min((o for o in AREAS if ranked_by[o]), key=lambda o: (ranked_by[o], o))
    assert items[smallest].score is None
    for option in AREAS:
        if option == smallest:
            continue
        assert items[option].score == pytest.approx(points[option] / len(raw))
        assert items[option].n == ranked_by[option]
    total = sum(points[o] / len(raw) for o in AREAS) + points["wildlife"] / len(raw)
    assert total == pytest.approx(1.0)
    assert result.percent


def test_sources_under_k_respondents_leave_the_block_empty(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    seeded(n=4)
    result = compute(
        session,
        qs,
        {
            "measure": "borda",
            "sources": [{"question": "crime_areas"}],
        },
    )
    assert result.empty
    assert all(item.score is None and item.n is None for item in result.items)
    assert priorities.draw(result) == ()


def test_rendered_block_shows_the_ranked_table_and_withholds_small_items(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    ctx = context(
        session,
        qs,
        [
            {
                "type": "priorities",
                "measure": "mean",
                "sources": [{"question": "capacity_importance"}],
            }
        ],
        k=K,
    )
    html = render_first_block(ctx)
    assert '<table class="data priorities">' in html
    assert '<figure class="chart">' in html
    assert "Taking part in the UNTOC review mechanism" in html
    hidden = [a["capacity_importance"]["digital_literacy"] for a in raw[:3]]
    assert f"{sum(hidden) / 3:.2f}" not in html
    row = html[html.index("Digital literacy and online safety") :]
    assert row.index("not shown") < row.index("</tr>")
