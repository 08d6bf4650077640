"""Calculated values (XLSForm `calculate`): an expression over the answers, stored with them.

The subset: numbers and quoted strings, `${id}` of a question or an earlier calculation,
+ - * div mod, comparisons, and/or, and the functions in FUNCTIONS. An unanswered or hidden
question is the empty string, as in ODK; arithmetic on it gives no value, which is not stored.

static/js/calc.js evaluates the same syntax tree in the browser with the same rules (number
syntax, text of numbers, rounding, NaN); tests/browser/test_calculation_agreement.py holds
the two to each other, so a change here needs the same change there.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Callable, Mapping

from .expressions import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Constant,
    ExpressionError,
    Node,
    Ref,
    calls,
    parse,
)

Value = str | float | bool
#: Function name -> (least, most) arguments.
FUNCTIONS: dict[str, tuple[int, int]] = {
    "if": (3, 3),
    "concat": (1, 50),
    "round": (1, 2),
    "number": (1, 1),
    "int": (1, 1),
    "string": (1, 1),
    "coalesce": (2, 2),
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (1, 1),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
}


@functools.lru_cache(maxsize=512)
def parsed(expression: str) -> Node:
    """The syntax tree of a calculation; ExpressionError outside the subset."""
    node = parse(expression, arithmetic=True)
    if not all(math.isfinite(c) for c in _numbers(node)):
        # JSON (the browser's copy of the expression) has no infinity.
        raise ExpressionError("a number in the expression is too large")
    for call in calls(node):
        if call.name not in FUNCTIONS:
            raise ExpressionError(f"the function '{call.name}()' is not supported")
        least, most = FUNCTIONS[call.name]
        if not least <= len(call.args) <= most:
            raise ExpressionError(f"'{call.name}()' takes {least} to {most} arguments")
    return node


def _numbers(node: Node) -> list[float]:
    """Every number written in the expression."""
    if isinstance(node, Constant):
        return [node.value] if isinstance(node.value, float) else []
    if isinstance(node, Arith | Compare):
        return _numbers(node.left) + _numbers(node.right)
    if isinstance(node, BoolOp):
        return [n for item in node.items for n in _numbers(item)]
    if isinstance(node, Call):
        return [n for arg in node.args for n in _numbers(arg)]
    return []


def calculate(expression: str, value_of: Callable[[str], object]) -> str | int | float | None:
    """The value of a calculation as stored (a number, or a non-empty text), or None."""
    return stored(_eval(parsed(expression), value_of))


def evaluate(node: Node, value_of: Callable[[str], object]) -> str | int | float | None:
    """The value of a parsed expression as `calculate` stores it."""
    return stored(_eval(node, value_of))


def stored(result: Value) -> str | int | float | None:
    """An expression's value as stored: "true"/"false", a finite number or a text, or None."""
    if isinstance(result, bool):
        return "true" if result else "false"
    if isinstance(result, float):
        if not math.isfinite(result):
            return None
        return int(result) if result.is_integer() else result
    return result or None


def as_json(node: Node) -> dict[str, object]:
    """The syntax tree as plain data for static/js/calc.js, which evaluates it (never eval)."""
    if isinstance(node, Ref):
        return {"ref": node.name}
    if isinstance(node, Constant):
        return {"const": node.value}
    if isinstance(node, Arith | Compare):
        return {"op": node.op, "args": [as_json(node.left), as_json(node.right)]}
    if isinstance(node, BoolOp):
        return {"bool": node.op, "items": [as_json(item) for item in node.items]}
    if isinstance(node, Call):
        return {"call": node.name, "args": [as_json(arg) for arg in node.args]}
    raise ExpressionError(f"'{node}' cannot be calculated")


def answer_text(answer: object) -> str:
    """An answer as XLSForm expressions see it: codes separated by spaces, numbers as text."""
    values = getattr(answer, "values", None)
    if isinstance(values, tuple):
        return " ".join(values)
    if answer is None or isinstance(answer, Mapping):
        return ""
    if isinstance(answer, tuple):
        return " ".join(answer)
    if isinstance(answer, dt.date):
        return answer.isoformat()
    if isinstance(answer, float):
        return _number_text(answer)
    return str(answer)


