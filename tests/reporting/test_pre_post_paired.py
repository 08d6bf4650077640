"""Pre/post block filtered to a training: paired figures equal a plain-Python computation."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting.blocks import pre_post
from survey_app.reporting.blocks.pre_post import PrePostResult
from survey_app.reporting.blocks.pre_post_paired import too_few_pairs_note
from survey_app.reporting.context import ReportContext
from survey_app.reporting.pipeline import format_days
from survey_app.reporting.training import ReportTraining, load_report_training
from survey_app.trainings import TrainingFields, create_training

from .seeding import (
    NEEDS,
    POST,
    START,
    add_response,
    render_first_block,
    report,
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
#: Rated after the training by only three of the pairs: its paired figures are withheld.
SPARSE_ROW = "digital_literacy"
PROTOCOLS = ["trafficking_protocol", "smuggling_protocol", "firearms_protocol"]
KEYS: dict[str, set[str]] = {
    "kt_protocols": set(PROTOCOLS),
    "kt_review_body": {"cop"},
    "kt_civil_society_role": {"constructive_dialogues"},
}
BLOCK = {"type": "pre_post", "pre": NEEDS, "post": POST, "questions": ["confidence"]}

Answers = dict[str, AnswerValue]


@dataclass(frozen=True)
class Submission:
    """One stored response of the training, in the order it was submitted."""

    phase: str
    code: str | None
    answers: Answers


def answers(rng: random.Random, skill: float, rows: Sequence[str] = ROWS) -> Answers:
    """Confidence ratings and knowledge answers; `skill` raises both."""
    out: Answers = {
        "stakeholder_type": Choice(("ngo",)),
        "confidence": {row: min(5, rng.randint(1, 3) + (rng.random() < skill) * 2) for row in rows},
    }
    picks = set(PROTOCOLS) if rng.random() < skill else set(rng.sample(PROTOCOLS, 2))
    out["kt_protocols"] = Choice(tuple(sorted(picks)))
    if rng.random() < 0.9:  # sometimes left unanswered: scores 0
        out["kt_review_body"] = Choice(("cop" if rng.random() < skill else "hrc",))
    role = "constructive_dialogues" if rng.random() < skill else "vote"
    out["kt_civil_society_role"] = Choice((role,))
    return out


def training_submissions(pairs: int = 8, seed: int = 7) -> list[Submission]:
    """Ten participants before; `pairs` of them after; duplicates and strangers on both sides.

    Participants 0 and 1 answer before twice (first all right), participant 2 after twice
    (first all wrong): those first answers must not count. Two strangers answer after only.
    """
    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    code = [f"code-{i}" for i in range(10)]
    subs = [Submission("pre", code[i], answers(rng, 1.0)) for i in (0, 1)]
    subs += [Submission("pre", code[i], answers(rng, 0.3)) for i in range(10)]
    if pairs > 2:
        subs.append(Submission("post", code[2], answers(rng, 0.0)))
    for i in range(pairs):
        rows = ROWS if i < 3 else [r for r in ROWS if r != SPARSE_ROW]
        subs.append(Submission("post", code[i], answers(rng, 0.8, rows)))
    subs += [Submission("post", f"stranger-{i}", answers(rng, 0.8)) for i in range(2)]
    return subs


def latest_pairs(subs: Sequence[Submission]) -> list[tuple[Answers, Answers]]:
    """(pre, post) answers of each code with both, the latest submission of each phase."""
    latest: dict[tuple[str, str | None], Answers] = {}
    for sub in subs:
        latest[sub.phase, sub.code] = sub.answers
    codes = sorted({code for phase, code in latest if phase == "pre"})
    return [(latest["pre", c], latest["post", c]) for c in codes if ("post", c) in latest]


def score(answers: Answers) -> float:
    """Points scored on the knowledge test (one per item answered exactly right)."""
    points = 0.0
    for qid, key in KEYS.items():
        answer = answers.get(qid)
        if isinstance(answer, Choice) and set(answer.values) == key:
            points += 1
    return points


def wilcoxon_reference(diffs: Sequence[float]) -> tuple[float, float]:
    """(two-sided p, rank-biserial r): normal approximation with tie and continuity
    correction, written out independently of survey_app.reporting.stats."""
    nonzero = [d for d in diffs if d != 0]
    n = len(nonzero)
    ordered = sorted(abs(d) for d in nonzero)

    def rank(value: float) -> float:
        first = ordered.index(value) + 1
        return first + (ordered.count(value) - 1) / 2

    w_plus = sum(rank(abs(d)) for d in nonzero if d > 0)
    w_minus = sum(rank(abs(d)) for d in nonzero if d < 0)
    ties = [ordered.count(v) for v in set(ordered)]
    sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(t**3 - t for t in ties) / 48)
    t = min(w_plus, w_minus)
    z = (t - n * (n + 1) / 4 + 0.5) / sigma
    return min(1.0, 2 * 0.5 * math.erfc(-z / math.sqrt(2))), (w_plus - w_minus) / (w_plus + w_minus)


@pytest.fixture
def qs(app: Flask) -> dict[str, Questionnaire]:
    return sample_questionnaires(app)


def new_training(session: Session, pre: str = NEEDS, post: str = POST) -> ReportTraining:
    fields = TrainingFields(
        title="Regional workshop, Putrajaya",
        place="Putrajaya, Malaysia",
        starts_on=dt.date(2027, 1, 15),
        ends_on=dt.date(2027, 1, 17),
        organiser="UNODC",
        pre_questionnaire_id=pre,
        post_questionnaire_id=post,
    )
    training = create_training(session, fields)
    found = load_report_training(session, training.id)
    assert found is not None
    return found


def store(
    session: Session,
    qs: dict[str, Questionnaire],
    training: ReportTraining,
    subs: Sequence[Submission],
    start: dt.datetime = START,
) -> None:
    """Store the submissions in order, a minute apart (later ids are later answers)."""
    for i, sub in enumerate(subs):
        qid = (
            training.pre_questionnaire_id if sub.phase == "pre" else training.post_questionnaire_id
        )
        assert qid is not None
        add_response(
            session,
            qs[qid],
            sub.answers,
            start + dt.timedelta(minutes=i),
            training_id=training.id,
            phase=sub.phase,
            code_hash=sub.code,
        )
    session.flush()


def store_noise(session: Session, qs: dict[str, Questionnaire]) -> None:
    """Responses the training report must not see: outside any training, another training's."""
    rng = random.Random(99)  # noqa: S311 -- reproducible test data, not secrets
    for _ in range(6):
        add_response(session, qs[NEEDS], answers(rng, 1.0))
        add_response(session, qs[POST], answers(rng, 0.0))
    other = new_training(session)
    store(session, qs, other, training_submissions(pairs=6, seed=3))


