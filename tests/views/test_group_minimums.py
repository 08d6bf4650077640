"""Group minimums per training: set on the staff pages, frozen at launch, used by reports."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.content import registry
from survey_app.extensions import db
from survey_app.models import AuditEvent, Training
from survey_app.reporting.pipeline import build_report
from tests.conftest import CODE, add_account, log_in, needs_assessment_answers, new_training, submit

NEEDS_REPORT = "untoc-needs-assessment-report"


def minimums(app: Flask, training_id: int) -> tuple[int, int, bool]:
    """(k, k_text, frozen) as stored."""
    with app.app_context():
        t = db.session.get(Training, training_id)
        assert t is not None
        return t.min_group_size, t.min_text_group_size, t.group_minimums_frozen_at is not None


def edit(client: FlaskClient, training_id: int, **values: str):
    data = {
        "title": "Regional workshop, Putrajaya",
        "place": "Putrajaya, Malaysia",
        "starts_on": "2027-01-15",
        "ends_on": "2027-01-17",
        "organiser": "UNODC",
        "pre_questionnaire_id": "untoc-needs-assessment",
        "post_questionnaire_id": "untoc-post-training",
        **values,
    }
    return client.post(f"/staff/trainings/{training_id}/edit", data=data)


def audit_details(app: Flask, action: str) -> list[str]:
    with app.app_context():
        stmt = select(AuditEvent.detail).where(AuditEvent.action == action)
        return list(db.session.scalars(stmt))


def test_a_new_training_takes_the_deployment_default_and_shows_it(make_app, fast_password_hashing):
    app = make_app(default_group_minimum=6, default_text_group_minimum=12)
    client = log_in(app.test_client(), add_account(app, "officer@example.org", "staff"))
    page = client.get("/staff/trainings/new").get_data(as_text=True)
    assert 'name="min_group_size"' in page
    assert 'value="6"' in page
    assert minimums(app, new_training(client)) == (6, 12, False)


def test_minimums_are_set_on_create_and_refused_below_three(app, logged_in):
    training_id = new_training(logged_in, min_group_size="7", min_text_group_size="15")
    assert minimums(app, training_id) == (7, 15, False)
    response = logged_in.post(
        "/staff/trainings/new",
        data={
            "title": "x",
            "place": "y",
            "starts_on": "2027-01-15",
            "ends_on": "2027-01-16",
            "organiser": "z",
            "pre_questionnaire_id": "untoc-needs-assessment",
            "min_group_size": "2",
            "min_text_group_size": "10",
        },
    )
    assert response.status_code == 422


def test_a_draft_may_lower_its_minimums(app, logged_in):
    training_id = new_training(logged_in, min_group_size="8", min_text_group_size="12")
    assert (
        edit(logged_in, training_id, min_group_size="4", min_text_group_size="10").status_code
        == 303
    )
    assert minimums(app, training_id) == (4, 10, False)


def test_after_opening_lowering_is_refused_and_raising_is_audited(app, logged_in):
    training_id = new_training(logged_in, min_group_size="6", min_text_group_size="10")
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    assert minimums(app, training_id) == (6, 10, True)
    page = logged_in.get(f"/staff/trainings/{training_id}").get_data(as_text=True)
    assert "no group smaller than 6 people" in page
    assert "frozen when collection opened on" in page

    refused = edit(logged_in, training_id, min_group_size="5", min_text_group_size="10")
    assert refused.status_code == 409
    assert "can be raised but not lowered" in refused.get_data(as_text=True)
    refused = edit(logged_in, training_id, min_group_size="8", min_text_group_size="9")
    assert refused.status_code == 409
    assert minimums(app, training_id) == (6, 10, True)

    assert (
        edit(logged_in, training_id, min_group_size="8", min_text_group_size="12").status_code
        == 303
    )
    assert minimums(app, training_id) == (8, 12, True)
    assert audit_details(app, "group_minimums_changed") == [
        f"#{training_id} k=6, k_text=10 → k=8, k_text=12"
    ]


def test_closing_and_reopening_keeps_the_first_freeze(app, logged_in):
    training_id = new_training(logged_in)
    for status in ("open", "draft"):
        logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": status})
    assert (
        edit(logged_in, training_id, min_group_size="3", min_text_group_size="10").status_code
        == 409
    )


def test_the_cli_sets_minimums_and_refuses_lowering_after_opening(app, runner):
    with app.app_context():
        result = runner.invoke(
            args=[
                "trainings",
                "create",
                "--title",
                "T",
                "--place",
                "P",
                "--starts",
                "2027-01-15",
                "--ends",
                "2027-01-16",
                "--organiser",
                "O",
                "--pre",
                "untoc-needs-assessment",
                "--k",
                "7",
                "--k-text",
                "11",
            ]
        )
    assert result.exit_code == 0, result.output
    training_id = int(result.output.split("#", 1)[1].split()[0])
    assert minimums(app, training_id) == (7, 11, False)
    assert runner.invoke(args=["trainings", "open", str(training_id)]).exit_code == 0
    lowered = runner.invoke(
        args=["trainings", "minimums", str(training_id), "--k", "5", "--k-text", "11"]
    )
    assert lowered.exit_code != 0
    assert "not lowered" in lowered.output
    raised = runner.invoke(
        args=["trainings", "minimums", str(training_id), "--k", "9", "--k-text", "11"]
    )
    assert raised.exit_code == 0, raised.output
    assert minimums(app, training_id) == (9, 11, True)


def test_the_cli_refuses_a_minimum_below_three(app, runner):
    args = ["trainings", "create", "--title", "T", "--place", "P", "--starts", "2027-01-15"]
    args += ["--ends", "2027-01-16", "--organiser", "O", "--pre", "untoc-needs-assessment"]
    result = runner.invoke(args=[*args, "--k", "0"])
    assert result.exit_code != 0
    assert "at least 3" in result.output


def pre_population(app: Flask, training_id: int | None) -> tuple[dict, dict]:
    """The JSON report of the needs report (filtered to the training or not) and its
    population of every pre respondent, shown or hidden."""
    with app.app_context():
        content = registry()
        doc = build_report(
            db.session(),
            content.report(NEEDS_REPORT),
            content.questionnaire_models(),
            training_id=training_id,
        )
        data = doc.disclosure.data
    return data, {
        "shown": [
            p
            for p in data["populations"]
            if p["definition"]["answered"] is None and p["definition"]["group"] is None
        ],
        "hidden": [
            h
            for h in data["hidden"]
            if h["definition"]["answered"] is None and h["definition"]["group"] is None
        ],
    }


def six_respondents(app: Flask, logged_in: FlaskClient, k: str) -> int:
    training_id = new_training(logged_in, min_group_size=k, min_text_group_size="10")
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    for day in range(1, 7):
        submit(
            app, training_id, "pre", {**needs_assessment_answers(), **CODE, "code_day": str(day)}
        )
    return training_id


def test_a_group_of_six_shows_with_the_training_k_of_five(app, logged_in):
    training_id = six_respondents(app, logged_in, "5")
    data, pops = pre_population(app, training_id)
    assert data["k"] == 5
    assert [p["size"] for p in pops["shown"]] == [6]
    assert "set by the report" in data["k_source"]


def test_a_group_of_six_is_hidden_when_the_trainings_k_is_seven(app, logged_in):
    training_id = six_respondents(app, logged_in, "7")
    data, pops = pre_population(app, training_id)
    assert data["k"] == 7
    assert pops["shown"] == []
    assert pops["hidden"]
    assert "Regional workshop, Putrajaya" in data["k_source"]
    assert not any(f["statistic"] == "size" and f["value"] == 6 for f in data["figures"])


def test_an_unfiltered_report_uses_the_largest_k_of_the_trainings_it_counts(app, logged_in):
    six_respondents(app, logged_in, "7")
    new_training(logged_in, min_group_size="9")  # no responses: does not count
    data, pops = pre_population(app, None)
    assert data["k"] == 7
    assert pops["shown"] == []
    assert "trainings whose responses it counts" in data["k_source"]


def test_the_disclosure_page_states_k_and_where_it_came_from(app, logged_in):
    training_id = six_respondents(app, logged_in, "7")
    html = logged_in.get(f"/reports/{NEEDS_REPORT}.html?training={training_id}").get_data(
        as_text=True
    )
    assert "k = 7, set by training “Regional workshop, Putrajaya”" in html
