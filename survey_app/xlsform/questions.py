"""One survey row -> one question: type, texts, options, required, constraint, show_if.

Decisions:

- `text` becomes `long_text` when its appearance is `multiline` or its constraint allows
  more than 200 characters (the default limit of `short_text`), else `short_text`.
- `range` with whole steps of 1 and 2 to 11 points becomes a `scale`; `rank` becomes a
  `ranking` of every option; a choice list of fewer than 2 choices drops the question.
- A `relevant`, `constraint` part or `required` expression that does not convert is
  dropped and listed; the question stays (always shown, looser check, optional). A
  `relevant` naming a later question is such a case: listed, not an error.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .expressions import ExpressionError, parse
from .logic import Condition, Subject, Target, Unsupported, constraint_bounds, show_if
from .structure import Entry, Structure
from .texts import Languages, Texts, as_text
from .workbook import Problem

SLUG_MAX = 64
SHORT_TEXT_LIMIT = 200
LONG_TEXT_LIMIT = 20_000
#: A bounded integer with fewer answers than this can be compared with `<`, `>`...
MAX_POINTS = 21


def slug(text: str, *, prefix: str, sep: str = "_", max_length: int = SLUG_MAX) -> str:
    """`Org-Type 2` -> `org_type_2`; a result not starting with a letter gets `prefix`."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    out = re.sub(r"[^a-z0-9]+", sep, plain.lower()).strip(sep)
    if not out[:1].isalpha():
        out = f"{prefix}{sep}{out}".strip(sep)
    return out[:max_length].rstrip(sep)


def unique(candidate: str, used: set[str]) -> str:
    """`candidate`, or `candidate_2`, `candidate_3`... whichever is not in `used` (then used)."""
    out, n = candidate, 1
    while out in used:
        n += 1
        out = f"{candidate[: SLUG_MAX - len(str(n)) - 1]}_{n}"
    used.add(out)
    return out


def humanise(name: str) -> str:
    """`household_size` -> `Household size`."""
    words = re.sub(r"[_\-]+", " ", name).strip()
    return words[:1].upper() + words[1:]


@dataclass
class Context:
    """What converting rows shares: languages, converted questions, and the lists of what was
    skipped (left out) or changed (converted differently), each with its sheet and row."""

    structure: Structure
    langs: Languages
    skipped: list[Problem] = field(default_factory=list)
    changed: list[Problem] = field(default_factory=list)
    #: Converted questions by XLSForm name, for conditions on them.
    targets: dict[str, Target] = field(default_factory=dict)
    question_ids: set[str] = field(default_factory=set)
    #: (choice name, option value, label texts) by choice list, converted once.
    options_by_list: dict[str, list[tuple[str, str, Texts]]] = field(default_factory=dict)
    constraints: int = 0

    def skip(self, entry: Entry, message: str) -> None:
        """List something on the entry's row as not converted."""
        self.skipped.append(Problem("survey", entry.row.number, message))

    def change(self, entry: Entry, message: str, sheet: str = "survey") -> None:
        """List something on the entry's row as converted differently."""
        self.changed.append(Problem(sheet, entry.row.number, message))

    def texts(self, entry: Entry, column: str, sheet: str = "survey") -> Texts:
        """A row's texts, with a default-language text whenever any language has one."""
        texts = self.langs.texts(entry.row, column)
        default = self.langs.default
        if texts and default not in texts:
            code, text = next(iter(texts.items()))
            texts = {default: text, **texts}
            self.change(
                entry,
                f"{column} of '{entry.name}' has no {default} text; the {code} text is used",
                sheet,
            )
        if any("${" in text for text in texts.values()):
            self.change(
                entry,
                f"{column} of '{entry.name}' shows ${{...}} references as written "
                "(answers are not filled in)",
                sheet,
            )
        return texts

    def relevant(self, entry: Entry, owner: str, consequence: str) -> Condition | None:
        """The row's `relevant` as a `show_if`, or None (listed when it did not convert)."""
        text = entry.row.get("relevant")
        if not text:
            return None
        try:
            return show_if(parse(text), lambda name: self.lookup(name, entry.row.number))
        except (ExpressionError, Unsupported) as exc:
            self.skip(entry, f"relevant of {owner} not converted ({exc}); {consequence}")
            return None

    def lookup(self, name: str, at_row: int) -> Target:
        """The converted question a condition on row `at_row` names; Unsupported if none."""
        target = self.targets.get(name)
        if target is not None:
            return target
        entry = self.structure.by_name[name]  # read_structure refused unknown names
        row = entry.row.number
        if row == at_row:
            raise Unsupported(f"${{{name}}} is this row itself")
        if row > at_row:
            raise Unsupported(
                f"${{{name}}} is on row {row}, after this row; conditions can only refer "
                "to earlier questions"
            )
        if entry.kind == "begin_group":
            raise Unsupported(f"${{{name}}} is a group")
        if entry.kind == "note":
            raise Unsupported(f"${{{name}}} is a note")
        raise Unsupported(f"${{{name}}} (row {row}) was not converted")


