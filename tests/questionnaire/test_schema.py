"""The pydantic questionnaire models on plain data, without YAML."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from survey_app.questionnaire.conditions import (
    AllOf,
    AnyOf,
    Comparison,
    Condition,
    NotOf,
    comparisons,
)
from survey_app.questionnaire.questions import (
    OTHER_VALUE,
    QUESTION_CLASSES,
    QUESTION_TYPES,
    DateQuestion,
    MultiChoiceQuestion,
    Option,
    Question,
    Scale,
    SingleChoiceQuestion,
)
from survey_app.questionnaire.schema import Questionnaire

QUESTION = TypeAdapter(Question)
CONDITION = TypeAdapter(Condition)
TWO_OPTIONS = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]

MINIMAL: dict[str, dict[str, Any]] = {
    "single_choice": {"options": TWO_OPTIONS},
    "multi_choice": {"options": TWO_OPTIONS},
    "scale": {},
    "matrix": {"rows": TWO_OPTIONS},
    "ranking": {"options": TWO_OPTIONS, "top": 2},
    "number": {},
    "short_text": {},
    "long_text": {},
    "date": {},
    "country": {},
}


def question(qtype: str, qid: str = "q", **fields: Any) -> dict[str, Any]:
    """A minimal valid question of `qtype` as plain data."""
    return {"id": qid, "type": qtype, "prompt": "Prompt?", **MINIMAL[qtype], **fields}


def questionnaire(*questions: dict[str, Any]) -> dict[str, Any]:
    """A one-section questionnaire holding `questions`, as plain data."""
    return {
        "schema_version": 1,
        "id": "demo",
        "title": "Demo",
        "sections": [{"id": "main", "title": "Main", "questions": list(questions)}],
    }


def error_types(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {e["type"] for e in exc.value.errors()}


# --- question types ---------------------------------------------------------------


def test_every_question_type_has_a_minimal_example():
    assert set(MINIMAL) == set(QUESTION_TYPES)


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_question_type_parses_from_a_minimal_example(qtype):
    parsed = QUESTION.validate_python(question(qtype))
    assert parsed.type == qtype
    assert type(parsed) is QUESTION_CLASSES[QUESTION_TYPES.index(qtype)]


@pytest.mark.parametrize("qtype", QUESTION_TYPES)
def test_every_question_type_refuses_an_unknown_key(qtype):
    with pytest.raises(ValidationError) as exc:
        QUESTION.validate_python(question(qtype, colour="red"))
    assert error_types(exc) == {"extra_forbidden"}


def test_unknown_question_type_is_a_union_tag_error():
    with pytest.raises(ValidationError) as exc:
        QUESTION.validate_python({"id": "q", "type": "essay", "prompt": "P"})
    assert error_types(exc) == {"union_tag_invalid"}


def test_models_are_frozen():
    option = Option(value="a", label="A")
    with pytest.raises(ValidationError):
        option.value = "b"


def test_other_adds_the_reserved_value_to_the_option_values():
    parsed = QUESTION.validate_python(question("single_choice", other=True))
    assert isinstance(parsed, SingleChoiceQuestion)
    assert parsed.option_values() == ["a", "b", OTHER_VALUE]


def test_date_bounds_parse_from_iso_strings():
    parsed = QUESTION.validate_python(question("date", min="2024-01-01", max="2024-12-31"))
    assert isinstance(parsed, DateQuestion)
    assert parsed.min == dt.date(2024, 1, 1)


@pytest.mark.parametrize(
    ("qtype", "fields"),
    [
        ("multi_choice", {"min": 2, "max": 1}),
        ("number", {"min": 10, "max": 1}),
        ("date", {"min": "2024-12-31", "max": "2024-01-01"}),
        ("ranking", {"top": 3}),
        ("matrix", {"rows": TWO_OPTIONS[:1]}),
        ("short_text", {"max_length": 0}),
    ],
)
def test_inconsistent_question_bounds_are_refused(qtype, fields):
    with pytest.raises(ValidationError):
        QUESTION.validate_python(question(qtype, **fields))


def test_scale_defaults_to_one_to_five():
    assert Scale().points() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    "fields", [{"min": 3, "max": 3}, {"min": 5, "max": 1}, {"min": 0, "max": 11}]
)
def test_scale_needs_between_two_and_eleven_points(fields):
    with pytest.raises(ValidationError):
        Scale.model_validate(fields)


def test_scale_of_eleven_points_is_allowed():
    assert len(Scale(min=0, max=10).points()) == 11


# --- slugs ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a", "q1", "years_experience", "a" * 64])
def test_slug_values_are_accepted(value):
    assert Option(value=value, label="L").value == value


@pytest.mark.parametrize("value", ["1", "1a", "Male", "has-dash", "père", "_x"])
def test_option_values_keep_an_organisations_own_codes(value):
    """XLSForm choice names such as `1` or `Male` come through as they are."""
    assert Option(value=value, label="L").value == value


@pytest.mark.parametrize("value", ["", "has space", "a" * 65])
def test_option_values_with_spaces_or_too_long_are_refused(value):
    with pytest.raises(ValidationError):
        Option(value=value, label="L")


def test_an_option_may_not_take_the_value_of_other_when_other_is_offered():
    data = question("single_choice", other=True)
    data["options"] = [{"value": "_other", "label": "A"}, {"value": "b", "label": "B"}]
    with pytest.raises(ValidationError, match="is the value of 'Other'"):
        Questionnaire.model_validate(questionnaire(data))


def test_matrix_row_values_stay_slugs():
    data = question("matrix")
    data["rows"] = [{"value": "Row 1", "label": "A"}, {"value": "b", "label": "B"}]
    with pytest.raises(ValidationError):
        Questionnaire.model_validate(questionnaire(data))


def test_questionnaire_id_may_use_hyphens_and_underscores_but_not_capitals():
    data = questionnaire(question("short_text"))
    assert Questionnaire.model_validate({**data, "id": "needs-assessment-2"}).id
    assert Questionnaire.model_validate({**data, "id": "needs_assessment"}).id
    with pytest.raises(ValidationError) as exc:
        Questionnaire.model_validate({**data, "id": "Needs"})
    assert error_types(exc) == {"string_pattern_mismatch"}


def test_only_schema_version_1_is_accepted():
    data = questionnaire(question("short_text"))
    assert Questionnaire.model_validate(data).schema_version == 1
    with pytest.raises(ValidationError) as exc:
        Questionnaire.model_validate({**data, "schema_version": 2})
    assert error_types(exc) == {"literal_error"}


# --- show_if ----------------------------------------------------------------------


def test_show_if_equals_is_a_comparison():
    parsed = CONDITION.validate_python({"question": "q", "equals": "yes"})
    assert isinstance(parsed, Comparison)
    assert parsed.values() == ["yes"]


def test_show_if_in_is_a_comparison_with_several_values():
    parsed = CONDITION.validate_python({"question": "q", "in": ["a", 2]})
    assert isinstance(parsed, Comparison)
    assert parsed.values() == ["a", 2]


def test_show_if_answered_is_a_comparison_without_values():
    parsed = CONDITION.validate_python({"question": "q", "answered": True})
    assert isinstance(parsed, Comparison)
    assert parsed.answered is True
    assert parsed.values() == []


def test_show_if_all_any_and_not_nest():
    parsed = CONDITION.validate_python(
        {
            "all": [
                {"question": "a", "answered": True},
                {"any": [{"question": "b", "equals": 1}, {"not": {"question": "c", "in": ["x"]}}]},
                {"not": {"not": {"question": "d", "equals": "y"}}},
            ]
        }
    )
    assert isinstance(parsed, AllOf)
    assert isinstance(parsed.all[1], AnyOf)
    assert isinstance(parsed.all[2], NotOf)
    assert isinstance(parsed.all[2].not_, NotOf)
    assert [(c.question, loc) for c, loc in comparisons(parsed)] == [
        ("a", ("all", 0)),
        ("b", ("all", 1, "any", 0)),
        ("c", ("all", 1, "any", 1, "not")),
        ("d", ("all", 2, "not", "not")),
    ]


def test_show_if_with_both_equals_and_in_is_an_error():
    with pytest.raises(ValidationError) as exc:
        CONDITION.validate_python({"question": "q", "equals": "a", "in": ["a"]})
    assert error_types(exc) == {"located"}
    assert "give exactly one of 'equals', 'in', 'answered' or an ordered test" in str(exc.value)


def test_show_if_without_a_test_is_an_error():
    with pytest.raises(ValidationError) as exc:
        CONDITION.validate_python({"question": "q"})
    assert error_types(exc) == {"located"}


@pytest.mark.parametrize(
    "condition",
    [
        {"question": "q", "in": []},
        {"all": []},
        {"any": []},
        {"question": "q", "equal": "a"},
        {"question": "Q", "equals": "a"},
        {"all": [{"question": "q", "equals": "a"}], "any": []},
    ],
)
def test_malformed_show_if_is_refused(condition):
    with pytest.raises(ValidationError):
        CONDITION.validate_python(condition)


def test_error_locations_inside_a_condition_name_only_data_keys():
    """Discriminator tags in `loc` must not look like keys, or the loader keeps them."""
    with pytest.raises(ValidationError) as exc:
        CONDITION.validate_python({"all": [{"question": "q", "answered": "maybe"}]})
    [error] = exc.value.errors()
    data_keys = {"all", "question", "answered"}
    assert error["loc"][-1] == "answered"
    assert [p for p in error["loc"] if p in data_keys] == ["all", "answered"]


# --- cross-field rules on a whole questionnaire ----------------------------------


def test_questionnaire_cross_checks_show_if_against_earlier_questions():
    parsed = Questionnaire.model_validate(
        questionnaire(
            question("single_choice", "pet"),
            question("short_text", "why", show_if={"question": "pet", "in": ["a", "b"]}),
        )
    )
    assert [q.id for q in parsed.questions()] == ["pet", "why"]
    assert parsed.question("why") is not None
    assert parsed.question("nope") is None


@pytest.mark.parametrize(
    ("target", "condition"),
    [
        (question("scale", "t"), {"question": "t", "equals": 6}),
        (question("number", "t"), {"question": "t", "equals": "five"}),
        (question("country", "t"), {"question": "t", "equals": "XX"}),
        (question("short_text", "t"), {"question": "t", "equals": "hello"}),
        (question("ranking", "t"), {"question": "t", "in": ["a", "z"]}),
    ],
)
def test_show_if_values_must_be_possible_answers_of_the_target(target, condition):
    with pytest.raises(ValidationError) as exc:
        Questionnaire.model_validate(
            questionnaire(target, question("long_text", "after", show_if=condition))
        )
    assert error_types(exc) == {"located"}


@pytest.mark.parametrize(
    ("target", "condition"),
    [
        (question("scale", "t"), {"question": "t", "in": [4, 5]}),
        (question("number", "t"), {"question": "t", "equals": 3}),
        (question("country", "t"), {"question": "t", "equals": "FR"}),
        (question("short_text", "t"), {"question": "t", "answered": True}),
        (question("multi_choice", "t", other=True), {"question": "t", "equals": "_other"}),
    ],
)
def test_show_if_values_that_are_possible_answers_are_accepted(target, condition):
    parsed = Questionnaire.model_validate(
        questionnaire(target, question("long_text", "after", show_if=condition))
    )
    assert parsed.question("after") is not None


def test_correct_answers_must_be_options():
    with pytest.raises(ValidationError):
        QUESTION.validate_python(question("single_choice", correct=["z"]))
    parsed = QUESTION.validate_python(question("multi_choice", correct=["a", "b"]))
    assert isinstance(parsed, MultiChoiceQuestion)
    assert parsed.correct == ["a", "b"]


def test_piping_an_earlier_answer_in_any_language_is_accepted():
    parsed = Questionnaire.model_validate(
        {
            **questionnaire(
                question("short_text", "name"),
                question(
                    "number", "age", prompt={"en": "Age of ${name}?", "fr": "Âge de ${ name }?"}
                ),
            ),
            "languages": ["en", "fr"],
        }
    )
    assert parsed.question("age") is not None


def test_piping_a_reference_only_one_translation_names_is_an_error():
    with pytest.raises(ValidationError, match=r"'\$\{later\}' is not a question before 'age'"):
        Questionnaire.model_validate(
            {
                **questionnaire(
                    question("number", "age", prompt={"en": "Age?", "fr": "Âge de ${later}?"}),
                    question("short_text", "later"),
                ),
                "languages": ["en", "fr"],
            }
        )


def cascade(**district: Any) -> dict[str, Any]:
    """A country question, then a district question filtered by it, as plain data."""
    options = [
        {"value": "kla", "label": "Kampala", "attributes": {"country": "a"}},
        {"value": "nbo", "label": "Nairobi", "attributes": {"country": "b"}},
    ]
    return questionnaire(
        question("single_choice", "country"),
        question(
            "single_choice",
            "district",
            options=options,
            choice_filter=[{"attribute": "country", "question": "country"}],
            **district,
        ),
    )


def test_choice_filter_offers_options_whose_attribute_is_the_earlier_answer():
    from survey_app.questionnaire.answers import Choice, offered_values

    parsed = Questionnaire.model_validate(cascade(other=True))
    district = parsed.question("district")
    assert isinstance(district, SingleChoiceQuestion)
    assert offered_values(district, {"country": Choice(("b",))}) == ["nbo", OTHER_VALUE]
    assert offered_values(district, {}) == [OTHER_VALUE]


def test_choice_filter_naming_a_later_question_or_a_missing_attribute_is_an_error():
    data = cascade()
    district = data["sections"][0]["questions"][1]
    district["choice_filter"] = [{"attribute": "region", "question": "later"}]
    with pytest.raises(ValidationError) as exc:
        Questionnaire.model_validate(data)
    text = str(exc.value)
    assert "option 'kla' has no attribute 'region'" in text
    data["sections"][0]["questions"] = [district, data["sections"][0]["questions"][0]]
    district["choice_filter"] = [{"attribute": "country", "question": "country"}]
    with pytest.raises(ValidationError, match="'country' is not a question before 'district'"):
        Questionnaire.model_validate(data)
