"""Probable pairs in a training's pre/post report: a row of their own, disclosure applied."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey_app.content import registry
from survey_app.extensions import db
from survey_app.reporting.pipeline import build_report
from tests.conftest import (
    add_account,
    log_in,
    needs_assessment_answers,
    open_training,
    post_training_answers,
    submit,
)

PRE_POST_REPORT = "untoc-pre-post-report"
ROW = "Probable pairs (a code before and one after that differ in one element only"


def code(letters: str, day: int, digits: str) -> dict[str, str]:
    return {"code_letters": letters, "code_day": str(day), "code_digits": digits}


@pytest.fixture
def near_miss_app(make_app, fast_password_hashing) -> tuple[Flask, FlaskClient]:
    app = make_app(near_miss_pairing=True)
    return app, log_in(app.test_client(), add_account(app, "officer@example.org", "staff"))


def answered(app: Flask, client: FlaskClient, probable: int, strangers: int) -> int:
    """Six exact pairs, `probable` near misses (one digit mistyped after), and `strangers`
    post codes that match nothing."""
    training_id = open_training(client)

    def both(before: dict[str, Any], after: dict[str, Any]) -> None:
        submit(app, training_id, "pre", {**needs_assessment_answers(), **before})
        submit(app, training_id, "post", {**post_training_answers(), **after})

    for i in range(6):
        both(code("Ab", i + 1, f"{i}0"), code("Ab", i + 1, f"{i}0"))
    for j in range(probable):
        both(code("Cd", 10 + j, f"5{j}"), code("Cd", 10 + j, f"6{j}"))
    for s in range(strangers):
        submit(app, training_id, "post", {**post_training_answers(), **code("Zz", 20 + s, "99")})
    return training_id


def report(app: Flask, training_id: int) -> dict[str, Any]:
    with app.app_context():
        content = registry()
        doc = build_report(
            db.session(),
            content.report(PRE_POST_REPORT),
            content.questionnaire_models(),
            training_id=training_id,
        )
        return dict(doc.disclosure.data)


def probable_figures(data: dict[str, Any]) -> list[float]:
    keys = {p["key"] for p in data["populations"] if p["definition"]["probable"]}
    return [f["value"] for f in data["figures"] if f["population"] in keys]


def probable_hidden(data: dict[str, Any]) -> list[str]:
    return [h["reason"] for h in data["hidden"] if h["definition"]["probable"]]


def test_five_probable_pairs_show_as_their_own_row_and_not_as_pairs(near_miss_app):
    app, client = near_miss_app
    training_id = answered(app, client, probable=5, strangers=0)
    data = report(app, training_id)
    assert probable_figures(data) == [5]
    pairs = [
        f["value"]
        for f in data["figures"]
        if f["statistic"] == "size" and "paired" in f["population"].split(" | ")
    ]
    assert 6 in pairs
    assert 11 not in pairs
    html = client.get(f"/reports/{PRE_POST_REPORT}.html?training={training_id}")
    page = html.get_data(as_text=True)
    assert ROW in page


def test_fewer_than_k_probable_pairs_show_nothing(near_miss_app):
    app, client = near_miss_app
    training_id = answered(app, client, probable=4, strangers=0)
    data = report(app, training_id)
    assert probable_figures(data) == []
    assert probable_hidden(data) == ["fewer than 5 people"]
    page = client.get(f"/reports/{PRE_POST_REPORT}.html?training={training_id}")
    assert ROW not in page.get_data(as_text=True)


def test_probable_pairs_hide_when_the_unmatched_rest_would_be_fewer_than_k(near_miss_app):
    """5 probable pairs among 7 unmatched post codes: printing both gives away the 2."""
    app, client = near_miss_app
    training_id = answered(app, client, probable=5, strangers=2)
    data = report(app, training_id)
    assert probable_figures(data) == []
    (reason,) = probable_hidden(data)
    assert "Post codes that matched no pre code" in reason


def test_without_near_miss_pairing_there_is_no_probable_pair_row(app, logged_in):
    training_id = answered(app, logged_in, probable=5, strangers=0)
    data = report(app, training_id)
    assert probable_figures(data) == []
    assert probable_hidden(data) == []
