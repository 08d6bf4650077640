"""Piped texts in reports and exports: `${id}` becomes a short description of the answer."""

from __future__ import annotations

from survey_app.export_layout import build_layout
from survey_app.questionnaire import Questionnaire
from survey_app.questionnaire.loader import load_file
from survey_app.questionnaire.readable import unpiped
from tests.conftest import DATA_DIR

FEATURES = DATA_DIR / "questionnaires" / "features" / "xlsform-features.yaml"


def features() -> Questionnaire:
    return load_file(Questionnaire, FEATURES).model


def test_a_piped_prompt_names_the_question_whose_answer_it_shows():
    prompts = {q.id: q.prompt for q in unpiped(features()).questions()}
    assert prompts["colour"] == "[answer to “What is your name?”], which colour do you like?"
    assert prompts["adults"] == "How many adults live with [answer to “What is your name?”]?"


def test_a_reference_inside_the_referenced_prompt_is_not_followed():
    prompts = {q.id: q.prompt for q in unpiped(features()).questions()}
    assert prompts["why"] == "Why [answer to “…, which colour do you like?”]?"


def test_section_titles_and_help_are_unpiped_too_and_unpiped_texts_stay_the_same():
    original = features()
    readable = unpiped(original)
    assert readable.sections[1].title == "More about [answer to “What is your name?”]"
    assert (
        readable.sections[0].questions[1].help
        == "We ask [answer to “What is your name?”] only once."
    )
    assert readable.sections[0].questions[0].prompt is original.sections[0].questions[0].prompt


def test_long_prompts_are_shortened_and_each_translation_uses_its_own_words():
    questionnaire = Questionnaire.model_validate(
        {
            "schema_version": 1,
            "id": "demo",
            "title": "Demo",
            "languages": ["en", "fr"],
            "sections": [
                {
                    "id": "main",
                    "title": {"en": "Main", "fr": "Principal"},
                    "questions": [
                        {
                            "id": "org",
                            "type": "short_text",
                            "prompt": {
                                "en": "Which organisation do you work for at the moment, if any?",
                                "fr": "Organisation ?",
                            },
                        },
                        {
                            "id": "role",
                            "type": "short_text",
                            "prompt": {"en": "Your role at ${org}?", "fr": "Rôle chez ${org} ?"},
                        },
                    ],
                }
            ],
        }
    )
    [_, role] = unpiped(questionnaire).questions()
    assert role.prompt == "Your role at [answer to “Which organisation do you work for at…”]?"
    assert role.prompt.translations["fr"] == "Rôle chez [answer to “Organisation ?”] ?"


def test_export_codebook_prompts_print_no_literal_reference():
    layout = build_layout(features(), include_text=True)
    entries = list(layout.codebook())
    prompts = {e.question_id: e.prompt for e in entries if e.qtype != "calculate"}
    assert prompts["colour"] == "[answer to “What is your name?”], which colour do you like?"
    assert not any("${" in p for p in prompts.values())
    # A calculation's codebook line is its definition: the expression, as written.
    calculated = {e.question_id: e.prompt for e in entries if e.qtype == "calculate"}
    assert calculated["people"] == "Calculated: ${adults} + ${children}"
