"""Pre/post pairing by participant-code hash, in SQL."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.models import Response
from survey_app.pairing import PairingSummary, pairing_summary
from survey_app.responses import new_submission_token
from survey_app.trainings import TrainingFields, create_training


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
def respond(session):
    """Store a response of a training's phase with a code hash; returns its id."""

    def add(training, phase, code):
        response = Response(
            questionnaire_id=training.questionnaire_for(phase),
            definition_hash="0" * 64,
            language="en",
            submission_token=new_submission_token(),
            answers_digest="0" * 64,
            training_id=training.id,
            phase=phase,
            participant_code_hash=code,
        )
        session.add(response)
        session.flush()
        return response.id

    return add


def test_empty_training_has_no_pairs(session, training):
    assert pairing_summary(session, training.id) == PairingSummary(0, 0, (), 0, 0, 0, 0)


def test_pre_and_post_with_the_same_code_pair(session, training, respond):
    pre = respond(training, "pre", "a")
    post = respond(training, "post", "a")
    summary = pairing_summary(session, training.id)
    assert summary.pairs == ((pre, post),)
    assert summary.paired_ids == {pre, post}
    assert (summary.pre, summary.post, summary.unmatched_post) == (1, 1, 0)


def test_two_pre_with_the_same_code_pair_the_latest_and_count_a_duplicate(
    session, training, respond
):
    respond(training, "pre", "a")
    latest = respond(training, "pre", "a")
    post = respond(training, "post", "a")
    summary = pairing_summary(session, training.id)
    assert summary.pre == 2  # both stored
    assert summary.pairs == ((latest, post),)
    assert summary.duplicate_pre_codes == 1


def test_repeated_post_code_pairs_the_latest_post(session, training, respond):
    pre = respond(training, "pre", "a")
    respond(training, "post", "a")
    latest = respond(training, "post", "a")
    summary = pairing_summary(session, training.id)
    assert summary.pairs == ((pre, latest),)
    assert summary.duplicate_post_codes == 1


def test_post_with_an_unknown_code_is_counted_unmatched_and_kept(session, training, respond):
    respond(training, "pre", "a")
    respond(training, "post", "zzz")
    summary = pairing_summary(session, training.id)
    assert summary.pairs == ()
    assert summary.post == 1
    assert summary.unmatched_post == 1


def test_post_without_any_pre_is_unmatched(session, training, respond):
    respond(training, "post", "a")
    summary = pairing_summary(session, training.id)
    assert (summary.pre, summary.post, summary.pairs, summary.unmatched_post) == (0, 1, (), 1)


def test_post_without_code_is_counted_apart(session, training, respond):
    respond(training, "pre", "a")
    respond(training, "post", None)
    summary = pairing_summary(session, training.id)
    assert summary.post_without_code == 1
    assert summary.unmatched_post == 0
    assert summary.pairs == ()


def test_codes_never_pair_across_trainings(session, training, respond):
    other = create_training(
        session,
        TrainingFields(
            "Other", "Lima", dt.date(2027, 2, 1), dt.date(2027, 2, 2), "UNODC", "a-q", "b-q"
        ),
    )
    respond(training, "pre", "a")
    respond(other, "post", "a")
    assert pairing_summary(session, training.id).pairs == ()
    assert pairing_summary(session, other.id).unmatched_post == 1


def test_several_pairs_come_ordered_by_pre_id(session, training, respond):
    pre_b = respond(training, "pre", "b")
    pre_a = respond(training, "pre", "a")
    post_a = respond(training, "post", "a")
    post_b = respond(training, "post", "b")
    assert pairing_summary(session, training.id).pairs == ((pre_b, post_b), (pre_a, post_a))


def test_participants_are_distinct_people_and_a_repeated_code_is_one(session, training, respond):
    """a: pre twice, post once (one person, paired); b: pre only; c: post twice, no pre
    (one person); two responses without a code (two people)."""
    respond(training, "pre", "a")
    respond(training, "pre", "a")
    respond(training, "post", "a")
    respond(training, "pre", "b")
    respond(training, "post", "c")
    respond(training, "post", "c")
    respond(training, "pre", None)
    respond(training, "post", None)
    summary = pairing_summary(session, training.id)
    assert summary.participants == 3 + 2
    assert (summary.unmatched_pre_codes, summary.unmatched_post_codes) == (1, 1)
    assert summary.unmatched_post == 2  # responses, as the dashboard counts them
    assert summary.match_rate == pytest.approx(1 / 5)


def test_a_mistyped_code_is_an_unmatched_pre_and_an_unmatched_post_participant(
    session, training, respond
):
    """Only keyed hashes of whole codes are stored: a one-letter typo cannot be told apart."""
    for code in ("ab|01|11", "cd|02|22", "ef|03|33"):
        respond(training, "pre", code)
    respond(training, "post", "ab|01|11")
    respond(training, "post", "cd|02|22")
    respond(training, "post", "eg|03|33")
    summary = pairing_summary(session, training.id)
    assert len(summary.pairs) == 2
    assert summary.participants == 4
    assert summary.match_rate == pytest.approx(2 / 4)


def test_empty_training_has_no_match_rate(session, training):
    assert pairing_summary(session, training.id).match_rate is None
