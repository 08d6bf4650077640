"""Choice questions: options with the form's own codes, `or_other`, likert scales, files."""

from __future__ import annotations

import csv
import re
from typing import Any

from ..questionnaire.expressions import BoolOp, Compare, Constant, ExpressionError, Name, Ref, parse
from .context import CODE, SLUG_MAX, Context, extra, sheet_type, slug
from .logic import Target, unparse
from .reading import Problem
from .texts import as_text, texts

MAX_POINTS = 11


def choice_kind(
    ctx: Context, element: dict[str, Any], data: dict[str, Any], base: str
) -> str | None:
    name = element.get("name")
    if base == "select one" and extra(element, "type") == "country":
        return "country"
    options, other = _options(ctx, element)
    if options is None:
        return None
    if len(options) < 2:
        ctx.skip(
            element,
            f"'{name}': choice list '{element.get('itemset')}' has {len(options)} choice; "
            "a choice question needs at least 2; dropped",
        )
        return None
    rules: list[dict[str, str]] = []
    filter_text = str(element.get("choice_filter") or extra(element, "choice_filter"))
    if filter_text:
        rules, options = _choice_filter(ctx, element, options, dynamic=base != "rank")
    appearance = str((element.get("control") or {}).get("appearance") or "").split()
    if base == "select one" and "likert" in appearance and not other and not rules:
        scale = scale_of(options, ctx.langs.default)
        if scale is not None:
            data["scale"] = scale
            return "scale"
        ctx.change(element, f"appearance likert of '{name}': choices are not 1..n; a list")
    if rules and base == "select one" and "likert" in appearance:
        ctx.change(element, f"appearance likert of '{name}': its choices are filtered; a list")
    if other:
        data["other"] = True
    data["options"] = options
    if rules:
        data["choice_filter"] = rules
    if base == "rank":
        top = extra(element, "top")
        data["top"] = int(top) if top.isdigit() and 1 <= int(top) <= len(options) else len(options)
        return "ranking"
    _extras(element, data)
    return "single_choice" if base == "select one" else "multi_choice"


