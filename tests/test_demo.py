"""Demo data: deterministic, valid as real submissions, plausible, and cheap to load."""

from __future__ import annotations

import datetime as dt
import random
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.content import registry
from survey_app.demo import (
    FOLLOW_UP,
    NEEDS_ASSESSMENT,
    POST_TRAINING,
    TOKEN_PREFIX,
    Plan,
    demo_counts,
    draw_respondent,
    generate_demo,
    generate_responses,
    texts,
)
from survey_app.forms import field_name, read_answers
from survey_app.models import Answer, Response
from survey_app.questionnaire import AnswerValue, Choice, Questionnaire, load_file
from survey_app.questionnaire.answers import visible_questions
from survey_app.questionnaire.questions import OTHER_VALUE, MatrixQuestion, RankingQuestion

END = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
EVERY_TYPE = Path(__file__).parent / "data/questionnaires/valid/every-question-type.yaml"
#: South and Southeast Asia: where most demo participants come from.
REGION = {"BD", "BN", "BT", "ID", "IN", "KH", "LA", "LK", "MM", "MV", "MY", "NP", "PH", "PK"}
REGION |= {"SG", "TH", "TL", "VN"}


def seeded(seed: int) -> random.Random:
    """A generator for demo data: seeded on purpose, so every run draws the same answers."""
    return random.Random(seed)  # noqa: S311 -- reproducible test data, not security


def sample_answers(
    questionnaire: Questionnaire, count: int, seed: int = 1, *, trained: bool = False
) -> list[dict[str, AnswerValue]]:
    """`count` respondents' answers, drawn as generate_responses draws them."""
    rng = seeded(seed)
    plan = Plan(questionnaire)
    return [plan.answers(draw_respondent(rng, END, 5, trained=trained), rng) for _ in range(count)]


def posted(questionnaire: Questionnaire, answers: dict[str, AnswerValue]) -> Callable:
    """The form fields a browser would post for these answers, as read_answers reads them."""
    fields: dict[str, list[str]] = {}
    for qid, value in answers.items():
        question = questionnaire.question(qid)
        if isinstance(value, Choice):
            fields[field_name(qid)] = list(value.values)
            if value.other is not None:
                fields[field_name(qid, "other")] = [value.other]
        elif isinstance(question, MatrixQuestion):
            assert isinstance(value, dict)
            for row, point in value.items():
                fields[field_name(qid, row)] = [str(point)]
        elif isinstance(question, RankingQuestion):
            assert isinstance(value, tuple)
            for rank, option in enumerate(value, start=1):
                fields[field_name(qid, rank)] = [option]
        elif isinstance(value, dt.date):
            fields[field_name(qid)] = [value.isoformat()]
        else:
            fields[field_name(qid)] = [str(value)]
    return lambda name: fields.get(name, [])


@pytest.fixture
def needs(app):
    with app.app_context():
        return registry().questionnaire(NEEDS_ASSESSMENT)


@pytest.fixture
def post(app):
    with app.app_context():
        return registry().questionnaire(POST_TRAINING)


def stored_answers(session, questionnaire_id: str) -> list[list[tuple]]:
    """Every stored response's answer rows in order, without ids or tokens."""
    rows = session.execute(
        select(
            Answer.response_id,
            Answer.question_id,
            Answer.item,
            Answer.row,
            Answer.option_value,
            Answer.number_value,
            Answer.text_value,
            Answer.date_value,
            Answer.rank,
        )
        .join(Response)
        .where(Response.questionnaire_id == questionnaire_id)
        .order_by(Answer.response_id, Answer.id)
    )
    by_response: dict[int, list[tuple]] = {}
    for row in rows:
        by_response.setdefault(row[0], []).append(tuple(row[1:]))
    return list(by_response.values())


# --- determinism, counts, writing ---------------------------------------------------


def test_same_seed_gives_the_same_responses_with_fresh_tokens(session, needs):
    for _ in range(2):
        generate_responses(session, needs, 30, seeded(7), end=END, batch_size=8)
    responses = session.scalars(select(Response).order_by(Response.id)).all()
    first, second = responses[:30], responses[30:]
    assert [r.submitted_at for r in first] == [r.submitted_at for r in second]
    assert [r.answers_digest for r in first] == [r.answers_digest for r in second]
    answers = stored_answers(session, NEEDS_ASSESSMENT)
    assert answers[:30] == answers[30:]
    tokens = {r.submission_token for r in responses}
    assert len(tokens) == 60
    assert all(t.startswith(TOKEN_PREFIX) for t in tokens)


