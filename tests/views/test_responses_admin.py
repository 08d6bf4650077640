"""Single responses: viewed as submitted; deleted one at a time or by a participant's code,
after which no export or count includes them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, AuditEvent, Response
from tests.conftest import (
    CODE,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)
from tests.views.test_exports import read_csv

OTHER = {"code_letters": "Zo", "code_day": "30", "code_digits": "11"}


@pytest.fixture
def training(app, logged_in):
    """Code A before and after, code B before only."""
    training_id = open_training(logged_in)
    submit(app, training_id, "pre", {**needs_assessment_answers(q_comments="<b>hi</b>"), **CODE})
    submit(app, training_id, "pre", {**needs_assessment_answers(), **OTHER})
    submit(app, training_id, "post", {**post_training_answers(), **CODE})
    return training_id


def response_ids(app, training_id):
    with app.app_context():
        return db.session.scalars(
            select(Response.id).where(Response.training_id == training_id).order_by(Response.id)
        ).all()


def audit(app, action):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == action)
        ).all()


def test_a_response_shows_as_submitted_with_training_and_phase(app, logged_in, training):
    first = response_ids(app, training)[0]
    page = logged_in.get(f"/staff/trainings/{training}/responses/{first}").get_data(as_text=True)
    assert "Regional workshop, Putrajaya" in page
    assert "Before the training" in page
    assert "Needs assessment" in page
    assert "Malaysia" in page  # the country by name, not code
    assert "&lt;b&gt;hi&lt;/b&gt;" in page  # free text shown, escaped
    assert "Delete response" not in page  # staff who are not admins cannot delete


def test_find_response_goes_to_its_page_and_other_trainings_are_404(app, logged_in, training):
    first = response_ids(app, training)[0]
    found = logged_in.get(f"/staff/trainings/{training}/responses/find?response={first}")
    assert found.headers["Location"].endswith(f"/staff/trainings/{training}/responses/{first}")
    other = open_training(logged_in, title="Another")
    assert logged_in.get(f"/staff/trainings/{other}/responses/{first}").status_code == 404


def test_admin_deletes_one_response_with_a_reason(app, admin_client, training):
    first, second, post = response_ids(app, training)
    url = f"/staff/trainings/{training}/responses/{first}/delete"
    assert admin_client.post(url, data={"reason": "test entry"}).status_code == 422  # unconfirmed
    assert admin_client.post(url, data={"confirm": "1", "reason": " "}).status_code == 422
    assert response_ids(app, training) == [first, second, post]
    response = admin_client.post(url, data={"confirm": "1", "reason": "test entry"})
    assert response.status_code == 303
    assert response_ids(app, training) == [second, post]
    with app.app_context():
        assert db.session.scalar(select(Answer.id).where(Answer.response_id == first)) is None
    assert audit(app, "response_deleted") == [f"#{training} response {first} (pre): test entry"]
    rows = read_csv(admin_client.post(f"/staff/trainings/{training}/export.csv"))
    assert [int(r["response_id"]) for r in rows] == [second]
    assert (
        read_csv(
            admin_client.post(f"/staff/trainings/{training}/export.csv", data={"phase": "wide"})
        )
        == []
    )


def test_deleting_by_code_removes_every_response_made_with_it(app, admin_client, training):
    first, second, post = response_ids(app, training)
    url = f"/staff/trainings/{training}/delete-by-code"
    ask = admin_client.post(url, data={**CODE, "code_letters": "ma"})  # any case
    assert ask.status_code == 200
    assert 'data-matched="2"' in ask.get_data(as_text=True)
    assert response_ids(app, training) == [first, second, post]  # nothing yet
    done = admin_client.post(url, data={**CODE, "confirm": "1", "reason": "asked by email"})
    assert done.status_code == 303
    assert response_ids(app, training) == [second]
    (detail,) = audit(app, "code_responses_deleted")
    assert detail == f"#{training} 2 responses of one participant code: asked by email"
    assert "Ma" not in detail
    page = admin_client.get(f"/staff/trainings/{training}").get_data(as_text=True)
    assert 'data-figure="pre">1<' in page
    assert 'data-figure="post">0<' in page


def test_unknown_or_malformed_code_deletes_nothing(app, admin_client, training):
    url = f"/staff/trainings/{training}/delete-by-code"
    none = admin_client.post(
        url,
        data={
            "code_letters": "Qq",
            "code_day": "1",
            "code_digits": "00",
            "confirm": "1",
            "reason": "x",
        },
    )
    assert 'data-matched="0"' in none.get_data(as_text=True)
    bad = admin_client.post(url, data={"code_letters": "1", "code_day": "40", "code_digits": "x"})
    assert bad.status_code == 422
    assert len(response_ids(app, training)) == 3
    assert audit(app, "code_responses_deleted") == []


def test_staff_who_are_not_admins_cannot_delete(app, logged_in, training):
    first = response_ids(app, training)[0]
    url = f"/staff/trainings/{training}/responses/{first}/delete"
    assert logged_in.post(url, data={"confirm": "1", "reason": "x"}).status_code == 403
    assert (
        logged_in.post(f"/staff/trainings/{training}/delete-by-code", data=CODE).status_code == 403
    )
