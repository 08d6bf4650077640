"""YAML questionnaire files: every problem is reported as `path:line:col: dotted.path: message`.

Each test writes its YAML inline so the line and column in the assertion can be read off
the text beside it (line 1 is the line after the opening quotes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from survey_app.questionnaire.loader import (
    MAX_FILE_BYTES,
    MAX_NODES,
    ContentError,
    LoadedFile,
    load_file,
)
from survey_app.questionnaire.questions import QUESTION_TYPES, MatrixQuestion, SingleChoiceQuestion
from survey_app.questionnaire.schema import Questionnaire
from survey_app.settings import ROOT

DATA = Path(__file__).parent.parent / "data" / "questionnaires"

Load = Callable[[str | bytes], LoadedFile[Questionnaire]]
Errors = Callable[[str | bytes], list[str]]


@pytest.fixture
def load(tmp_path: Path) -> Load:
    """Writes YAML (dedented text or raw bytes) to demo.yaml and loads it."""

    def load_text(content: str | bytes) -> LoadedFile[Questionnaire]:
        path = tmp_path / "demo.yaml"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(dedent(content), encoding="utf-8")
        return load_file(Questionnaire, path, "demo.yaml")

    return load_text


@pytest.fixture
def errors(load: Load) -> Errors:
    """Loads YAML that must fail and returns every error line."""

    def errors_in(content: str | bytes) -> list[str]:
        with pytest.raises(ContentError) as info:
            load(content)
        lines = [str(e) for e in info.value.errors]
        assert str(info.value) == "\n".join(lines)
        return lines

    return errors_in


# --- valid files ------------------------------------------------------------------


def test_minimal_questionnaire_loads(load):
    loaded = load("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """)
    assert loaded.model.id == "demo"
    assert [q.id for q in loaded.model.questions()] == ["name"]
    assert loaded.path.name == "demo.yaml"


def test_sha256_of_the_file_bytes_is_recorded(load, tmp_path):
    text = """\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """
    first = load(text)
    assert first.sha256 == hashlib.sha256((tmp_path / "demo.yaml").read_bytes()).hexdigest()
    second = load(text + "# a comment changes the hash\n")
    assert second.sha256 != first.sha256
    assert second.model == first.model


def test_anchors_and_aliases_in_a_sample_questionnaire_load():
    loaded = load_file(Questionnaire, ROOT / "questionnaires" / "untoc-needs-assessment.yaml")
    importance = loaded.model.question("capacity_importance")
    confidence = loaded.model.question("confidence")
    assert isinstance(importance, MatrixQuestion)
    assert isinstance(confidence, MatrixQuestion)
    assert len(confidence.rows) == 6
    assert confidence.rows == importance.rows


def test_questionnaire_with_every_question_type_loads_from_yaml():
    loaded = load_file(Questionnaire, DATA / "valid" / "every-question-type.yaml")
    types = {getattr(q, "type", None) for q in loaded.model.questions()}
    assert types == set(QUESTION_TYPES)


def test_merge_keys_copy_an_anchored_mapping(load):
    loaded = load("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - &base
                id: colour
                type: single_choice
                prompt: Favourite colour?
                options:
                  - {value: red, label: Red}
                  - {value: blue, label: Blue}
              - <<: *base
                id: colour_again
        """)
    again = loaded.model.question("colour_again")
    assert isinstance(again, SingleChoiceQuestion)
    assert [o.value for o in again.options] == ["red", "blue"]


def test_error_in_a_merged_value_points_at_the_merging_mapping(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: a, type: short_text, prompt: A?}
              - {<<: {type: short_text, prompt: B?, max_length: 0}, id: b}
        """) == [
        "demo.yaml:9:9: sections[0].questions[1].max_length: "
        "input should be greater than or equal to 1, got 0"
    ]


# --- schema errors, one kind each ---------------------------------------------------