#: What number() accepts: decimal notation with an optional exponent, nothing else (no
#: "inf", "1_000" or non-ASCII digits, which Python's float() would take and JS would not).
_NUMBER = re.compile(
    r"[ \t\n\r\f\v]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\f\v]*"
)


def _number(value: Value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    return float(value) if _NUMBER.fullmatch(value) else math.nan


def _text(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value) if math.isfinite(value) else ""
    return value


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _truth(value: Value) -> bool:
    if isinstance(value, str):
        return value != ""
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return value


def _eval(node: Node, value_of: Callable[[str], object]) -> Value:
    if isinstance(node, Ref):
        answer = value_of(node.name)
        if isinstance(answer, int | float) and not isinstance(answer, bool):
            return float(answer)
        return answer_text(answer)
    if isinstance(node, Constant):
        return node.value
    if isinstance(node, Arith):
        left, right = _number(_eval(node.left, value_of)), _number(_eval(node.right, value_of))
        return _arith(node.op, left, right)
    if isinstance(node, Compare):
        return _compare(node, _eval(node.left, value_of), _eval(node.right, value_of))
    if isinstance(node, BoolOp):
        truths = (_truth(_eval(item, value_of)) for item in node.items)
        return all(truths) if node.op == "and" else any(truths)
    if isinstance(node, Call):
        return _call(node, value_of)
    raise ExpressionError(f"'{node}' cannot be calculated")  # Dot, Name: refused by parse


def _arith(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if right == 0 or math.isnan(left) or math.isnan(right):
        return math.nan
    if op == "div":
        return left / right
    # fmod refuses an infinite dividend (ValueError); JS's % gives NaN.
    return math.fmod(left, right) if math.isfinite(left) else math.nan


def _compare(node: Compare, left: Value, right: Value) -> bool:
    return compare(node.op, left, right)


def compare(op: str, left: Value, right: Value) -> bool:
    """`left op right`: as numbers when both are numbers, else as texts (by code point, so
    ISO dates order); < <= > >= with an empty text are false."""
    a, b = _number(left), _number(right)
    if not (math.isnan(a) or math.isnan(b)):
        pair: tuple[float | str, float | str] = (a, b)
    else:
        pair = (_text(left), _text(right))
    x, y = pair
    if op == "=":
        return x == y
    if op == "!=":
        return x != y
    if x == "" or y == "":
        return False  # an empty (unanswered) value is never less or more, as in ODK
    ops: dict[str, Callable[[object, object], bool]] = {
        "<": lambda p, q: p < q,  # type: ignore[operator]
        "<=": lambda p, q: p <= q,  # type: ignore[operator]
        ">": lambda p, q: p > q,  # type: ignore[operator]
        ">=": lambda p, q: p >= q,  # type: ignore[operator]
    }
    return ops[op](x, y)


def _call(node: Call, value_of: Callable[[str], object]) -> Value:
    args = node.args
    if node.name == "if":
        chosen = args[1] if _truth(_eval(args[0], value_of)) else args[2]
        return _eval(chosen, value_of)
    values = [_eval(a, value_of) for a in args]
    if node.name == "concat":
        return "".join(_text(v) for v in values)
    if node.name == "round":
        places = _number(values[1]) if len(values) == 2 else 0.0
        digits = max(-15, min(15, int(places))) if math.isfinite(places) else 0
        number = _number(values[0])
        if not math.isfinite(number) or abs(number) > 1e15:
            return number
        # XPath rounds half up (towards +infinity: -2.5 -> -2), not to even as Python's
        # round() does. Scales are exact powers of ten, so JS computes the same float.
        if digits >= 0:
            scale = float(10**digits)
            return math.floor(number * scale + 0.5) / scale
        scale = float(10**-digits)
        return math.floor(number / scale + 0.5) * scale
    if node.name == "number":
        return _number(values[0])
    if node.name == "int":
        number = _number(values[0])
        return float(math.trunc(number)) if math.isfinite(number) else number
    if node.name == "string":
        return _text(values[0])
    if node.name == "coalesce":
        return values[0] if _text(values[0]) else values[1]
    if node.name == "selected":
        return _text(values[1]) in _text(values[0]).split()
    if node.name == "count-selected":
        return float(len(_text(values[0]).split()))
    if node.name == "string-length":
        return float(len(_text(values[0])))
    if node.name == "not":
        return not _truth(values[0])
    return node.name == "true"
