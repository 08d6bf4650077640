"""The expression parser, `relevant` -> `show_if` and `constraint` -> bounds, one rule each."""

from __future__ import annotations

import datetime as dt

import pytest

from survey_app.questionnaire.expressions import (
    BoolOp,
    Call,
    Compare,
    Constant,
    Dot,
    ExpressionError,
    Ref,
    parse,
    tokenize,
)
from survey_app.xlsform.logic import (
    Subject,
    Target,
    Unsupported,
    constraint_bounds,
    show_if,
)

TARGETS = {
    t.name: t
    for t in (
        Target("colour", "colour", "single_choice", {"red": "red", "green": "green"}),
        Target("fav", "fav", "single_choice", {"a": "a", "b": "b"}, other=True),
        Target("langs", "langs", "multi_choice", {"en": "en", "fr": "fr"}),
        Target("level", "level", "single_choice", {"1": "opt_1", "2": "opt_2", "3": "opt_3"}),
        Target("age", "age", "number"),
        Target("rating", "rating", "scale", points=(1, 2, 3, 4, 5)),
        Target("name", "name", "short_text"),
        Target("My-Name", "my_name", "short_text"),
        Target("total", "total", "calculation"),
    )
}


def lookup(name: str) -> Target:
    return TARGETS[name]


def test_tokenizer_splits_references_literals_operators_and_names():
    tokens = tokenize("selected(${q}, 'v') and . >= -1.5")
    assert [(t.kind, t.text) for t in tokens] == [
        ("name", "selected"),
        ("punct", "("),
        ("ref", "${q}"),
        ("punct", ","),
        ("string", "'v'"),
        ("punct", ")"),
        ("name", "and"),
        ("dot", "."),
        ("op", ">="),
        ("number", "-1.5"),
    ]


def test_parser_builds_precedence_and_over_or():
    node = parse("${a} = 'x' or ${b} != 2 and not(${c} = '')")
    assert node == BoolOp(
        "or",
        (
            Compare("=", Ref("a"), Constant("x", quoted=True)),
            BoolOp(
                "and",
                (
                    Compare("!=", Ref("b"), Constant(2.0, quoted=False)),
                    Call("not", (Compare("=", Ref("c"), Constant("", quoted=True)),)),
                ),
            ),
        ),
    )


def test_parser_reads_dot_and_function_calls_in_constraints():
    assert parse("string-length(.) <= 200") == Compare(
        "<=", Call("string-length", (Dot(),)), Constant(200.0, quoted=False)
    )