@dataclass
class Built:
    """A converted question; prompt and help stay texts until notes are merged in."""

    data: dict[str, Any]
    prompt: Texts
    help: Texts | None


def build_question(ctx: Context, entry: Entry) -> Built | None:
    """The question for a survey row, or None when it is dropped (and listed)."""
    data: dict[str, Any] = {}
    kind = _kind(ctx, entry, data)
    if kind is None:
        return None
    prompt = ctx.texts(entry, "label")
    if not prompt:
        prompt = {ctx.langs.default: humanise(entry.name)}
        ctx.change(entry, f"'{entry.name}' has no label; its prompt is the name")
    help_texts = ctx.texts(entry, "hint") or None
    question_id = unique(slug(entry.name, prefix="q"), ctx.question_ids)
    if question_id != entry.name:
        ctx.change(entry, f"name '{entry.name}' becomes id '{question_id}'")
    data = {"id": question_id, "type": kind, **data}
    if _required(ctx, entry):
        data["required"] = True
    _constraint(ctx, entry, data)
    if kind == "short_text" and (
        "multiline" in entry.row.get("appearance").split()
        or data.get("max_length", 0) > SHORT_TEXT_LIMIT
    ):
        data["type"] = "long_text"
        if data.get("max_length", 0) > LONG_TEXT_LIMIT:
            data["max_length"] = LONG_TEXT_LIMIT
            ctx.change(entry, f"'{entry.name}' allows at most {LONG_TEXT_LIMIT} characters")
    condition = ctx.relevant(entry, f"'{entry.name}'", "the question is always shown")
    if condition is not None:
        data["show_if"] = condition
    ctx.targets[entry.name] = _target(ctx, entry, data)
    return Built(data, prompt, help_texts)


def _kind(ctx: Context, entry: Entry, data: dict[str, Any]) -> str | None:
    """The question type, with its type-specific keys put in `data`; None drops it."""
    base = entry.base
    if base in {"select_one", "select_multiple", "rank"}:
        options = _options(ctx, entry.list_name)
        if len(options) < 2:
            ctx.skip(
                entry,
                f"'{entry.name}' ({entry.type_text}): choice list '{entry.list_name}' has "
                f"{len(options)} choice; a choice question needs at least 2; dropped",
            )
            return None
        if entry.or_other:
            data["other"] = True
        data["options"] = [
            {"value": value, "label": as_text(label, ctx.langs.default)}
            for _, value, label in options
        ]
        if base == "rank":
            data["top"] = len(options)
            return "ranking"
        return "single_choice" if base == "select_one" else "multi_choice"
    if base in {"integer", "decimal"}:
        if base == "decimal":
            data["integer"] = False
        return "number"
    if base == "text":
        return "short_text"
    if base == "date":
        return "date"
    if base == "range":
        return _range(ctx, entry, data)
    raise AssertionError(f"unhandled question type {base}")  # structure lists every type


