"""XLSForm `relevant` -> `show_if`, and `constraint` -> min/max/max_length.

Each function takes the parsed expression (see `expressions`) and raises `Unsupported`
with a reason for anything it cannot express exactly, so the caller can list it.

| XLSForm `relevant`                           | `show_if`                                      |
| -------------------------------------------- | ---------------------------------------------- |
| `${q} = 'v'` (select_one), `${q} = 3` (number)| `{question: q, equals: v}`                     |
| `${q} != 'v'`                                | `{not: {question: q, equals: v}}`              |
| `selected(${q}, 'v')`                        | `{question: q, equals: v}` (contains, for multi)|
| `${q} != ''`, `string-length(${q}) > 0`,     | `{question: q, answered: true}`                |
| `count-selected(${q}) > 0`                   |                                                |
| `${q} = ''`, `count-selected(${q}) = 0`      | `{question: q, answered: false}`               |
| `${q} > 3` (scale, bounded integer, select_one| `{question: q, in: [4, 5]}` (the answers that  |
| with numeric choice names)                   | satisfy it)                                    |
| `${q} > 3` (any other number question)       | `{question: q, greater_than: 3}` (also         |
|                                              | `at_least`, `less_than`, `at_most`)            |
| `${c} > 3`, `${c} = 'v'`, `${c} = ''`         | the same tests of the calculation `c` (a       |
| (`c` a `calculate` row)                      | `calculate` row of earlier answers only)       |
| `a and b`, `a or b`, `not(a)`, `( ... )`     | `all: [...]`, `any: [...]`, `not: ...`         |

Unanswered questions behave as in ODK: `${q} != 'v'` and `not(...)` hold, comparisons don't.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..questionnaire.expressions import (
    MIRRORED,
    Arith,
    BoolOp,
    Call,
    Compare,
    CompareOp,
    Constant,
    Dot,
    Name,
    Node,
    Ref,
)
from ..questionnaire.questions import OTHER_VALUE

Condition = dict[str, Any]


class Unsupported(Exception):
    """The expression (or part of it) has no exact equivalent; the message says why."""


@dataclass(frozen=True)
class Target:
    """What a condition needs to know about a converted question it refers to."""

    name: str
    id: str
    kind: str
    #: XLSForm choice name -> option value, for choice questions.
    options: Mapping[str, str] = field(default_factory=dict)
    other: bool = False
    #: Every possible numeric answer, when there are few (scales, bounded integers).
    points: tuple[int, ...] | None = None


Lookup = Callable[[str], Target]


def unparse(node: Node) -> str:
    """The expression as XLSForm text, for messages."""
    if isinstance(node, Ref):
        return f"${{{node.name}}}"
    if isinstance(node, Dot):
        return "."
    if isinstance(node, Constant):
        return f"'{node.value}'" if node.quoted else _number_text(float(node.value))
    if isinstance(node, Call):
        return f"{node.name}({', '.join(unparse(a) for a in node.args)})"
    if isinstance(node, Compare | Arith):
        return f"{unparse(node.left)} {node.op} {unparse(node.right)}"
    if isinstance(node, Name):
        return node.name
    inner = f" {node.op} ".join(
        f"({unparse(i)})" if isinstance(i, BoolOp) else unparse(i) for i in node.items
    )
    return inner


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _holds(left: float, op: CompareOp, right: float) -> bool:
    return {
        "=": left == right,
        "!=": left != right,
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
    }[op]


def _literal_number(node: Constant) -> float:
    if isinstance(node.value, float):
        return node.value
    try:
        number = float(node.value)
    except ValueError:
        raise Unsupported(f"'{node.value}' is not a number") from None
    if not math.isfinite(number):
        raise Unsupported(f"'{node.value}' is not a number")
    return number


# --- relevant -> show_if ----------------------------------------------------------


def show_if(node: Node, lookup: Lookup) -> Condition:
    """The `show_if` equivalent of a `relevant` expression; raise Unsupported otherwise."""
    if isinstance(node, BoolOp):
        key = "all" if node.op == "and" else "any"
        items: list[Condition] = []
        for item in node.items:
            condition = show_if(item, lookup)
            items += condition[key] if list(condition) == [key] else [condition]
        if key == "any":
            items = _merge_alternatives(items)
        return items[0] if len(items) == 1 else {key: items}
    if isinstance(node, Call):
        return _call_condition(node, lookup)
    if isinstance(node, Compare):
        return _compare_condition(node, lookup)
    raise Unsupported(f"'{unparse(node)}' is not a test")


def _merge_alternatives(items: list[Condition]) -> list[Condition]:
    """`any` of `equals`/`in` tests on one question -> one `in` test (easier to read)."""
    merged: list[Condition] = []
    for item in items:
        values = _tested_values(item)
        previous = next(
            (m for m in merged if _tested_values(m) and m["question"] == item.get("question")),
            None,
        )
        if values and previous is not None:
            known = _tested_values(previous)
            previous.pop("equals", None)
            previous["in"] = known + [v for v in values if v not in known]
        else:
            merged.append(dict(item))
    return merged


def _tested_values(condition: Condition) -> list[Any]:
    if "equals" in condition:
        return [condition["equals"]]
    return list(condition.get("in", []))


def _call_condition(node: Call, lookup: Lookup) -> Condition:
    if node.name == "not":
        if len(node.args) != 1:
            raise Unsupported("not() takes one argument")
        return {"not": show_if(node.args[0], lookup)}
    if node.name == "selected":
        if len(node.args) != 2 or not isinstance(node.args[0], Ref):
            raise Unsupported("selected() needs a ${question} and a choice name")
        choice = node.args[1]
        if not isinstance(choice, Constant):
            raise Unsupported("selected() needs a choice name in quotes")
        target = lookup(node.args[0].name)
        if target.kind not in {"single_choice", "multi_choice"}:
            raise Unsupported(f"${{{target.name}}} is not a select question")
        return {"question": target.id, "equals": _option_value(target, choice)}
    raise Unsupported(f"the function {node.name}() is not supported")


def _option_value(target: Target, literal: Constant) -> str:
    name = literal.value if literal.quoted else _number_text(float(literal.value))
    assert isinstance(name, str)  # noqa: S101 -- quoted literals are strings
    if name in target.options:
        return target.options[name]
    if name == "other" and target.other:
        return OTHER_VALUE
    raise Unsupported(f"'{name}' is not a choice of ${{{target.name}}}")


def _compare_condition(node: Compare, lookup: Lookup) -> Condition:
    left, op, right = node.left, node.op, node.right
    if isinstance(left, Constant) and not isinstance(right, Constant):
        left, op, right = right, MIRRORED[op], left
    if not isinstance(right, Constant):
        raise Unsupported(f"'{unparse(node)}' compares two values that are not constants")
    if isinstance(left, Call) and left.name in {"count-selected", "string-length"}:
        if len(left.args) != 1 or not isinstance(left.args[0], Ref):
            raise Unsupported(f"{left.name}() needs one ${{question}}")
        target = lookup(left.args[0].name)
        if target.kind == "calculation" and left.name == "count-selected":
            raise Unsupported(f"count-selected() of the calculation ${{{target.name}}}")
        return _answered_test(target, op, _literal_number(right), unparse(node))
    if isinstance(left, Call):
        raise Unsupported(f"the function {left.name}() is not supported")
    if not isinstance(left, Ref):
        raise Unsupported(f"'{unparse(node)}' does not test a question")
    target = lookup(left.name)
    if target.kind == "calculation":
        return _calculated_condition(target, op, right, unparse(node))
    if right.quoted and right.value == "":
        if op in {"=", "!="}:
            return {"question": target.id, "answered": op == "!="}
        raise Unsupported(f"'{unparse(node)}' compares with an empty text")
    if op in {"=", "!="}:
        test = {"question": target.id, "equals": _equal_value(target, right)}
        return test if op == "=" else {"not": test}
    return _ordered_values(target, op, right)


#: XPath operator -> the ordered test of a comparison.
ORDERED_KEYS: dict[CompareOp, str] = {
    ">": "greater_than",
    ">=": "at_least",
    "<": "less_than",
    "<=": "at_most",
}


def _calculated_condition(target: Target, op: CompareOp, right: Constant, text: str) -> Condition:
    """A calculation compared with a constant: the same XPath comparison of its value."""
    if right.quoted and right.value == "":
        if op in {"=", "!="}:
            return {"question": target.id, "answered": op == "!="}
        raise Unsupported(f"'{text}' compares with an empty text")
    if op in {"=", "!="}:
        value = right.value if right.quoted else _number(_literal_number(right))
        test = {"question": target.id, "equals": value}
        return test if op == "=" else {"not": test}
    return {"question": target.id, ORDERED_KEYS[op]: _number(_literal_number(right))}


def _answered_test(target: Target, op: CompareOp, number: float, text: str) -> Condition:
    """A count or length compared with a number, as a test of "answered at all".

    Counts and lengths are 0 exactly when the question is unanswered, so `> 0`, `>= 1` and
    `!= 0` mean answered, and `= 0`, `< 1` mean not answered; other limits have no equivalent.
    """
    zero = _holds(0, op, number)
    positive = [_holds(n, op, number) for n in range(1, 100)]
    if not zero and all(positive):
        return {"question": target.id, "answered": True}
    if zero and not any(positive):
        return {"question": target.id, "answered": False}
    raise Unsupported(f"'{text}' tests a count or length; only answered or not converts")


def _equal_value(target: Target, literal: Constant) -> str | int | float:
    if target.kind == "single_choice":
        return _option_value(target, literal)
    if target.kind == "multi_choice":
        raise Unsupported(
            f"${{{target.name}}} is a select_multiple; '=' compares the whole answer "
            "(use selected())"
        )
    if target.kind in {"number", "scale"}:
        return _number(_literal_number(literal))
    raise Unsupported(
        f"${{{target.name}}} is a {target.kind} question; only tests for an empty answer convert"
    )


def _ordered_values(target: Target, op: CompareOp, literal: Constant) -> Condition:
    number = _literal_number(literal)
    values: list[Any]
    if target.points is not None:
        values = [p for p in target.points if _holds(p, op, number)]
    elif target.kind == "number":
        # Any number may be answered: the ordered test itself.
        return {"question": target.id, ORDERED_KEYS[op]: _number(number)}
    elif (
        target.kind == "single_choice"
        and target.options
        and all(_NUMERIC.match(name) for name in target.options)
    ):
        values = [v for name, v in target.options.items() if _holds(float(name), op, number)]
    else:
        raise Unsupported(
            f"${{{target.name}}} has no short list of possible answers to compare "
            f"with '{op} {_number_text(number)}'"
        )
    if not values:
        raise Unsupported(f"no answer to ${{{target.name}}} is {op} {_number_text(number)}")
    return {"question": target.id, "in": values}


_NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


# --- constraint -> bounds ---------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """The question a constraint belongs to."""

    kind: str
    integer: bool = True
    option_count: int = 0


@dataclass
class Bounds:
    """What a constraint converted to (keys of the question) and what it could not."""

    settings: dict[str, Any] = field(default_factory=dict)
    #: (part of the expression, reason) for each part that was dropped or approximated.
    dropped: list[tuple[str, str]] = field(default_factory=list)
    approximated: list[tuple[str, str]] = field(default_factory=list)


def constraint_bounds(node: Node, subject: Subject) -> Bounds:
    """Bounds from `. >= 0 and . <= 60`, `string-length(.) <= 200`, `count-selected(.) <= 3`...

    Each `and`-part converts on its own: dropping one only loosens the check.
    """
    bounds = Bounds()
    if isinstance(node, BoolOp) and node.op == "or":
        bounds.dropped.append((unparse(node), "'or' in a constraint is not supported"))
        return bounds
    parts = node.items if isinstance(node, BoolOp) else (node,)
    lower: Any = None
    upper: Any = None
    for part in parts:
        try:
            key, value, exact = _bound(part, subject)
        except Unsupported as exc:
            bounds.dropped.append((unparse(part), str(exc)))
            continue
        if not exact:
            bounds.approximated.append((unparse(part), f"kept as {key}: {value}"))
        if key in {"min", "max"}:
            if key == "min":
                lower = value if lower is None else max(lower, value)
            else:
                upper = value if upper is None else min(upper, value)
        else:
            previous = bounds.settings.get(key)
            bounds.settings[key] = value if previous is None else min(previous, value)
    if lower is not None and upper is not None and lower > upper:
        bounds.dropped.append((unparse(node), f"no answer is both >= {lower} and <= {upper}"))
        return bounds
    if subject.kind == "multi_choice" and upper is not None and upper > subject.option_count:
        upper = None  # "at most 5" of 4 options is no limit at all
    if subject.kind == "multi_choice" and lower is not None and lower > subject.option_count:
        bounds.dropped.append(
            (unparse(node), f"asks for at least {lower} of {subject.option_count} options")
        )
        lower = None
    if lower is not None:
        bounds.settings["min"] = lower
    if upper is not None:
        bounds.settings["max"] = upper
    length = bounds.settings.get("max_length")
    if length is not None and length < 1:
        del bounds.settings["max_length"]
        bounds.dropped.append((unparse(node), "allows no text at all"))
    return bounds


def _bound(part: Node, subject: Subject) -> tuple[str, Any, bool]:
    """(key, value, exact) for one comparison of `.` (or a function of it) with a constant."""
    if isinstance(part, Call):
        raise Unsupported(f"the function {part.name}() is not supported")
    if not isinstance(part, Compare):
        raise Unsupported("only comparisons with a constant convert")
    left, op, right = part.left, part.op, part.right
    if _is_constant(left) and not _is_constant(right):
        left, op, right = right, MIRRORED[op], left
    if isinstance(right, Call) and right.name in {"today", "now"}:
        raise Unsupported(f"{right.name}() changes every day; only fixed dates convert")
    if not _is_constant(right):
        raise Unsupported("only comparisons with a constant convert")
    if op == "!=":
        raise Unsupported("'!=' has no min/max equivalent")
    if isinstance(left, Dot):
        if subject.kind == "number":
            return _number_bound(op, _literal_number(_constant(right)), subject.integer)
        if subject.kind == "date":
            return _date_bound(op, right)
        raise Unsupported(f"constraints on {subject.kind} questions are not converted")
    if isinstance(left, Call) and len(left.args) == 1 and isinstance(left.args[0], Dot):
        number = _literal_number(_constant(right))
        if left.name == "string-length" and subject.kind in {"short_text", "long_text"}:
            if op in {"<", "<="}:
                return "max_length", _whole_below(op, number), True
            raise Unsupported("a minimum length is not supported")
        if left.name == "count-selected" and subject.kind == "multi_choice":
            if op == "=":
                raise Unsupported("an exact number of picks is not supported; use min and max")
            key = "max" if op in {"<", "<="} else "min"
            value = _whole_below(op, number) if key == "max" else _whole_above(op, number)
            return key, value, True
    raise Unsupported(f"'{unparse(part)}' is not a min, max or length limit")


def _is_constant(node: Node) -> bool:
    return isinstance(node, Constant) or (isinstance(node, Call) and node.name == "date")


def _constant(node: Node) -> Constant:
    if isinstance(node, Constant):
        return node
    raise Unsupported(f"'{unparse(node)}' is not a number")


def _whole_below(op: CompareOp, number: float) -> int:
    return math.ceil(number) - 1 if op == "<" else math.floor(number)


def _whole_above(op: CompareOp, number: float) -> int:
    return math.floor(number) + 1 if op == ">" else math.ceil(number)


def _number_bound(op: CompareOp, number: float, integer: bool) -> tuple[str, Any, bool]:
    if op == "=":
        raise Unsupported("'=' in a number constraint is not supported")
    key = "min" if op in {">", ">="} else "max"
    if integer:
        value = _whole_above(op, number) if key == "min" else _whole_below(op, number)
        return key, value, True
    # A decimal's strict bound has no exact inclusive equivalent: keep it, say so.
    return key, _number(number), op in {">=", "<="}


def _date_bound(op: CompareOp, node: Node) -> tuple[str, Any, bool]:
    if isinstance(node, Call):
        if len(node.args) != 1 or not isinstance(node.args[0], Constant):
            raise Unsupported("date() needs a date in quotes")
        node = node.args[0]
    assert isinstance(node, Constant)  # noqa: S101 -- _is_constant allows nothing else
    text = node.value if node.quoted else _number_text(float(node.value))
    try:
        day = dt.date.fromisoformat(str(text))
    except ValueError:
        raise Unsupported(f"'{text}' is not a date (YYYY-MM-DD)") from None
    if op == "=":
        raise Unsupported("'=' in a date constraint is not supported")
    if op == ">":
        return "min", day + dt.timedelta(days=1), True
    if op == "<":
        return "max", day - dt.timedelta(days=1), True
    return ("min" if op == ">=" else "max"), day, True