def test_another_seed_gives_other_answers(needs):
    assert sample_answers(needs.model, 20, seed=1) != sample_answers(needs.model, 20, seed=2)


def test_default_counts_are_n_and_85_percent_of_n_after_training():
    assert demo_counts([NEEDS_ASSESSMENT, POST_TRAINING, "other-one"], 200) == {
        NEEDS_ASSESSMENT: 200,
        POST_TRAINING: 170,
        "other-one": 200,
    }


def test_generate_demo_stores_the_counts_in_batches(session, app):
    with app.app_context():
        loaded = registry().questionnaires
    counts = demo_counts(loaded, 45)
    assert generate_demo(session, loaded, counts, seeded(3), end=END) == counts
    stored = dict(
        session.execute(
            select(Response.questionnaire_id, func.count()).group_by(Response.questionnaire_id)
        ).all()
    )
    assert stored == {NEEDS_ASSESSMENT: 45, POST_TRAINING: 38, FOLLOW_UP: 27}
    hashes = set(session.scalars(select(Response.definition_hash).distinct()))
    assert hashes == {loaded[q].sha256 for q in (NEEDS_ASSESSMENT, POST_TRAINING, FOLLOW_UP)}
    # Every response has answer rows, and each answer row belongs to a response.
    assert session.scalar(select(func.count(func.distinct(Answer.response_id)))) == 110


def test_generation_flushes_but_never_commits(session, needs):
    generate_responses(session, needs, 5, seeded(1), end=END)
    assert session.scalar(select(func.count()).select_from(Response)) == 5
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Response)) == 0


def test_submissions_spread_over_days_before_the_end_in_utc(needs, post):
    rng = seeded(5)
    people = [draw_respondent(rng, END - dt.timedelta(days=14), 5) for _ in range(300)]
    times = [p.submitted_at for p in people]
    assert all(t.tzinfo is dt.UTC for t in times)
    assert min(times) >= END - dt.timedelta(days=14)
    assert max(times) < END - dt.timedelta(days=9)
    assert len({t.date() for t in times}) >= 5


def test_post_training_responses_come_after_the_needs_assessment(session, app):
    with app.app_context():
        loaded = registry().questionnaires
    generate_demo(session, loaded, demo_counts(loaded, 30), seeded(2), end=END)
    times = [
        session.scalar(select(agg(Response.submitted_at)).where(Response.questionnaire_id == q))
        for agg, q in ((func.max, NEEDS_ASSESSMENT), (func.min, POST_TRAINING))
    ]
    # SQLite gives back naive datetimes (stored as UTC), PostgreSQL aware ones.
    latest_needs, earliest_post = (t if t.tzinfo else t.replace(tzinfo=dt.UTC) for t in times)
    assert latest_needs < earliest_post <= END


# --- validity: every generated response is a submission the form would accept --------


@pytest.mark.parametrize("which", ["needs", "post"])
def test_generated_answers_pass_the_form_checks_unchanged(which, request):
    questionnaire = request.getfixturevalue(which).model
    for answers in sample_answers(questionnaire, 400, trained=which == "post"):
        parsed, errors = read_answers(questionnaire, posted(questionnaire, answers))
        assert errors == {}
        assert parsed == answers


def test_questions_without_a_special_draw_get_valid_answers_by_type():
    questionnaire = load_file(Questionnaire, EVERY_TYPE).model
    samples = sample_answers(questionnaire, 200)
    for answers in samples:
        parsed, errors = read_answers(questionnaire, posted(questionnaire, answers))
        assert errors == {}
        assert parsed == answers
    answered = {qid for answers in samples for qid in answers}
    # home_detail is only shown to people in France; demo participants live elsewhere.
    assert answered == {q.id for q in questionnaire.questions()} - {"home_detail"}


@pytest.mark.parametrize("which", ["needs", "post"])
def test_only_visible_questions_are_answered_and_required_ones_always(which, request):
    questionnaire = request.getfixturevalue(which).model
    for answers in sample_answers(questionnaire, 300):
        visible = visible_questions(questionnaire, answers)
        assert set(answers) <= visible
        required = {q.id for q in questionnaire.questions() if q.required}
        assert required & visible <= set(answers)