def compute(
    session: Session,
    qs: dict[str, Questionnaire],
    training: ReportTraining | None,
    **fields: Any,
) -> PrePostResult:
    definition = report(qs, [{**BLOCK, **fields.pop("block", {})}], k=K, **fields)
    ctx = ReportContext(session, definition, qs, training)
    result = pre_post.compute(ctx, definition.blocks[0])
    assert isinstance(result, PrePostResult)
    return result


@pytest.fixture
def seeded(
    session: Session, qs: dict[str, Questionnaire]
) -> tuple[ReportTraining, list[Submission]]:
    store_noise(session, qs)
    training = new_training(session)
    subs = training_submissions()
    store(session, qs, training, subs)
    return training, subs


def test_training_filter_counts_only_its_responses_per_phase(session, qs, seeded):
    training, subs = seeded
    result = compute(session, qs, training)
    assert result.n_pre == sum(s.phase == "pre" for s in subs) == 12
    assert result.n_post == sum(s.phase == "post" for s in subs) == 11
    assert result.paired
    assert "Regional workshop, Putrajaya" in result.pairing_note


def test_match_rate_and_pairs_use_the_latest_answers_of_each_code(session, qs, seeded):
    training, subs = seeded
    pairing = compute(session, qs, training).pairing
    assert pairing is not None
    assert pairing.shown
    assert pairing.pairs == len(latest_pairs(subs)) == 8
    # 10 participants before, 8 + 2 strangers after, 8 of them in both.
    assert pairing.match_rate == pytest.approx(8 / (10 + 10 - 8))


