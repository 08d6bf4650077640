"""Gap block: per-row means and Borich MWDS equal a plain-Python computation over the pairs."""

from __future__ import annotations

import random

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Questionnaire
from survey_app.reporting.blocks import gap

from .seeding import NEEDS, add_responses, context, render_first_block, sample_questionnaires

ROWS = [
    "engaging_government",
    "review_mechanism",
    "advocacy",
    "data_collection",
    "victim_support",
    "digital_literacy",
]
K = 5
BLOCK = {"type": "gap", "importance": "capacity_importance", "capacity": "confidence"}


def seeded_answers(seed: int = 7, n: int = 30) -> list[dict[str, AnswerValue]]:
    """Importance rated by all; capacity skipped now and then, and for digital_literacy by
    all but 4 respondents, so it has fewer than k pairs."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    out: list[dict[str, AnswerValue]] = []
    for i in range(n):
        importance = {row: rng.choice([3, 4, 4, 5, 5]) for row in ROWS}
        importance["review_mechanism"] = rng.choice([4, 5, 5])
        capacity = {row: rng.choice([1, 2, 3, 3, 4]) for row in ROWS if rng.random() > 0.15}
        capacity["review_mechanism"] = rng.choice([1, 1, 2, 2, 3])
        if i >= 4:
            capacity.pop("digital_literacy", None)
        else:
            capacity["digital_literacy"] = rng.randint(1, 5)
        out.append({"capacity_importance": importance, "confidence": capacity})
    return out


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def expected_rows(raw: list[dict[str, AnswerValue]]) -> dict[str, tuple[int, float, float, float]]:
    """Per row over the respondents who rated it twice: n, mean I, mean C, MWDS."""
    out = {}
    for row in ROWS:
        pairs = [
            (a["capacity_importance"][row], a["confidence"][row])
            for a in raw
            if row in a["confidence"]
        ]
        mean_importance = sum(i for i, _ in pairs) / len(pairs)
        weighted = [(i - c) * mean_importance for i, c in pairs]
        out[row] = (
            len(pairs),
            mean_importance,
            sum(c for _, c in pairs) / len(pairs),
            sum(weighted) / len(weighted),
        )
    return out


def test_mwds_and_means_equal_borich_over_paired_respondents(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    raw = seeded_answers()
    add_responses(session, qs[NEEDS], raw)
    ctx = context(session, qs, [BLOCK], k=K)
    result = gap.compute(ctx, ctx.report.blocks[0])
    rows = {row.value: row for row in result.rows}
    expected = expected_rows(raw)
    for value, (n, importance, capacity, mwds) in expected.items():
        if n < K:
            continue
        assert rows[value].n == n
        assert rows[value].importance == pytest.approx(importance)
        assert rows[value].capacity == pytest.approx(capacity)
        assert rows[value].discrepancy == pytest.approx(importance - capacity)
        assert rows[value].mwds == pytest.approx(mwds)
    # Some importance ratings have no capacity rating: n counts pairs, not raters.
    assert any(n < len(raw) for n, *_ in expected.values())
    order = sorted((v for v, (n, *_) in expected.items() if n >= K), key=lambda v: -expected[v][3])
    assert [row.value for row in result.shown] == order
    assert result.shown[0].value == "review_mechanism"
    assert [row.rank for row in result.shown] == list(range(1, len(order) + 1))


def test_rows_with_fewer_than_k_pairs_show_no_figure(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    raw = seeded_answers()
    add_responses(session, qs[NEEDS], raw)
    ctx = context(session, qs, [BLOCK], k=K)
    result = gap.compute(ctx, ctx.report.blocks[0])
    [withheld] = result.withheld
    assert withheld.value == "digital_literacy"
    assert (withheld.n, withheld.importance, withheld.capacity) == (None, None, None)
    assert (withheld.discrepancy, withheld.mwds, withheld.rank) == (None, None, None)
    assert result.notes
    assert "Digital literacy" not in " ".join(chart.alt for chart in gap.draw(result))


def test_quadrant_split_is_the_mean_of_the_shown_rows(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    raw = seeded_answers()
    add_responses(session, qs[NEEDS], raw)
    ctx = context(session, qs, [BLOCK], k=K)
    result = gap.compute(ctx, ctx.report.blocks[0])
    expected = [e for e in expected_rows(raw).values() if e[0] >= K]
    assert result.importance_split == pytest.approx(sum(e[1] for e in expected) / len(expected))
    assert result.capacity_split == pytest.approx(sum(e[2] for e in expected) / len(expected))


def test_fewer_than_k_respondents_leave_the_block_empty(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers(n=4))
    ctx = context(session, qs, [BLOCK], k=K)
    result = gap.compute(ctx, ctx.report.blocks[0])
    assert result.empty
    assert all(row.mwds is None for row in result.rows)
    assert gap.draw(result) == ()


def test_rendered_block_has_both_charts_and_the_ranked_table(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    html = render_first_block(context(session, qs, [BLOCK], k=K))
    assert html.count('<figure class="chart">') == 2
    assert '<table class="data gap">' in html
    assert "not shown (fewer than 5 respondents rated both)" in html
    assert "mean importance" in html
