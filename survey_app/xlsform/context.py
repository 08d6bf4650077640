"""What converting pyxform's elements shares: the lists of changes, ids, converted questions."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from ..questionnaire.calculations import parsed
from ..questionnaire.expressions import ExpressionError, parse
from ..questionnaire.expressions import references as expression_references
from ..questionnaire.pipes import REFERENCE
from .logic import Condition, Target, Unsupported, show_if
from .reading import ROW, Form, Problem, cell
from .texts import BLANK, Languages, Texts, pipe_references, references, texts

SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
CODE = re.compile(r"^[^\s]+$")
SLUG_MAX = 64


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
    #: Every `calculate` row by name, in row order (read before the walk).
    calculate_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Calculations converted so far by name: `{id, expression}`.
    calculations: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Rows whose `constraint_message` became a question's `constraint_message`.
    message_rows: set[int] = field(default_factory=set)

    def skip(self, element: dict[str, Any], message: str) -> None:
        """List something of the element's row as left out."""
        self.skipped.append(Problem("survey", element.get(ROW), message))

    def change(self, element: dict[str, Any], message: str) -> None:
        """List something of the element's row as converted differently."""
        self.changed.append(Problem("survey", element.get(ROW), message))

    def texts(self, element: dict[str, Any], key: str) -> Texts:
        """An element's label or hint; `${name}` of an earlier question is piped in (as
        `${id}`), any other reference shows as a blank, and is listed."""
        found = texts(element.get(key), self.langs)
        names = references(found)
        ids = {n: self.targets[n].id for n in names if n in self.targets}
        for n in names:
            if n not in self.targets and n in self.calculate_rows:
                with contextlib.suppress(Unsupported):  # else listed below as a blank
                    ids[n] = self.calculation(n).id
        unknown = [n for n in names if n not in ids]
        if unknown:
            shown = ", ".join(f"${{{n}}}" for n in unknown)
            self.change(
                element,
                f"{key} of '{element.get('name')}' shows {shown} as {BLANK} (not an earlier "
                "question or a calculation of earlier answers converted here: only those "
                "are piped into texts)",
            )
        return pipe_references(found, ids)

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
        if name in self.calculate_rows:
            return self.calculation(name)
        if name == element.get("name"):
            raise Unsupported(f"${{{name}}} is this row itself")
        raise Unsupported(
            f"${{{name}}} is not an earlier question converted here (a later row, a group, "
            "a note or a dropped row)"
        )

    def calculation(self, name: str, within: tuple[str, ...] = ()) -> Target:
        """The `calculate` row `name` as a calculation of the answers converted so far
        (converted now if need be); Unsupported when it uses anything else."""
        done = self.calculations.get(name)
        if done is None:
            element = self.calculate_rows[name]
            text = str((element.get("bind") or {}).get("calculate") or "")
            try:
                node = parsed(text)
            except ExpressionError as exc:
                raise Unsupported(
                    f"the calculation ${{{name}}} is not computed here ({exc})"
                ) from None
            ids: dict[str, str] = {}
            earlier = list(self.calculate_rows)[: list(self.calculate_rows).index(name)]
            for ref in dict.fromkeys(r.name for r in expression_references(node)):
                if ref in self.targets:
                    ids[ref] = self.targets[ref].id
                elif ref in earlier and ref not in within:
                    ids[ref] = self.calculation(ref, (*within, name)).id
                else:
                    raise Unsupported(
                        f"the calculation ${{{name}}} uses ${{{ref}}}, which is not an "
                        "earlier question or calculation converted here"
                    )
            expression = REFERENCE.sub(lambda m: f"${{{ids[m.group(1).strip()]}}}", text)
            done = {"id": question_id(self, element), "expression": expression}
            self.calculations[name] = done
        return Target(name, done["id"], "calculation")


@dataclass
class Built:
    """A converted question; prompt and help stay texts until notes are merged in."""

    data: dict[str, Any]
    prompt: Texts
    help: Texts | None
    #: The element's `relevant` as written, to match notes shown under the same condition.
    relevant: str = ""


def sheet_type(ctx: Context, element: dict[str, Any]) -> str:
    """The `type` cell of the element's row as written (for messages and `or_other`)."""
    row = element.get(ROW)
    rows = ctx.form.sheets.survey or ()
    if row is None or row - 2 >= len(rows):
        return str(element.get("type"))
    return cell(rows[row - 2], "type") or str(element.get("type"))


def question_id(ctx: Context, element: dict[str, Any]) -> str:
    """The element's name as an id; a name that is not a slug is changed, and listed."""
    name = str(element.get("name"))
    candidate = name if SLUG.match(name) and len(name) <= SLUG_MAX else slug(name, prefix="q")
    value = unique(candidate, ctx.question_ids)
    if value != name:
        ctx.change(element, f"name '{name}' becomes id '{value}' (ids are lower-case slugs)")
    return value


def extra(element: dict[str, Any], key: str) -> str:
    """A `survey_app::key` column (written by export-xlsform), or ""."""
    extra = element.get("survey_app")
    return str(extra.get(key) or "").strip() if isinstance(extra, dict) else ""
