"""Pre/post block filtered to a training: paired figures equal a plain-Python computation."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from survey_app.questionnaire import AnswerValue, Choice, Questionnaire
from survey_app.reporting import paired
from survey_app.reporting.blocks import pre_post
from survey_app.reporting.blocks.pre_post import PrePostResult
from survey_app.reporting.blocks.pre_post_paired import few_answers_note, too_few_pairs_note
from survey_app.reporting.context import ReportContext
from survey_app.reporting.disclosure import HIDDEN_MARK
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


def half_up(value: float, digits: int = 0) -> float:
    """Rounding as printed, written out independently of the disclosure module."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def wilcoxon_reference(diffs: Sequence[float]) -> tuple[float, float]:
    """(two-sided p, rank-biserial r) by enumerating every sign flip, Pratt ranks (zeros
    ranked, counted in neither sum), written out independently of reporting.stats."""
    ordered = sorted(abs(d) for d in diffs)
    ranks = [ordered.index(abs(d)) + 1 + (ordered.count(abs(d)) - 1) / 2 for d in diffs]
    w_plus = sum(r for r, d in zip(ranks, diffs, strict=True) if d > 0)
    w_minus = sum(r for r, d in zip(ranks, diffs, strict=True) if d < 0)
    moving = [r for r, d in zip(ranks, diffs, strict=True) if d != 0]
    sums = [
        sum(r for r, s in zip(moving, signs, strict=True) if s)
        for signs in itertools.product((True, False), repeat=len(moving))
    ]
    low = sum(w <= w_plus + 1e-9 for w in sums) / len(sums)
    high = sum(w >= w_plus - 1e-9 for w in sums) / len(sums)
    n = len(diffs)
    return min(1.0, 2 * min(low, high)), (w_plus - w_minus) / (n * (n + 1) / 2)


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


def test_a_phase_differing_from_the_pairs_by_under_k_shows_only_the_pairs(session, qs, seeded):
    """10 people before and 10 after (latest answers), 8 of them paired: the 2 unpaired on
    each side would be the difference, so both phases' figures describe the 8 pairs."""
    training, _ = seeded
    definition = report(qs, [BLOCK], k=K)
    ctx = ReportContext(session, definition, qs, training)
    result = pre_post.compute(ctx, definition.blocks[0])
    assert ctx.paired_only == {"pre", "post"}
    assert (result.n_pre, result.n_post) == (8, 8)
    assert result.pre_label == "Paired pre-training respondents"
    assert result.paired
    assert "Regional workshop, Putrajaya" in result.pairing_note
    assert "describe only the paired participants" in result.pairing_note
    assert all("paired" in f.population for f in ctx.disclosure.figures)


def test_match_rate_counts_distinct_people_and_uses_the_latest_answers(session, qs, seeded):
    training, subs = seeded
    pairing = compute(session, qs, training).pairing
    assert pairing is not None
    assert pairing.shown
    assert pairing.pairs == len(latest_pairs(subs)) == 8
    # 10 people before (two of them answered twice), the same 8 plus 2 strangers after.
    assert pairing.match_rate == half_up(100 * 8 / 12) == 67


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
            assert item.hidden
            assert (item.n, item.mean_difference, item.p_value, item.effect_size) == (None,) * 4
            continue
        diffs = [after - before for before, after in values]
        assert not item.hidden
        assert item.n == len(values) == 8
        assert item.mean_before == half_up(sum(b for b, _ in values) / 8, 2)
        assert item.mean_after == half_up(sum(a for _, a in values) / 8, 2)
        assert item.mean_difference == half_up(sum(diffs) / 8, 2)
        assert item.method == "exact permutation, ties and zeros kept"  # ratings: ties
        p, r = wilcoxon_reference(diffs)
        assert item.p_value == half_up(p, 3)
        assert item.effect_size == half_up(r, 2)
    assert few_answers_note(K) in pairing.notes


@pytest.mark.parametrize("chunk", [500, 3], ids=["one-query", "by-3-ids"])
def test_paired_knowledge_scores_wilcoxon_and_gain_equal_plain_python(
    session, qs, seeded, monkeypatch, chunk
):
    # by-3-ids: the 16 responses of the 8 pairs are scored in six queries
    monkeypatch.setattr(paired, "ID_CHUNK", chunk)
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
    assert (kt.score.mean_before, kt.score.mean_after) == (half_up(before, 2), half_up(after, 2))
    assert kt.score.mean_difference == half_up(sum(diffs) / 8, 2)
    p, r = wilcoxon_reference(diffs)
    assert kt.score.p_value == half_up(p, 3)
    assert kt.score.effect_size == half_up(r, 2)
    gain = (100 * after / 3 - 100 * before / 3) / (100 - 100 * before / 3)
    assert kt.gain == half_up(gain, 2)
    bands = [(0.7, "high"), (0.3, "medium"), (0, "low"), (-2, "negative")]
    assert kt.gain_band == next(band for edge, band in bands if kt.gain >= edge)