def test_skip_logic_shows_follow_up_questions_only_to_whom_they_apply(needs):
    samples = sample_answers(needs.model, 400)
    for answers in samples:
        engaged = answers["engaged_before"] == Choice(("yes",))
        assert ("engagement_channels" in answers) == engaged
        online = {"online_live", "self_paced"} & set(
            getattr(answers.get("preferred_formats"), "values", ())
        )
        if not online:
            assert "session_length" not in answers
    assert any("engagement_channels" in a for a in samples)
    assert any("session_length" in a for a in samples)


def test_rankings_have_no_repeats_and_fill_every_place(needs):
    for answers in sample_answers(needs.model, 300):
        ranked = answers["crime_areas"]
        assert isinstance(ranked, tuple)
        assert len(ranked) == len(set(ranked)) == 3


# --- plausibility -------------------------------------------------------------------


def share(values: list, predicate: Callable) -> float:
    return sum(1 for v in values if predicate(v)) / len(values)


def mean_of(samples: list[dict], question: str, row: str, who: str | None = None) -> float:
    return statistics.mean(
        a[question][row] for a in samples if who is None or a["stakeholder_type"].values == (who,)
    )


def test_stakeholder_mix_is_mostly_ngos_then_academia(needs):
    kinds = [a["stakeholder_type"] for a in sample_answers(needs.model, 400)]
    assert 0.45 <= share(kinds, lambda c: c.values == ("ngo",)) <= 0.75
    assert 0.15 <= share(kinds, lambda c: c.values == ("academia",)) <= 0.35
    assert 0.05 <= share(kinds, lambda c: c.values == ("private",)) <= 0.15
    others = [c for c in kinds if c.values == (OTHER_VALUE,)]
    assert others
    assert all(c.other in texts.OTHER_ORGANISATIONS for c in others)


def test_countries_are_mostly_south_and_southeast_asia_with_a_few_others(needs):
    countries = [a["country"] for a in sample_answers(needs.model, 400)]
    assert share(countries, lambda c: c in REGION) >= 0.9
    assert len(set(countries)) >= 12


def test_years_of_experience_are_skewed_and_gender_is_optional(needs):
    samples = sample_answers(needs.model, 400)
    years = [a["years_experience"] for a in samples if "years_experience" in a]
    assert statistics.median(years) < statistics.mean(years)
    assert max(years) > 3 * statistics.median(years)
    assert 0.75 <= share(samples, lambda a: "gender" in a) < 1


def test_ngos_need_the_review_mechanism_most_and_feel_least_confident_there(needs):
    samples = sample_answers(needs.model, 400)
    importance = mean_of(samples, "capacity_importance", "review_mechanism", "ngo")
    confidence = mean_of(samples, "confidence", "review_mechanism", "ngo")
    assert importance - confidence >= 1.5
    ngo_low = share(
        [a for a in samples if a["stakeholder_type"].values == ("ngo",)],
        lambda a: a["confidence"]["review_mechanism"] <= 2,
    )
    assert ngo_low >= 0.4


def test_academia_rates_data_collection_higher_than_ngos(needs):
    samples = sample_answers(needs.model, 400)
    for question in ("capacity_importance", "confidence"):
        academia = mean_of(samples, question, "data_collection", "academia")
        assert academia > mean_of(samples, question, "data_collection", "ngo") + 0.4


def test_familiarity_follows_prior_engagement(needs):
    samples = sample_answers(needs.model, 400)
    by_engagement = {
        answer: statistics.mean(
            a["familiarity_untoc"] for a in samples if a["engaged_before"].values == (answer,)
        )
        for answer in ("yes", "no")
    }
    assert by_engagement["yes"] > by_engagement["no"] + 0.8


def knowledge_score(questionnaire: Questionnaire, answers: dict) -> float:
    """Share of knowledge-test questions answered exactly right."""
    tests = [q for q in questionnaire.questions() if getattr(q, "correct", None)]
    right = sum(
        1
        for q in tests
        if q.id in answers and set(answers[q.id].values) == set(q.correct)  # type: ignore[attr-defined]
    )
    return right / len(tests)


