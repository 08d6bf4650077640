"""The real-world-style forms of forms.py, imported with `flask survey import-xlsform`.

Each produced file must load as a questionnaire and show the form's questions, options,
conditions and translations. The bilingual form's loading tests need the questionnaire
schema's translations (`languages`, `{en: ..., fr: ...}` texts).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from survey_app.questionnaire import Questionnaire, load_file
from survey_app.questionnaire.loader import read_document
from survey_app.xlsform import convert_workbook, questionnaire_yaml

from .forms import COMMUNITY_SAFETY, TRAINING_NEEDS, WORKSHOP_FEEDBACK


def file_data(path: Path) -> dict[str, Any]:
    """The questionnaire file as plain data, without validating it."""
    return read_document(path.read_text(encoding="utf-8"), str(path)).data


def questions(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every question of the file by id."""
    return {q["id"]: q for s in data["sections"] for q in s["questions"]}


def show_ifs(data: dict[str, Any]) -> dict[str, Any]:
    """The `show_if` of every question that has one, by question id."""
    return {qid: q["show_if"] for qid, q in questions(data).items() if "show_if" in q}


def options(question: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(o["value"], o["label"]) for o in question["options"]]


# --- 1. training needs assessment (KoboToolbox style) -------------------------------


@pytest.fixture
def training_needs(make_xlsform, import_xlsform, tmp_path):
    """(command result, written file) for the training needs assessment."""
    result = import_xlsform(make_xlsform(TRAINING_NEEDS, "training_needs.xlsx"))
    return result, tmp_path / "out" / "imported.yaml"


def test_training_needs_imports_and_loads_as_a_questionnaire(training_needs):
    result, written = training_needs
    assert result.exit_code == 0, result.output
    model = load_file(Questionnaire, written).model
    assert model.id == "training-needs-2024"
    assert model.title == "Training needs assessment — civil society and UNTOC"
    assert [(q.id, q.type) for q in model.questions()] == [
        ("org_type", "single_choice"),
        ("org_name", "short_text"),
        ("staff_count", "number"),
        ("in_network", "single_choice"),
        ("network_name", "short_text"),
        ("engaged_before", "single_choice"),
        ("contributions", "multi_choice"),
        ("years_engaged", "number"),
        ("submission_details", "short_text"),
        ("main_barrier", "single_choice"),
        ("confidence", "scale"),
        ("confidence_help", "long_text"),
        ("priority_topics", "multi_choice"),
        ("cyber_level", "single_choice"),
        ("cyber_laws", "short_text"),
        ("preferred_format", "single_choice"),
        ("needs_interpretation", "single_choice"),
        ("comments", "long_text"),
    ]


def test_training_needs_groups_become_sections_with_nested_titles(training_needs):
    data = file_data(training_needs[1])
    assert [(s["id"], s["title"], [q["id"] for q in s["questions"]]) for s in data["sections"]] == [
        (
            "profile",
            "About you and your organisation",
            ["org_type", "org_name", "staff_count", "in_network", "network_name"],
        ),
        (
            "engagement",
            "Engagement with the UNTOC review mechanism",
            [
                "engaged_before",
                "contributions",
                "years_engaged",
                "submission_details",
                "main_barrier",
            ],
        ),
        ("needs", "Training needs", ["confidence", "confidence_help"]),
        ("topics", "Training needs — Topics", ["priority_topics", "cyber_level", "cyber_laws"]),
        ("needs_2", "Training needs", ["preferred_format", "needs_interpretation", "comments"]),
    ]


def test_training_needs_notes_become_the_questionnaire_and_section_intros(training_needs):
    data = file_data(training_needs[1])
    assert data["intro"] == (
        "This survey helps us plan trainings on the UN Convention against Transnational "
        "Organized Crime (UNTOC). It takes about 10 minutes."
    )
    assert data["sections"][1]["intro"] == (
        "The review mechanism lets civil society contribute to country reviews."
    )
    assert [s.get("intro") for s in data["sections"][2:]] == [None, None, None]


