"""Participants read a questionnaire, and the app's own words, in the language they choose."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from survey_app.responses import new_submission_token
from tests.conftest import CODE, NEEDS, link_token, needs_assessment_answers, new_training

NB = "\u00a0"  # French puts a no-break space before ? : ; ! and inside « »
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}


def html_tag(page: str) -> tuple[str, str]:
    """(lang, dir) of the page's <html> element."""
    match = re.search(r'<html lang="([^"]*)" dir="([^"]*)">', page)
    assert match, "the page starts with <html lang dir>"
    return match.group(1), match.group(2)


def test_without_a_preference_the_form_is_in_the_default_language(client):
    page = client.get(f"/q/{NEEDS}").get_data(as_text=True)
    assert html_tag(page) == ("en", "ltr")
    assert "Which kind of organisation do you work for?" in page
    assert ">Submit</button>" in page
    assert '<input type="hidden" name="language" value="en">' in page


def test_accept_language_french_shows_the_questionnaire_and_app_strings_in_french(client):
    page = client.get(f"/q/{NEEDS}", headers=FRENCH).get_data(as_text=True)
    assert html_tag(page) == ("fr", "ltr")
    assert "<h1>Évaluation des besoins — participation de la société civile" in page
    assert f"Pour quel type d&#39;organisation travaillez-vous{NB}?" in page
    assert ">Envoyer</button>" in page
    assert '<span class="required">(obligatoire)</span>' in page
    assert ">Autre (veuillez préciser)</label>" in page
    assert ">Rang 1</label>" in page
    assert '<option value="">Choisissez un pays</option>' in page
    assert '<option value="MY">Malaisie</option>' in page
    assert '<span class="unit">ans</span>' in page
    assert (
        f"Répondez seulement si vous avez répondu «{NB}Oui{NB}» à «{NB}Votre organisation" in page
    )
    assert '<input type="hidden" name="language" value="fr">' in page
    # The switcher offers English, named in English.
    assert 'name="switch_language" value="en" lang="en"' in page
    assert ">English</button>" in page


def test_lang_parameter_wins_over_the_browser(client):
    page = client.get(f"/q/{NEEDS}?lang=en", headers=FRENCH).get_data(as_text=True)
    assert html_tag(page) == ("en", "ltr")
    assert ">Submit</button>" in page


