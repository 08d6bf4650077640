"""A section answered once per item ("Add another"): definition and located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from survey_app.questionnaire import ContentError, LoadedFile
from survey_app.questionnaire.loader import load_file
from survey_app.questionnaire.schema import Questionnaire

REPEATS = Path(__file__).parent.parent / "data" / "questionnaires" / "repeats"

HEAD = """\
schema_version: 1
id: demo
title: Demo
sections:
  - id: first
    title: First
    questions:
      - id: name
        type: short_text
        prompt: Name?
"""


def load(tmp_path: Path, body: str) -> LoadedFile[Questionnaire]:
    path = tmp_path / "demo.yaml"
    # The bodies below are indented by 4 spaces more than their place in the file.
    lines = [line.removeprefix("    ") for line in body.splitlines()]
    path.write_text(HEAD + "\n".join(lines) + "\n", encoding="utf-8")
    return load_file(Questionnaire, path, "demo.yaml")


def errors(tmp_path: Path, body: str) -> list[str]:
    with pytest.raises(ContentError) as info:
        load(tmp_path, body)
    return [str(e) for e in info.value.errors]


def test_the_fixture_declares_a_repeat_with_translated_labels():
    q = load_file(Questionnaire, REPEATS / "household.yaml").model
    members = q.sections[1]
    assert members.repeat is not None
    assert (members.repeat.min, members.repeat.max, members.repeat.shown) == (1, 3, 1)
    assert members.repeat.add_label is not None
    assert members.repeat.add_label.in_("fr") == "Ajouter un membre"
    assert q.repeated_ids() == {
        "member_name": "members",
        "member_age": "members",
        "member_role": "members",
    }


def test_min_above_max_points_at_min(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {min: 4, max: 2}
        questions:
          - {id: kid, type: short_text, prompt: Kid?}
    """
    assert errors(tmp_path, body) == [
        "demo.yaml:13:19: sections[1].repeat.min: must not exceed max (2)"
    ]


def test_a_matrix_inside_a_repeat_is_refused_at_its_type(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - id: grid
            type: matrix
            prompt: Rate
            rows: [{value: a, label: A}, {value: b, label: B}]
    """
    (error,) = errors(tmp_path, body)
    assert "sections[1].questions[0].type: a matrix question cannot be inside a repeat" in error


def test_show_if_outside_the_repeat_cannot_name_a_repeated_question(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - {id: kid, type: short_text, prompt: Kid?}
      - id: last
        title: Last
        questions:
          - id: why
            type: short_text
            prompt: Why?
            show_if: {question: kid, answered: true}
    """
    (error,) = errors(tmp_path, body)
    assert "sections[2].questions[0].show_if.question" in error
    assert "'kid' is asked once per item of the repeat 'kids'" in error


def test_show_if_inside_the_same_item_is_refused_too(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - {id: kid, type: short_text, prompt: Kid?}
          - {id: age, type: number, prompt: Age?, show_if: {question: kid, answered: true}}
    """
    (error,) = errors(tmp_path, body)
    assert "sections[1].questions[1].show_if.question" in error
    assert "'kid' is asked once per item of the repeat 'kids'" in error


def test_a_question_inside_a_repeat_may_depend_on_one_before_it(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - id: kid
            type: short_text
            prompt: "Kid of ${name}?"
            show_if: {question: name, answered: true}
    """
    assert load(tmp_path, body).model.repeated_ids() == {"kid": "kids"}


def test_pipes_and_calculations_cannot_name_a_repeated_question(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - {id: kid, type: short_text, prompt: Kid?}
      - id: last
        title: "About ${kid}"
        questions:
          - {id: why, type: short_text, prompt: Why?}
    calculations:
      - {id: twice, expression: "${kid}"}
    """
    found = errors(tmp_path, body)
    assert len(found) == 2
    assert all("'kid' is asked once per item of the repeat 'kids'" in e for e in found)
    assert "sections[2].title" in found[0]
    assert "calculations[0].expression" in found[1]


def test_a_repeated_question_id_may_not_reuse_another_id(tmp_path):
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - {id: name, type: short_text, prompt: Kid?}
    """
    (error,) = errors(tmp_path, body)
    assert "duplicate question id 'name'" in error


def test_an_answer_key_inside_a_repeat_is_refused(tmp_path):
    body = """\
      - id: quiz
        title: Quiz
        repeat: {max: 2}
        questions:
          - id: pick
            type: single_choice
            prompt: Pick
            options: [{value: a, label: A}, {value: b, label: B}]
            correct: [a]
    """
    (error,) = errors(tmp_path, body)
    assert "sections[1].questions[0].correct: an answer key cannot be inside a repeat" in error


def test_a_constraint_inside_a_repeat_is_refused_at_its_line(tmp_path):
    """One answer per item: a rule over the question would not know which item to read."""
    body = """\
      - id: kids
        title: Kids
        repeat: {max: 2}
        questions:
          - id: age
            type: number
            prompt: Age?
            constraint: {question: age, at_least: 0}
    """
    [message] = errors(tmp_path, body)
    assert "sections[1].questions[0].constraint" in message
    assert "a question inside a repeat cannot have a constraint" in message
