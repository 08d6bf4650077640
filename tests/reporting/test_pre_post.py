"""Pre/post block: group figures and knowledge scores equal a plain-Python computation, and
every figure comes from a population the disclosure layer cleared."""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import pre_post
from survey_app.reporting.blocks.pre_post import PrePostResult
from survey_app.reporting.disclosure import HIDDEN_MARK

from .seeding import (
    NEEDS,
    POST,
    START,
    add_response,
    add_responses,
    context,
    render_first_block,
    sample_questionnaires,
)

K = 5
ROWS = [
    "engaging_government",
    "review_mechanism",
    "advocacy",
    "data_collection",
    "victim_support",
    "digital_literacy",
]
PROTOCOLS = ["trafficking_protocol", "smuggling_protocol", "firearms_protocol"]
KEYS: dict[str, set[str]] = {
    "kt_protocols": set(PROTOCOLS),
    "kt_review_body": {"cop"},
    "kt_civil_society_role": {"constructive_dialogues"},
}
BLOCK = {
    "type": "pre_post",
    "pre": NEEDS,
    "post": POST,
    "questions": ["confidence", "stakeholder_type"],
}


def phase_answers(seed: int, n: int, skill: float) -> list[dict[str, AnswerValue]]:
    """Answers to the questions both sample questionnaires share; `skill` raises scores."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    out: list[dict[str, AnswerValue]] = []
    for _ in range(n):
        answers: dict[str, AnswerValue] = {
            "stakeholder_type": Choice((rng.choice(["ngo"] * 5 + ["academia"] * 3 + ["private"]),)),
            "confidence": {
                row: min(5, rng.choice([1, 2, 2, 3, 3, 4]) + (rng.random() < skill))
                for row in ROWS
                if rng.random() > 0.1
            },
        }
        if rng.random() < 0.9:
            picks = set(PROTOCOLS) if rng.random() < skill else set(rng.sample(PROTOCOLS, 2))
            if rng.random() < 0.2:
                picks.add("cybercrime_protocol")
            answers["kt_protocols"] = Choice(tuple(sorted(picks)))
        if rng.random() < 0.95:
            body = "cop" if rng.random() < skill else rng.choice(["hrc", "unsc", "interpol"])
            answers["kt_review_body"] = Choice((body,))
        role = "constructive_dialogues" if rng.random() < skill else rng.choice(["vote", "no_role"])
        answers["kt_civil_society_role"] = Choice((role,))
        out.append(answers)
    return out


def is_correct(answers: dict[str, AnswerValue], qid: str) -> bool:
    answer = answers.get(qid)
    if not isinstance(answer, Choice):
        return False
    if qid == "kt_protocols":
        return set(answer.values) == KEYS[qid]
    return answer.values[0] in KEYS[qid]


def half_up(value: float, digits: int = 0) -> float:
    """Rounding as printed, written out independently of the disclosure module."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def wilson(count: int, n: int) -> tuple[float, float]:
    """Wilson 95% interval in percent, from the closed form."""
    z, p = 1.959963984540054, count / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return half_up(100 * (centre - half)), half_up(100 * (centre + half))


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def compute(session: Session, qs: dict[str, Questionnaire], **block: Any) -> PrePostResult:
    ctx = context(session, qs, [{**BLOCK, **block}], k=K)
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    assert isinstance(result, PrePostResult)
    return result


Raw = list[dict[str, AnswerValue]]


def seed_both(
    session: Session, qs: dict[str, Questionnaire], n_pre: int = 40, n_post: int = 32
) -> tuple[Raw, Raw]:
    """Store a weaker group before and a stronger group after; returns both answer lists."""
    pre = phase_answers(1, n_pre, skill=0.35)
    post = phase_answers(2, n_post, skill=0.75)
    add_responses(session, qs[NEEDS], pre)
    add_responses(session, qs[POST], post)
    return pre, post


