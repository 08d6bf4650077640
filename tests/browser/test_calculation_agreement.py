"""The browser computes calculations exactly as the server stores them.

A table of expressions x answer sets is evaluated by calculations.py and by static/js/
calc.js in headless Chromium, on the syntax tree the page ships; every value must be the
same (the same type too: a number is never the text of a number)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Page

from survey_app.questionnaire.answers import Choice
from survey_app.questionnaire.calculations import answer_text, as_json, calculate, parsed
from tests.conftest import DATA_DIR
from tests.database import AppMaker

from .conftest import app_serving

EXPRESSIONS = [
    # arithmetic, empty answers, division by zero, decimals
    "${a} + ${b}",
    "${a} - ${b} * 2",
    "${a} div ${b}",
    "${a} div 0",
    "0 div 0",
    "${a} mod ${b}",
    "-7 mod 3",
    "${huge} * 10 mod 3",
    "${missing} + 1",
    "${missing} * 0",
    "0.1 + 0.2",
    "${ratio} * 3",
    "${tiny} * 1",
    "1 div 3",
    "100000 * 100000 * 100000 * 100000 * 10",
    # rounding
    "round(${ratio}, 2)",
    "round(-2.5)",
    "round(2.5)",
    "round(2.675, 2)",
    "round(1234.5, -2)",
    "round(${a} div 7, 3)",
    "round(${tiny}, 20)",
    "round(${missing})",
    "int(-3.7)",
    "int(${ratio})",
    "int(${huge} * 10)",
    # numbers from texts
    "number(${text})",
    "number('1e3')",
    "number(' 12 ')",
    "number('inf')",
    "number('1_000')",
    "number('.5')",
    "number('5.')",
    "number('')",
    # texts
    "concat(${name}, ' ', ${a}, ' ', ${ratio})",
    "concat('x', ${tiny})",
    "concat(${big})",
    "concat(1 div 3, '|', 0.0001, '|', 0.00001)",
    "concat(${missing}, '')",
    "concat(${a} div 0, 'x')",
    "concat(1 = 1, 2 > 3)",
    "string(${ratio} * 3)",
    "string-length(${name})",
    "string-length(${missing})",
    "coalesce(${missing}, ${a})",
    "coalesce(${name}, 'none')",
    # choices
    "selected(${colours}, 'g')",
    "selected(${colours}, 'r g')",
    "selected(${missing}, 'g')",
    "count-selected(${colours})",
    "count-selected(${missing})",
    # if() and truth
    "if(${a} > ${b}, 'a', 'b')",
    "if(${missing}, 'yes', 'no')",
    "if(${a}, 'yes', 'no')",
    "if(${ratio} div 0, 'yes', 'no')",
    "not(${missing})",
    "${a} and ${missing}",
    "${a} or 0",
    "true() and not(false())",
    # comparisons: numbers, texts, numbers vs texts, empty
    "${a} = '3'",
    "${a} = 3.0",
    "${a} != ${b}",
    "${text} > 10",
    "${text} = 9",
    "${name} > 'B'",
    "${name} < 5",
    "${a} > 'x'",
    "'abc' > '10'",
    "'Zoe' < 'Zoë'",
    "'\U0001f600' > '\uffff'",
    "${missing} < 5",
    "${missing} >= ''",
    "${missing} = ''",
    "${missing} != 0",
    "${date} > '2024-01-01'",
    "${date} <= '2023-12-31'",
    "${a} > 2 and ${b} < 5 or ${missing} = ''",
]

ANSWER_SETS: list[dict[str, Any]] = [
    {
        "a": 3,
        "b": 4,
        "ratio": 0.5,
        "name": "Zoë \U0001f600",
        "colours": Choice(("r", "g")),
        "text": "9",
        "date": dt.date(2024, 3, 1),
        "tiny": 1.5e-7,
        "big": 1e16,
        "huge": 1e308,
    },
    {},
    {
        "a": 0,
        "b": 0,
        "ratio": -2.5,
        "name": "",
        "colours": Choice(("g",), other=None),
        "text": "abc",
        "date": dt.date(2023, 12, 31),
        "tiny": 0.0,
        "big": -1e16,
        "huge": -1e308,
    },
    {
        "a": 2.5,
        "b": -1,
        "ratio": 1 / 3,
        "name": "B",
        "colours": Choice(("_other",), other="teal"),
        "text": " 12 ",
        "date": dt.date(2024, 1, 1),
        "tiny": 123456.789,
        "big": 0.1,
    },
]


def browser_value(answer: object) -> object:
    """What the page gives calc.js for an answer: a number, or the answer's text."""
    if isinstance(answer, int | float) and not isinstance(answer, bool):
        return answer
    return answer_text(answer)


@pytest.fixture
def app(make_app: AppMaker, tmp_path: Path) -> Flask:
    """The real app serving tests/data/questionnaires/calculated (a page that loads calc.js)."""
    return app_serving(make_app, tmp_path, DATA_DIR / "questionnaires" / "calculated")


def test_server_and_browser_compute_the_same_values(page: Page, live_server: str):
    page.goto(f"{live_server}/q/household-size")
    trees = [as_json(parsed(e)) for e in EXPRESSIONS]
    answer_sets = [{k: browser_value(v) for k, v in s.items()} for s in ANSWER_SETS]
    in_browser = page.evaluate(
        """([trees, answerSets]) => answerSets.map((answers) => trees.map((tree) =>
             window.SurveyCalc.evaluate(tree, (n) => n in answers ? answers[n] : null)))""",
        [trees, answer_sets],
    )
    on_server = [[calculate(e, answers.get) for e in EXPRESSIONS] for answers in ANSWER_SETS]
    differences = [
        (expression, s, server, browser)
        for s, (server_row, browser_row) in enumerate(zip(on_server, in_browser, strict=True))
        for expression, server, browser in zip(EXPRESSIONS, server_row, browser_row, strict=True)
        if server != browser or isinstance(server, str) != isinstance(browser, str)
    ]
    assert differences == []
    # The table exercises every kind of result, so agreement is not agreement on nothing.
    flat = [v for row in on_server for v in row]
    assert {type(v) for v in flat} == {type(None), int, float, str}
    assert {"true", "false"} <= set(flat)


def test_the_browser_text_of_a_value_is_the_server_text(page: Page, live_server: str):
    page.goto(f"{live_server}/q/household-size")
    numbers = [3, 3.5, 1 / 3, 1.5e-7, 1e-5, 0.0001, 1e16, 1e21, -0.5, 123456.789]
    texts = page.evaluate("(ns) => ns.map((n) => window.SurveyCalc.text(n))", numbers)
    assert texts == [answer_text(float(n)) for n in numbers]
