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
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .expressions import ExpressionError, parse
from .logic import Condition, Subject, Target, Unsupported, constraint_bounds, show_if
from .reading import ROW, Form, Problem
from .texts import Languages, Texts, as_text, blank_references, references, texts

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
CODE = re.compile(r"^[^\s]+$")
SLUG_MAX = 64
LONG_TEXT_LIMIT = 20000
MAX_POINTS = 11
TEXT_TYPES = {"text", "string", "q string", "add text prompt"}
INTEGER_TYPES = {"integer", "int", "q int", "add integer prompt"}
DECIMAL_TYPES = {"decimal", "q decimal", "add decimal prompt"}
DATE_TYPES = {"date", "q date", "add date prompt"}
DATETIME_TYPES = {"dateTime", "datetime", "date time", "q date time", "q dateTime"}
#: Recorded here anyway: every response has its submission time.
RECORDED_META = {"start", "end", "today", "start time", "end time", "get start time"}
#: Appearances with an equivalent (or none needed) here; others are listed as ignored.
QUIET_APPEARANCES = {"multiline", "field-list", "likert", "list-nolabel", "label", "table-list"}


def slug(text: str, *, prefix: str, max_length: int = SLUG_MAX) -> str:
    """A slug for an id: lower case, `_` for anything else, a prefix if it starts badly."""
    value = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or prefix
    if not value[0].isalpha():
        value = f"{prefix}_{value}"
    return value[:max_length]


def unique(candidate: str, used: set[str]) -> str:
    """`candidate`, or `candidate_2`, `_3`... when already used; records the result."""
    value, n = candidate, 1
    while value in used:
        n += 1
        value = f"{candidate[: SLUG_MAX - len(str(n)) - 1]}_{n}"
    used.add(value)
    return value


@dataclass
class Context:
    """What converting elements shares: languages, converted questions, and what was
    skipped (left out) or changed (converted differently), each with its sheet and row."""

    form: Form
    langs: Languages
    skipped: list[Problem] = field(default_factory=list)
    changed: list[Problem] = field(default_factory=list)
    #: Converted questions by XLSForm name, for conditions on them.
    targets: dict[str, Target] = field(default_factory=dict)
    question_ids: set[str] = field(default_factory=set)
    constraints: int = 0

    def skip(self, element: dict[str, Any], message: str) -> None:
        """List something of the element's row as left out."""
        self.skipped.append(Problem("survey", element.get(ROW), message))

    def change(self, element: dict[str, Any], message: str) -> None:
        """List something of the element's row as converted differently."""
        self.changed.append(Problem("survey", element.get(ROW), message))

    def texts(self, element: dict[str, Any], key: str) -> Texts:
        """An element's label or hint; `${name}` references shown as blanks, and listed."""
        found = texts(element.get(key), self.langs)
        names = references(found)
        if names:
            shown = ", ".join(f"${{{n}}}" for n in names)
            self.change(
                element,
                f"{key} of '{element.get('name')}' shows {shown} as {'___'} "
                "(answers are not piped into texts here)",
            )
            found = blank_references(found)
        return found

    def relevant(self, element: dict[str, Any], owner: str) -> tuple[Condition | None, bool]:
        """The element's `relevant` as a `show_if`, and whether it failed to convert."""
        text = str((element.get("bind") or {}).get("relevant") or "")
        if not text:
            return None, False
        try:
            return show_if(parse(text), lambda name: self.lookup(name, element)), False
        except (ExpressionError, Unsupported) as exc:
            self.skip(
                element,
                f"relevant '{text}' of {owner} not converted ({exc}); always shown, and optional",
            )
            return None, True

    def lookup(self, name: str, element: dict[str, Any]) -> Target:
        """The converted question a condition names; Unsupported when there is none."""
        target = self.targets.get(name)
        if target is not None:
            return target
        if name == element.get("name"):
            raise Unsupported(f"${{{name}}} is this row itself")
        raise Unsupported(
            f"${{{name}}} is not an earlier question converted here (a later row, a group, "
            "a note, a calculation or a dropped row)"
        )


@dataclass
class Built:
    """A converted question; prompt and help stay texts until notes are merged in."""

    data: dict[str, Any]
    prompt: Texts
    help: Texts | None


def sheet_type(ctx: Context, element: dict[str, Any]) -> str:
    """The `type` cell of the element's row as written (for messages and `or_other`)."""
    row = element.get(ROW)
    rows = ctx.form.sheets.survey or ()
    if row is None or row - 2 >= len(rows):
        return str(element.get("type"))
    return str(rows[row - 2].get("type") or element.get("type"))