def test_knowledge_shares_scores_and_gain_equal_plain_python(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    pre, post = seed_both(session, qs)
    result = compute(session, qs)
    knowledge = result.knowledge
    assert [item.question_id for item in knowledge.items] == list(KEYS)
    assert knowledge.max_points == 3
    means = []
    for phase, raw in (("before", pre), ("after", post)):
        for item in knowledge.items:
            correct = sum(is_correct(a, item.question_id) for a in raw)
            share = getattr(item, phase)
            assert share.percent == half_up(100 * correct / len(raw))
            assert (share.low, share.high) == wilson(correct, len(raw))
        score = sum(sum(is_correct(a, qid) for qid in KEYS) for a in raw) / len(raw)
        assert getattr(knowledge, f"score_{phase}") == half_up(score, 2)
        assert getattr(knowledge, f"percent_{phase}") == half_up(100 * score / 3)
        means.append(100 * score / 3)
    gain = (means[1] - means[0]) / (100 - means[0])
    assert knowledge.gain == half_up(gain, 2)
    assert knowledge.gain_band == ("high" if gain >= 0.7 else "medium" if gain >= 0.3 else "low")
    assert (result.n_pre, result.n_post) == (40, 32)
    assert not result.paired


def test_a_multi_choice_is_correct_only_when_the_picks_equal_the_key(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    superset = Choice((*PROTOCOLS, "cybercrime_protocol"))
    subset = Choice(tuple(PROTOCOLS[:2]))
    exact = Choice(tuple(PROTOCOLS))
    many = [{"kt_protocols": superset}] * 5 + [{"kt_protocols": subset}] * 5
    many += [{"kt_protocols": exact}] * 5 + [{"kt_review_body": Choice(("cop",))}] * 5
    add_responses(session, qs[NEEDS], many)
    add_responses(session, qs[POST], many)
    result = compute(session, qs, questions=[])
    protocols, review = result.knowledge.items[:2]
    assert protocols.before is not None
    assert review.before is not None
    assert protocols.before.percent == 25
    assert review.before.percent == 25
    assert result.knowledge.score_before == 0.5
    assert "exactly those of the key" in result.correctness_rule


def test_matrix_and_choice_questions_show_every_cell_of_a_shown_population(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    """No per-cell suppression: cells of 0, 1 or 2 people print, as does every option."""
    pre, post = seed_both(session, qs)
    result = compute(session, qs)
    matrix, choice = result.questions
    assert (matrix.kind, choice.kind) == ("matrix", "choice")
    small_cells = 0
    for phase, raw in (("before", pre), ("after", post)):
        for row, item in zip(ROWS, matrix.items, strict=True):
            ratings = [a["confidence"][row] for a in raw if row in a["confidence"]]
            figures = getattr(item, phase)
            assert not figures.hidden
            assert figures.n == len(ratings)
            assert figures.mean == half_up(sum(ratings) / len(ratings), 2)
            counts = [ratings.count(p) for p in range(1, 6)]
            small_cells += sum(0 < c < K for c in counts)
            assert figures.shares == tuple(half_up(100 * c / len(ratings)) for c in counts)
        picked = [a["stakeholder_type"].values[0] for a in raw]
        figures = getattr(choice.items[0], phase)
        assert figures.n == len(raw)
        for i, value in enumerate(("ngo", "academia", "private", "_other")):
            assert figures.shares[i] == half_up(100 * picked.count(value) / len(raw))
            assert figures.intervals[i] == wilson(picked.count(value), len(raw))
    assert small_cells > 0, "the seed has cells under k, which now print"
    assert choice.categories[-1] == "Other"
    assert not result.notes


def test_a_group_under_k_shows_nothing_but_the_mark(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    seed_both(session, qs, n_post=4)
    ctx = context(session, qs, [BLOCK], k=K)
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    assert result.n_post is None
    assert result.n_pre == 40
    assert not result.empty
    for question in result.questions:
        for item in question.items:
            assert item.after.hidden
            assert (item.after.n, item.after.mean, item.after.shares) == (None, None, ())
    assert all(item.after is None for item in result.knowledge.items)
    assert result.knowledge.score_after is None
    assert result.knowledge.gain is None
    assert result.notes
    assert not [f for f in ctx.disclosure.figures if f.population.startswith(POST)]
    assert any(h.key == POST for h in ctx.disclosure.hidden_list())
    html = render_first_block(context(session, qs, [BLOCK], k=K))
    assert HIDDEN_MARK in html


def test_both_groups_under_k_leave_the_block_empty(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    seed_both(session, qs, n_pre=3, n_post=4)
    result = compute(session, qs)
    assert result.empty
    assert pre_post.draw(result) == ()


def test_an_item_answered_by_fewer_than_k_shows_the_mark_and_the_rest_shows(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    """After: 8 rate `advocacy`, 3 rate `victim_support`; before: all 8 rate both."""
    before = [{"confidence": {"advocacy": 2, "victim_support": 1 + i % 3}} for i in range(8)]
    after: list[dict[str, AnswerValue]] = [
        {"confidence": {"advocacy": 4, **({"victim_support": 5} if i < 3 else {})}}
        for i in range(8)
    ]
    add_responses(session, qs[NEEDS], before)
    add_responses(session, qs[POST], after)
    ctx = context(session, qs, [{**BLOCK, "questions": ["confidence"]}], k=K)
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    [matrix] = result.questions
    rows = {item.label: item for item in matrix.items}
    labels = {row.value: row.label for row in qs[NEEDS].question("confidence").rows}
    victim = rows[labels["victim_support"]]
    assert victim.after.hidden
    assert not victim.before.hidden
    assert victim.before.shares == (38.0, 38.0, 25.0, 0.0, 0.0)  # 3, 3, 2 of 8, half up
    assert rows[labels["advocacy"]].after.mean == 4.0
    assert result.notes == (pre_post.hidden_note(K),)
    assert not [
        f for f in ctx.disclosure.figures if f.row == "victim_support" and POST in f.population
    ]
    hidden = {h.label for h in ctx.disclosure.hidden_list()}
    assert any("Victim" in label or "victim" in label for label in hidden)


def test_means_and_shares_round_half_up(session: Session, qs: dict[str, Questionnaire]) -> None:
    """Ratings 2,2,2,2,2,2,2,3 average 2.125: printed 2.13 (Python's round gives 2.12);
    one of 8 is 12.5%: printed 13%."""
    ratings = [2] * 7 + [3]
    add_responses(session, qs[NEEDS], [{"confidence": {"advocacy": r}} for r in ratings])
    add_responses(session, qs[POST], [{"confidence": {"advocacy": r}} for r in ratings])
    result = compute(session, qs, questions=["confidence"])
    labels = {row.value: row.label for row in qs[NEEDS].question("confidence").rows}
    item = next(i for i in result.questions[0].items if i.label == labels["advocacy"])
    assert item.before.mean == 2.13
    assert item.before.shares == (0.0, 88.0, 13.0, 0.0, 0.0)


def test_a_lower_score_after_is_a_negative_gain_not_a_low_one(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    right = {"kt_review_body": Choice(("cop",))}
    wrong = {"kt_review_body": Choice(("hrc",))}
    add_responses(session, qs[NEEDS], [right] * 6 + [wrong] * 2)
    add_responses(session, qs[POST], [right] * 3 + [wrong] * 5)
    ctx = context(session, qs, [{**BLOCK, "questions": []}], k=K)
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    assert result.knowledge.gain is not None
    assert result.knowledge.gain < 0
    assert result.knowledge.gain_band == "negative"
    html = render_first_block(context(session, qs, [{**BLOCK, "questions": []}], k=K))
    assert f"g = {result.knowledge.gain:.2f} (negative)" in html


def test_the_report_filter_applies_to_both_groups(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    seed_both(session, qs)
    early = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    for answers in phase_answers(9, 6, skill=1.0):
        add_response(session, qs[POST], answers, early)
    ctx = context(session, qs, [BLOCK], k=K, filter={"submitted_from": START.date().isoformat()})
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    assert (result.n_pre, result.n_post) == (40, 32)


def test_rendered_block_says_responses_are_not_paired_and_prints_the_rules(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    seed_both(session, qs)
    ctx = context(session, qs, [BLOCK], k=K)
    html = render_first_block(ctx)
    assert "Responses are not paired in this report" in html
    assert "the figures compare the group who answered" in html
    assert "exactly those of the key" in html
    assert "Wilson score interval" in html
    assert "Normalised gain g = " in html
    assert html.count('<figure class="chart">') == 3
    assert '<table class="data knowledge">' in html
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    assert f"{result.knowledge.gain:.2f} ({result.knowledge.gain_band})" in html


def test_every_figure_is_released_on_a_shown_population(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    seed_both(session, qs)
    ctx = context(session, qs, [BLOCK], k=K)
    pre_post.compute(ctx, ctx.report.blocks[0])
    figures = ctx.disclosure.figures
    assert figures
    assert {f.population for f in figures} <= set(ctx.disclosure.shown)
    statistics = {f.statistic for f in figures}
    assert {"size", "answered", "mean", "percent", "percent_correct", "mean_score"} <= statistics
    assert {"normalised_gain", "percent_ci_low", "percent_correct_ci_high"} <= statistics


def small_questionnaire(qid: str) -> Questionnaire:
    """A pre or post questionnaire with a scale, a number and one scored question."""
    return Questionnaire.model_validate(
        {
            "schema_version": 1,
            "id": qid,
            "title": f"Questionnaire {qid}",
            "sections": [
                {
                    "id": "main",
                    "title": "Main",
                    "questions": [
                        {"id": "confidence_overall", "type": "scale", "prompt": "Confident?"},
                        {"id": "hours", "type": "number", "prompt": "Hours?", "unit": "hours"},
                        {
                            "id": "kt_body",
                            "type": "single_choice",
                            "prompt": "Which body?",
                            "correct": ["cop"],
                            "points": 2,
                            "options": [
                                {"value": "cop", "label": "COP"},
                                {"value": "hrc", "label": "HRC"},
                            ],
                        },
                    ],
                }
            ],
        }
    )


def test_scale_and_number_questions_and_small_splits_all_show(session: Session) -> None:
    qs = {
        "small-pre": small_questionnaire("small-pre"),
        "small-post": small_questionnaire("small-post"),
    }
    rng = random.Random(3)  # noqa: S311 -- reproducible test data, not secrets
    raw: dict[str, list[dict[str, AnswerValue]]] = {}
    for qid, lift, wrong in (("small-pre", 0, 10), ("small-post", 1, 3)):
        raw[qid] = [
            {
                "confidence_overall": min(5, rng.randint(1, 4) + lift),
                "hours": rng.randint(0, 40),
                "kt_body": Choice(("hrc" if i < wrong else "cop",)),
            }
            for i in range(25)
        ]
        add_responses(session, qs[qid], raw[qid])
    ctx = context(
        session,
        qs,
        [
            {
                **BLOCK,
                "pre": "small-pre",
                "post": "small-post",
                "questions": ["confidence_overall", "hours"],
            }
        ],
        k=K,
        questionnaire="small-pre",
    )
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    scale, number = result.questions
    for phase, qid in (("before", "small-pre"), ("after", "small-post")):
        ratings = [a["confidence_overall"] for a in raw[qid]]
        figures = getattr(scale.items[0], phase)
        assert figures.mean == half_up(sum(ratings) / 25, 2)
        assert figures.shares == tuple(half_up(100 * ratings.count(p) / 25) for p in range(1, 6))
        hours = [a["hours"] for a in raw[qid]]
        assert getattr(number.items[0], phase).mean == half_up(sum(hours) / 25, 2)
    assert scale.categories[0] == "1"
    assert number.axis == "Mean (hours)"
    [item] = result.knowledge.items
    assert item.before is not None
    assert item.after is not None
    assert item.before.percent == 60
    assert result.knowledge.score_before == 1.2
    # After: 3 of 25 wrong. The share shows: it describes all 25, not a group of 3.
    assert item.after.percent == 88
    assert result.knowledge.score_after == 1.76
    assert result.knowledge.gain == half_up((88 - 60) / 40, 2)
    assert len(pre_post.draw(result)) == 3
    assert not [f for f in ctx.disclosure.figures if f.statistic in ("min", "max")]
