"""Pre/post reports of small trainings: figures wherever everyone answered, nothing that
gives away a person outside the pairs, every printed number released."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import pre_post
from survey_app.reporting.blocks.pre_post import PrePostResult
from survey_app.reporting.context import ReportContext
from survey_app.reporting.disclosure import HIDDEN_MARK
from survey_app.reporting.training import ReportTraining

from .seeding import NEEDS, POST, render_first_block, report, sample_questionnaires
from .test_pre_post_paired import Submission, half_up, new_training, store, wilcoxon_reference

K = 5
ROWS = ["engaging_government", "review_mechanism", "advocacy"]
#: The other rows of the matrix, rated like the first three (people answer every row).
MORE_ROWS = ["data_collection", "victim_support", "digital_literacy"]
BLOCK = {"type": "pre_post", "pre": NEEDS, "post": POST, "questions": ["confidence"]}
Answers = dict[str, AnswerValue]


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def person(ratings: Sequence[int], right: bool) -> Answers:
    """Ratings of the ROWS (0 = left blank; MORE_ROWS get the same) and one knowledge answer."""
    rated = [*zip(ROWS, ratings, strict=True), *zip(MORE_ROWS, ratings, strict=True)]
    return {
        "confidence": {row: r for row, r in rated if r},
        "kt_review_body": Choice(("cop" if right else "hrc",)),
    }


def build(
    session: Session, qs: dict[str, Questionnaire], training: ReportTraining
) -> tuple[ReportContext, PrePostResult, str]:
    definition = report(qs, [BLOCK], k=K)
    ctx = ReportContext(session, definition, qs, training)
    result = pre_post.compute(ctx, definition.blocks[0])
    html = render_first_block(ReportContext(session, definition, qs, training))
    return ctx, result, html


BEFORE = [(2, 1, 3), (3, 2, 3), (2, 2, 2), (1, 1, 4), (3, 2, 3), (2, 3, 3)]
AFTER = [(4, 3, 3), (4, 2, 4), (3, 4, 2), (3, 3, 4), (5, 4, 3), (4, 3, 5)]


def six_people(session: Session, qs: dict[str, Questionnaire]) -> ReportTraining:
    training = new_training(session)
    subs = [Submission("pre", f"p{i}", person(r, i < 2)) for i, r in enumerate(BEFORE)]
    subs += [Submission("post", f"p{i}", person(r, i < 5)) for i, r in enumerate(AFTER)]
    store(session, qs, training, subs)
    return training


def test_a_six_person_training_shows_figures_in_every_section(session, qs):
    """6 before, 6 after, all paired: k = 5, so every population here shows."""
    ctx, result, html = build(session, qs, six_people(session, qs))
    assert (result.n_pre, result.n_post) == (6, 6)
    assert ctx.paired_only == frozenset()
    assert not ctx.disclosure.hidden
    assert HIDDEN_MARK not in html
    [matrix] = result.questions
    for j, item in enumerate(matrix.items):
        i = j % 3
        before = [r[i] for r in BEFORE]
        after = [r[i] for r in AFTER]
        assert item.before.mean == half_up(sum(before) / 6, 2)
        assert item.after.mean == half_up(sum(after) / 6, 2)
        assert item.after.shares == tuple(half_up(100 * after.count(p) / 6) for p in range(1, 6))
    [review] = [i for i in result.knowledge.items if i.question_id == "kt_review_body"]
    assert review.before is not None
    assert review.after is not None
    assert (review.before.percent, review.after.percent) == (33, 83)
    pairing = result.pairing
    assert pairing is not None
    assert pairing.pairs == 6
    assert pairing.match_rate == 100
    for j, row in enumerate(pairing.questions[0].items):
        i = j % 3
        diffs = [a[i] - b[i] for b, a in zip(BEFORE, AFTER, strict=True)]
        p, r = wilcoxon_reference(diffs)
        assert (row.n, row.p_value, row.effect_size) == (6, half_up(p, 3), half_up(r, 2))
        assert row.mean_difference == half_up(sum(diffs) / 6, 2)
    assert pairing.knowledge is not None
    assert pairing.knowledge.score.n == 6
    assert "Paired comparison: the same participants" in html


def test_every_number_in_the_six_person_tables_is_a_released_figure(session, qs):
    ctx, _, html = build(session, qs, six_people(session, qs))
    released = {f.population for f in ctx.disclosure.figures}
    assert released <= set(ctx.disclosure.shown)
    printed = set()
    for f in ctx.disclosure.figures:
        value = f.value
        printed |= {f"{value:g}", f"{value:.2f}", f"{value:+.2f}", f"{value:.3f}", f"{value:.0f}"}
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', html, flags=re.S)
    numbers = [n for cell in cells for n in re.findall(r"[+-]?\d+(?:\.\d+)?", cell)]
    assert numbers
    # Points per knowledge item are part of the questionnaire, not a figure about people.
    unexplained = [n for n in numbers if n not in printed and n != "1"]
    assert unexplained == []


def test_ten_before_seven_after_with_two_unmatched_shows_nothing_of_the_two(session, qs):
    """The issue's case: all 7 after minus the 5 pairs would give the 2 unmatched away."""
    training = new_training(session)
    subs = [Submission("pre", f"p{i}", person((2, 2, 2), False)) for i in range(10)]
    subs += [Submission("post", f"p{i}", person((3, 3, 3), True)) for i in range(5)]
    subs += [Submission("post", f"typo{i}", person((5, 5, 5), True)) for i in range(2)]
    store(session, qs, training, subs)
    ctx, result, html = build(session, qs, training)
    assert ctx.paired_only == {"post"}
    assert (result.n_pre, result.n_post) == (10, 5)
    post_figures = [f for f in ctx.disclosure.figures if f.population.startswith(POST)]
    assert post_figures
    assert all("paired" in f.population for f in post_figures)
    assert all(ctx.disclosure.shown[f.population].size >= K for f in ctx.disclosure.figures)
    [matrix] = result.questions
    assert all(item.after.mean == 3.0 for item in matrix.items)  # the 5s of the two: absent
    assert result.pairing is not None
    assert "2 codes of the post questionnaire matched no pre code: they are left out" in html
    assert "describe only the paired participants" in result.pairing_note