def test_missing_key_points_at_the_parent_mapping(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: name
                type: short_text
        """) == ["demo.yaml:8:9: sections[0].questions[0]: missing required key 'prompt'"]


def test_missing_top_level_key_points_at_the_start_of_the_file(errors):
    assert errors("""\
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """) == ["demo.yaml:1:1: missing required key 'schema_version'"]


def test_missing_question_type_is_reported_as_a_missing_key(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: name
                prompt: Your name?
        """) == ["demo.yaml:8:9: sections[0].questions[0]: missing required key 'type'"]


def test_unknown_key_points_at_the_key(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: name
                type: short_text
                prompt: Your name?
                requried: true
        """) == ["demo.yaml:11:9: sections[0].questions[0].requried: unknown key 'requried'"]


def test_wrong_type_points_at_the_value(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: name
                type: short_text
                prompt: Your name?
                required: maybe
        """) == [
        "demo.yaml:11:19: sections[0].questions[0].required: "
        "input should be a valid boolean, unable to interpret input, got 'maybe'"
    ]


def test_mapping_where_a_list_belongs_is_a_wrong_type(errors):
    [error] = errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections: {main: Main}
        """)
    assert error.startswith("demo.yaml:4:11: sections: input should be a valid list")


def test_unknown_question_type_points_at_type_and_lists_the_expected_types(errors):
    [error] = errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: story
                type: essay
                prompt: Tell us a story.
        """)
    expected = ", ".join(QUESTION_TYPES)
    assert error == (
        "demo.yaml:9:15: sections[0].questions[0].type: "
        f"unknown question type 'essay' (expected one of: {expected})"
    )
    assert "single_choice, multi_choice, scale, matrix, ranking" in error


def test_unsupported_schema_version_points_at_the_version(errors):
    assert errors("""\
        schema_version: 2
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """) == [
        "demo.yaml:1:17: schema_version: unsupported schema_version 2 (this version reads 1)"
    ]


def test_schema_version_as_a_string_is_unsupported(errors):
    assert errors("""\
        schema_version: "1"
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """) == [
        "demo.yaml:1:17: schema_version: unsupported schema_version '1' (this version reads 1)"
    ]


def test_ids_that_are_not_slugs_are_each_reported(errors):
    slug = (
        "must be a slug: lowercase letters, digits and '_' (or '-' for file ids), "
        "starting with a letter"
    )
    assert errors("""\
        schema_version: 1
        id: Demo File
        title: Demo
        sections:
          - id: Main
            title: Main
            questions:
              - {id: your-name, type: short_text, prompt: Your name?}
        """) == [
        f"demo.yaml:2:5: id: {slug}",
        f"demo.yaml:5:9: sections[0].id: {slug}",
        f"demo.yaml:8:14: sections[0].questions[0].id: {slug}",
    ]


def test_duplicate_question_id_points_at_the_second_id(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: first
            title: First
            questions:
              - {id: name, type: short_text, prompt: Your name?}
          - id: second
            title: Second
            questions:
              - {id: age, type: number, prompt: Your age?}
              - {id: name, type: short_text, prompt: Your name again?}
        """) == ["demo.yaml:13:14: sections[1].questions[1].id: duplicate question id 'name'"]


def test_duplicate_question_id_in_one_section_is_reported(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
              - {id: name, type: short_text, prompt: Your name again?}
        """) == ["demo.yaml:9:14: sections[0].questions[1].id: duplicate question id 'name'"]


def test_duplicate_section_id_points_at_the_second_id(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
          - id: main
            title: Main again
            questions:
              - {id: age, type: number, prompt: Your age?}
        """) == ["demo.yaml:9:9: sections[1].id: duplicate section id 'main'"]


def test_show_if_naming_a_later_question_points_at_the_question_value(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: first
                type: short_text
                prompt: First?
                show_if: {question: second, answered: true}
              - {id: second, type: short_text, prompt: Second?}
        """) == [
        "demo.yaml:11:29: sections[0].questions[0].show_if.question: "
        "'second' is not a question before question 'first'"
    ]


