"""Three realistic workbooks (.xlsx) through the command: what they become and what is listed."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from .forms import COMMUNITY_SAFETY, TRAINING_NEEDS, WORKSHOP_FEEDBACK


def imported(make_xlsform, import_xlsform, tmp_path, form):
    """(command output lines, questions by id) of a form imported with the command."""
    result = import_xlsform(make_xlsform(form))
    assert result.exit_code == 0, result.output
    data = YAML(typ="safe").load((tmp_path / "out" / "imported.yaml").read_text())
    questions = {q["id"]: q for s in data["sections"] for q in s["questions"]}
    return result.output.splitlines(), data, questions


def test_training_needs_keeps_its_codes_and_turns_likert_into_a_scale(
    make_xlsform, import_xlsform, tmp_path
):
    lines, data, questions = imported(make_xlsform, import_xlsform, tmp_path, TRAINING_NEEDS)
    assert data["id"] == "training_needs_2024"
    assert data["title"] == "Training needs assessment — civil society and UNTOC"
    assert questions["cyber_level"]["type"] == "scale"
    assert questions["cyber_laws"]["show_if"] == {"question": "cyber_level", "in": [3, 4]}
    assert questions["org_type"]["other"] is True
    assert questions["comments"] == {
        "id": "comments",
        "type": "long_text",
        "prompt": "Anything else we should know?",
        "max_length": 2000,
    }
    assert "  survey row 32: note 'thanks' has no question after it; dropped" in lines
    assert not any("$kuid" in line for line in lines)


def test_bilingual_workshop_feedback_keeps_both_languages(make_xlsform, import_xlsform, tmp_path):
    _, data, questions = imported(make_xlsform, import_xlsform, tmp_path, WORKSHOP_FEEDBACK)
    assert data["languages"] == ["en", "fr"]
    assert questions["role"]["prompt"] == {
        "en": "What is your role?",
        "fr": "Quel est votre rôle ?",
    }
    assert questions["attended_on"]["min"].isoformat() == "2024-01-01"


@pytest.mark.parametrize(
    "line",
    [
        "  survey row 3: 'location' (geopoint): no equivalent question type; dropped",
        "  survey row 17: 'district': choices file 'villages.csv' is not next to the workbook; "
        "dropped",
        "  survey row 6: repeat 'members' takes at most 50 items here",
        "  survey row 19: 'safety_score' (range 0..100 step 10) is a number",
    ],
)
def test_community_safety_lists_what_it_leaves_out(make_xlsform, import_xlsform, tmp_path, line):
    lines, _, _ = imported(make_xlsform, import_xlsform, tmp_path, COMMUNITY_SAFETY)
    assert line in lines


def test_community_safety_keeps_its_calculation(make_xlsform, import_xlsform, tmp_path):
    _, data, _ = imported(make_xlsform, import_xlsform, tmp_path, COMMUNITY_SAFETY)
    assert data["calculations"] == [{"id": "adults", "expression": "${household_size} - 1"}]


def test_community_safety_questions_with_lost_conditions_become_optional(
    make_xlsform, import_xlsform, tmp_path
):
    lines, _, questions = imported(make_xlsform, import_xlsform, tmp_path, COMMUNITY_SAFETY)
    assert "show_if" not in questions["early"]
    assert "required" not in questions["unsafe_where"]
    assert any(
        line.startswith(
            "  survey row 18: relevant '${final_remarks} != ''' of 'early' not converted"
        )
        and line.endswith("always shown, and optional")
        for line in lines
    )