@pytest.mark.parametrize(
    ("relevant", "expected"),
    [
        ("${colour} = 'red'", {"question": "colour", "equals": "red"}),
        ("'red' = ${colour}", {"question": "colour", "equals": "red"}),
        ("${colour} != 'red'", {"not": {"question": "colour", "equals": "red"}}),
        ('${colour}="red"', {"question": "colour", "equals": "red"}),
        ("selected(${langs}, 'fr')", {"question": "langs", "equals": "fr"}),
        ("selected(${colour}, 'green')", {"question": "colour", "equals": "green"}),
        ("not(selected(${langs}, 'fr'))", {"not": {"question": "langs", "equals": "fr"}}),
        ("selected(${fav}, 'other')", {"question": "fav", "equals": "_other"}),
        ("${name} != ''", {"question": "name", "answered": True}),
        ("${name} = ''", {"question": "name", "answered": False}),
        ("string-length(${name}) > 0", {"question": "name", "answered": True}),
        ("count-selected(${langs}) >= 1", {"question": "langs", "answered": True}),
        ("count-selected(${langs}) = 0", {"question": "langs", "answered": False}),
        ("${rating} > 3", {"question": "rating", "in": [4, 5]}),
        ("${rating} <= 2", {"question": "rating", "in": [1, 2]}),
        ("3 < ${rating}", {"question": "rating", "in": [4, 5]}),
        ("${rating} = 5", {"question": "rating", "equals": 5}),
        ("${level} >= 2", {"question": "level", "in": ["opt_2", "opt_3"]}),
        ("${level} = 1", {"question": "level", "equals": "opt_1"}),
        ("${age} = 18", {"question": "age", "equals": 18}),
        ("${age} = '18'", {"question": "age", "equals": 18}),
        ("${age} != 2.5", {"not": {"question": "age", "equals": 2.5}}),
        ("${My-Name} != ''", {"question": "my_name", "answered": True}),
        (
            "${colour} = 'red' or ${colour} = 'green'",
            {"question": "colour", "in": ["red", "green"]},
        ),
        (
            "${colour} = 'red' and ${langs} = '' and ${rating} = 1",
            {
                "all": [
                    {"question": "colour", "equals": "red"},
                    {"question": "langs", "answered": False},
                    {"question": "rating", "equals": 1},
                ]
            },
        ),
        (
            "(${colour} = 'red' or ${rating} > 4) and not(${name} = '')",
            {
                "all": [
                    {
                        "any": [
                            {"question": "colour", "equals": "red"},
                            {"question": "rating", "in": [5]},
                        ]
                    },
                    {"not": {"question": "name", "answered": False}},
                ]
            },
        ),
        (
            "((${colour} = 'red'))",
            {"question": "colour", "equals": "red"},
        ),
        ("${age} > 18", {"question": "age", "greater_than": 18}),
        ("18 >= ${age}", {"question": "age", "at_most": 18}),
        ("${total} > 5", {"question": "total", "greater_than": 5}),
        ("${total} <= 2.5", {"question": "total", "at_most": 2.5}),
        ("${total} >= '3'", {"question": "total", "at_least": 3}),
        ("${total} < 0", {"question": "total", "less_than": 0}),
        ("${total} = 'large'", {"question": "total", "equals": "large"}),
        ("${total} != 4", {"not": {"question": "total", "equals": 4}}),
        ("${total} != ''", {"question": "total", "answered": True}),
        ("string-length(${total}) = 0", {"question": "total", "answered": False}),
    ],
)
def test_relevant_converts_to_show_if(relevant, expected):
    assert show_if(parse(relevant), lookup) == expected


@pytest.mark.parametrize(
    ("relevant", "reason"),
    [
        ("${name} > 18", "${name} has no short list of possible answers to compare with '> 18'"),
        ("count-selected(${total}) > 0", "count-selected() of the calculation ${total}"),
        ("${total} > ''", "'${total} > ''' compares with an empty text"),
        (
            "${langs} = 'fr'",
            "${langs} is a select_multiple; '=' compares the whole answer (use selected())",
        ),
        (
            "${name} = 'Bob'",
            "${name} is a short_text question; only tests for an empty answer convert",
        ),
        ("${colour} = 'purple'", "'purple' is not a choice of ${colour}"),
        ("selected(${age}, '3')", "${age} is not a select question"),
        ("${rating} > 5", "no answer to ${rating} is > 5"),
        ("regex(${name}, '^A')", "the function regex() is not supported"),
        ("${colour} = ${fav}", "'${colour} = ${fav}' compares two values that are not constants"),
        (
            "string-length(${name}) > 3",
            "'string-length(${name}) > 3' tests a count or length; only answered or not converts",
        ),
        ("${name}", "'${name}' is not a test"),
    ],
)
def test_relevant_without_an_equivalent_says_why(relevant, reason):
    with pytest.raises(Unsupported) as caught:
        show_if(parse(relevant), lookup)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("${age} + 1 > 3", "the operator '+' is not supported"),
        ("${age} div 2 > 3", "the operator 'div' is not supported"),
        ("/data/age > 3", "absolute paths are not supported"),
        ("position(..) = 1", "'..' paths are not supported"),
        ("${colour} = 'red' and", "the expression ends too early"),
        ("${colour} = 'red')", "unexpected ')'"),
        ("1 < ${age} < 5", "chained comparisons are not supported"),
        ("${age} # 3", "unexpected '#'"),
        ("   ", "the expression is empty"),
    ],
)
def test_parser_refuses_what_it_does_not_understand(text, reason):
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert str(caught.value) == reason


