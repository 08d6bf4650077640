"""One element of pyxform's form model -> one question of ours, listing what changed.

| XLSForm                                   | questionnaire                                        |
| ----------------------------------------- | ---------------------------------------------------- |
| select_one, select_multiple, rank         | single_choice, multi_choice, ranking; codes kept     |
| `or_other`                                | `other: true` (choice `other` is stored as `_other`) |
| select_one with `likert` and choices 1..n | scale (the codes are the points)                     |
| select_one_from_file x.csv                | choices read from x.csv next to the workbook         |
| integer, decimal, range (steps of 1)      | number, number, scale                                |
| text (`multiline`: long_text)             | short_text / long_text, length from the constraint   |
| date (dateTime: date, time: short_text)   | date; the approximations are listed                  |
| `constraint` on `.`                       | min/max/max_length (see logic.constraint_bounds)     |
| `constraint` on other rows, calculations  | `constraint` (a condition), `constraint_message`     |
"""

from __future__ import annotations

import json
from typing import Any

from ..questionnaire.expressions import (
    Arith,
    BoolOp,
    Call,
    Compare,
    Dot,
    ExpressionError,
    Node,
    parse,
)
from .choices import MAX_POINTS, choice_kind
from .context import Built, Context, extra, question_id, sheet_type
from .logic import Condition, Subject, Target, Unsupported, constraint_bounds, show_if, unparse
from .reading import ROW
from .texts import as_text

LONG_TEXT_LIMIT = 20000
TEXT_TYPES = {"text", "string", "q string", "add text prompt"}
INTEGER_TYPES = {"integer", "int", "q int", "add integer prompt"}
DECIMAL_TYPES = {"decimal", "q decimal", "add decimal prompt"}
DATE_TYPES = {"date", "q date", "add date prompt"}
DATETIME_TYPES = {"dateTime", "datetime", "date time", "q date time", "q dateTime"}
#: Recorded here anyway: every response has its submission time.
RECORDED_META = {"start", "end", "today", "start time", "end time", "get start time"}
#: Facts about the device or the person's account, which a browser form does not collect.
DEVICE_META = {
    "deviceid",
    "device id",
    "get device id",
    "imei",
    "uri:deviceid",
    "subscriberid",
    "subscriber id",
    "uri:subscriberid",
    "simserial",
    "sim id",
    "uri:simserial",
    "phonenumber",
    "uri:phonenumber",
    "username",
    "uri:username",
    "email",
    "uri:email",
    "audit",
    "background-audio",
    "start-geopoint",
    "background-geopoint",
}
#: Appearances with an equivalent (or none needed) here; others are listed as ignored.
QUIET_APPEARANCES = {"multiline", "field-list", "likert", "list-nolabel", "label", "table-list"}


def build_question(ctx: Context, element: dict[str, Any]) -> Built | None:
    """The question for an element, or None when it is dropped (and listed)."""
    name = str(element.get("name"))
    calculation = str((element.get("bind") or {}).get("calculate") or "")
    if is_hidden(element):
        ctx.skip(
            element,
            f"'{name}' is set by the form ({calculation or 'a trigger'}) and not shown; dropped",
        )
        return None
    data: dict[str, Any] = {}
    kind = _kind(ctx, element, data)
    if kind is None:
        return None
    if calculation:
        ctx.change(
            element,
            f"calculation '{calculation}' of '{name}' is not done here; the participant answers",
        )
    prompt = ctx.texts(element, "label")
    if not prompt:
        prompt = {ctx.langs.default: name}
        ctx.change(element, f"'{name}' has no label; its prompt is the name")
    help_texts = ctx.texts(element, "hint") or None
    data = {"id": question_id(ctx, element), "type": kind, **data}
    if _required(ctx, element):
        data["required"] = True
    rules = _constraint(ctx, element, data)
    if kind == "short_text":
        appearance = str((element.get("control") or {}).get("appearance") or "")
        if "multiline" in appearance.split():
            data["type"] = "long_text"
    condition, failed = ctx.relevant(element, f"'{name}'")
    if condition is not None:
        data["show_if"] = condition
    if failed:
        data.pop("required", None)
    _appearance(ctx, element)
    ctx.targets[name] = _target(element, data)
    _constraint_condition(ctx, element, data, rules)
    return Built(data, prompt, help_texts, str((element.get("bind") or {}).get("relevant") or ""))