def test_section_show_if_naming_a_question_inside_that_section_is_reported(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            show_if: {question: name, answered: true}
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """) == [
        "demo.yaml:7:25: sections[0].show_if.question: "
        "'name' is not a question before section 'main'"
    ]


def test_show_if_naming_an_unknown_question_points_at_the_question_value(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
              - id: nickname
                type: short_text
                prompt: Your nickname?
                show_if:
                  question: nmae
                  answered: true
        """) == [
        "demo.yaml:13:21: sections[0].questions[1].show_if.question: "
        "'nmae' is not a question before question 'nickname'"
    ]


def test_show_if_equals_an_unknown_option_points_at_the_value(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pet
                type: single_choice
                prompt: Cat or dog?
                options: [{value: cat, label: Cat}, {value: dog, label: Dog}]
              - id: cat_name
                type: short_text
                prompt: Your cat's name?
                show_if: {question: pet, equals: kat}
        """) == [
        "demo.yaml:15:42: sections[0].questions[1].show_if.equals: "
        "'kat' is not an option of 'pet' (options: cat, dog)"
    ]


def test_show_if_in_with_an_unknown_option_points_at_that_item(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pet
                type: single_choice
                prompt: Cat, dog or other?
                other: true
                options: [{value: cat, label: Cat}, {value: dog, label: Dog}]
              - id: pet_name
                type: short_text
                prompt: Your pet's name?
                show_if: {question: pet, in: [cat, dgo, _other]}
        """) == [
        "demo.yaml:16:44: sections[0].questions[1].show_if.in[1]: "
        "'dgo' is not an option of 'pet' (options: cat, dog, _other)"
    ]


def test_nested_show_if_error_has_the_full_dotted_path(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: rating, type: scale, prompt: Rate us.}
              - id: why
                type: long_text
                prompt: Why?
                show_if:
                  any:
                    - {question: rating, answered: true}
                    - not: {question: rating, equals: 9}
        """) == [
        "demo.yaml:15:47: sections[0].questions[1].show_if.any[1].not.equals: "
        "9 is not on the scale of 'rating'"
    ]


def test_show_if_with_both_equals_and_in_points_at_the_condition(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: rating, type: scale, prompt: Rate us.}
              - id: why
                type: long_text
                prompt: Why?
                show_if: {question: rating, equals: 1, in: [1, 2]}
        """) == [
        "demo.yaml:12:18: sections[0].questions[1].show_if: "
        "give exactly one of 'equals', 'in', 'answered' or an ordered test"
    ]


def test_error_inside_a_comparison_points_at_its_own_key(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: rating, type: scale, prompt: Rate us.}
              - id: why
                type: long_text
                prompt: Why?
                show_if:
                  all:
                    - {question: rating, answered: maybe}
                    - {question: rating, equals: 1, answred: true}
        """) == [
        "demo.yaml:14:44: sections[0].questions[1].show_if.all[0].answered: "
        "input should be a valid boolean, unable to interpret input, got 'maybe'",
        "demo.yaml:15:45: sections[0].questions[1].show_if.all[1].answred: unknown key 'answred'",
    ]


def test_empty_options_are_reported(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pet
                type: single_choice
                prompt: Cat or dog?
                options: []
        """) == ["demo.yaml:11:18: sections[0].questions[0].options: must list at least 2 options"]


def test_a_single_option_is_too_few(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pet
                type: multi_choice
                prompt: Pets?
                options:
                  - {value: cat, label: Cat}
        """) == ["demo.yaml:12:11: sections[0].questions[0].options: must list at least 2 options"]


def test_duplicate_option_value_points_at_the_second_value(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pet
                type: single_choice
                prompt: Cat or dog?
                options:
                  - {value: cat, label: Cat}
                  - {value: cat, label: Dog}
        """) == [
        "demo.yaml:13:21: sections[0].questions[0].options[1].value: duplicate option value 'cat'"
    ]


