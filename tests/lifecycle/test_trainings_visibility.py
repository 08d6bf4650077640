"""Trainings pin questionnaire versions; training-only questionnaires stay off /q/."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import ContentVersion, Response, Training
from survey_app.questionnaire.schema import Questionnaire
from tests.conftest import CODE, link_token, log_in, needs_assessment_answers, open_training, submit
from tests.lifecycle.conftest import publish
from tests.lifecycle.content import content_dirs, pulse

NEEDS = "untoc-needs-assessment"


def test_new_questionnaires_are_training_only_unless_they_say_public():
    data = {
        "schema_version": 1,
        "id": "q",
        "title": "Q",
        "sections": [
            {"id": "s", "title": "S", "questions": [{"id": "a", "type": "date", "prompt": "?"}]}
        ],
    }
    assert Questionnaire.model_validate(data).visibility == "training-only"


@pytest.fixture
def private_app(make_app, tmp_path, fast_password_hashing):
    questionnaires, reports = content_dirs(tmp_path, pulse(visibility="training-only"))
    return make_app(committed=True, questionnaires_dir=questionnaires, reports_dir=reports)


def test_training_only_questionnaire_is_404_at_q_and_not_listed(private_app):
    client = private_app.test_client()
    assert client.get("/q/pulse").status_code == 404
    assert client.post("/q/pulse", data={"q_mood": "good"}).status_code == 404
    assert "/q/pulse" not in client.get("/").get_data(as_text=True)


def test_training_only_questionnaire_is_answered_through_a_training_link(private_app):
    from tests.conftest import add_account

    client = log_in(private_app.test_client(), add_account(private_app, "o@example.org", "staff"))
    training_id = open_training(client, pre_questionnaire_id="pulse", post_questionnaire_id="")
    token = link_token(private_app, training_id, "pre")
    assert "How are you today?" in private_app.test_client().get(f"/t/{token}").get_data(
        as_text=True
    )


def test_collection_opening_pins_versions_and_later_publishes_do_not_reach_the_training(
    app, logged_in, tmp_path
):
    training_id = open_training(logged_in)
    with app.app_context():
        training = db.session.get(Training, training_id)
        pinned = db.session.get(ContentVersion, training.pre_version_id)
        assert (pinned.content_id, pinned.number) == (NEEDS, 1)
        assert training.post_version_id is not None
    edited = tmp_path / "needs.yaml"
    source = (app.config["SURVEY_SETTINGS"].questionnaires_dir / f"{NEEDS}.yaml").read_text()
    edited.write_text(source.replace("Which kind of organisation", "What kind of body"), "utf-8")
    assert publish(app, edited).exit_code == 0
    token = link_token(app, training_id, "pre")
    page = app.test_client().get(f"/t/{token}").get_data(as_text=True)
    assert "Which kind of organisation" in page
    assert "What kind of body" in app.test_client().get(f"/q/{NEEDS}").get_data(as_text=True)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    with app.app_context():
        stored = db.session.scalar(select(Response.version_id))
    assert stored == pinned.id


def test_changing_a_questionnaire_with_responses_is_refused_with_a_clear_message(app, logged_in):
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(), **CODE})
    form = {
        "title": "Regional workshop, Putrajaya",
        "place": "Putrajaya, Malaysia",
        "starts_on": "2027-01-15",
        "ends_on": "2027-01-17",
        "organiser": "UNODC",
        "pre_questionnaire_id": "untoc-post-training",
        "post_questionnaire_id": "untoc-post-training",
    }
    response = logged_in.post(f"/staff/trainings/{training_id}/edit", data=form)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "cannot change: 1 participant(s) have answered it" in page
    assert "Publish a new version of the questionnaire for future trainings" in page
    with app.app_context():
        assert db.session.get(Training, training_id).pre_questionnaire_id == NEEDS


def test_changing_a_questionnaire_before_responses_moves_the_pin(app, logged_in):
    training_id = open_training(logged_in)
    form = {
        "title": "Regional workshop, Putrajaya",
        "place": "Putrajaya, Malaysia",
        "starts_on": "2027-01-15",
        "ends_on": "2027-01-17",
        "organiser": "UNODC",
        "pre_questionnaire_id": "untoc-post-training",
        "post_questionnaire_id": "",
    }
    assert logged_in.post(f"/staff/trainings/{training_id}/edit", data=form).status_code == 303
    with app.app_context():
        training = db.session.get(Training, training_id)
        pinned = db.session.get(ContentVersion, training.pre_version_id)
        assert pinned.content_id == "untoc-post-training"
        assert training.post_version_id is None


def test_a_training_whose_questionnaire_was_retired_can_still_be_edited(app, logged_in):
    training_id = open_training(logged_in)
    result = app.test_cli_runner().invoke(args=["survey", "retire", "untoc-post-training"])
    assert result.exit_code == 0, result.output
    page = logged_in.get(f"/staff/trainings/{training_id}/edit").get_data(as_text=True)
    assert "untoc-post-training (retired)" in page
    form = {
        "title": "Renamed workshop",
        "place": "Putrajaya, Malaysia",
        "starts_on": "2027-01-15",
        "ends_on": "2027-01-17",
        "organiser": "UNODC",
        "pre_questionnaire_id": NEEDS,
        "post_questionnaire_id": "untoc-post-training",
    }
    assert logged_in.post(f"/staff/trainings/{training_id}/edit", data=form).status_code == 303
    token = link_token(app, training_id, "post")
    assert app.test_client().get(f"/t/{token}").status_code == 200