def test_training_needs_choices_become_options_with_other(training_needs):
    found = questions(file_data(training_needs[1]))
    assert options(found["org_type"]) == [
        ("ngo", "Non-governmental organisation"),
        ("academia", "Academia or research"),
        ("private", "Private sector"),
        ("government", "Government"),
    ]
    assert found["org_type"]["other"] is True
    assert found["contributions"]["other"] is True
    assert "other" not in found["main_barrier"]
    assert options(found["in_network"]) == [("yes", "Yes"), ("no", "No")]
    # Numeric choice names are not slugs: they get a prefix, labels stay.
    assert options(found["cyber_level"]) == [
        ("opt_1", "Not at all"),
        ("opt_2", "A little"),
        ("opt_3", "Well"),
        ("opt_4", "Very well"),
    ]


def test_training_needs_relevant_becomes_show_if(training_needs):
    assert show_ifs(file_data(training_needs[1])) == {
        "network_name": {"question": "in_network", "equals": "yes"},
        "contributions": {"question": "engaged_before", "equals": "yes"},
        "years_engaged": {"question": "engaged_before", "equals": "yes"},
        "submission_details": {
            "all": [
                {"question": "contributions", "equals": "written"},
                {"question": "years_engaged", "in": [8, 9, 10]},
            ]
        },
        "main_barrier": {
            "any": [
                {"not": {"question": "engaged_before", "equals": "yes"}},
                {"question": "contributions", "equals": "_other"},
            ]
        },
        "confidence_help": {"question": "confidence", "in": [1, 2]},
        "cyber_level": {"question": "priority_topics", "equals": "cybercrime"},
        "cyber_laws": {"question": "cyber_level", "in": ["opt_3", "opt_4"]},
        "needs_interpretation": {
            "all": [
                {"question": "preferred_format", "in": ["in_person", "hybrid"]},
                {"not": {"question": "org_type", "equals": "government"}},
            ]
        },
    }


def test_training_needs_required_hints_and_constraints_convert(training_needs):
    found = questions(file_data(training_needs[1]))
    required = [qid for qid, q in found.items() if q.get("required")]
    assert required == [
        "org_type",
        "staff_count",
        "in_network",
        "engaged_before",
        "contributions",
        "confidence",
        "priority_topics",
        "preferred_format",
    ]
    assert found["staff_count"]["help"] == "Count paid staff and regular volunteers."
    assert (found["staff_count"]["min"], found["staff_count"]["max"]) == (0, 100000)
    assert (found["years_engaged"]["min"], found["years_engaged"]["max"]) == (1, 10)
    assert found["contributions"]["max"] == 3
    assert (found["priority_topics"]["min"], found["priority_topics"]["max"]) == (1, 3)
    assert found["confidence"]["scale"] == {"min": 1, "max": 5}
    # Over 200 characters allowed, or a multiline appearance: long text.
    assert (found["confidence_help"]["type"], found["confidence_help"]["max_length"]) == (
        "long_text",
        500,
    )
    assert (found["comments"]["type"], found["comments"]["max_length"]) == ("long_text", 2000)
    assert "max_length" not in found["org_name"]


def test_training_needs_keys_are_written_in_reading_order(training_needs):
    found = questions(file_data(training_needs[1]))
    assert list(found["contributions"]) == [
        "id",
        "type",
        "prompt",
        "help",
        "required",
        "max",
        "other",
        "options",
        "show_if",
    ]


def test_training_needs_file_starts_with_schema_line_and_import_note(training_needs):
    lines = training_needs[1].read_text(encoding="utf-8").splitlines()
    assert lines[:3] == [
        "# yaml-language-server: $schema=schema.json",
        "# Imported from training_needs.xlsx by `flask survey import-xlsform` on "
        f"{dt.date.today().isoformat()}.",
        "# Not converted:",
    ]
    # YAML 1.1 booleans are quoted so that every editor reads them as text.
    assert '          - {value: "yes", label: "Yes"}' in lines