def is_hidden(element: dict[str, Any]) -> bool:
    """A value ODK sets without showing it: triggered, with no label or hint."""
    return bool(element.get("trigger")) and not element.get("label") and not element.get("hint")


def is_question(element: dict[str, Any]) -> bool:
    """An element of the form a participant answers (for the share of questions kept)."""
    kind = str(element.get("type"))
    return (
        element.get(ROW) is not None
        and kind not in {"note", "calculate", *RECORDED_META, *DEVICE_META}
        and not is_hidden(element)
    )


def _appearance(ctx: Context, element: dict[str, Any]) -> None:
    appearance = str((element.get("control") or {}).get("appearance") or "")
    ignored = [a for a in appearance.split() if a not in QUIET_APPEARANCES]
    if ignored:
        ctx.change(
            element,
            f"appearance '{' '.join(ignored)}' of '{element.get('name')}' has no equivalent "
            "here; shown the standard way",
        )


def _kind(ctx: Context, element: dict[str, Any], data: dict[str, Any]) -> str | None:
    """The question type, with its type-specific keys put in `data`; None drops it."""
    base = str(element.get("type"))
    name = element.get("name")
    if base in {"select one", "select all that apply", "rank"}:
        return choice_kind(ctx, element, data, base)
    if base in INTEGER_TYPES | DECIMAL_TYPES:
        if base in DECIMAL_TYPES:
            data["integer"] = False
        unit = extra(element, "unit")
        if unit:
            data["unit"] = json.loads(unit) if unit.startswith("{") else unit
        return "number"
    if base in TEXT_TYPES:
        data["max_length"] = LONG_TEXT_LIMIT
        return "short_text"
    if base in DATE_TYPES:
        return "date"
    if base in DATETIME_TYPES:
        ctx.change(element, f"'{name}' (dateTime) asks for the date only")
        return "date"
    if base == "time":
        ctx.change(element, f"'{name}' (time) is a short text (e.g. 14:30)")
        data["max_length"] = 20
        return "short_text"
    if base in {"phone number", "phonenumber"} and element.get("label"):
        ctx.change(element, f"'{name}' (phone number) is a short text; its format is not checked")
        data["max_length"] = 30
        return "short_text"
    if base == "barcode":
        ctx.change(element, f"'{name}' (barcode) is typed in as a short text")
        data["max_length"] = 200
        return "short_text"
    if base == "range":
        return _range(ctx, element, data)
    if base in DEVICE_META:
        ctx.skip(element, f"'{name}' ({base}): device metadata is not collected here; dropped")
        return None
    ctx.skip(
        element, f"'{name}' ({sheet_type(ctx, element)}): no equivalent question type; dropped"
    )
    return None


def _range(ctx: Context, element: dict[str, Any], data: dict[str, Any]) -> str | None:
    params = element.get("parameters") or {}
    start, end, step = (str(params.get(k, d)) for k, d in (("start", 1), ("end", 10), ("step", 1)))
    try:
        low, high, stride = int(start), int(end), int(step)
    except ValueError:
        low, high, stride = 0, 0, 0
    if stride == 1 and 1 <= high - low <= 10:
        data["scale"] = {"min": low, "max": high}
        return "scale"
    try:
        data.update({"integer": float(step).is_integer(), "min": float(start), "max": float(end)})
    except ValueError:
        ctx.skip(element, f"'{element.get('name')}' (range {start}..{end}): dropped")
        return None
    ctx.change(element, f"'{element.get('name')}' (range {start}..{end} step {step}) is a number")
    return "number"


