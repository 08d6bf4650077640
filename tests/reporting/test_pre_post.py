"""Pre/post block: group figures and knowledge scores equal a plain-Python computation."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import pre_post
from survey_app.reporting.blocks.pre_post import PrePostResult

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


def reference_suppressed(cells: dict[Any, int], k: int) -> set[Any]:
    """Primary suppression of 0 < n < k, plus the next smallest cell if only one is hidden."""
    hidden = {key for key, n in cells.items() if 0 < n < k}
    if len(hidden) == 1:
        rest = [key for key, n in cells.items() if key not in hidden and n > 0]
        if rest:
            hidden.add(min(rest, key=lambda key: (cells[key], str(key))))
    return hidden


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
    assert [item.question_id for item in result.knowledge] == list(KEYS)
    assert result.max_points == 3
    percents = []
    for phase, raw in (("before", pre), ("after", post)):
        correct = {qid: sum(is_correct(a, qid) for a in raw) for qid in KEYS}
        hidden = {
            qid
            for qid, c in correct.items()
            if reference_suppressed({"right": c, "wrong": len(raw) - c}, K)
        }
        assert not hidden, "the seed keeps every split at k or more"
        for item in result.knowledge:
            assert getattr(item, phase) == pytest.approx(correct[item.question_id] / len(raw))
        score = sum(sum(is_correct(a, qid) for qid in KEYS) for a in raw) / len(raw)
        assert getattr(result, f"score_{phase}") == pytest.approx(score)
        percents.append(100 * score / 3)
    assert result.percent_before == pytest.approx(percents[0])
    assert result.percent_after == pytest.approx(percents[1])
    gain = (percents[1] - percents[0]) / (100 - percents[0])
    assert result.gain == pytest.approx(gain)
    assert result.gain_band == ("high" if gain >= 0.7 else "medium" if gain >= 0.3 else "low")
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
    protocols = result.knowledge[0]
    assert protocols.before == pytest.approx(5 / 20)
    assert result.knowledge[1].before == pytest.approx(5 / 20)
    assert result.score_before == pytest.approx(10 / 20)
    assert "exactly those of the key" in result.correctness_rule


def test_matrix_and_choice_questions_compare_means_and_shares(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    pre, post = seed_both(session, qs)
    result = compute(session, qs)
    matrix, choice = result.questions
    assert (matrix.kind, choice.kind) == ("matrix", "choice")
    for phase, raw in (("before", pre), ("after", post)):
        for row, item in zip(ROWS, matrix.items, strict=True):
            ratings = [a["confidence"][row] for a in raw if row in a["confidence"]]
            figures = getattr(item, phase)
            assert figures.n == len(ratings)
            assert figures.mean == pytest.approx(sum(ratings) / len(ratings))
            cells = {p: ratings.count(p) for p in range(1, 6)}
            hidden = reference_suppressed(cells, K)
            for p, share in zip(range(1, 6), figures.shares, strict=True):
                if p in hidden:
                    assert share is None
                else:
                    assert share == pytest.approx(cells[p] / len(ratings))
        picked = [a["stakeholder_type"].values[0] for a in raw]
        cells = {v: picked.count(v) for v in ("ngo", "academia", "private", "_other")}
        hidden = reference_suppressed(cells, K)
        figures = getattr(choice.items[0], phase)
        assert figures.n == len(raw)
        for value, share in zip(cells, figures.shares, strict=True):
            assert share == (None if value in hidden else pytest.approx(cells[value] / len(raw)))
    assert choice.categories[-1] == "Other"
    assert any(None in item.before.shares for item in matrix.items)
    assert result.notes


def test_a_group_under_k_shows_no_figure(session: Session, qs: dict[str, Questionnaire]) -> None:
    seed_both(session, qs, n_post=4)
    result = compute(session, qs)
    assert result.n_post is None
    assert result.n_pre == 40
    assert not result.empty
    for question in result.questions:
        for item in question.items:
            assert (item.after.n, item.after.mean, item.after.shares) == (None, None, ())
    assert all(item.after is None for item in result.knowledge)
    assert result.score_after is None
    assert result.gain is None
    assert result.notes


def test_both_groups_under_k_leave_the_block_empty(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    seed_both(session, qs, n_pre=3, n_post=4)
    result = compute(session, qs)
    assert result.empty
    assert pre_post.draw(result) == ()


def test_a_split_under_k_hides_that_share_and_one_more(
    session: Session, qs: dict[str, Questionnaire]
) -> None:
    """Post: 2 of 20 get kt_review_body wrong; its share could be worked out from the mean
    score, so the item with the next smallest split is hidden too, and the mean stays."""
    post = []
    for i in range(20):
        post.append(
            {
                "kt_review_body": Choice(("cop" if i >= 2 else "hrc",)),
                "kt_civil_society_role": Choice(("constructive_dialogues" if i % 2 else "vote",)),
                "kt_protocols": Choice(tuple(PROTOCOLS) if i % 3 else (PROTOCOLS[0],)),
            }
        )
    add_responses(session, qs[NEEDS], phase_answers(1, 20, skill=0.5))
    add_responses(session, qs[POST], post)
    result = compute(session, qs, questions=[])
    after = {item.question_id: item.after for item in result.knowledge}
    # Splits: review 18/2 (hidden), role 10/10, protocols 13/7 (the next smallest: hidden).
    assert after == {
        "kt_protocols": None,
        "kt_review_body": None,
        "kt_civil_society_role": pytest.approx(0.5),
    }
    assert result.score_after == pytest.approx((13 + 18 + 10) / 20)


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
    assert "Normalised gain g = " in html
    assert html.count('<figure class="chart">') == 3
    assert '<table class="data knowledge">' in html
    result = pre_post.compute(ctx, ctx.report.blocks[0])
    assert f"{result.gain:.2f} ({result.gain_band})" in html


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


def test_scale_and_number_questions_and_a_lone_hidden_item(session: Session) -> None:
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
        assert figures.mean == pytest.approx(sum(ratings) / 25)
        cells = {p: ratings.count(p) for p in range(1, 6)}
        hidden = reference_suppressed(cells, K)
        assert [p for p, s in zip(range(1, 6), figures.shares, strict=True) if s is None] == sorted(
            hidden
        )
        hours = [a["hours"] for a in raw[qid]]
        assert getattr(number.items[0], phase).mean == pytest.approx(sum(hours) / 25)
    assert scale.categories[0] == "1"
    assert number.axis == "Mean (hours)"
    [item] = result.knowledge
    assert item.before == pytest.approx(15 / 25)
    assert result.score_before == pytest.approx(2 * 15 / 25)
    # After: 3 of 25 wrong hides the only item, so the mean score would give it away.
    assert item.after is None
    assert result.score_after is None
    assert result.gain is None
    assert len(pre_post.draw(result)) == 3