def test_training_needs_summary_lists_what_was_converted_and_skipped(training_needs):
    result, written = training_needs
    assert result.stdout.splitlines() == [
        "Converted training_needs.xlsx to questionnaire 'training-needs-2024':",
        "  questions: 18 (7 single_choice, 4 short_text, 2 number, 2 multi_choice, "
        "2 long_text, 1 scale)",
        "  sections: 5 (profile, engagement, needs, topics, needs_2)",
        "  languages: en (default)",
        "  conditions: 9 show_if; constraints: 6",
        "Not converted (4):",
        "  survey sheet, row 2: 'start' (start): metadata the data-collection app records; dropped",
        "  survey sheet, row 3: 'end' (end): metadata the data-collection app records; dropped",
        "  survey sheet, row 32: note 'thanks' has no question after it; dropped",
        "  survey sheet: column 'constraint_message' (row 8) is not supported; ignored",
        f"Wrote {written}",
    ]


# --- 2. bilingual workshop feedback -------------------------------------------------


@pytest.fixture
def workshop_data(make_xlsform) -> dict[str, Any]:
    """The bilingual form converted and written as YAML, read back as plain data."""
    conversion = convert_workbook(make_xlsform(WORKSHOP_FEEDBACK, "workshop.xlsx"))
    text = questionnaire_yaml(conversion, "workshop.xlsx", dt.date(2025, 1, 2))
    return read_document(text, "workshop.yaml").data


def test_bilingual_form_declares_its_languages_default_first(workshop_data):
    assert workshop_data["languages"] == ["en", "fr"]
    assert "language" not in workshop_data
    assert workshop_data["title"] == "Workshop feedback"


def test_bilingual_form_texts_become_language_mappings(workshop_data):
    about, workshop = workshop_data["sections"]
    assert about["title"] == {"en": "About you", "fr": "À propos de vous"}
    assert about["intro"] == {
        "en": "Your answers are anonymous.",
        "fr": "Vos réponses sont anonymes.",
    }
    assert workshop["title"] == {"en": "The workshop", "fr": "L'atelier"}
    found = questions(workshop_data)
    assert found["advocacy_hours"]["prompt"] == {
        "en": "How many hours a week do you spend on advocacy?",
        "fr": "Combien d'heures par semaine consacrez-vous au plaidoyer ?",
    }
    assert found["advocacy_hours"]["help"] == {
        "en": "Decimals are fine, e.g. 2.5",
        "fr": "Les décimales sont acceptées, p. ex. 2,5",
    }
    # Only the default language has a text: a plain string (the validator warns about it).
    assert found["follow_up"]["help"] == "Select all that apply."


def test_bilingual_form_choice_labels_are_translated(workshop_data):
    found = questions(workshop_data)
    assert options(found["role"]) == [
        ("staff", {"en": "NGO staff", "fr": "Personnel d'ONG"}),
        ("volunteer", {"en": "Volunteer", "fr": "Bénévole"}),
        ("researcher", {"en": "Researcher", "fr": "Chercheur ou chercheuse"}),
    ]
    assert options(found["follow_up"])[2] == ("materials", "Printed materials")


def test_bilingual_form_questions_conditions_and_bounds(workshop_data):
    found = questions(workshop_data)
    assert [(qid, q["type"]) for qid, q in found.items()] == [
        ("role", "single_choice"),
        ("advocacy_hours", "number"),
        ("attended_on", "date"),
        ("useful", "single_choice"),
        ("why_not_useful", "short_text"),
        ("follow_up", "multi_choice"),
    ]
    assert found["advocacy_hours"]["integer"] is False
    assert (found["advocacy_hours"]["min"], found["advocacy_hours"]["max"]) == (0, 80)
    assert found["attended_on"]["min"] == dt.date(2024, 1, 1)
    assert show_ifs(workshop_data) == {
        "why_not_useful": {"question": "useful", "in": ["disagree", "strongly_disagree"]}
    }