def test_language_switch_shows_the_same_answers_in_french_and_stores_nothing(client, stored):
    data = needs_assessment_answers(language="en", switch_language="fr")
    response = client.post(f"/q/{NEEDS}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html_tag(page) == ("fr", "ltr")
    assert ">Envoyer</button>" in page
    assert "Il y a un problème" not in page  # nothing was validated
    assert 'name="q_stakeholder_type" id="q_stakeholder_type" value="ngo" checked' in page
    assert 'value="7"' in page
    assert 'value="trafficking" selected' in page
    assert "Please share the slides.</textarea>" in page
    assert data["submission_token"] in page  # still the same submission
    assert '<input type="hidden" name="language" value="fr">' in page
    assert stored() == []


def test_answers_sent_from_the_french_form_are_stored_with_language_fr(client, stored):
    response = client.post(f"/q/{NEEDS}", data=needs_assessment_answers(language="fr"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/q/{NEEDS}/thanks?lang=fr")
    [saved] = stored()
    assert saved.language == "fr"
    assert {a.option_value for a in saved.answers if a.question_id == "stakeholder_type"} == {"ngo"}
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert html_tag(thanks) == ("fr", "ltr")
    assert "<h1>Merci</h1>" in thanks
    assert "Vos réponses au questionnaire <strong>Évaluation des besoins" in thanks


def test_validation_messages_are_in_the_participants_language(client, stored):
    data = needs_assessment_answers(
        language="fr", q_years_experience="61", q_country=None, **{"q_crime_areas-3": None}
    )
    response = client.post(f"/q/{NEEDS}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert html_tag(page) == ("fr", "ltr")
    assert "Il y a un problème" in page
    assert "Saisissez un nombre de 0 à 60." in page
    assert "Veuillez répondre à cette question." in page
    assert "Veuillez classer 3 éléments." in page
    assert f'<span class="visually-hidden">Erreur{NB}:</span>' in page
    assert stored() == []


def test_spanish_first_questionnaire_is_in_spanish_by_default(client):
    page = client.get("/q/taller-es").get_data(as_text=True)
    assert html_tag(page) == ("es", "ltr")
    assert "¿Le resultó útil el taller?" in page
    assert ">Enviar</button>" in page
    assert "(obligatorio)" in page
    data = {"submission_token": new_submission_token(), "language": "es", "q_horas": "3,5"}
    response = client.post("/q/taller-es", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hay un problema" in page
    assert "Introduzca un número entero del 0 al 48." in page


def test_arabic_page_is_right_to_left_with_english_app_strings(client):
    """No Arabic catalog: the questionnaire reads in Arabic, the buttons stay in English."""
    page = client.get("/q/community-safety-ar?lang=ar").get_data(as_text=True)
    assert html_tag(page) == ("ar", "rtl")
    assert "هل تشعر بالأمان عند السير وحدك ليلاً؟" in page
    assert ">Submit</button>" in page


def test_unknown_questionnaire_404_follows_the_browser_language(client):
    response = client.get("/q/nope", headers={"Accept-Language": "es"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert html_tag(page) == ("es", "ltr")
    assert "<h1>Página no encontrada</h1>" in page
    assert "No existe el cuestionario «nope»." in page


def test_made_up_participant_link_404_is_in_french_for_a_french_browser(client):
    response = client.get("/t/made-up-token-made-up-token-made-up", headers=FRENCH)
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>Page introuvable</h1>" in page
    assert "Ce lien ne fonctionne pas. Demandez-en un nouveau aux organisateurs." in page


def test_closed_training_page_is_in_the_participants_language(app, logged_in):
    training_id = new_training(logged_in)  # a draft: closed to participants
    pre = link_token(app, training_id, "pre")
    response = app.test_client().get(f"/t/{pre}", headers=FRENCH)
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<h1>Ce questionnaire est fermé</h1>" in page


def test_personal_code_section_and_its_errors_are_translated(app, logged_in):
    training_id = new_training(logged_in)
    logged_in.post(f"/staff/trainings/{training_id}/status", data={"status": "open"})
    pre = link_token(app, training_id, "pre")
    participant = app.test_client()
    form = participant.get(f"/t/{pre}", headers=FRENCH).get_data(as_text=True)
    assert "<legend><h2>Votre code personnel</h2></legend>" in form
    assert "Deux premières lettres du prénom de votre mère" in form
    data = {**needs_assessment_answers(language="fr"), **CODE, "code_day": "32"}
    page = participant.post(f"/t/{pre}", data=data).get_data(as_text=True)
    assert (
        f"Code personnel{NB}: indiquez le jour de votre naissance dans le mois, de 1 à 31." in page
    )


def test_staff_pages_stay_in_english(client):
    page = client.get("/staff/login", headers=FRENCH).get_data(as_text=True)
    assert html_tag(page)[0] == "en"


@pytest.fixture
def csrf_app(make_app) -> Flask:
    return make_app(csrf_enabled=True)


def test_csrf_notice_is_in_the_form_language(csrf_app):
    client = csrf_app.test_client()
    response = client.post(f"/q/{NEEDS}", data=needs_assessment_answers(language="fr"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html_tag(page) == ("fr", "ltr")
    assert f"Vos réponses n&#39;ont pas encore été envoyées{NB}:" in page
    assert "Please share the slides." not in page  # a failed check never echoes the post


def test_submission_limit_notice_is_in_the_form_language(make_app):
    app = make_app(submission_limit_per_address=1)
    client = app.test_client()
    assert client.post(f"/q/{NEEDS}", data=needs_assessment_answers()).status_code == 303
    response = client.post(f"/q/{NEEDS}", data=needs_assessment_answers(language="fr"))
    page = response.get_data(as_text=True)
    assert response.status_code == 429
    assert html_tag(page)[0] == "fr"
    assert "Trop de réponses ont été envoyées depuis votre réseau" in page
    assert f"Temps d&#39;attente{NB}: 10 min." in page
