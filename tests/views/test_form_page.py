"""A fresh form is rendered once per questionnaire and language; each GET fills in its tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, template_rendered

from tests.conftest import NEEDS, link_token, open_training

from .test_survey_bad_input import csrf_token

TOKEN = re.compile(r'name="submission_token" type="hidden" value="([^"]+)"')


@contextmanager
def templates_rendered(app: Flask) -> Iterator[list[str]]:
    """The names of the templates rendered while the block runs."""
    names: list[str] = []

    def record(sender: Flask, template: object, context: object, **extra: object) -> None:
        names.append(str(getattr(template, "name", "")))

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def tokens(page: str) -> tuple[str, str]:
    match = TOKEN.search(page)
    assert match
    return csrf_token(page), match.group(1)


@pytest.fixture
def csrf_app(make_app) -> Flask:
    return make_app(csrf_enabled=True)


def test_second_fresh_form_is_not_rendered_again_but_has_its_own_tokens(csrf_app):
    client = csrf_app.test_client()
    first = client.get(f"/q/{NEEDS}").get_data(as_text=True)
    with templates_rendered(csrf_app) as rendered:
        second = client.get(f"/q/{NEEDS}").get_data(as_text=True)
    assert rendered == []
    assert tokens(first)[1] != tokens(second)[1]
    assert "\x00" not in second
    # The same page otherwise.
    for page in (first, second):
        assert 'data-draft-path="/q/untoc-needs-assessment"' in page
    strip = [first, second]
    for i, page in enumerate(strip):
        for value in tokens(page):
            page = page.replace(value, "TOKEN")
        strip[i] = page
    assert strip[0] == strip[1]


def test_the_kept_page_posts_with_its_own_csrf_token(csrf_app, answers):
    client = csrf_app.test_client()
    client.get(f"/q/{NEEDS}")
    page = client.get(f"/q/{NEEDS}").get_data(as_text=True)
    csrf, token = tokens(page)
    response = client.post(f"/q/{NEEDS}", data=answers(csrf_token=csrf, submission_token=token))
    assert response.status_code == 303


def test_each_language_has_its_own_page(client):
    client.get(f"/q/{NEEDS}")
    french = client.get(f"/q/{NEEDS}?lang=fr").get_data(as_text=True)
    assert '<html lang="fr"' in french
    assert "Évaluation des besoins" in french


def test_training_links_share_the_page_but_keep_their_own_path(client, logged_in):
    first = link_token(client.application, open_training(logged_in), "pre")
    second = link_token(client.application, open_training(logged_in, title="Another"), "pre")
    assert first != second
    for token in (first, second):
        page = client.get(f"/t/{token}").get_data(as_text=True)
        assert f'data-draft-path="/t/{token}"' in page
        assert "Your personal code" in page


def test_answer_inputs_are_names_not_wtforms_fields(app, monkeypatch):
    """A form knows its answer inputs by name only: building one makes no WTForms field per
    input and looks nothing up in WTForms' catalog (it did once per field per request)."""
    from flask_wtf import i18n

    from survey_app.content import registry
    from survey_app.forms import form_class_for

    def no_lookup() -> None:
        raise AssertionError("a WTForms translation was looked up")

    monkeypatch.setattr(i18n, "_get_translations", no_lookup)
    with app.test_request_context(f"/q/{NEEDS}"):
        form = form_class_for(registry().questionnaires[NEEDS])()
        assert {"q_country", "q_capacity_importance-advocacy", "q_crime_areas-3"} <= (
            form.input_names
        )
        assert set(form._fields) == {"submission_token", "version", "language", "switch_language"}