def _required(ctx: Context, element: dict[str, Any]) -> bool:
    value = str((element.get("bind") or {}).get("required") or "").strip().lower()
    if value in {"yes", "true", "true()", "1"}:
        return True
    if value not in {"", "no", "false", "false()", "0"}:
        ctx.skip(
            element,
            f"required '{value}' of '{element.get('name')}' not converted (only yes or no "
            "converts); the question is optional",
        )
    return False


def _constraint(ctx: Context, element: dict[str, Any], data: dict[str, Any]) -> list[Node]:
    """Bounds from the parts of the constraint that test the answer itself (`.`); the
    parts that do not (`${total} <= 12`) are returned, to convert as a condition."""
    text = str((element.get("bind") or {}).get("constraint") or "")
    if not text or data["type"] == "scale":
        return []
    name = element.get("name")
    options = len(data.get("options", [])) + bool(data.get("other"))
    subject = Subject(str(data["type"]), data.get("integer", True), options)
    try:
        node = parse(text)
    except ExpressionError as exc:
        ctx.skip(element, f"constraint '{text}' of '{name}' not converted ({exc})")
        return []
    parts = list(node.items) if isinstance(node, BoolOp) and node.op == "and" else [node]
    own = [p for p in parts if _tests_itself(p)]
    others = [p for p in parts if not _tests_itself(p)]
    if not own:
        return others
    bounds = constraint_bounds(own[0] if len(own) == 1 else BoolOp("and", tuple(own)), subject)
    for part, reason in bounds.dropped:
        ctx.skip(element, f"constraint '{part}' of '{name}' not converted ({reason})")
    for part, how in bounds.approximated:
        ctx.change(element, f"constraint '{part}' of '{name}' {how} (bounds include)")
    if bounds.settings:
        data.update(bounds.settings)
        ctx.constraints += 1
    return others


def _tests_itself(node: Node) -> bool:
    """Whether the expression uses `.`, the answer being checked."""
    if isinstance(node, Dot):
        return True
    if isinstance(node, Call):
        return any(_tests_itself(a) for a in node.args)
    if isinstance(node, Compare | Arith):
        return _tests_itself(node.left) or _tests_itself(node.right)
    if isinstance(node, BoolOp):
        return any(_tests_itself(i) for i in node.items)
    return False


def _constraint_condition(
    ctx: Context, element: dict[str, Any], data: dict[str, Any], parts: list[Node]
) -> None:
    """Constraint parts on other answers or calculations (`${total} <= 12`) as the
    question's `constraint` condition, with the row's `constraint_message`."""
    name = element.get("name")
    conditions: list[Condition] = []
    for part in parts:
        try:
            conditions.append(show_if(part, lambda ref: ctx.lookup(ref, element)))
        except Unsupported as exc:
            ctx.skip(element, f"constraint '{unparse(part)}' of '{name}' not converted ({exc})")
    if not conditions:
        return
    data["constraint"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
    message = (element.get("bind") or {}).get("jr:constraintMsg")
    shim = {"name": name, ROW: element.get(ROW), "constraint_message": message}
    found = ctx.texts(shim, "constraint_message")
    if found:
        data["constraint_message"] = as_text(found, ctx.langs.default)
        if element.get(ROW) is not None:
            ctx.message_rows.add(element[ROW])
    ctx.constraints += 1


def _target(element: dict[str, Any], data: dict[str, Any]) -> Target:
    """What conditions on this question need: its id, type, options, possible numbers."""
    points: tuple[int, ...] | None = None
    kind = str(data["type"])
    if kind == "scale":
        points = tuple(range(data["scale"]["min"], data["scale"]["max"] + 1))
    elif kind == "number" and data.get("integer", True):
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and high - low < MAX_POINTS:
            points = tuple(range(int(low), int(high) + 1))
    options = {o.pop("_name", o["value"]): o["value"] for o in data.get("options", [])}
    if kind == "country":
        kind = "single_choice"
    return Target(
        str(element.get("name")), str(data["id"]), kind, options, bool(data.get("other")), points
    )