def test_paired_matrix_rows_equal_a_plain_python_computation(session, qs, seeded):
    training, subs = seeded
    pairing = compute(session, qs, training).pairing
    assert pairing is not None
    [question] = pairing.questions
    labels = {row.value: row.label for row in qs[NEEDS].question("confidence").rows}
    assert [item.label for item in question.items] == [labels[row] for row in ROWS]
    for row, item in zip(ROWS, question.items, strict=True):
        values = [
            (pre["confidence"][row], post["confidence"][row])
            for pre, post in latest_pairs(subs)
            if row in post["confidence"]
        ]
        if row == SPARSE_ROW:
            assert len(values) == 3
            assert (item.n, item.mean_difference, item.p_value, item.effect_size) == (
                None,
                None,
                None,
                None,
            )
            continue
        diffs = [after - before for before, after in values]
        assert item.n == len(values) == 8
        assert item.mean_before == pytest.approx(sum(b for b, _ in values) / 8)
        assert item.mean_after == pytest.approx(sum(a for _, a in values) / 8)
        assert item.mean_difference == pytest.approx(sum(diffs) / 8)
        assert item.method == "normal"  # ratings 1-5: tied differences
        p, r = wilcoxon_reference(diffs)
        assert item.p_value == pytest.approx(p)
        assert item.effect_size == pytest.approx(r)
    assert any(
        note.startswith("Items answered both times by fewer than 5") for note in pairing.notes
    )


def test_paired_knowledge_scores_wilcoxon_and_gain_equal_plain_python(session, qs, seeded):
    training, subs = seeded
    pairing = compute(session, qs, training).pairing
    assert pairing is not None
    assert pairing.knowledge is not None
    scores = [(score(pre), score(post)) for pre, post in latest_pairs(subs)]
    diffs = [after - before for before, after in scores]
    kt = pairing.knowledge
    assert kt.max_points == 3
    assert kt.score.n == 8
    before = sum(b for b, _ in scores) / 8
    after = sum(a for _, a in scores) / 8
    assert (kt.score.mean_before, kt.score.mean_after) == (
        pytest.approx(before),
        pytest.approx(after),
    )
    assert kt.score.mean_difference == pytest.approx(sum(diffs) / 8)
    assert kt.score.method == "normal"  # tied differences
    p, r = wilcoxon_reference(diffs)
    assert kt.score.p_value == pytest.approx(p)
    assert kt.score.effect_size == pytest.approx(r)
    gain = (100 * after / 3 - 100 * before / 3) / (100 - 100 * before / 3)
    assert kt.gain == pytest.approx(gain)
    assert kt.gain_band == ("high" if gain >= 0.7 else "medium" if gain >= 0.3 else "low")


def test_notes_count_duplicate_codes_and_unmatched_post_responses(session, qs, seeded):
    training, _ = seeded
    pairing = compute(session, qs, training).pairing
    assert pairing is not None
    assert pairing.notes[:3] == (
        "2 participants submitted the pre questionnaire more than once; "
        "the latest answers were used.",
        "1 participant submitted the post questionnaire more than once; "
        "the latest answers were used.",
        "2 post responses matched no pre code: they count in the group figures only.",
    )


def test_fewer_than_k_pairs_show_no_paired_figure(session, qs):
    training = new_training(session)
    store(session, qs, training, training_submissions(pairs=4))
    result = compute(session, qs, training)
    pairing = result.pairing
    assert pairing is not None
    assert not pairing.shown
    assert (pairing.pairs, pairing.match_rate, pairing.questions, pairing.knowledge) == (
        None,
        None,
        (),
        None,
    )
    assert pairing.notes[-1] == too_few_pairs_note(K)
    assert result.n_post is not None  # the group figures still show: 6 responses after
    html = render_first_block(ReportContext(session, report(qs, [BLOCK], k=K), qs, training))
    assert "Paired comparison" in html
    assert "Fewer than 5 participants answered both before and after" in html
    assert "Match rate" not in html
    assert "Wilcoxon p" not in html