def test_a_paired_row_hides_when_it_differs_from_the_group_row_by_under_k(session, qs):
    """6 pairs; one of them left `advocacy` blank before: 5 pairs rated it both times, 6
    people after. Printing both would give that person's rating after away."""
    training = new_training(session)
    before = [(2, 2, 0 if i == 0 else 2) for i in range(6)]
    subs = [Submission("pre", f"p{i}", person(r, False)) for i, r in enumerate(before)]
    subs += [Submission("post", f"p{i}", person((3, 3, 3 + (i == 0)), True)) for i in range(6)]
    store(session, qs, training, subs)
    ctx, result, html = build(session, qs, training)
    [matrix] = result.questions
    advocacy = matrix.items[ROWS.index("advocacy")]
    assert (advocacy.before.n, advocacy.after.n) == (5, 6)
    assert result.pairing is not None
    rows = result.pairing.questions[0].items
    assert rows[ROWS.index("advocacy")].hidden
    assert not rows[ROWS.index("review_mechanism")].hidden
    assert [(h.definition.row, h.reason[:12]) for h in ctx.disclosure.hidden_list()] == [
        ("advocacy", "differs from"),
        ("digital_literacy", "differs from"),
    ]
    assert HIDDEN_MARK in html


def test_five_identical_changes_print_the_exact_p_rounded_half_up(session, qs):
    """p = 2/32 = 0.0625 exactly, printed 0.063 (half up), with the method named."""
    training = new_training(session)
    subs = [Submission("pre", f"p{i}", person((2, 2, 2), False)) for i in range(5)]
    subs += [Submission("post", f"p{i}", person((3, 3, 3), True)) for i in range(5)]
    store(session, qs, training, subs)
    ctx, result, html = build(session, qs, training)
    assert result.pairing is not None
    row = result.pairing.questions[0].items[0]
    assert row.p_value == 0.063
    assert row.effect_size == 1.0
    assert row.ci is None
    assert "exact permutation, ties and zeros kept" in html
    assert "0.063" in html
    figures = {f.statistic: f.value for f in ctx.disclosure.figures if f.row == ROWS[0]}
    assert figures["wilcoxon_p"] == 0.063
    assert figures["rank_biserial"] == 1.0


def test_unmatched_codes_of_k_or_more_stay_in_the_group_figures(session, qs):
    """10 before, 5 of them and 5 others after: the 5 unpaired after are k, so the group
    figures describe all 10 after and the note says so."""
    training = new_training(session)
    subs = [Submission("pre", f"p{i}", person((2, 2, 2), False)) for i in range(10)]
    subs += [Submission("post", f"p{i}", person((3, 3, 3), True)) for i in range(5)]
    subs += [Submission("post", f"x{i}", person((4, 4, 4), True)) for i in range(5)]
    store(session, qs, training, subs)
    ctx, result, html = build(session, qs, training)
    assert ctx.paired_only == frozenset()
    assert (result.n_pre, result.n_post) == (10, 10)
    assert result.questions[0].items[0].after.mean == 3.5
    assert result.pairing is not None
    assert result.pairing.pairs == 5
    assert result.pairing.match_rate == 33  # 5 pairs of 15 distinct people
    assert "5 codes of the post questionnaire matched no pre code: they are counted in" in html
