"""The follow-up phase: its link, QR and card, the participant form with the code step,
three-wave pairing by code, and exports that include it."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.responses import new_submission_token
from survey_app.waves import wave_summary
from tests.conftest import (
    CAPACITY_ROWS,
    CODE,
    add_account,
    link_token,
    log_in,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

FOLLOWUP = "untoc-follow-up"
OTHER_CODE = {"code_letters": "Zo", "code_day": "30", "code_digits": "11"}


def followup_answers(applied: int = 4, **overrides: Any) -> dict[str, Any]:
    """A complete, valid body for the sample follow-up questionnaire."""
    data: dict[str, Any] = {
        "submission_token": new_submission_token(),
        "q_applied_learning": str(applied),
        "q_application_frequency": "monthly",
        "q_barriers": ["no_time", "no_funding"],
        "q_support_needed": ["mentoring"],
        "q_changes_observed": ["trained_colleagues"],
        **{f"q_confidence-{row}": "5" for row in CAPACITY_ROWS},
    }
    data.update(overrides)
    return data


def test_training_page_offers_followup_link_qr_and_printable_card(app, logged_in):
    """A training with a follow-up questionnaire has its own link, QR and card to hand out."""
    training_id = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    token = link_token(app, training_id, "followup")
    assert token
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert f"/t/{token}" in page
    assert f"/staff/trainings/{training_id}/qr/followup.svg" in page
    assert f"/staff/trainings/{training_id}/followup-card" in page
    assert "the app never asks for or stores participants" in page
    card = logged_in.get(f"/staff/trainings/{training_id}/followup-card")
    assert card.status_code == 200
    text = card.get_data(as_text=True)
    assert "In about three months we will ask how you used what you learned" in text
    assert f"/t/{token}" in text
    assert logged_in.get(f"/staff/trainings/{training_id}/qr/followup.svg").status_code == 200


def test_card_is_404_without_a_followup_and_behind_login(app, client, logged_in):
    """No follow-up questionnaire, no card; and staff pages need a login."""
    training_id = open_training(logged_in)
    assert logged_in.get(f"/staff/trainings/{training_id}/followup-card").status_code == 404
    other = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    anonymous = app.test_client().get(f"/staff/trainings/{other}/followup-card")
    assert anonymous.status_code in (302, 303, 401)


def test_followup_form_asks_for_the_code_and_says_whether_it_matched(app, logged_in):
    """The follow-up form has the same code step as the post form; the thank-you page says
    whether the code matched an earlier answer."""
    training_id = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    token = link_token(app, training_id, "followup")
    form = app.test_client().get(f"/t/{token}").get_data(as_text=True)
    assert 'name="code_letters"' in form
    assert 'name="q_applied_learning"' in form
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    assert "matched=1" in submit(app, training_id, "followup", {**followup_answers(), **CODE})
    assert "matched=0" in submit(app, training_id, "followup", {**followup_answers(), **OTHER_CODE})


def test_followup_thanks_speaks_of_the_training_not_of_before_it(app, logged_in):
    """Months later, a matched code joined the answers given at the training."""
    training_id = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    participant = app.test_client()
    followup = link_token(app, training_id, "followup")
    matched = participant.get(f"/t/{followup}/thanks?matched=1").get_data(as_text=True)
    assert "matched with the answers you gave at the training" in matched
    assert "before the training" not in matched
    missed = participant.get(f"/t/{followup}/thanks?matched=0").get_data(as_text=True)
    assert "could not find answers from the training" in missed
    post = participant.get(f"/t/{link_token(app, training_id, 'post')}/thanks?matched=1")
    assert "answers you gave before the training" in post.get_data(as_text=True)
    french = participant.get(
        f"/t/{followup}/thanks?matched=1", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "lors de la formation" in french


def test_followup_only_training_with_pre_asks_code_but_a_single_phase_does_not(app, logged_in):
    """Two phases are enough to pair; a training with one phase asks for no code."""
    both = open_training(logged_in, post_questionnaire_id="", followup_questionnaire_id=FOLLOWUP)
    form = app.test_client().get(f"/t/{link_token(app, both, 'followup')}").get_data(as_text=True)
    assert 'name="code_letters"' in form
    single = open_training(
        logged_in,
        pre_questionnaire_id="",
        post_questionnaire_id="",
        followup_questionnaire_id=FOLLOWUP,
    )
    form = app.test_client().get(f"/t/{link_token(app, single, 'followup')}").get_data(as_text=True)
    assert 'name="code_letters"' not in form


def test_followup_pairs_with_latest_pre_and_post_of_the_same_code(app, logged_in):
    """Three waves join on the code: the latest response per code in each wave."""
    training_id = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})  # again: latest wins
    submit(app, training_id, "pre", {**needs_assessment_answers(), **OTHER_CODE})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    submit(app, training_id, "post", {**post_training_answers(), **OTHER_CODE})
    submit(app, training_id, "followup", {**followup_answers(), **CODE})
    submit(app, training_id, "followup", {**followup_answers(applied=2), **CODE})
    with app.app_context():
        ids = {
            phase: db.session.scalars(
                select(Response.id)
                .where(Response.training_id == training_id, Response.phase == phase)
                .order_by(Response.id)
            ).all()
            for phase in ("pre", "post", "followup")
        }
        summary = wave_summary(db.session(), training_id)
    assert summary.followup == 2
    assert summary.matched_codes == 1
    assert summary.triples == ((ids["pre"][1], ids["post"][0], ids["followup"][1]),)
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert re.search(r'data-figure="followup">2<', page)
    assert re.search(r'data-figure="triples">1<', page)


def test_exports_include_the_followup_phase(app, logged_in):
    """The follow-up exports alone, stacked in the long layout and as columns of the wide."""
    training_id = open_training(logged_in, followup_questionnaire_id=FOLLOWUP)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    submit(app, training_id, "followup", {**followup_answers(applied=3), **CODE})

    def rows(shape: str) -> list[dict[str, str]]:
        response = logged_in.post(
            f"/staff/trainings/{training_id}/export.csv", data={"phase": shape}
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))

    (only,) = rows("followup")
    assert only["phase"] == "followup"
    assert only["applied_learning"] == "3"
    assert sorted(r["phase"] for r in rows("long")) == ["followup", "post", "pre"]
    (wide,) = rows("wide")
    assert wide["applied_learning_followup"] == "3"
    assert "version_followup" in wide
    assert wide["pair_id"] == "1"


def test_a_mistyped_followup_code_is_a_probable_match_never_joined(make_app, fast_password_hashing):
    """With near-miss pairing on, a follow-up code one element away from one earlier code
    is counted as probable on the dashboard, and stays out of the three-wave set."""
    app = make_app(near_miss_pairing=True)
    client = log_in(app.test_client(), add_account(app, "officer@example.org", "staff"))
    training_id = open_training(client, followup_questionnaire_id=FOLLOWUP)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    typo = {**CODE, "code_digits": "43"}
    assert "matched=0" in submit(app, training_id, "followup", {**followup_answers(), **typo})
    with app.app_context():
        summary = wave_summary(db.session(), training_id)
    assert summary.probable == 1
    assert summary.triples == ()
    page = client.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert 'data-note="followup-probable"' in page