def test_notes_count_duplicate_and_unmatched_codes(session, qs, seeded):
    training, _ = seeded
    pairing = compute(session, qs, training).pairing
    assert pairing is not None
    assert pairing.notes[:4] == (
        "2 participants submitted the pre questionnaire more than once; "
        "the latest answers were used.",
        "1 participant submitted the post questionnaire more than once; "
        "the latest answers were used.",
        "2 codes of the post questionnaire matched no pre code: they are left out of every figure.",
        "2 codes of the pre questionnaire matched no post code: they are left out of every figure.",
    )


def test_fewer_than_k_pairs_show_no_paired_figure(session, qs):
    training = new_training(session)
    store(session, qs, training, training_submissions(pairs=4))
    definition = report(qs, [BLOCK], k=K)
    ctx = ReportContext(session, definition, qs, training)
    result = pre_post.compute(ctx, definition.blocks[0])
    pairing = result.pairing
    assert pairing is not None
    assert not pairing.shown
    assert (pairing.pairs, pairing.match_rate, pairing.questions, pairing.knowledge) == (
        None,
        None,
        (),
        None,
    )
    assert pairing.notes == (too_few_pairs_note(K),)
    assert result.n_pre == 10  # 10 people before, 6 more than the pairs: shown whole
    # 6 after, 4 of them paired: with no paired figure printed, nothing can be subtracted,
    # so the phase is not cut down to the (hidden) pairs.
    assert ctx.paired_only == frozenset()
    assert result.n_post == 6
    assert not [f for f in ctx.disclosure.figures if "paired" in f.population]
    html = render_first_block(ReportContext(session, report(qs, [BLOCK], k=K), qs, training))
    assert "Paired comparison" in html
    assert f"Paired comparison: {HIDDEN_MARK}. Fewer than 5 participants" in html
    assert "Match rate" not in html
    assert "Wilcoxon p" not in html


def test_a_date_filter_drops_pairs_whose_latest_answers_fall_outside_it(session, qs, seeded):
    """Three participants answer after once more, days later: with the filter ending before,
    their pairs (the latest answers) are out of the report, not replaced by earlier ones.

    A pair counts only when both its responses are in range, so the paired set is the 5
    pairs in range on both sides; the 10 pre respondents in range differ from them by 5.
    """
    training, _ = seeded
    rng = random.Random(11)  # noqa: S311 -- reproducible test data, not secrets
    later = [Submission("post", f"code-{i}", answers(rng, 1.0)) for i in (3, 4, 5)]
    store(session, qs, training, later, start=START + dt.timedelta(days=3))
    assert compute(session, qs, training).pairing.pairs == 8
    until = (START + dt.timedelta(days=1)).date().isoformat()
    definition = report(qs, [BLOCK], k=K, filter={"submitted_to": until})
    ctx = ReportContext(session, definition, qs, training)
    result = pre_post.compute(ctx, definition.blocks[0])
    assert (result.n_pre, result.n_post) == (10, 5)
    assert result.pairing is not None
    assert result.pairing.shown
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
    assert (result.n_pre, result.n_post) == (5, 5)  # the sixth person before: pairs only
    assert result.pairing is not None
    assert result.pairing.pairs == 5


def test_rendered_block_prints_the_paired_section(session, qs, seeded):
    training, _ = seeded
    html = render_first_block(ReportContext(session, report(qs, [BLOCK], k=K), qs, training))
    assert "Paired comparison: the same participants before and after" in html
    assert "Match rate" in html
    assert "Wilcoxon p" in html
    assert "exact permutation, ties and zeros kept" in html
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


def test_group_figures_use_the_latest_answers_of_each_code_as_pairing_does(session, qs, seeded):
    """Participants 0 and 1 first answered before with every item right, then again: only
    their later answers count, in the group table as in the pairs."""
    training, subs = seeded
    result = compute(session, qs, training)
    before = [pre for pre, _ in latest_pairs(subs)]
    assert len(before) == result.n_pre == 8
    mean = sum(score(a) for a in before) / 8
    assert result.knowledge.score_before == half_up(mean, 2)
    assert result.pairing is not None
    assert result.pairing.knowledge is not None
    assert result.pairing.knowledge.score.mean_before == half_up(mean, 2)
