"""The participant form: rendering, validation, storage, duplicates and bad input."""

from __future__ import annotations

import re

from tests.conftest import NEEDS


def test_form_renders_sections_as_fieldsets_with_legends(client):
    page = client.get(f"/q/{NEEDS}").get_data(as_text=True)
    assert page.count('class="section"') == 6
    assert "<legend><h2>About you</h2></legend>" in page
    assert 'aria-describedby="help-years_experience"' in page
    assert re.search(r'name="submission_token" type="hidden" value="[A-Za-z0-9_-]{43}"', page)


def test_valid_submission_is_stored_and_redirects_to_thanks(client, answers, stored):
    response = client.post(f"/q/{NEEDS}", data=answers())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/q/{NEEDS}/thanks")
    [saved] = stored()
    assert saved.questionnaire_id == NEEDS
    by_q = {}
    for a in saved.answers:
        by_q.setdefault(a.question_id, []).append(a)
    assert by_q["stakeholder_type"][0].option_value == "ngo"
    assert by_q["years_experience"][0].number_value == 7
    ranks = sorted((a.rank, a.option_value) for a in by_q["crime_areas"])
    assert ranks == [(1, "trafficking"), (2, "cybercrime"), (3, "corruption")]
    assert len(by_q["confidence"]) == 6
    assert by_q["comments"][0].text_value == "Please share the slides."
    assert "engagement_channels" not in by_q  # hidden: engaged_before is "no"


def test_missing_required_fields_rerender_with_answers_kept(client, answers, stored):
    data = answers(q_stakeholder_type=None, q_country=None)
    response = client.post(f"/q/{NEEDS}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "There is a problem" in page
    assert 'href="#q_stakeholder_type"' in page
    assert 'href="#q_country"' in page
    assert "Please share the slides." in page  # typed answers come back
    assert 'value="trafficking" selected' in page
    assert stored() == []