def question_id(ctx: Context, element: dict[str, Any]) -> str:
    """The element's name as an id; a name that is not a slug is changed, and listed."""
    name = str(element.get("name"))
    candidate = name if SLUG.match(name) and len(name) <= SLUG_MAX else slug(name, prefix="q")
    value = unique(candidate, ctx.question_ids)
    if value != name:
        ctx.change(element, f"name '{name}' becomes id '{value}' (ids are lower-case slugs)")
    return value


def build_question(ctx: Context, element: dict[str, Any]) -> Built | None:
    """The question for an element, or None when it is dropped (and listed)."""
    data: dict[str, Any] = {}
    kind = _kind(ctx, element, data)
    if kind is None:
        return None
    name = str(element.get("name"))
    prompt = ctx.texts(element, "label")
    if not prompt:
        prompt = {ctx.langs.default: name}
        ctx.change(element, f"'{name}' has no label; its prompt is the name")
    help_texts = ctx.texts(element, "hint") or None
    data = {"id": question_id(ctx, element), "type": kind, **data}
    if _required(ctx, element):
        data["required"] = True
    _constraint(ctx, element, data)
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
    return Built(data, prompt, help_texts)


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
        return _choice_kind(ctx, element, data, base)
    if base in INTEGER_TYPES | DECIMAL_TYPES:
        if base in DECIMAL_TYPES:
            data["integer"] = False
        unit = _extra(element, "unit")
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
    if base == "barcode":
        ctx.change(element, f"'{name}' (barcode) is typed in as a short text")
        data["max_length"] = 200
        return "short_text"
    if base == "range":
        return _range(ctx, element, data)
    ctx.skip(
        element, f"'{name}' ({sheet_type(ctx, element)}): no equivalent question type; dropped"
    )
    return None


def _choice_kind(
    ctx: Context, element: dict[str, Any], data: dict[str, Any], base: str
) -> str | None:
    name = element.get("name")
    if base == "select one" and _extra(element, "type") == "country":
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
        extra = element.get("survey_app") or {}
        top = str(extra.get("top") or "") if isinstance(extra, dict) else ""
        data["top"] = int(top) if top.isdigit() and 1 <= int(top) <= len(options) else len(options)
        return "ranking"
    _extras(element, data)
    return "single_choice" if base == "select one" else "multi_choice"


def _extra(element: dict[str, Any], key: str) -> str:
    """A `survey_app::key` column (written by export-xlsform), or ""."""
    extra = element.get("survey_app")
    return str(extra.get(key) or "").strip() if isinstance(extra, dict) else ""


def _extras(element: dict[str, Any], data: dict[str, Any]) -> None:
    """Our own columns written by export-xlsform (answer keys), read back."""
    extra = element.get("survey_app")
    if not isinstance(extra, dict):
        return
    correct = str(extra.get("correct") or "").split()
    values = {o["value"] for o in data["options"]}
    if correct and all(c in values for c in correct):
        data["correct"] = correct
    points = str(extra.get("points") or "")
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
        value = str(choice.get("name"))
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
        options.append({"value": value, "label": as_text(label, ctx.langs.default)})
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


def _constraint(ctx: Context, element: dict[str, Any], data: dict[str, Any]) -> None:
    text = str((element.get("bind") or {}).get("constraint") or "")
    if not text or data["type"] == "scale":
        return
    name = element.get("name")
    options = len(data.get("options", [])) + bool(data.get("other"))
    subject = Subject(str(data["type"]), data.get("integer", True), options)
    try:
        bounds = constraint_bounds(parse(text), subject)
    except ExpressionError as exc:
        ctx.skip(element, f"constraint '{text}' of '{name}' not converted ({exc})")
        return
    for part, reason in bounds.dropped:
        ctx.skip(element, f"constraint '{part}' of '{name}' not converted ({reason})")
    for part, how in bounds.approximated:
        ctx.change(element, f"constraint '{part}' of '{name}' {how} (bounds include)")
    if bounds.settings:
        data.update(bounds.settings)
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
    options = {o["value"]: o["value"] for o in data.get("options", [])}
    if kind == "country":
        kind = "single_choice"
    return Target(
        str(element.get("name")), str(data["id"]), kind, options, bool(data.get("other")), points
    )
