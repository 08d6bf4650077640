"""Every kind of bad participant input gets a clear message and stores nothing."""

from __future__ import annotations

import html
import re
import threading
import time
from pathlib import Path

import pytest
from itsdangerous.timed import TimestampSigner

from survey_app.extensions import db
from tests.conftest import NEEDS

URL = f"/q/{NEEDS}"


def test_unknown_questionnaire_is_404(client):
    response = client.get("/q/no-such-questionnaire")
    assert response.status_code == 404
    assert "There is no questionnaire" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "question", "message"),
    [
        ({"q_stakeholder_type": "government"}, "stakeholder_type", "is not one of the options"),
        ({"q_country": "XX"}, "country", "Choose a country from the list"),
        ({"q_years_experience": "seven"}, "years_experience", "Enter a whole number from 0 to 60"),
        ({"q_years_experience": "61"}, "years_experience", "Enter a number from 0 to 60"),
        ({"q_years_experience": "2.5"}, "years_experience", "Enter a whole number"),
        ({"q_years_experience": "nan"}, "years_experience", "Enter a whole number"),
        ({"q_familiarity_untoc": "9"}, "familiarity_untoc", "Choose a value from 1 to 5"),
        ({"q_comments": "x" * 2001}, "comments", "Keep this under 2000 characters"),
        ({"q_crime_areas-2": "trafficking"}, "crime_areas", "can be ranked only once"),
        ({"q_crime_areas-3": "piracy"}, "crime_areas", "is not one of the options"),
        ({"q_crime_areas-3": None}, "crime_areas", "Please rank 3 items"),
        (
            {"q_confidence-advocacy": None},
            "confidence",
            "'Advocacy and policy dialogue' is missing",
        ),
        (
            {
                "q_preferred_formats": [
                    "in_person_workshop",
                    "online_live",
                    "mentoring",
                    "self_paced",
                ]
            },
            "preferred_formats",
            "Choose at most 3",
        ),
        ({"q_stakeholder_type": "_other"}, "stakeholder_type", "please say what it is"),
        ({"q_stakeholder_type": ["ngo", "academia"]}, "stakeholder_type", "Give only one answer"),
        ({"q_engaged_before": "yes"}, "engagement_channels", "Please answer this question"),
    ],
)
def test_invalid_answer_rerenders_with_message_and_stores_nothing(
    client, answers, stored, overrides, question, message
):
    response = client.post(URL, data=answers(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="error-{question}"' in page
    assert message in html.unescape(page)
    assert stored() == []


def test_field_not_in_questionnaire_is_refused(client, answers, stored):
    response = client.post(URL, data=answers(q_salary="100000"))
    assert response.status_code == 400
    assert "fields this questionnaire does not have (q_salary)" in response.get_data(as_text=True)
    assert stored() == []


@pytest.mark.parametrize("token", [None, "short", "x" * 65, "bad token with spaces and more chars"])
def test_missing_or_malformed_submission_token_is_refused(client, answers, stored, token):
    response = client.post(URL, data=answers(submission_token=token))
    assert response.status_code == 400
    assert "reload the page" in response.get_data(as_text=True)
    assert stored() == []


def test_body_over_the_size_limit_is_413(client, answers, stored, settings):
    response = client.post(URL, data=answers(q_comments="x" * settings.max_request_bytes))
    assert response.status_code == 413
    assert stored() == []


def test_answer_to_hidden_question_is_dropped(client, answers, stored):
    data = answers(q_engaged_before="no", q_engagement_channels=["shadow_report"])
    assert client.post(URL, data=data).status_code == 303
    [response] = stored()
    assert "engagement_channels" not in {a.question_id for a in response.answers}


def test_other_text_is_stored_with_the_other_choice(client, answers, stored):
    data = answers(q_stakeholder_type="_other", **{"q_stakeholder_type-other": "Trade union"})
    assert client.post(URL, data=data).status_code == 303
    [response] = stored()
    [row] = [a for a in response.answers if a.question_id == "stakeholder_type"]
    assert (row.option_value, row.text_value) == ("_other", "Trade union")


def test_same_token_twice_is_stored_once_and_both_see_thanks(client, answers, stored):
    data = answers()
    first = client.post(URL, data=data)
    second = client.post(URL, data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert len(stored()) == 1


def test_same_token_with_different_answers_is_409_and_first_answers_kept(client, answers, stored):
    data = answers()
    assert client.post(URL, data=data).status_code == 303
    changed = dict(data, q_stakeholder_type="academia")
    response = client.post(URL, data=changed)
    assert response.status_code == 409
    assert "The first answers are kept" in response.get_data(as_text=True)
    [kept] = stored()
    assert {a.option_value for a in kept.answers if a.question_id == "stakeholder_type"} == {"ngo"}


@pytest.mark.committed
def test_same_token_posted_at_the_same_moment_is_stored_once(app, answers, stored):
    data = answers()
    barrier = threading.Barrier(4)
    statuses: list[int] = []

    def post() -> None:
        client = app.test_client()
        barrier.wait()
        statuses.append(client.post(URL, data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 4
    assert len(stored()) == 1


@pytest.mark.committed
def test_a_room_of_100_submitting_together_is_all_stored(make_app, answers, stored):
    """SQLite in WAL mode with BEGIN IMMEDIATE queues writers instead of failing them;
    PostgreSQL takes them on as many connections as the pool allows. (A room of 100 behind
    one address needs the per-address submission limit raised to fit it.)"""
    app = make_app(committed=True, submission_limit_per_address=100)
    barrier = threading.Barrier(100)
    statuses: list[int] = []

    def post() -> None:
        client = app.test_client()
        data = answers()
        barrier.wait()
        statuses.append(client.post(URL, data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303] * 100
    responses = stored()
    assert len(responses) == 100
    assert len({r.submission_token for r in responses}) == 100


# --- CSRF -------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(make_app):
    return make_app(csrf_enabled=True).test_client()


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries a CSRF token"
    return match.group(1)


def test_expired_csrf_token_shows_a_fresh_form_and_asks_to_submit_again(
    csrf_client, answers, monkeypatch
):
    token = csrf_token(csrf_client.get(URL).get_data(as_text=True))
    later = int(time.time()) + 4 * 3600  # the participant took four hours
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    data = answers(csrf_token=token)
    response = csrf_client.post(URL, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Your answers have not been sent: this page had expired" in page
    # The answers come back from the browser's draft (survey.js), never from the post.
    assert "Please share the slides." not in page
    assert 'data-answers="server"' not in page
    assert data["submission_token"] not in page
    fresh = csrf_token(page)
    assert fresh != token
    resubmitted = csrf_client.post(URL, data=dict(data, csrf_token=fresh))
    assert resubmitted.status_code == 303


@pytest.mark.parametrize("forged", [None, "forged"])
def test_cross_site_post_echoes_neither_answers_nor_tokens(csrf_client, answers, forged, stored):
    """M1: a page that echoed them let survey.js save an attacker's answers as the draft."""
    attacker = answers(q_comments="ATTACKER ANSWER", csrf_token=forged)
    page = csrf_client.post(URL, data=attacker).get_data(as_text=True)
    assert "ATTACKER ANSWER" not in page
    assert attacker["submission_token"] not in page
    assert 'data-answers="server"' not in page
    assert 'value="ngo" checked' not in page
    shown = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page)
    assert shown, "a fresh submission token"
    assert stored() == []


def test_cross_site_post_without_session_stores_nothing(settings, csrf_client, answers, app):
    response = csrf_client.post(URL, data=answers(csrf_token="forged"))
    assert response.status_code == 400
    response = csrf_client.post(URL, data=answers())
    assert response.status_code == 400
    with app.app_context():
        from survey_app.models import Response

        assert db.session.query(Response).count() == 0


# --- escaping -----------------------------------------------------------------------------


def test_script_in_a_prompt_is_escaped(tmp_path: Path, make_app):
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "xss.yaml").write_text(
        "schema_version: 1\nid: xss\nvisibility: public\n"
        "title: <script>alert('t')</script>\nsections:\n"
        "  - id: s\n    title: <b>S</b>\n    questions:\n"
        '      - {id: a, type: short_text, prompt: "<script>alert(1)</script>",'
        ' help: "<img src=x onerror=alert(2)>"}\n'
    )
    (tmp_path / "no-reports").mkdir()  # the sample reports name the sample questionnaires
    # make_app, not create_app: serving reads the content stamp, so the engine must be disposed.
    app = make_app(questionnaires_dir=folder, reports_dir=tmp_path / "no-reports")
    page = app.test_client().get("/q/xss").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<b>S</b>" not in page


def test_pages_carry_security_headers(client):
    headers = client.get(URL).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