@pytest.mark.parametrize(
    ("constraint", "subject", "settings"),
    [
        (". >= 0 and . <= 60", Subject("number"), {"min": 0, "max": 60}),
        (". > 0", Subject("number"), {"min": 1}),
        (". < 10.5", Subject("number"), {"max": 10}),
        ("0 <= .", Subject("number"), {"min": 0}),
        (". >= 1 and . >= 3 and . <= 9 and . <= 7", Subject("number"), {"min": 3, "max": 7}),
        (". >= 0.5 and . <= 99.5", Subject("number", integer=False), {"min": 0.5, "max": 99.5}),
        ("string-length(.) <= 200", Subject("short_text"), {"max_length": 200}),
        ("string-length(.) < 201", Subject("short_text"), {"max_length": 200}),
        ("count-selected(.) <= 3", Subject("multi_choice", option_count=5), {"max": 3}),
        (
            "count-selected(.) >= 1 and count-selected(.) < 3",
            Subject("multi_choice", option_count=5),
            {"min": 1, "max": 2},
        ),
        ("count-selected(.) <= 9", Subject("multi_choice", option_count=4), {}),
        (
            ". >= date('2020-01-01') and . < '2025-01-01'",
            Subject("date"),
            {"min": dt.date(2020, 1, 1), "max": dt.date(2024, 12, 31)},
        ),
    ],
)
def test_constraint_converts_to_bounds(constraint, subject, settings):
    bounds = constraint_bounds(parse(constraint), subject)
    assert bounds.settings == settings
    assert bounds.dropped == []
    assert bounds.approximated == []


def test_strict_bound_on_a_decimal_is_kept_inclusive_and_reported():
    bounds = constraint_bounds(parse(". > 0"), Subject("number", integer=False))
    assert bounds.settings == {"min": 0}
    assert bounds.approximated == [(". > 0", "kept as min: 0")]


@pytest.mark.parametrize(
    ("constraint", "subject", "settings", "dropped"),
    [
        (
            ". >= date('2020-01-01') and . <= today()",
            Subject("date"),
            {"min": dt.date(2020, 1, 1)},
            [(". <= today()", "today() changes every day; only fixed dates convert")],
        ),
        (
            ". >= 2020",
            Subject("date"),
            {},
            [(". >= 2020", "'2020' is not a date (YYYY-MM-DD)")],
        ),
        (
            ". >= 10 and . <= 5",
            Subject("number"),
            {},
            [(". >= 10 and . <= 5", "no answer is both >= 10 and <= 5")],
        ),
        (
            ". < 0 or . > 10",
            Subject("number"),
            {},
            [(". < 0 or . > 10", "'or' in a constraint is not supported")],
        ),
        (
            "regex(., '^[0-9]+$')",
            Subject("short_text"),
            {},
            [("regex(., '^[0-9]+$')", "the function regex() is not supported")],
        ),
        (
            "string-length(.) >= 5 and string-length(.) <= 50",
            Subject("short_text"),
            {"max_length": 50},
            [("string-length(.) >= 5", "a minimum length is not supported")],
        ),
        (
            ". != 3 and . <= ${limit}",
            Subject("number"),
            {},
            [
                (". != 3", "'!=' has no min/max equivalent"),
                (". <= ${limit}", "only comparisons with a constant convert"),
            ],
        ),
        (
            "count-selected(.) >= 5",
            Subject("multi_choice", option_count=4),
            {},
            [("count-selected(.) >= 5", "asks for at least 5 of 4 options")],
        ),
        (
            ". = 'yes'",
            Subject("single_choice"),
            {},
            [(". = 'yes'", "constraints on single_choice questions are not converted")],
        ),
    ],
)
def test_constraint_parts_without_an_equivalent_are_dropped_with_a_reason(
    constraint, subject, settings, dropped
):
    bounds = constraint_bounds(parse(constraint), subject)
    assert bounds.settings == settings
    assert bounds.dropped == dropped