def test_correct_answer_that_is_not_an_option_points_at_it(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: capital
                type: multi_choice
                prompt: Which cities are capitals?
                correct: [paris, lyon]
                options: [{value: paris, label: Paris}, {value: nice, label: Nice}]
        """) == [
        "demo.yaml:11:26: sections[0].questions[0].correct[1]: 'lyon' is not an option of 'capital'"
    ]


def test_scale_label_outside_the_scale_points_at_the_label(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: rating
                type: scale
                prompt: Rate us.
                scale:
                  min: 1
                  max: 5
                  labels: {1: Poor, 7: Great}
        """) == [
        "demo.yaml:14:32: sections[0].questions[0].scale.labels[7]: "
        "label for 7 is outside the scale 1..5"
    ]


def test_multi_choice_max_above_the_number_of_options_is_reported(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pets
                type: multi_choice
                prompt: Pets?
                max: 3
                options: [{value: cat, label: Cat}, {value: dog, label: Dog}]
        """) == [
        "demo.yaml:11:14: sections[0].questions[0].max: cannot exceed the number of options (2)"
    ]


def test_multi_choice_max_counts_the_other_option(load):
    loaded = load("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: pets
                type: multi_choice
                prompt: Pets?
                max: 3
                other: true
                options: [{value: cat, label: Cat}, {value: dog, label: Dog}]
        """)
    assert loaded.model.question("pets") is not None


def test_ranking_top_above_the_number_of_options_is_reported(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: order
                type: ranking
                prompt: Rank these.
                options: [{value: a, label: A}, {value: b, label: B}]
        """) == [
        "demo.yaml:8:9: sections[0].questions[0].top: cannot exceed the number of options (2)"
    ]


def test_several_errors_in_one_file_are_all_reported_in_line_order(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - id: name
                type: short_text
                prompt: Your name?
                requried: true
              - id: age
                type: number
                prompt: Your age?
                integer: sometimes
              - id: story
                type: essay
                prompt: Tell us a story.
              - id: pet
                type: single_choice
                prompt: Cat?
                options: [{value: cat, label: Cat}]
        """) == [
        "demo.yaml:11:9: sections[0].questions[0].requried: unknown key 'requried'",
        "demo.yaml:15:18: sections[0].questions[1].integer: "
        "input should be a valid boolean, unable to interpret input, got 'sometimes'",
        "demo.yaml:17:15: sections[0].questions[2].type: unknown question type 'essay' "
        f"(expected one of: {', '.join(QUESTION_TYPES)})",
        "demo.yaml:22:18: sections[0].questions[3].options: must list at least 2 options",
    ]


def test_several_cross_reference_errors_are_all_reported(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Name?, show_if: {question: x, answered: true}}
              - {id: name, type: short_text, prompt: Name again?}
          - id: main
            title: Main again
            questions:
              - {id: age, type: number, prompt: Age?}
        """) == [
        "demo.yaml:8:73: sections[0].questions[0].show_if.question: "
        "'x' is not a question before question 'name'",
        "demo.yaml:9:14: sections[0].questions[1].id: duplicate question id 'name'",
        "demo.yaml:10:9: sections[1].id: duplicate section id 'main'",
    ]


# --- files that are not a questionnaire's YAML ------------------------------------


def test_unclosed_bracket_is_located_invalid_yaml(errors):
    assert errors("title: [Demo\n") == [
        "demo.yaml:2:1: not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_truncated_flow_sequence_is_located_invalid_yaml(errors):
    assert errors("a: [") == [
        "demo.yaml:1:5: not valid YAML: expected the node content, but found '<stream end>'"
    ]


def test_tab_indentation_is_located_invalid_yaml(errors):
    assert errors("schema_version: 1\nsections:\n\t- id: main\n") == [
        "demo.yaml:3:1: not valid YAML: found character '\\t' that cannot start any token"
    ]


def test_duplicate_yaml_key_is_invalid_yaml(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        id: other
        """) == [
        'demo.yaml:3:1: not valid YAML: found duplicate key "id" with value "other" '
        '(original value: "demo")'
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("  \n\n", "the file is empty"),
        ("# only a comment\n", "the file must be a mapping of keys to values"),
    ],
)
def test_empty_file_is_refused(errors, text, message):
    assert errors(text) == [f"demo.yaml:1:1: {message}"]


