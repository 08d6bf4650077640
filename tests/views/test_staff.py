"""Staff login, trainings and the participant links they hand out."""

from __future__ import annotations

import re

from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Response, Training
from tests.conftest import CODE, link_token, needs_assessment_answers, new_training


def test_staff_pages_require_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_wrong_password_is_refused_with_a_clear_message(client, staff):
    response = client.post("/staff/login", data={"email": staff, "password": "wrong password!"})
    assert response.status_code == 401
    assert "The email or password is not right." in response.get_data(as_text=True)


def test_training_flow_pairs_pre_and_post_by_code(app, logged_in, stored):
    training_id = new_training(logged_in)
    pre = link_token(app, training_id, "pre")
    client = app.test_client()
    assert client.get(f"/t/{pre}").status_code == 403  # draft: closed to participants
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    page = client.get(f"/t/{pre}").get_data(as_text=True)
    assert "Your personal code" in page
    assert client.post(f"/t/{pre}", data={**needs_assessment_answers(), **CODE}).status_code == 303

    post = link_token(app, training_id, "post")
    post_page = client.get(f"/t/{post}").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', post_page)[1]
    data = {
        "submission_token": token,
        "q_stakeholder_type": "ngo",
        "q_country": "MY",
        "q_overall_satisfaction": "5",
        **{
            f"q_session_usefulness-{r}": "4"
            for r in (
                "untoc_basics",
                "review_mechanism",
                "engagement_strategies",
                "case_studies",
                "action_planning",
            )
        },
        **{
            f"q_confidence-{r}": "4"
            for r in (
                "engaging_government",
                "review_mechanism",
                "advocacy",
                "data_collection",
                "victim_support",
                "digital_literacy",
            )
        },
        "code_letters": "MA",  # case does not matter
        "code_day": "07",
        "code_digits": "42",
    }
    response = client.post(f"/t/{post}", data=data)
    assert response.status_code == 303
    assert "matched=1" in response.headers["Location"]
    responses = stored()
    assert [(r.training_id, r.phase) for r in responses] == [
        (training_id, "pre"),
        (training_id, "post"),
    ]
    assert responses[0].participant_code_hash == responses[1].participant_code_hash
    assert "MA" not in responses[0].participant_code_hash


def test_closed_training_stores_nothing(app, logged_in, stored):
    training_id = new_training(logged_in)
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "closed"})
    pre = link_token(app, training_id, "pre")
    response = app.test_client().post(f"/t/{pre}", data={**needs_assessment_answers(), **CODE})
    assert response.status_code == 403
    assert "This questionnaire is closed" in response.get_data(as_text=True)
    assert stored() == []


def test_revoked_or_made_up_link_is_404(app, logged_in, stored):
    training_id = new_training(logged_in)
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    old = link_token(app, training_id, "pre")
    logged_in.post(f"/staff/trainings/{training_id}/links/pre", data={"action": "regenerate"})
    client = app.test_client()
    assert client.post(f"/t/{old}", data={**needs_assessment_answers(), **CODE}).status_code == 404
    assert client.get("/t/made-up-token-made-up-token-made-up").status_code == 404
    assert client.get(f"/t/{link_token(app, training_id, 'pre')}").status_code == 200
    assert stored() == []


def test_missing_code_is_asked_for(app, logged_in, stored):
    training_id = new_training(logged_in)
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    pre = link_token(app, training_id, "pre")
    response = app.test_client().post(f"/t/{pre}", data=needs_assessment_answers())
    assert response.status_code == 422
    assert "Please fill in your personal code." in response.get_data(as_text=True)
    assert stored() == []


def test_training_needs_a_questionnaire_and_ordered_dates(logged_in, app):
    response = logged_in.post(
        "/staff/trainings/new",
        data={
            "title": "T",
            "place": "P",
            "starts_on": "2027-01-17",
            "ends_on": "2027-01-15",
            "organiser": "O",
            "pre_questionnaire_id": "",
            "post_questionnaire_id": "",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The last day cannot be before the first day." in page
    assert "Choose a questionnaire" in page
    with app.app_context():
        assert db.session.scalars(select(Training)).all() == []
        assert db.session.scalars(select(Response)).all() == []