def test_confidence_and_knowledge_are_higher_after_the_training(needs, post):
    before = sample_answers(needs.model, 400, seed=1)
    after = sample_answers(post.model, 340, seed=2, trained=True)
    for row in ("review_mechanism", "engaging_government"):
        assert mean_of(after, "confidence", row) > mean_of(before, "confidence", row) + 0.7
    for row in ("advocacy", "data_collection", "victim_support", "digital_literacy"):
        assert mean_of(after, "confidence", row) > mean_of(before, "confidence", row)
    score_before = statistics.mean(knowledge_score(needs.model, a) for a in before)
    score_after = statistics.mean(knowledge_score(post.model, a) for a in after)
    assert score_after > score_before + 0.15


def test_comments_are_occasional_and_include_non_latin_text_but_no_attack_strings(needs):
    samples = sample_answers(needs.model, 400)
    comments = [a["comments"] for a in samples if "comments" in a]
    assert 0.1 <= len(comments) / len(samples) <= 0.3
    assert set(texts.SPECIAL_COMMENTS) <= set(comments)
    # A new user's first report looks like a real one: no markup, no 1,500-character link
    # (tests/reporting/test_comments.py and test_pipeline.py keep those cases).
    assert not [c for c in comments if "<" in c or ">" in c]
    assert max(len(c) for c in comments) < 300


# --- the command --------------------------------------------------------------------


def count(session, questionnaire_id: str | None = None) -> int:
    stmt = select(func.count()).select_from(Response)
    if questionnaire_id:
        stmt = stmt.where(Response.questionnaire_id == questionnaire_id)
    return session.scalar(stmt) or 0


def test_demo_command_fills_both_questionnaires_and_commits(runner, session):
    result = runner.invoke(args=["survey", "demo", "--responses", "20", "--seed", "4"])
    assert result.exit_code == 0, result.output
    assert f"20 to {NEEDS_ASSESSMENT}, 17 to {POST_TRAINING}" in result.output
    assert "(seed 4)" in result.output
    assert count(session, NEEDS_ASSESSMENT) == 20
    assert count(session, POST_TRAINING) == 17


def test_demo_command_prints_the_random_seed_it_used(runner):
    result = runner.invoke(args=["survey", "demo", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert "(seed " in result.output


def test_demo_command_can_fill_one_questionnaire(runner, session):
    result = runner.invoke(args=["survey", "demo", "-n", "6", "--questionnaire", POST_TRAINING])
    assert result.exit_code == 0, result.output
    assert count(session) == count(session, POST_TRAINING) == 6


def test_demo_command_refuses_an_unknown_questionnaire(runner, session):
    result = runner.invoke(args=["survey", "demo", "--questionnaire", "nope"])
    assert result.exit_code == 2
    assert "no questionnaire 'nope'" in result.output
    assert count(session) == 0


def test_if_empty_adds_nothing_once_there_are_responses(runner, session):
    first = runner.invoke(args=["survey", "demo", "-n", "10", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert count(session) == 10 + 9 + 6
    second = runner.invoke(args=["survey", "demo", "-n", "10", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "already has 25 responses; no demo data added" in second.output
    session.expire_all()
    assert count(session) == 25


def test_demo_command_removes_demo_responses_with_their_answers(runner, session, app):
    from tests.conftest import needs_assessment_answers

    runner.invoke(args=["survey", "demo", "-n", "5", "--seed", "1"])
    real = app.test_client().post(f"/q/{NEEDS_ASSESSMENT}", data=needs_assessment_answers())
    assert real.status_code == 303
    result = runner.invoke(args=["survey", "demo", "--remove"])
    assert result.exit_code == 0, result.output
    assert "Deleted 12 demo responses" in result.output
    session.expire_all()
    assert count(session) == 1  # the real one stays
    orphans = select(func.count(Answer.id)).where(Answer.response_id.not_in(select(Response.id)))
    assert session.scalar(orphans) == 0


def test_demo_command_counts_responses_added_on_stderr(runner, session):
    result = runner.invoke(args=["survey", "demo", "-n", "20", "--seed", "2"])
    assert result.exit_code == 0, result.output
    # One batch per questionnaire: 12 follow-ups, 20 needs assessments, 17 evaluations.
    assert result.stderr.splitlines() == [
        "Demo responses added: 12 of 49",
        "Demo responses added: 32 of 49",
        "Demo responses added: 49 of 49",
    ]
    assert "Demo responses added" not in result.stdout