def _range(ctx: Context, entry: Entry, data: dict[str, Any]) -> str | None:
    params = dict.fromkeys(("start", "end", "step"), "")
    for part in re.split(r"[\s;,]+", entry.row.get("parameters")):
        key, sep, value = part.partition("=")
        if sep and key.strip().lower() in params:
            params[key.strip().lower()] = value.strip()
    # XLSForm's defaults when a parameter is left out.
    start, end, step = params["start"] or "1", params["end"] or "10", params["step"] or "1"
    try:
        low, high, stride = int(start), int(end), int(step)
    except ValueError:
        low, high, stride = 0, 0, 0
    if stride != 1 or not 1 <= high - low <= 10:
        ctx.skip(
            entry,
            f"'{entry.name}' (range start={start} end={end} step={step}): only whole "
            "ranges of 2 to 11 points in steps of 1 become scales; dropped",
        )
        return None
    data["scale"] = {"min": low, "max": high}
    return "scale"


def _options(ctx: Context, list_name: str) -> list[tuple[str, str, Texts]]:
    """(choice name, option value, label texts) of a choice list, converted once."""
    if list_name in ctx.options_by_list:
        return ctx.options_by_list[list_name]
    used: set[str] = set()
    options = []
    for choice in ctx.structure.lists.get(list_name, []):
        entry = Entry(choice.row, "question", "choice", choice.name)
        label = ctx.texts(entry, "label", "choices")
        if not label:
            label = {ctx.langs.default: choice.name}
            ctx.change(entry, f"choice '{choice.name}' has no label; its name is used", "choices")
        value = unique(slug(choice.name, prefix="opt"), used)
        options.append((choice.name, value, label))
    ctx.options_by_list[list_name] = options
    return options


def _required(ctx: Context, entry: Entry) -> bool:
    value = entry.row.get("required")
    if value.lower() in {"yes", "true", "true()", "1"}:
        return True
    if value.lower() not in {"", "no", "false", "false()", "0"}:
        ctx.skip(
            entry,
            f"required '{value}' of '{entry.name}' not converted (only yes or no "
            "converts); the question is optional",
        )
    return False


def _constraint(ctx: Context, entry: Entry, data: dict[str, Any]) -> None:
    text = entry.row.get("constraint")
    if not text:
        return
    options = len(data.get("options", [])) + bool(data.get("other"))
    subject = Subject(str(data["type"]), data.get("integer", True), options)
    try:
        bounds = constraint_bounds(parse(text), subject)
    except ExpressionError as exc:
        ctx.skip(entry, f"constraint '{text}' of '{entry.name}' not converted ({exc})")
        return
    for part, reason in bounds.dropped:
        ctx.skip(entry, f"constraint '{part}' of '{entry.name}' not converted ({reason})")
    for part, how in bounds.approximated:
        ctx.change(entry, f"constraint '{part}' of '{entry.name}' {how} (bounds include)")
    if bounds.settings:
        data.update(bounds.settings)
        ctx.constraints += 1


def _target(ctx: Context, entry: Entry, data: dict[str, Any]) -> Target:
    """What conditions on this question need: its id, type, options, possible numbers."""
    points: tuple[int, ...] | None = None
    if data["type"] == "scale":
        points = tuple(range(data["scale"]["min"], data["scale"]["max"] + 1))
    elif data["type"] == "number" and data.get("integer", True):
        low, high = data.get("min"), data.get("max")
        if low is not None and high is not None and high - low < MAX_POINTS:
            points = tuple(range(int(low), int(high) + 1))
    options = {name: value for name, value, _ in ctx.options_by_list.get(entry.list_name, [])}
    return Target(
        entry.name,
        str(data["id"]),
        str(data["type"]),
        options if entry.list_name else {},
        entry.or_other,
        points,
    )