@pytest.mark.parametrize("text", ["- schema_version: 1\n- id: demo\n", "just some words\n", "42\n"])
def test_top_level_must_be_a_mapping(errors, text):
    assert errors(text) == ["demo.yaml:1:1: the file must be a mapping of keys to values"]


def test_python_object_tag_is_refused_and_never_run(errors, tmp_path):
    marker = tmp_path / "pwned"
    assert errors(f"""\
        schema_version: 1
        id: !!python/object/apply:os.system ["touch {marker}"]
        """) == [
        "demo.yaml:2:5: id: YAML tags such as "
        "tag:yaml.org,2002:python/object/apply:os.system are not allowed"
    ]
    assert not marker.exists()


def test_python_tag_on_the_whole_document_is_refused_and_never_run(errors, tmp_path):
    marker = tmp_path / "pwned"
    assert errors(f'!!python/object/apply:os.system ["touch {marker}"]\n') == [
        "demo.yaml:1:1: YAML tags such as "
        "tag:yaml.org,2002:python/object/apply:os.system are not allowed"
    ]
    assert not marker.exists()


def test_python_name_tag_is_refused(errors):
    assert errors("""\
        schema_version: 1
        title: !!python/name:os.system
        """) == [
        "demo.yaml:2:8: title: YAML tags such as tag:yaml.org,2002:python/name:os.system "
        "are not allowed"
    ]


def test_custom_tag_is_refused(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: !foo Demo
        """) == ["demo.yaml:3:8: title: YAML tags such as !foo are not allowed"]


def test_billion_laughs_alias_bomb_is_refused_as_too_many_nodes(errors):
    lines = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 9)}]" for i in range(1, 10)]
    found = errors("\n".join(lines) + "\n")
    assert len(found) == 1
    assert found[0].startswith("demo.yaml:")
    assert found[0].endswith(f"too many nodes (over {MAX_NODES})")


def test_file_over_the_size_limit_is_refused(errors):
    text = "# " + "x" * MAX_FILE_BYTES + "\nschema_version: 1\n"
    assert errors(text) == [f"demo.yaml:1:1: file is larger than {MAX_FILE_BYTES} bytes"]


def test_file_exactly_at_the_size_limit_is_read(load):
    text = dedent("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: Main
            questions:
              - {id: name, type: short_text, prompt: Your name?}
        """)
    padding = MAX_FILE_BYTES - len(text.encode()) - 1
    loaded = load(text + "#" * padding + "\n")
    assert loaded.model.id == "demo"


def test_non_utf8_bytes_are_refused(errors):
    assert errors(b"schema_version: 1\nid: caf\xe9\n") == [
        "demo.yaml:1:1: not UTF-8 text (byte 25)"
    ]


def test_piping_a_later_or_unknown_question_is_located_at_the_text(errors):
    assert errors("""\
        schema_version: 1
        id: demo
        title: Demo
        sections:
          - id: main
            title: About ${name}
            questions:
              - {id: name, type: short_text, prompt: Your name?}
              - id: age
                type: number
                prompt: How old is ${name}?
                help: {en: "Counting from ${nobody}."}
          - id: more
            title: More about ${name}
            intro: Since ${age}...
            questions:
              - {id: town, type: short_text, prompt: "${town}, really?"}
        """) == [
        "demo.yaml:6:12: sections[0].title: '${name}' is not a question before section 'main'",
        "demo.yaml:12:15: sections[0].questions[1].help: '${nobody}' is not a question before "
        "'age'",
        "demo.yaml:17:46: sections[1].questions[0].prompt: '${town}' is not a question before "
        "'town'",
    ]
