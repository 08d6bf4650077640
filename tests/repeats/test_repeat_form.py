"""Repeated sections on the participant form without a script: add, remove, keep, store."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import Answer, Response

from ..views.test_survey_bad_input import csrf_token

URL = "/q/household"
TOKEN = re.compile(r'name="submission_token" type="hidden" value="([^"]+)"')


ITEM = re.compile(r'class="repeat-item" data-item="[0-9]+"')


def shown_items(page: str) -> int:
    """Items on the page (the <template> item for the script has no number)."""
    return len(ITEM.findall(page))


def fresh(client: FlaskClient, url: str = URL) -> dict[str, Any]:
    """The hidden fields of a fresh page: CSRF and submission tokens."""
    page = client.get(url).get_data(as_text=True)
    match = TOKEN.search(page)
    assert match
    return {"csrf_token": csrf_token(page), "submission_token": match.group(1)}


def rows(app) -> list[tuple[str, int, str | None, float | None, str | None]]:
    with app.app_context():
        found = db.session.execute(
            select(
                Answer.question_id,
                Answer.instance,
                Answer.text_value,
                Answer.number_value,
                Answer.option_value,
            ).order_by(Answer.question_id, Answer.instance)
        )
        return [tuple(r) for r in found]  # type: ignore[misc]


def responses(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Response)).all())


def test_a_fresh_form_shows_min_items_and_an_add_button(client):
    page = client.get(URL).get_data(as_text=True)
    assert shown_items(page) == 1
    assert 'name="q_members.items" value="1"' in page
    assert 'id="q_member_name.1"' in page
    assert "<h3>Member 1</h3>" in page
    assert 'value="add:members" formnovalidate data-repeat-add>Add another member' in page
    assert 'value="remove:members:1" class="quiet" formnovalidate data-repeat-remove hidden' in page


def test_add_another_shows_one_more_item_and_keeps_every_answer(client, app):
    data = fresh(client) | {
        "q_name": "Ana",
        "q_members.items": "1",
        "q_member_name.1": "Bo",
        "q_member_age.1": "41",
        "q_member_role.1": "adult",
        "q_comment": "<b>hello</b>",
        "repeat": "add:members",
    }
    response = client.post(URL, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert shown_items(page) == 2
    assert 'name="q_members.items" value="2"' in page
    assert 'id="q_member_name.2"' in page
    assert 'value="Ana"' in page
    assert 'value="Bo"' in page
    assert 'value="41"' in page
    assert 'value="adult" checked' in page
    assert "&lt;b&gt;hello&lt;/b&gt;" in page
    assert 'value="remove:members:2" class="quiet" formnovalidate data-repeat-remove>' in page
    assert "There is a problem" not in page
    assert responses(app) == 0


def test_remove_moves_later_items_up_and_keeps_them(client, app):
    data = fresh(client) | {
        "q_name": "Ana",
        "q_members.items": "3",
        "q_member_name.1": "Bo",
        "q_member_name.2": "Cy",
        "q_member_name.3": "Di",
        "q_member_age.3": "7",
        "q_member_role.3": "child",
        "repeat": "remove:members:2",
    }
    page = client.post(URL, data=data).get_data(as_text=True)
    assert shown_items(page) == 2
    assert 'name="q_members.items" value="2"' in page
    assert 'name="q_member_name.1" id="q_member_name.1"' in page
    assert re.search(r'id="q_member_name\.2"[^>]*value="Di"', page)
    assert re.search(r'id="q_member_age\.2"[^>]*value="7"', page)
    assert 'name="q_member_role.2" id="q_member_role.2--2" value="child" checked' in page
    # The removed item's answer is in no input (a bare "Cy" can occur in a random token).
    assert 'value="Cy"' not in page
    assert responses(app) == 0


def test_max_items_replace_the_add_button_with_a_message(client):
    data = fresh(client) | {"q_members.items": "3", "repeat": "add:members"}
    page = client.post(URL, data=data).get_data(as_text=True)
    assert shown_items(page) == 3
    assert '<p class="help" data-repeat-full>You can give at most 3 items here.' in page
    assert "data-repeat-add hidden>" in page


def test_submitted_items_are_stored_with_their_item_number(client, app):
    data = fresh(client) | {
        "q_name": "Ana",
        "q_members.items": "3",
        "q_member_name.1": "Bo",
        "q_member_age.1": "41",
        "q_member_name.2": "",  # an item left blank is dropped
        "q_member_name.3": "Di",
        "q_member_role.3": "child",
    }
    response = client.post(URL, data=data)
    assert response.status_code == 303
    assert rows(app) == [
        ("member_age", 1, None, 41.0, None),
        ("member_name", 1, "Bo", None, None),
        ("member_name", 2, "Di", None, None),
        ("member_role", 2, None, None, "child"),
        ("name", 0, "Ana", None, None),
    ]


def test_the_same_submission_twice_is_stored_once(client, app):
    data = fresh(client) | {
        "q_name": "Ana",
        "q_members.items": "2",
        "q_member_name.1": "Bo",
        "q_member_name.2": "Cy",
    }
    assert client.post(URL, data=data).status_code == 303
    assert client.post(URL, data=data).status_code == 303
    assert responses(app) == 1
    changed = data | {"q_member_name.2": "Zed"}
    assert client.post(URL, data=changed).status_code == 409
    assert responses(app) == 1


def test_errors_name_the_item_and_keep_the_answers(client, app):
    data = fresh(client) | {
        "q_name": "Ana",
        "q_members.items": "2",
        "q_member_name.1": "Bo",
        "q_member_age.2": "300",
    }
    response = client.post(URL, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#q_member_age.2"' in page
    assert "Member 2: Member&#39;s age — Enter a number from 0 to 120." in page
    assert "Member 2: Member&#39;s name — Please answer this question." in page
    assert 'value="300"' in page
    assert 'value="Bo"' in page
    assert responses(app) == 0


def test_too_few_items_is_an_error_on_the_section(client, app):
    data = fresh(client) | {"q_name": "Ana", "q_members.items": "1", "q_member_name.1": ""}
    response = client.post(URL, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#section-members"' in page
    assert "Items given: 0; at least 1 needed." in page
    assert responses(app) == 0


def test_tampered_item_numbers_are_refused_and_nothing_is_stored(client, app):
    base = fresh(client) | {"q_name": "Ana", "q_member_name.1": "Bo"}
    for extra, expected in (
        ({"q_members.items": "1", "q_member_name.999": "X"}, "does not have"),
        ({"q_members.items": "1", "q_member_name.-1": "X"}, "does not have"),
        ({"q_members.items": "1", "q_member_name.0": "X"}, "does not have"),
        ({"q_members.items": "999"}, "a whole number from 0 to 3"),
        ({"q_members.items": "-1"}, "a whole number from 0 to 3"),
        ({"q_members.items": "1", "q_member_name.3": "X"}, "item 3"),
        ({"q_members.items": "1", "repeat": "remove:members:999"}, "does not belong"),
        ({"q_members.items": "1", "repeat": "add:name"}, "does not belong"),
        ({"q_members.items": "5", "repeat": "add:members"}, "a whole number from 0 to 3"),
    ):
        response = client.post(URL, data=base | extra)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, extra
        assert expected in page, extra
    assert responses(app) == 0


def test_hidden_fields_of_a_language_switch_keep_the_items(client):
    data = fresh(client) | {
        "q_members.items": "2",
        "q_member_name.2": "Cy",
        "switch_language": "fr",
    }
    page = client.post(URL, data=data).get_data(as_text=True)
    assert shown_items(page) == 2
    assert "<h3>Membre 2</h3>" in page
    assert 'value="Cy"' in page


def test_a_hidden_repeat_is_not_read_and_needs_no_items(client, app):
    data = fresh(client, "/q/trips") | {"q_travelled": "no", "q_trips.items": "1"}
    assert client.post("/q/trips", data=data).status_code == 303
    assert rows(app) == [("travelled", 0, None, None, "no")]


def test_an_item_question_hidden_by_an_earlier_answer_is_dropped_not_the_item(client, app):
    data = fresh(client, "/q/trips") | {
        "q_travelled": "yes",
        "q_by_air": "no",
        "q_trips.items": "2",
        "q_airline.1": "Air X",  # hidden: by_air is "no"
        "q_destination.1": "FR",
        "q_destination.2": "UG",
    }
    assert client.post("/q/trips", data=data).status_code == 303
    assert rows(app) == [
        ("by_air", 0, None, None, "no"),
        ("destination", 1, None, None, "FR"),
        ("destination", 2, None, None, "UG"),
        ("travelled", 0, None, None, "yes"),
    ]


def test_a_shown_repeat_with_only_blank_items_asks_for_its_minimum(client, app):
    data = fresh(client, "/q/trips") | {"q_travelled": "yes", "q_trips.items": "1"}
    page = client.post("/q/trips", data=data).get_data(as_text=True)
    assert "Your trips — Items given: 0; at least 1 needed." in page
    assert responses(app) == 0
