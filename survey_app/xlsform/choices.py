"""Choice questions: options with the form's own codes, `or_other`, likert scales, files."""

from __future__ import annotations

import csv
import re
from typing import Any

from .context import CODE, SLUG_MAX, Context, extra, sheet_type
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
    filter_text = element.get("choice_filter")
    if filter_text:
        ctx.change(
            element,
            f"choice_filter '{filter_text}' of '{name}' not applied: every choice of "
            f"'{element.get('itemset')}' is offered",
        )
    appearance = str((element.get("control") or {}).get("appearance") or "").split()
    if base == "select one" and "likert" in appearance and not other:
        scale = scale_of(options, ctx.langs.default)
        if scale is not None:
            data["scale"] = scale
            return "scale"
        ctx.change(element, f"appearance likert of '{name}': choices are not 1..n; a list")
    if other:
        data["other"] = True
    data["options"] = options
    if base == "rank":
        top = extra(element, "top")
        data["top"] = int(top) if top.isdigit() and 1 <= int(top) <= len(options) else len(options)
        return "ranking"
    _extras(element, data)
    return "single_choice" if base == "select one" else "multi_choice"


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
