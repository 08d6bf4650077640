"""Calculations: the XPath subset evaluated over answers, and what the schema refuses."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from survey_app.questionnaire.answers import Choice
from survey_app.questionnaire.calculations import calculate
from survey_app.questionnaire.schema import Questionnaire

ANSWERS: dict[str, Any] = {
    "adults": 2,
    "children": 3,
    "ratio": 0.5,
    "name": "Ana",
    "colours": Choice(("r", "g")),
    "empty": "",
    "huge": 1e308,
}


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("${adults} + ${children}", 5),
        ("${adults} * 2 - ${children}", 1),
        ("${children} div ${adults}", 1.5),
        ("${children} mod ${adults}", 1),
        ("round(${children} div 7, 2)", 0.43),
        ("round(2.5)", 3),
        ("if(${adults} + ${children} > 4, 'large', 'small')", "large"),
        ("concat('Hello ', ${name}, ' (', ${adults}, ')')", "Hello Ana (2)"),
        ("${ratio} * 4", 2),
        ("count-selected(${colours})", 2),
        ("selected(${colours}, 'g')", "true"),
        ("string-length(${name})", 3),
        ("coalesce(${missing}, 'none')", "none"),
        ("int(7 div 2)", 3),
        ("number('4') + 1", 5),
        ("${adults} = 2 and not(${children} < 3)", "true"),
        ("${missing} < 5", "false"),  # empty is never less or more, as in ODK
        ("${missing} != 5", "true"),
        ("'2024-03-01' > '2024-02-28'", "true"),  # ISO dates order as texts
        ("round(-2.5)", -2),  # XPath: half up, towards +infinity
        ("round(1234, -2)", 1200),
        ("number(' 1e3 ')", 1000),
    ],
)
def test_supported_expressions_compute_the_value_stored(expression, value):
    assert calculate(expression, ANSWERS.get) == value


@pytest.mark.parametrize(
    "expression",
    [
        "${missing} + 1",
        "${adults} div 0",
        "${missing}",
        "concat(${empty}, '')",
        "number('inf')",  # not decimal notation: NaN, as in the browser
        "number('1_000')",
        "${huge} * 10 mod 3",  # an infinite dividend: fmod would raise
    ],
)
def test_an_unanswered_reference_or_impossible_arithmetic_stores_nothing(expression):
    assert calculate(expression, ANSWERS.get) is None


def questionnaire(*calculations: dict[str, str]) -> dict[str, Any]:
    """One number question, `adults`, and the calculations, as plain data."""
    return {
        "schema_version": 1,
        "id": "demo",
        "title": "Demo",
        "sections": [
            {
                "id": "main",
                "title": "Main",
                "questions": [{"id": "adults", "type": "number", "prompt": "Adults?"}],
            }
        ],
        "calculations": list(calculations),
    }


def test_a_calculation_may_use_questions_and_earlier_calculations():
    parsed = Questionnaire.model_validate(
        questionnaire(
            {"id": "twice", "expression": "${adults} * 2"},
            {"id": "more", "expression": "${twice} + 1"},
        )
    )
    assert [c.id for c in parsed.calculations] == ["twice", "more"]


@pytest.mark.parametrize(
    ("calculation", "message"),
    [
        ({"id": "x", "expression": "now()"}, "the function 'now()' is not supported"),
        ({"id": "x", "expression": "${adults} |"}, "not supported"),
        ({"id": "x", "expression": "${later} + 1"}, "'${later}' is not a question or an earlier"),
        ({"id": "adults", "expression": "1"}, "duplicate id 'adults'"),
        ({"id": "x", "expression": "round(1, 2, 3)"}, "'round()' takes 1 to 2 arguments"),
        ({"id": "x", "expression": "1" + "0" * 400}, "a number in the expression is too large"),
    ],
)
def test_unsupported_or_dangling_calculations_are_refused(calculation, message):
    with pytest.raises(ValidationError, match=re.escape(message)):
        Questionnaire.model_validate(questionnaire(calculation, {"id": "later", "expression": "1"}))
