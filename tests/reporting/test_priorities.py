"""Priorities block: scores equal a plain-Python computation; items under k are withheld."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Questionnaire
from survey_app.reporting.blocks import priorities
from survey_app.reporting.blocks.priorities import PrioritiesResult
from survey_app.reporting.context import ReportContext
from survey_app.reporting.disclosure import HIDDEN_MARK

from .needs_data import half_up, ranks
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


def build(session: Session, qs: dict[str, Questionnaire], block: dict[str, Any]) -> ReportContext:
    return context(session, qs, [{"type": "priorities", **block}], k=K)


def compute(session: Session, qs: dict[str, Questionnaire], block: dict[str, Any]) -> Any:
    ctx = build(session, qs, block)
    return priorities.compute(ctx, ctx.report.blocks[0])


def by_value(result: PrioritiesResult) -> dict[str, Any]:
    return {item.value or item.question_id: item for item in result.items}


def test_mean_scores_equal_plain_means_rounded_as_printed_and_ranked_by_them(
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
        expected[row] = (len(ratings), half_up(sum(ratings) / len(ratings), 2))
    familiarity = [a["familiarity_untoc"] for a in raw]
    expected["familiarity_untoc"] = (len(familiarity), half_up(sum(familiarity) / 40, 2))

    items = by_value(result)
    assert expected["digital_literacy"][0] == 3
    assert (items["digital_literacy"].score, items["digital_literacy"].n) == (None, None)
    assert items["digital_literacy"].rank is None
    shown = {key: value for key, value in expected.items() if key != "digital_literacy"}
    for key, (n, mean) in shown.items():
        assert (items[key].n, items[key].score) == (n, mean), key
    places = dict(zip(shown, ranks([mean for _, mean in shown.values()]), strict=True))
    assert {item.value or item.question_id: item.rank for item in result.shown} == places
    # review_mechanism and data_collection tie (145/40): same rank, listed by label.
    assert items["review_mechanism"].rank == items["data_collection"].rank == 2
    assert [i.value for i in result.shown[1:3]] == ["data_collection", "review_mechanism"]
    assert result.score_label == "Mean rating (1–5)"
    assert result.notes


def test_top_box_shows_every_figure_of_a_shown_item_even_a_small_count(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    result = compute(
        session, qs, {"measure": "top_box", "sources": [{"question": "capacity_importance"}]}
    )
    items = by_value(result)
    for row in ROWS:
        ratings = [a["capacity_importance"][row] for a in raw if row in a["capacity_importance"]]
        if len(ratings) < K:
            assert items[row].score is None, row
            continue
        top = sum(r >= 4 for r in ratings)
        assert items[row].score == half_up(100 * top / len(ratings), 0), row
        assert items[row].n == len(ratings)
    # 2 of 40 rate victim support 4 or 5: the population (40 raters) shows, so does 5%.
    assert items["victim_support"].score == 5
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
    assert item.score == half_up(100 * sum(r >= 3 for r in ratings) / len(ratings), 0)
    assert "3 or higher" in result.explanation


def test_borda_scores_are_points_per_respondent_and_every_option_shows(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    result = compute(session, qs, {"measure": "borda", "sources": [{"question": "crime_areas"}]})
    points: dict[str, int] = {}
    ranked_by: dict[str, int] = {}
    for a in raw:
        for place, option in enumerate(a["crime_areas"], start=1):
            points[option] = points.get(option, 0) + 3 + 1 - place
            ranked_by[option] = ranked_by.get(option, 0) + 1
    items = by_value(result)
    assert ranked_by["wildlife"] == 2
    for option in [*AREAS, "wildlife"]:
        # Ranked by 2 people: still shown, as the ranking's population (40) is.
        assert items[option].score == half_up(points.get(option, 0) / len(raw), 2), option
        assert items[option].n == ranked_by.get(option, 0)
    assert not result.withheld
    assert result.score_label == "Borda score"
    assert "first place earns 3 points" in result.explanation


def test_sources_under_k_respondents_leave_the_block_empty(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    seeded(n=4)
    result = compute(session, qs, {"measure": "borda", "sources": [{"question": "crime_areas"}]})
    assert result.empty
    assert all(item.score is None and item.n is None for item in result.items)
    assert priorities.draw(result) == ()


def test_every_printed_number_is_a_released_figure_of_its_item(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    seeded()
    block = {"measure": "borda", "sources": [{"question": "crime_areas"}]}
    ctx = build(session, qs, block)
    result = priorities.compute(ctx, ctx.report.blocks[0])
    released: dict[tuple[str | None, str], float] = {
        (f.item, f.statistic): f.value for f in ctx.disclosure.figures
    }
    for item in result.shown:
        assert released[(item.value, "borda_score")] == item.score
        assert released[(item.value, "count")] == item.n
        assert released[(item.value, "rank_by_borda")] == item.rank
    [population] = {f.population for f in ctx.disclosure.figures}
    assert "answered=crime_areas" in population
    alt = priorities.draw(result)[0].alt
    assert all(f"{item.label} {item.score:.2f}" in alt for item in result.shown)


def test_rendered_block_marks_hidden_items_and_prints_none_of_their_figures(
    session: Session, qs: dict[str, Questionnaire], seeded: Callable[..., Any]
) -> None:
    raw = seeded()
    ctx = build(session, qs, {"measure": "mean", "sources": [{"question": "capacity_importance"}]})
    html = render_first_block(ctx)
    assert '<table class="data priorities">' in html
    assert '<figure class="chart">' in html
    assert "Taking part in the UNTOC review mechanism" in html
    hidden = [a["capacity_importance"]["digital_literacy"] for a in raw[:3]]
    assert f"{sum(hidden) / 3:.2f}" not in html
    table = html[html.index('<table class="data priorities">') :]
    row = table[table.index("Digital literacy and online safety") :]
    assert row.index(HIDDEN_MARK) < row.index("</tr>")
    assert not any(f.row == "digital_literacy" for f in ctx.disclosure.figures)