def test_bilingual_form_imports_and_loads_with_translations(make_xlsform, import_xlsform, tmp_path):
    """Needs the translation schema: `languages` and `{en: ..., fr: ...}` texts."""
    result = import_xlsform(make_xlsform(WORKSHOP_FEEDBACK, "workshop.xlsx"))
    assert result.exit_code == 0, result.output
    assert "  languages: en (default), fr" in result.stdout.splitlines()
    written = tmp_path / "out" / "imported.yaml"
    model = load_file(Questionnaire, written).model
    assert list(model.languages) == ["en", "fr"]
    assert [q.id for q in model.questions()] == list(questions(file_data(written)))


# --- 3. a form with what cannot be converted ----------------------------------------


@pytest.fixture
def community_safety(make_xlsform, import_xlsform, tmp_path):
    result = import_xlsform(make_xlsform(COMMUNITY_SAFETY, "community_safety.xlsx"))
    return result, tmp_path / "out" / "imported.yaml"


#: Every row of COMMUNITY_SAFETY left out, with its sheet, row and reason.
COMMUNITY_SKIPPED = [
    "survey sheet, row 2: 'today' (today): metadata the data-collection app records; dropped",
    "survey sheet, row 3: 'location' (geopoint): location questions are not supported; dropped",
    "survey sheet, row 6: repeat 'members' (rows 6-9): repeats are not supported; dropped with "
    "the 2 rows inside it",
    "survey sheet, row 10: 'adults' (calculate): calculations are not supported; dropped",
    "survey sheet, row 12: relevant of 'unsafe_where' not converted (${adults} (row 10) was not "
    "converted); the question is always shown",
    "survey sheet, row 13: 'photo' (image): photo and image uploads are not supported; dropped",
    "survey sheet, row 14: relevant of 'reported' not converted (the function regex() is not "
    "supported); the question is always shown",
    "survey sheet, row 15: constraint 'regex(., '^[^@]+@[^@]+$')' of 'contact_email' not "
    "converted (the function regex() is not supported)",
    "survey sheet, row 17: 'district' (select_one_from_file villages.csv): choice lists from "
    "files are not supported; dropped",
    "survey sheet, row 18: relevant of 'early' not converted (${final_remarks} is on row 20, "
    "after this row; conditions can only refer to earlier questions); the question is always "
    "shown",
    "survey sheet, row 19: 'safety_score' (range start=0 end=100 step=10): only whole ranges of "
    "2 to 11 points in steps of 1 become scales; dropped",
]


def test_unconvertible_rows_are_listed_with_sheet_row_and_reason(community_safety):
    result, written = community_safety
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index(f"Not converted ({len(COMMUNITY_SKIPPED)}):")
    assert lines[start + 1 : start + 1 + len(COMMUNITY_SKIPPED)] == [
        f"  {item}" for item in COMMUNITY_SKIPPED
    ]
    assert lines[-1] == f"Wrote {written}"


def test_unconvertible_rows_are_also_listed_at_the_top_of_the_file(community_safety):
    lines = community_safety[1].read_text(encoding="utf-8").splitlines()
    assert lines[2 : 3 + len(COMMUNITY_SKIPPED)] == [
        "# Not converted:",
        *(f"#   {item}" for item in COMMUNITY_SKIPPED),
    ]


def test_the_rest_of_the_form_converts_and_loads(community_safety):
    model = load_file(Questionnaire, community_safety[1]).model
    assert [(s.id, s.title) for s in model.sections] == [
        ("community_safety", "Community safety survey")
    ]
    assert [(q.id, q.type) for q in model.questions()] == [
        ("village", "short_text"),
        ("household_size", "number"),
        ("felt_unsafe", "single_choice"),
        ("unsafe_where", "short_text"),
        ("reported", "single_choice"),
        ("contact_email", "short_text"),
        ("contact_ok", "single_choice"),
        ("early", "short_text"),
        ("final_remarks", "short_text"),
    ]


def test_dropped_conditions_leave_the_question_always_shown(community_safety):
    data = file_data(community_safety[1])
    assert show_ifs(data) == {"contact_ok": {"question": "contact_email", "answered": True}}
    found = questions(data)
    assert (found["household_size"]["min"], found["household_size"]["max"]) == (1, 30)