def test_a_date_filter_drops_pairs_whose_latest_answers_fall_outside_it(session, qs, seeded):
    """Three participants answer after once more, days later: with the filter ending before,
    their pairs (the latest answers) are out of the report, not replaced by earlier ones."""
    training, _ = seeded
    rng = random.Random(11)  # noqa: S311 -- reproducible test data, not secrets
    later = [Submission("post", f"code-{i}", answers(rng, 1.0)) for i in (3, 4, 5)]
    store(session, qs, training, later, start=START + dt.timedelta(days=3))
    assert compute(session, qs, training).pairing.pairs == 8
    until = (START + dt.timedelta(days=1)).date().isoformat()
    result = compute(session, qs, training, filter={"submitted_to": until})
    assert result.n_post == 11
    assert result.pairing is not None
    assert result.pairing.pairs == 5


def test_without_a_training_nothing_is_paired(session, qs, seeded):
    result = compute(session, qs, None)
    assert not result.paired
    assert result.pairing is None
    assert result.pairing_note.startswith("Responses are not paired in this report")
    assert result.n_pre == 12 + 6 + 12  # every response: this and the other training, no training
    html = render_first_block(ReportContext(session, report(qs, [BLOCK], k=K), qs))
    assert "Responses are not paired in this report" in html
    assert "Paired comparison" not in html


def test_a_block_on_other_questionnaires_than_the_trainings_is_not_paired(session, qs, seeded):
    training, _ = seeded
    swapped = replace(training, pre_questionnaire_id=POST, post_questionnaire_id=NEEDS)
    result = compute(session, qs, swapped)
    assert result.pairing is None
    assert result.pairing_note == pre_post.OTHER_TRAINING_NOTE


def test_one_questionnaire_for_both_phases_is_split_by_phase(session, qs):
    training = new_training(session, pre=NEEDS, post=NEEDS)
    rng = random.Random(5)  # noqa: S311 -- reproducible test data, not secrets
    subs = [Submission("pre", f"c{i}", answers(rng, 0.0)) for i in range(6)]
    subs += [Submission("post", f"c{i}", answers(rng, 1.0)) for i in range(5)]
    store(session, qs, training, subs)
    result = compute(session, qs, training, block={"post": NEEDS})
    assert (result.n_pre, result.n_post) == (6, 5)
    assert result.pairing is not None
    assert result.pairing.pairs == 5


def test_rendered_block_prints_the_paired_section(session, qs, seeded):
    training, _ = seeded
    html = render_first_block(ReportContext(session, report(qs, [BLOCK], k=K), qs, training))
    assert "Paired comparison: the same participants before and after" in html
    assert "Match rate" in html
    assert "Wilcoxon p" in html
    assert "Knowledge test (score of 3 points)" in html
    assert "2 participants submitted the pre questionnaire more than once" in html
    assert "Normalised gain on the paired mean scores" in html


def test_training_phases_and_questionnaires():
    training = ReportTraining(1, "T", "P", dt.date(2027, 1, 15), dt.date(2027, 1, 17), "a", "b")
    assert (training.phase_of("a"), training.phase_of("b"), training.phase_of("c")) == (
        "pre",
        "post",
        None,
    )
    assert training.covers(["a", "b"])
    assert training.covers(["b"])
    assert not training.covers(["a", "c"])
    assert training.is_pre_post("a", "b")
    assert not training.is_pre_post("b", "a")
    both = ReportTraining(1, "T", "P", dt.date(2027, 1, 15), dt.date(2027, 1, 17), "a", "a")
    assert both.phase_of("a") is None


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (dt.date(2027, 1, 15), dt.date(2027, 1, 17), "15–17 January 2027"),
        (dt.date(2027, 1, 30), dt.date(2027, 2, 2), "30 January – 2 February 2027"),
        (dt.date(2026, 12, 30), dt.date(2027, 1, 2), "30 December 2026 – 2 January 2027"),
        (dt.date(2027, 1, 15), dt.date(2027, 1, 15), "15 January 2027"),
    ],
)
def test_training_dates_print_as_one_range(start, end, text):
    assert format_days(start, end) == text
