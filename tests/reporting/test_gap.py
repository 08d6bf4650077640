"""Gap block: per-row means and Borich MWDS equal a plain-Python computation over the pairs."""

from __future__ import annotations

import random
import re

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Questionnaire
from survey_app.reporting import charts
from survey_app.reporting.blocks import gap
from survey_app.reporting.blocks.gap import GapResult
from survey_app.reporting.disclosure import HIDDEN_MARK
from survey_app.reporting.label_placement import overlaps, place_labels

from .needs_data import half_up, median, ranks
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
    """Importance rated by all. Capacity skipped for advocacy by the first 6 (24 pairs, 6
    fewer than its raters), for victim_support by the first 2 (28 pairs: 2 fewer than the
    30 whose mean importance a question block prints), and rated for digital_literacy by
    the first 4 only (fewer than k pairs)."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    out: list[dict[str, AnswerValue]] = []
    for i in range(n):
        importance = {row: rng.choice([3, 4, 4, 5, 5]) for row in ROWS}
        importance["review_mechanism"] = rng.choice([4, 5, 5])
        capacity = {row: rng.choice([1, 2, 3, 3, 4]) for row in ROWS}
        capacity["review_mechanism"] = rng.choice([1, 1, 2, 2, 3])
        skipped = {"advocacy": i < 6, "victim_support": i < 2, "digital_literacy": i >= 4}
        for row, skip in skipped.items():
            if skip:
                del capacity[row]
        out.append({"capacity_importance": importance, "confidence": capacity})
    return out


#: Rows whose pairs are shown: k or more, and as many as or k more than their raters.
SHOWN = ["engaging_government", "review_mechanism", "advocacy", "data_collection"]


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def expected_rows(raw: list[dict[str, AnswerValue]]) -> dict[str, dict[str, float]]:
    """Per row, over the respondents who rated it twice, every figure as printed.

    Borich: each person's (I − C) weighted by the row's mean importance, then averaged.
    RDM: the median of the people's (I − C), and the share with I − C > 0.
    """
    out = {}
    for row in ROWS:
        pairs = [
            (a["capacity_importance"][row], a["confidence"][row])  # type: ignore[index]
            for a in raw
            if row in a["confidence"]  # type: ignore[operator]
        ]
        n = len(pairs)
        mean_i = sum(i for i, _ in pairs) / n
        mean_c = sum(c for _, c in pairs) / n
        gaps = [i - c for i, c in pairs]
        out[row] = {
            "n": n,
            "importance": half_up(mean_i, 2),
            "capacity": half_up(mean_c, 2),
            "discrepancy": half_up(sum(gaps) / n, 2),
            "mwds": half_up(sum(g * mean_i for g in gaps) / n, 2),
            "rdm_median": half_up(median(gaps), 1),
            "rdm_positive": half_up(100 * sum(g > 0 for g in gaps) / n, 0),
        }
    return out


def compute(session: Session, qs: dict[str, Questionnaire], n: int = 30) -> GapResult:
    add_responses(session, qs[NEEDS], seeded_answers(n=n))
    ctx = context(session, qs, [BLOCK], k=K)
    result = gap.compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, GapResult)
    return result


def test_borich_and_rdm_figures_equal_a_plain_python_computation(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    raw = seeded_answers()
    result = compute(session, qs)
    rows = {row.value: row for row in result.rows}
    expected = {v: e for v, e in expected_rows(raw).items() if v in SHOWN}
    assert expected["advocacy"]["n"] == 24
    for value, figures in expected.items():
        for name, number in figures.items():
            assert getattr(rows[value], name) == number, (value, name)
    mwds = [e["mwds"] for e in expected.values()]
    assert {v: rows[v].rank for v in expected} == dict(zip(expected, ranks(mwds), strict=True))
    rdm = [(e["rdm_median"], e["rdm_positive"]) for e in expected.values()]
    assert {v: rows[v].rdm_rank for v in expected} == dict(zip(expected, ranks(rdm), strict=True))
    assert [row.rank for row in result.shown] == sorted(row.rank or 0 for row in result.shown)
    assert result.shown[0].value == "review_mechanism"
    assert [row.point for row in result.shown] == list(range(1, len(expected) + 1))


def test_rows_with_fewer_than_k_pairs_show_no_figure(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    result = compute(session, qs)
    assert [row.value for row in result.withheld] == ["victim_support", "digital_literacy"]
    for withheld in result.withheld:
        figures = ("n", "importance", "capacity", "discrepancy", "mwds", "rdm_median", "rank")
        assert all(getattr(withheld, name) is None for name in figures)
        assert (withheld.rdm_positive, withheld.rdm_rank, withheld.point) == (None, None, None)
    assert result.notes
    bars, scatter = gap.draw(result)
    assert f"Digital literacy and online safety {HIDDEN_MARK}" in bars.alt
    assert "Digital literacy" not in scatter.alt
    assert "Victim" not in scatter.alt


def test_pairs_a_few_fewer_than_the_rows_raters_are_hidden_not_differenced(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    """28 pairs inside the 30 who rated importance: printing both means would give the
    2 others' ratings, so the pairs' figures are hidden and the disclosure page says why."""
    add_responses(session, qs[NEEDS], seeded_answers())
    ctx = context(session, qs, [BLOCK], k=K)
    gap.compute(ctx, ctx.report.blocks[0])
    [hidden] = [h for h in ctx.disclosure.hidden_list() if h.definition.row == "victim_support"]
    assert hidden.definition.also_answered == "confidence"
    assert "differs from" in hidden.reason
    assert not any(f.row == "victim_support" for f in ctx.disclosure.figures)
    # Advocacy's 24 pairs are 6 fewer than its 30 raters: k or more apart, so shown.
    assert any(f.row == "advocacy" and f.statistic == "borich_mwds" for f in ctx.disclosure.figures)


def test_each_need_sits_in_the_quadrant_its_printed_figures_give(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    raw = seeded_answers()
    result = compute(session, qs)
    shown = [e for v, e in expected_rows(raw).items() if v in SHOWN]
    imp_split = half_up(sum(e["importance"] for e in shown) / len(shown), 2)
    cap_split = half_up(sum(e["capacity"] for e in shown) / len(shown), 2)
    assert (result.importance_split, result.capacity_split) == (imp_split, cap_split)
    names = {
        (True, True): "train first",
        (True, False): "keep up",
        (False, True): "less important, less capacity",
        (False, False): "less important, more capacity",
    }
    for row in result.shown:
        assert row.importance is not None
        assert row.capacity is not None
        if imp_split == row.importance or cap_split == row.capacity:
            assert row.quadrant == "on a dividing line"
        else:
            key = (row.importance > imp_split, row.capacity < cap_split)
            assert row.quadrant == names[key], row.value
    assert result.shown[0].quadrant == "train first"
    # The chart plots the printed figures and splits at the printed means.
    _, scatter = gap.draw(result)
    for row in result.shown:
        assert f"importance {row.importance:.2f}, capacity {row.capacity:.2f}" in scatter.alt
    assert f"({imp_split:.2f} and {cap_split:.2f})" in scatter.alt


def test_scatter_labels_points_by_number_and_no_label_covers_another(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    result = compute(session, qs)
    _, scatter = gap.draw(result)
    labels = [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", scatter.svg)]
    assert {str(row.point) for row in result.shown} <= set(labels)
    assert all(f'id="point-key-{row.point}"' in scatter.svg for row in result.shown)
    assert not any(row.label in scatter.svg for row in result.rows)


def test_label_placement_keeps_clustered_and_coincident_labels_apart() -> None:
    anchors = [(100.0, 100.0)] * 3 + [(104.0, 102.0), (96.0, 99.0), (300.0, 50.0)]
    sizes = [(12.0, 12.0)] * 5 + [(17.0, 12.0)]
    obstacles = [(250.0, 40.0, 320.0, 60.0)]
    offsets = place_labels(anchors, sizes, (0.0, 0.0, 400.0, 300.0), obstacles)
    boxes = [
        (x + dx - w / 2, y + dy - h / 2, x + dx + w / 2, y + dy + h / 2)
        for (x, y), (dx, dy), (w, h) in zip(anchors, offsets, sizes, strict=True)
    ]
    assert overlaps(boxes) == []
    assert all(not overlaps([box, obstacles[0]]) for box in boxes)
    dots = [(x - 3.5, y - 3.5, x + 3.5, y + 3.5) for x, y in anchors]
    assert all(not overlaps([box, dot]) for box in boxes for dot in dots)
    assert all(b[0] >= 0 and b[1] >= 0 and b[2] <= 400 and b[3] <= 300 for b in boxes)


def test_a_coincident_pair_of_points_draws_two_numbers() -> None:
    svg = charts.quadrant_chart(
        [("1", 2.0, 4.5), ("2", 2.0, 4.5), ("3", 3.0, 3.0)], "Capacity", "Importance", 2.5, 4.0
    )
    labels = [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert {"1", "2", "3"} <= set(labels)


def test_fewer_than_k_respondents_leave_the_block_empty(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    result = compute(session, qs, n=4)
    assert result.empty
    assert all(row.mwds is None for row in result.rows)
    assert gap.draw(result) == ()


def test_rendered_block_has_both_charts_both_models_and_the_key(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    add_responses(session, qs[NEEDS], seeded_answers())
    ctx = context(session, qs, [BLOCK], k=K)
    html = render_first_block(ctx)
    assert html.count('<figure class="chart">') == 2
    assert '<table class="data gap">' in html
    assert '<table class="data gap-rdm">' in html
    assert "Ranked Discrepancy Model" in html
    assert '<ol class="chart-key">' in html
    table = html[html.index('<table class="data gap">') :]
    row = table[table.index("Digital literacy and online safety") :]
    assert row.index(HIDDEN_MARK) < row.index("</tr>")
    assert "mean importance" in html
    statistics = {f.statistic for f in ctx.disclosure.figures}
    assert {"borich_mwds", "rdm_median_discrepancy", "rdm_percent_positive"} <= statistics
    assert not any(f.row == "digital_literacy" for f in ctx.disclosure.figures)
    assert "Not plotted (fewer than k): Victim and witness support; Digital literacy" in html
