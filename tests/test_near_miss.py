"""Near-miss pairing: codes one element apart are probable pairs, never silent pairs."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from survey_app.codes import CodeHasher, masked_codes
from survey_app.extensions import db
from survey_app.models import Response
from survey_app.pairing import match_near_misses, pairing_summary
from survey_app.responses import new_submission_token
from survey_app.settings import Settings
from survey_app.trainings import TrainingFields, create_training, normalise_code
from tests.conftest import (
    add_account,
    log_in,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

HASHER = CodeHasher(b"pepper", time_cost=1, memory_kib=8, near_miss=True)


@pytest.fixture
def training(session):
    fields = TrainingFields(
        title="Workshop",
        place="Vienna",
        starts_on=dt.date(2027, 1, 15),
        ends_on=dt.date(2027, 1, 17),
        organiser="UNODC",
        pre_questionnaire_id="untoc-needs-assessment",
        post_questionnaire_id="untoc-post-training",
    )
    return create_training(session, fields)


@pytest.fixture
def answer(session, training):
    """Store a response of `phase` with the code's hash and tags; returns its id."""

    def add(phase: str, letters: str, day: int, digits: str) -> int:
        code = normalise_code(letters, day, digits)
        response = Response(
            questionnaire_id=training.questionnaire_for(phase),
            definition_hash="0" * 64,
            language="en",
            submission_token=new_submission_token(),
            answers_digest="0" * 64,
            training_id=training.id,
            phase=phase,
            participant_code_hash=HASHER.hash(training, code),
            near_miss_tags=HASHER.near_miss_tags(training, code),
        )
        session.add(response)
        session.flush()
        return response.id

    return add


def test_each_element_is_masked_once_in_place():
    assert masked_codes("ma|07|42") == [
        "*|a|07|4|2",
        "m|*|07|4|2",
        "m|a|*|4|2",
        "m|a|07|*|2",
        "m|a|07|4|*",
    ]


@pytest.mark.parametrize(
    "post_code",
    [("Mb", 7, "42"), ("Xa", 7, "42"), ("Ma", 8, "42"), ("Ma", 7, "43"), ("Ma", 7, "12")],
)
def test_one_element_different_is_a_probable_pair(session, training, answer, post_code):
    pre = answer("pre", "Ma", 7, "42")
    post = answer("post", *post_code)
    summary = pairing_summary(session, training.id)
    assert summary.pairs == ()
    assert summary.probable_pairs == ((pre, post),)


def test_the_same_code_pairs_exactly_and_is_no_probable_pair(session, training, answer):
    pre = answer("pre", "Ma", 7, "42")
    post = answer("post", "MA", 7, "42")
    summary = pairing_summary(session, training.id)
    assert summary.pairs == ((pre, post),)
    assert summary.probable_pairs == ()


def test_two_elements_different_is_no_probable_pair(session, training, answer):
    answer("pre", "Ma", 7, "42")
    answer("post", "Mb", 7, "43")
    answer("post", "Ma", 9, "52")
    assert pairing_summary(session, training.id).probable_pairs == ()


def test_two_pre_candidates_make_no_probable_pair(session, training, answer):
    answer("pre", "Ma", 7, "42")
    answer("pre", "Ma", 7, "43")
    answer("post", "Ma", 7, "44")
    assert pairing_summary(session, training.id).probable_pairs == ()


def test_two_post_candidates_for_one_pre_code_make_no_probable_pair(session, training, answer):
    answer("pre", "Ma", 7, "42")
    answer("post", "Mb", 7, "42")
    answer("post", "Ma", 8, "42")
    assert pairing_summary(session, training.id).probable_pairs == ()


def test_an_exactly_paired_code_is_no_candidate(session, training, answer):
    """The pre code paired exactly is taken: the near miss of another has one candidate left."""
    answer("pre", "Ma", 7, "42")
    answer("post", "Ma", 7, "42")
    pre = answer("pre", "Ma", 7, "43")
    post = answer("post", "Ma", 7, "44")
    assert pairing_summary(session, training.id).probable_pairs == ((pre, post),)


def test_matching_on_plain_tags():
    pre = {"a": ("1", "2", "3"), "b": ("4", "5", "6")}
    post = {"x": ("1", "9", "9"), "y": ("7", "5", "8"), "z": ("0", "0", "0")}
    assert match_near_misses(pre, post) == [("a", "x"), ("b", "y")]
    post["w"] = ("9", "2", "9")  # a second candidate for "a"
    assert match_near_misses(pre, post) == [("b", "y")]


def test_no_tags_when_off_or_for_a_training_of_the_old_scheme(training):
    off = CodeHasher(b"pepper", time_cost=1, memory_kib=8)
    assert off.near_miss_tags(training, "ma|07|42") is None
    training.pairing_secret = "ab" * 32
    assert HASHER.near_miss_tags(training, "ma|07|42") is None


def test_a_tag_never_equals_a_code_hash(training):
    code = "ma|07|42"
    tags = HASHER.near_miss_tags(training, code).split(",")
    assert len(tags) == 5
    assert len(set(tags)) == 5
    assert HASHER.hash(training, code) not in tags


def test_near_miss_pairing_is_off_by_default():
    assert Settings().near_miss_pairing is False


def stored_tags(app) -> list[tuple[str | None, bool]]:
    with app.app_context():
        rows = db.session.execute(
            select(Response.phase, Response.near_miss_tags).order_by(Response.id)
        )
        return [(phase, tags is not None) for phase, tags in rows]


def code(letters: str, day: str, digits: str) -> dict[str, str]:
    return {"code_letters": letters, "code_day": day, "code_digits": digits}


def test_submissions_store_tags_only_when_on_and_not_for_a_matched_post(
    make_app, fast_password_hashing
):
    app = make_app(near_miss_pairing=True)
    client = log_in(app.test_client(), add_account(app, "officer@example.org", "staff"))
    training_id = open_training(client)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **code("Ma", "7", "42")})
    submit(app, training_id, "post", {**post_training_answers(), **code("Ma", "7", "42")})
    submit(app, training_id, "pre", {**needs_assessment_answers(), **code("Lu", "3", "11")})
    submit(app, training_id, "post", {**post_training_answers(), **code("Lu", "3", "17")})
    assert stored_tags(app) == [("pre", True), ("post", False), ("pre", True), ("post", True)]
    with app.app_context():
        summary = pairing_summary(db.session(), training_id)
    assert len(summary.pairs) == 1
    assert len(summary.probable_pairs) == 1
    page = client.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert 'data-note="probable"' in page
    assert "1 of the unmatched codes after the training differs in one element only" in page


def test_submissions_store_no_tags_when_off(app, logged_in):
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **code("Ma", "7", "42")})
    submit(app, training_id, "post", {**post_training_answers(), **code("Ma", "7", "43")})
    assert stored_tags(app) == [("pre", False), ("post", False)]
