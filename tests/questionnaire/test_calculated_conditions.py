"""Conditions and constraints that test calculations: what the schema refuses, and how
the server evaluates them over the answers so far."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from survey_app.questionnaire.answers import (
    Choice,
    calculated_values,
    holds,
    visible_questions,
)
from survey_app.questionnaire.conditions import Comparison
from survey_app.questionnaire.describe import describe_condition
from survey_app.questionnaire.schema import Questionnaire


def form(questions: list[dict[str, Any]], *calculations: str, **extra: Any) -> dict[str, Any]:
    """One section of `questions`; calculations as `id = expression`."""
    return {
        "schema_version": 1,
        "id": "demo",
        "title": "Demo",
        "sections": [{"id": "main", "title": "Main", "questions": questions, **extra}],
        "calculations": [
            {"id": c.split(" = ")[0], "expression": c.split(" = ", 1)[1]} for c in calculations
        ],
    }


def number(qid: str, **more: Any) -> dict[str, Any]:
    return {"id": qid, "type": "number", "prompt": f"{qid}?", **more}


TOTAL = "total = ${a} + ${b}"


def test_a_show_if_a_constraint_and_a_text_may_use_a_calculation_of_earlier_answers():
    parsed = Questionnaire.model_validate(
        form(
            [
                number("a"),
                number("b", constraint={"question": "total", "at_most": 10}),
                number(
                    "c",
                    prompt="Total ${total}?",
                    show_if={"question": "total", "greater_than": 3},
                ),
            ],
            TOTAL,
        )
    )
    c = parsed.question("c")
    assert c is not None
    assert isinstance(c.show_if, Comparison)
    assert c.show_if.ordered() == (">", 3)


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        (
            [number("a", show_if={"question": "nowhere", "equals": 1}), number("b")],
            "questions.0.show_if.question: 'nowhere' is not a question before question 'a'",
        ),
        (
            [number("a"), number("b", show_if={"question": "total", "greater_than": 1})],
            "questions.1.show_if.question: calculation 'total' is computed from "
            "question 'b' itself (a cycle)",
        ),
        (
            [number("a", show_if={"question": "total", "answered": True}), number("b")],
            "questions.0.show_if.question: calculation 'total' is computed from "
            "question 'a' itself (a cycle)",
        ),
        (
            [number("a", constraint={"question": "total", "at_most": 3}), number("b")],
            "questions.0.constraint.question: calculation 'total' uses 'b', which is not "
            "answered before question 'a'",
        ),
        (
            [number("a", prompt="${total}?"), number("b")],
            "questions.0.prompt: calculation 'total' is computed from question 'a' itself",
        ),
        (
            [
                number("a"),
                number("b"),
                {
                    "id": "t",
                    "type": "short_text",
                    "prompt": "t?",
                    "show_if": {"question": "t", "greater_than": 1},
                },
            ],
            "'t' is not a question before question 't'",
        ),
        (
            [
                number("a"),
                number("b"),
                {"id": "t", "type": "short_text", "prompt": "t?"},
                number("c", show_if={"question": "t", "at_least": 1}),
            ],
            "'t' is a short_text question; ordered tests need a number, a scale or a calculation",
        ),
        (
            [
                number("a"),
                number("b"),
                number("c", show_if={"question": "total", "equals": 3, "at_least": 2}),
            ],
            "give exactly one of 'equals', 'in', 'answered' or an ordered test",
        ),
    ],
)
def test_a_calculation_used_before_its_answers_exist_is_refused_where_it_is_used(
    questions, message
):
    with pytest.raises(ValidationError) as caught:
        Questionnaire.model_validate(form(questions, TOTAL))
    problems = [
        f"{'.'.join(map(str, loc))}: {text}" if loc else text
        for error in caught.value.errors()
        for loc, text in (error.get("ctx") or {}).get("problems", [((), error["msg"])])
    ]
    assert any(message in p for p in problems), problems


def test_an_infinite_bound_is_refused():
    with pytest.raises(ValidationError, match="finite number"):
        Comparison.model_validate({"question": "total", "greater_than": float("inf")})


def test_a_section_condition_on_a_calculation_of_its_own_questions_is_refused():
    message = "calculation 'total' uses 'a', which is not answered before section 'main'"
    with pytest.raises(ValidationError, match=re.escape(message)):
        Questionnaire.model_validate(
            form([number("a"), number("b")], TOTAL, show_if={"question": "total", "at_least": 1})
        )


def test_a_calculation_of_a_calculation_carries_its_inputs():
    with pytest.raises(ValidationError, match=re.escape("calculation 'double' uses 'b'")):
        Questionnaire.model_validate(
            form(
                [
                    number("a"),
                    number("c", show_if={"question": "double", "greater_than": 1}),
                    number("b"),
                ],
                TOTAL,
                "double = ${total} * 2",
            )
        )


QUESTIONNAIRE = Questionnaire.model_validate(
    form(
        [
            number("a"),
            number("b"),
            {
                "id": "pick",
                "type": "multi_choice",
                "prompt": "Pick",
                "options": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}],
            },
            number("big", show_if={"question": "total", "greater_than": 5}),
            number("few", show_if={"question": "picked", "less_than": 2}),
            number("kind", show_if={"question": "label", "in": ["many", "none"]}),
            number("empty", show_if={"question": "total", "answered": False}),
        ],
        TOTAL,
        "picked = count-selected(${pick})",
        "label = if(${total} > 5, 'many', concat('few:', ${total}))",
    )
)


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        ({"a": 3, "b": 3}, {"big", "kind", "few"}),  # picked = 0 < 2
        ({"a": 3, "b": 2}, {"few"}),  # total = 5 is not > 5; label 'few:5'
        ({"a": 3}, {"few", "empty"}),  # total empty: > false, answered false
        ({"a": 1, "b": 1, "pick": Choice(("x", "y"))}, set()),
        ({"a": 9, "b": 1, "pick": Choice(("x",))}, {"big", "few", "kind"}),
    ],
)
def test_conditions_see_calculations_computed_from_the_answers_so_far(answers, shown):
    visible = visible_questions(QUESTIONNAIRE, answers)
    assert visible - {"a", "b", "pick"} == shown


def test_a_hidden_question_counts_as_unanswered_in_a_later_calculation():
    questionnaire = Questionnaire.model_validate(
        form(
            [
                number("a"),
                number("b", show_if={"question": "a", "answered": True}),
                number("c", show_if={"question": "total", "greater_than": 1}),
            ],
            TOTAL,
        )
    )
    assert "c" not in visible_questions(questionnaire, {"b": 5})  # b hidden: total empty
    assert "c" in visible_questions(questionnaire, {"a": 1, "b": 5})


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ({"question": "t", "equals": 5}, "5", True),  # numbers compare as numbers
        ({"question": "t", "equals": "5.0"}, 5, True),
        ({"question": "t", "equals": "abc"}, "abc", True),
        ({"question": "t", "greater_than": 5}, "abc", True),  # not both numbers: as texts
        ({"question": "t", "less_than": 5}, "abc", False),
        ({"question": "t", "at_least": 0}, None, False),  # empty is never compared
        ({"question": "t", "answered": True}, None, False),
        ({"question": "t", "answered": False}, None, True),
        ({"question": "t", "less_than": 2.5}, 2.4, True),
    ],
)
def test_a_comparison_on_a_calculation_uses_xpath_comparison(condition, value, expected):
    assert holds(Comparison.model_validate(condition), {}, {"t": value}) is expected


def test_a_stored_calculation_is_taken_as_it_is():
    # A report reads stored responses back: the stored value stands for the calculation.
    assert calculated_values(QUESTIONNAIRE, {"total": 12, "a": 1})["total"] == 12
    assert calculated_values(QUESTIONNAIRE, {"a": 1, "b": 2})["total"] == 3
    # Skip logic over stored rows (reporting/shown.py loads only what conditions name).
    assert "big" in visible_questions(QUESTIONNAIRE, {"total": 12})
    assert "big" not in visible_questions(QUESTIONNAIRE, {"total": 5})


@pytest.mark.parametrize(
    ("condition", "words"),
    [
        ({"question": "total", "greater_than": 5}, "“total” is more than 5"),
        ({"question": "a", "at_least": 1.5}, "“a?” is at least 1.5"),
        ({"question": "total", "less_than": 0}, "“total” is less than 0"),
        ({"question": "total", "at_most": 12}, "“total” is at most 12"),
        ({"question": "label", "in": ["many", 3]}, "“label” is “many” or “3”"),
    ],
)
def test_conditions_on_calculations_read_in_words(condition, words):
    assert describe_condition(Comparison.model_validate(condition), QUESTIONNAIRE) == words