def _choice_filter(
    ctx: Context, element: dict[str, Any], options: list[dict[str, Any]], *, dynamic: bool
) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The `choice_filter` as rules on option attributes, and the options that can ever be
    offered; a filter that does not convert offers every choice, and is listed.

    `col = ${q}` (in any order, joined by `and`) becomes a rule, the choice's `col` an
    attribute; `col = 'x'` is applied once, here: choices it never offers are left out.
    """
    name = element.get("name")
    text = str(element.get("choice_filter") or extra(element, "choice_filter"))
    raw = {str(c.get("name")): c for c in element.get("choices") or ()}

    def not_applied(why: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        ctx.change(
            element,
            f"choice_filter '{text}' of '{name}' not applied ({why}): every choice of "
            f"'{element.get('itemset')}' is offered",
        )
        return [], options

    try:
        node = parse(text, bare_names=True)
    except ExpressionError as exc:
        return not_applied(str(exc))
    items = node.items if isinstance(node, BoolOp) and node.op == "and" else (node,)
    rules: list[tuple[str, Target]] = []
    fixed: list[tuple[str, str]] = []
    for item in items:
        if not isinstance(item, Compare) or item.op != "=":
            return not_applied("only column = ${question} or = 'value', joined by and")
        column, other = (
            (item.left, item.right) if isinstance(item.left, Name) else (item.right, item.left)
        )
        if not isinstance(column, Name):
            return not_applied("only column = ${question} or = 'value', joined by and")
        if isinstance(other, Constant):
            value = other.value
            fixed.append((column.name, f"{value:g}" if isinstance(value, float) else value))
        elif isinstance(other, Ref) and dynamic:
            target = ctx.targets.get(other.name)
            if target is None:
                return not_applied(f"${{{other.name}}} is not an earlier question converted here")
            rules.append((column.name, target))
        else:
            return not_applied(f"'{unparse(item)}' is not a comparison made here")

    def attribute(option: dict[str, Any], column: str) -> str:
        return str(raw.get(str(option.get("_name", option["value"])), {}).get(column) or "")

    kept = [o for o in options if all(attribute(o, c) == v for c, v in fixed)]
    if len(kept) < 2:
        return not_applied("it leaves fewer than 2 choices")
    if len(kept) < len(options):
        ctx.change(
            element,
            f"choice_filter of '{name}' never offers "
            f"{', '.join(str(o['value']) for o in options if o not in kept)}: left out",
        )
    converted = [{"attribute": slug(c, prefix="attribute"), "question": t.id} for c, t in rules]
    attributes = [
        {r["attribute"]: attribute(o, c) for r, (c, _) in zip(converted, rules, strict=True)}
        for o in kept
    ]
    missing = [o["value"] for o, a in zip(kept, attributes, strict=True) if "" in a.values()]
    if missing:
        return not_applied(f"choices {', '.join(map(str, missing[:5]))} have no value to compare")
    for option, found in zip(kept, attributes, strict=True):
        if found:
            targets = {r["attribute"]: t for r, (_, t) in zip(converted, rules, strict=True)}
            option["attributes"] = {k: _answer_value(v, targets[k]) for k, v in found.items()}
    return converted, kept


def _answer_value(value: str, target: Target) -> str | int:
    """An attribute as the answer it must equal: the option code, or a whole number."""
    if target.options:
        return target.options.get(value, value)
    if target.kind in {"number", "scale"} and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _extras(element: dict[str, Any], data: dict[str, Any]) -> None:
    """Our own columns written by export-xlsform (answer keys), read back."""
    correct = extra(element, "correct").split()
    values = {o["value"] for o in data["options"]}
    if correct and all(c in values for c in correct):
        data["correct"] = correct
    points = extra(element, "points")
    if re.fullmatch(r"\d+(\.\d+)?", points) and float(points) > 0:
        data["points"] = float(points) if "." in points else int(points)


def scale_of(options: list[dict[str, Any]], default: str) -> dict[str, Any] | None:
    """A scale when the option values are the whole numbers low..high (2 to 11 points)."""
    values = [str(o["value"]) for o in options]
    if not all(re.fullmatch(r"-?\d+", v) for v in values):
        return None
    points = [int(v) for v in values]
    low, high = min(points), max(points)
    if sorted(points) != list(range(low, high + 1)) or not 2 <= len(points) <= MAX_POINTS:
        return None
    labels = {}
    for option in options:
        label = option["label"]
        plain = label if isinstance(label, str) else label.get(default)
        if plain != option["value"]:
            labels[int(option["value"])] = label
    return {"min": low, "max": high, **({"labels": labels} if labels else {})}


def _options(ctx: Context, element: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, bool]:
    """The options ({value, label}) and whether `or_other` was used; None when dropped."""
    choices = element.get("choices")
    itemset = str(element.get("itemset") or "")
    if choices is None and itemset.endswith(".csv"):
        choices = _file_choices(ctx, element, itemset)
        if choices is None:
            return None, False
    other = bool(re.search(r"(or_other|or specify other)\s*$", sheet_type(ctx, element)))
    options: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, choice in enumerate(choices or ()):
        value = original = str(choice.get("name"))
        if other and value == "other" and i == len(choices or ()) - 1:
            continue
        row = ctx.form.choice_row(itemset, value)
        label = texts(choice.get("label"), ctx.langs)
        if not label:
            label = {ctx.langs.default: value}
        if not CODE.match(value) or len(value) > SLUG_MAX:
            new = re.sub(r"\s+", "_", value.strip())[:SLUG_MAX] or "choice"
            ctx.changed.append(
                Problem("choices", row, f"choice '{value}' of '{itemset}' is stored as '{new}'")
            )
            value = new
        if value in seen:
            ctx.skipped.append(
                Problem("choices", row, f"choice '{value}' of '{itemset}' is a duplicate; dropped")
            )
            continue
        seen.add(value)
        option = {"value": value, "label": as_text(label, ctx.langs.default)}
        if value != original:
            option["_name"] = original  # for conditions naming it; removed once read
        options.append(option)
    return options, other


def _file_choices(
    ctx: Context, element: dict[str, Any], itemset: str
) -> list[dict[str, Any]] | None:
    path = ctx.form.path.parent / itemset
    if not path.is_file():
        ctx.skip(
            element,
            f"'{element.get('name')}': choices file '{itemset}' is not next to the workbook; "
            "dropped",
        )
        return None
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    choices = []
    for row in rows:
        labels = {
            k.partition("::")[2] or "default": v
            for k, v in row.items()
            if k and k.startswith("label") and v
        }
        if row.get("name"):
            choices.append({"name": row["name"], "label": labels or row["name"]})
    return choices
