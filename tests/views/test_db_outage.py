"""A database outage: the participant gets a 503 with every answer back, and nothing is lost
or stored twice once the database returns."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from survey_app.extensions import db
from tests.conftest import (
    CODE,
    NEEDS,
    link_token,
    needs_assessment_answers,
    open_training,
    post_training_answers,
)

NOTICE = "Your answers have not been stored yet: the server cannot save them at the moment"

# Real connections, so that an outage can cut them (on PostgreSQL, see tests/database.py).
pytestmark = pytest.mark.committed


@contextmanager
def database_down(app: Flask, tmp_path: Path) -> Iterator[None]:
    """Every new connection of the app's engine goes to a folder that does not exist (the
    SQLite file's, or PostgreSQL's socket), so the driver itself fails until the block ends."""
    missing = tmp_path / "no-such-folder"

    def unreachable(dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        if dialect.name == "sqlite":
            cargs[:] = [str(missing / "survey.db")]
        else:
            cparams.update(host=str(missing), port=5432)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "do_connect", unreachable)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "do_connect", unreachable)
        engine.dispose()


@contextmanager
def failing_insert(app: Flask, table: str) -> Iterator[None]:
    """The disk fails under the INSERT into `table`, inside an open transaction."""

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith(f"INSERT INTO {table} "):
            raise conn.dialect.loaded_dbapi.OperationalError("disk I/O error")

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


class FormState(HTMLParser):
    """What a browser would send from the page's survey form: name -> values, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            self.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.values.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def form_state(page: str) -> dict[str, list[str]]:
    """The non-empty values the page's form would post."""
    parser = FormState()
    parser.feed(page)
    return {k: [v for v in vs if v] for k, vs in parser.values.items() if any(vs)}


def as_lists(data: dict[str, Any]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in data.items()}


def assert_answers_back(page: str, posted: dict[str, Any]) -> None:
    """Every posted value (answers and submission token) is in the form again, and no more."""
    state = form_state(page)
    sent = as_lists(posted)
    assert {k: state.get(k) for k in sent} == sent
    extra = {k for k in state if k.startswith("q_")} - sent.keys()
    assert extra == set()


def test_outage_rerenders_the_form_with_every_answer_as_503(app, client, answers, tmp_path):
    posted = answers(q_comments="Slides, please & the reading list <in French>.")
    with database_down(app, tmp_path):
        response = client.post(f"/q/{NEEDS}", data=posted)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    assert NOTICE in page
    assert 'value="trafficking_protocol" checked' in page  # a checkbox
    assert 'value="cybercrime" selected' in page  # a ranking place
    assert_answers_back(page, posted)


def test_same_post_after_the_outage_stores_exactly_one_response(
    app, client, answers, stored, tmp_path
):
    with database_down(app, tmp_path):
        first = client.post(f"/q/{NEEDS}", data=answers())
    assert first.status_code == 503
    assert stored() == []
    # What the participant sends again is what the 503 page holds, token included.
    again = form_state(first.get_data(as_text=True))
    for _ in range(2):  # the retry, then a double tap on it
        response = client.post(f"/q/{NEEDS}", data=again)
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/q/{NEEDS}/thanks")
    [saved] = stored()
    assert saved.submission_token == again["submission_token"][0]
    assert {a.question_id for a in saved.answers} >= {"kt_protocols", "crime_areas", "comments"}


def test_failure_in_the_middle_of_storing_leaves_nothing_behind(app, client, answers, stored):
    posted = answers()
    with failing_insert(app, "answers"):  # the response row is already flushed by then
        response = client.post(f"/q/{NEEDS}", data=posted)
    assert response.status_code == 503
    assert_answers_back(response.get_data(as_text=True), posted)
    assert stored() == []


def test_outage_notice_is_in_the_participants_language(app, client, answers, tmp_path):
    with database_down(app, tmp_path):
        response = client.post(f"/q/{NEEDS}", data=answers(language="fr"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 503
    assert "Vos réponses n'ont pas encore été enregistrées" in page
    assert NOTICE not in page


def test_training_link_during_an_outage_is_a_503_page_not_a_500(app, logged_in, stored, tmp_path):
    token = link_token(app, open_training(logged_in), "pre")
    participant = app.test_client()
    with database_down(app, tmp_path):
        shown = participant.get(f"/t/{token}")
        sent = participant.post(f"/t/{token}", data={**post_training_answers(), **CODE})
    for response in (shown, sent):
        page = response.get_data(as_text=True)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert "Temporarily unavailable" in page
        assert "cannot reach its database" in page
    assert "kept on this device" in sent.get_data(as_text=True)  # survey.js kept the draft
    assert stored() == []
    assert participant.get(f"/t/{token}").status_code == 200


def test_training_post_failing_at_storage_gives_the_answers_and_code_back(
    app, logged_in, answers, stored
):
    token = link_token(app, open_training(logged_in), "pre")
    posted = {**answers(), **CODE}
    with failing_insert(app, "responses"):  # the link was read: the database went away later
        response = app.test_client().post(f"/t/{token}", data=posted)
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert NOTICE in page
    assert_answers_back(page, posted)
    assert stored() == []


def test_expired_form_on_a_training_link_during_an_outage_is_a_503_page(app, logged_in, tmp_path):
    """The CSRF failure handler reads the link too; its outage must not end as a 500."""
    token = link_token(app, open_training(logged_in), "pre")
    app.config["WTF_CSRF_ENABLED"] = True
    with database_down(app, tmp_path):
        response = app.test_client().post(f"/t/{token}", data=needs_assessment_answers())
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.get_data(as_text=True)
