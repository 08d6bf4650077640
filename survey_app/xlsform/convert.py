"""pyxform's form model -> questionnaire data, in the file's key order.

Decisions (the README's "Importing an XLSForm" says the same for authors):

- Groups become sections. Nested groups flatten: each run of questions at one nesting level
  is a section titled with the group titles joined by " — " and shown only when every
  enclosing group's `relevant` holds. Questions outside any group go into sections titled
  with the form title.
- A repeat becomes a repeated section ("Add another"; see repeats.py for its bounds and
  when it stays answered once). A loop over a choice list is answered once: its questions
  become a section, listed as approximated.
- A group of selects on one choice list (`table-list`, or `label` + `list-nolabel`)
  becomes a matrix when the choices are the points 1..n of a scale.
- A note without a condition goes with the next question: into the questionnaire's intro
  before every question, into the section's intro when that question opens a section,
  otherwise in front of the question's help. A note with a condition is listed and dropped.
- `choice_filter` `col = ${q}` becomes option attributes and a filter on them; `col = 'x'`
  leaves out the choices it never offers; other filters offer every choice (listed).
- `calculate` rows in the supported subset become calculations (computed on submit and
  stored); others, device metadata, geo and media questions are dropped; start/end/today
  are what every response records anyway (its submission time); each is listed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..questionnaire.calculations import parsed
from ..questionnaire.expressions import ExpressionError, references
from ..questionnaire.pipes import REFERENCE
from .context import Built, Context, question_id, slug, unique
from .logic import Condition
from .matrix import matrix_of
from .questions import RECORDED_META, build_question, is_question
from .reading import ROW, Problem, XLSFormError, read_form
from .repeats import repeat_settings, settle_repeats
from .texts import Texts, as_text, detect_languages, join, texts

#: Key order of the written file: what a reader looks for first comes first.
QUESTIONNAIRE_KEYS = (
    "schema_version",
    "id",
    "title",
    "intro",
    "languages",
    "sections",
    "calculations",
)
SECTION_KEYS = ("id", "title", "intro", "show_if", "repeat", "questions")
QUESTION_KEYS = (
    "id",
    "type",
    "prompt",
    "help",
    "required",
    "integer",
    "min",
    "max",
    "unit",
    "max_length",
    "scale",
    "rows",
    "top",
    "other",
    "choice_filter",
    "options",
    "correct",
    "points",
    "show_if",
    "constraint",
    "constraint_message",
)
TITLE_SEPARATOR = " — "
PARAGRAPH = "\n\n"
#: Survey columns read; any other non-empty column is listed as ignored where used.
READ_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "relevant",
        "constraint",
        "appearance",
        "parameters",
        "choice_filter",
        "calculation",
        "repeat_count",
        "survey_app",
    }
)
SECTION_TYPES = {"group", "repeat", "loop"}


@dataclass(frozen=True)
class Conversion:
    """A converted form: the questionnaire data and what was left out or changed."""

    questionnaire: dict[str, Any]
    languages: tuple[str, ...]
    skipped: tuple[Problem, ...]
    changed: tuple[Problem, ...]
    constraints: int = 0
    #: Questions in the form (inputs a participant answers), to tell what share was kept.
    form_questions: int = 0
    #: What pyxform itself warns about in the form, as it says it.
    warnings: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The questionnaire id (also the default file name)."""
        return str(self.questionnaire["id"])

    def questions(self) -> list[dict[str, Any]]:
        """Every converted question in order."""
        return [q for s in self.questionnaire["sections"] for q in s["questions"]]

    def type_counts(self) -> Counter[str]:
        """How many questions of each type."""
        return Counter(str(q["type"]) for q in self.questions())

    def conditions(self) -> int:
        """How many questions and sections have a `show_if`."""
        items = [*self.questionnaire["sections"], *self.questions()]
        return sum("show_if" in item for item in items)


def convert_workbook(path: Path) -> Conversion:
    """Read an XLSForm with pyxform and convert it; raise XLSFormError when it cannot be."""
    form = read_form(path)
    notes: list[Problem] = []
    langs = detect_languages(form.model, notes)
    ctx = Context(form, langs)
    ctx.changed += notes
    return _Converter(ctx).run()


def count_questions(element: dict[str, Any]) -> int:
    """Elements a participant answers: not groups, notes, calculations or metadata."""
    total = 0
    for child in element.get("children", ()):
        kind = str(child.get("type"))
        if kind in SECTION_TYPES:
            total += count_questions(child)
        elif is_question(child):
            total += 1
    return total


@dataclass
class _Frame:
    """An open group: its element, title texts and converted condition."""

    element: dict[str, Any]
    title: Texts
    condition: Condition | None
    #: Its `relevant` did not convert: the questions inside cannot be required.
    optional: bool = False
    #: A repeat's `repeat:` settings; None for a group.
    repeat: dict[str, Any] | None = None


@dataclass
class _Note:
    """A note waiting for the next question (`relevant` as written, "" when none)."""

    element: dict[str, Any]
    texts: Texts
    before_any_question: bool
    relevant: str = ""


def _answered_once(kind: str, element: dict[str, Any]) -> str:
    """What happens to a loop here, and the flat form that asks it for several items."""
    first = next((c.get("name") for c in element.get("children", ()) if c.get(ROW)), None)
    copies = f" (e.g. '{first}_1', '{first}_2')" if first else ""
    return (
        f"{kind} '{element.get('name')}' is answered once here (no 'add another'); its "
        "questions become a section. To ask them for several items, copy them per item"
        f"{copies} in the workbook"
    )


@dataclass
class _Converter:
    """Walks the model, keeping the open groups, sections and waiting notes."""

    ctx: Context
    sections: list[dict[str, Any]] = field(default_factory=list)
    section_ids: set[str] = field(default_factory=set)
    section_path: tuple[int, ...] | None = None
    frames: list[_Frame] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    intro: Texts | None = None
    used_rows: set[int] = field(default_factory=set)
    #: `calculate` rows, converted at the end, when every question they may use is known.
    calculations: list[dict[str, Any]] = field(default_factory=list)
    #: The `begin repeat` element of each repeated section, by section id.
    repeats: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        model, form = self.ctx.form.model, self.ctx.form
        default = self.ctx.langs.default
        id_string = str(model.get("id_string") or form.path.stem)
        self.questionnaire_id = id_string
        if not _is_questionnaire_id(id_string):
            self.questionnaire_id = slug(id_string, prefix="form").replace("_", "-")[:100]
            self.ctx.changed.append(
                Problem(
                    "settings",
                    None,
                    f"form_id '{id_string}' becomes id '{self.questionnaire_id}' "
                    "(ids are lower case: letters, digits, - and _)",
                )
            )
        title = str(model.get("title") or form.path.stem)
        self.form_title: Texts = {default: title}
        extra = form.setting("survey_app::title")
        if extra.startswith("{"):
            self.form_title = {**json.loads(extra)}
        self.section_base = slug(self.questionnaire_id, prefix="section")

    def run(self) -> Conversion:
        """Convert every element, then assemble the questionnaire."""
        self.ctx.calculate_rows = dict(_calculate_rows(self.ctx.form.model))
        self._walk(self.ctx.form.model)
        return self._finish()

    def _walk(self, parent: dict[str, Any]) -> None:
        for element in parent.get("children", ()):
            kind = str(element.get("type"))
            if element.get(ROW) is None and kind != "note":
                continue  # added by pyxform (meta/instanceID, or_other's text): not the form's
            self.used_rows.add(element[ROW])
            if kind in SECTION_TYPES:
                matrix = matrix_of(self.ctx, element)
                if matrix is not None:
                    self._place(matrix)
                    continue
                frame = self._frame(element)
                if kind == "repeat":
                    frame.repeat = repeat_settings(self.ctx, element, parent["children"])
                elif kind != "group":
                    self.ctx.change(element, _answered_once(kind, element))
                self.frames.append(frame)
                self._walk(element)
                self.frames.pop()
            elif kind == "note":
                self._note(element)
            elif kind == "calculate":
                self.calculations.append(element)  # once every question is converted
            elif kind in RECORDED_META:
                self.ctx.change(
                    element,
                    f"'{element.get('name')}' ({kind}): each response records its submission "
                    "time instead",
                )
            else:
                built = build_question(self.ctx, element)
                if built is not None:
                    self._place(built)

    def _calculation(self, element: dict[str, Any], done: dict[str, str]) -> dict[str, str] | None:
        """A `calculate` row as a calculation, or None when it is dropped (and listed)."""
        name = str(element.get("name"))
        converted = self.ctx.calculations.get(name)
        if converted is not None:  # already, for a condition or a text that uses it
            done[name] = converted["id"]
            return converted
        text = str((element.get("bind") or {}).get("calculate") or "")
        try:
            node = parsed(text)
        except ExpressionError as exc:
            self.ctx.skip(
                element, f"calculate '{name}' ({text}) is not computed here ({exc}); dropped"
            )
            return None
        ids = {n: t.id for n, t in self.ctx.targets.items()} | done
        missing = [r.name for r in references(node) if r.name not in ids]
        if missing:
            self.ctx.skip(
                element,
                f"calculate '{name}' ({text}) uses ${{{missing[0]}}}, which is not a question "
                "or an earlier calculation converted here; dropped",
            )
            return None
        expression = REFERENCE.sub(lambda m: f"${{{ids[m.group(1).strip()]}}}", text)
        calculation_id = question_id(self.ctx, element)
        done[name] = calculation_id
        self.ctx.calculations[name] = {"id": calculation_id, "expression": expression}
        return self.ctx.calculations[name]

    def _finish(self) -> Conversion:
        done: dict[str, str] = {}
        calculations = [self._calculation(element, done) for element in self.calculations]
        for note in self.notes:
            self.ctx.skip(
                note.element, f"note '{note.element.get('name')}' has no question after it; dropped"
            )
        self._list_ignored_columns()
        if not self.sections:
            raise XLSFormError(
                [Problem(None, None, "no question could be converted; there is nothing to write")]
            )
        default = self.ctx.langs.default
        questionnaire: dict[str, Any] = {
            "schema_version": 1,
            "id": self.questionnaire_id,
            "title": as_text(self.form_title, default),
        }
        if self.intro:
            questionnaire["intro"] = as_text(self.intro, default)
        if self.ctx.langs.codes != ("en",):
            questionnaire["languages"] = list(self.ctx.langs.codes)
        questionnaire["sections"] = [
            _ordered(
                {**s, "questions": [_ordered(q, QUESTION_KEYS) for q in s["questions"]]},
                SECTION_KEYS,
            )
            for s in self.sections
        ]
        if any(calculations):
            questionnaire["calculations"] = [c for c in calculations if c is not None]
        settle_repeats(self.ctx, questionnaire, self.repeats)
        return Conversion(
            questionnaire,
            self.ctx.langs.codes,
            # A choice list shared by several questions is reported once.
            tuple(sorted(dict.fromkeys(self.ctx.skipped), key=_by_place)),
            tuple(sorted(dict.fromkeys(self.ctx.changed), key=_by_place)),
            self.ctx.constraints,
            count_questions(self.ctx.form.model),
            self.ctx.form.warnings,
        )

    def _join(self, parts: list[Texts], separator: str = PARAGRAPH) -> Texts:
        return join(parts, separator, self.ctx.langs.codes)

    def _note(self, element: dict[str, Any]) -> None:
        name = element.get("name")
        if str(name).startswith("generated_table_list_label_"):
            return  # the label of a table-list group pyxform repeats as a note: the title
        body = self.ctx.texts(element, "label")
        hint = self.ctx.texts(element, "hint")
        if body and hint:
            body = self._join([body, hint])
        if not body:
            self.ctx.skip(element, f"note '{name}' has no text; dropped")
            return
        relevant = str((element.get("bind") or {}).get("relevant") or "")
        first = not self.sections and not self.frames and not relevant
        self.notes.append(_Note(element, body, first, relevant))

    def _frame(self, element: dict[str, Any]) -> _Frame:
        name = str(element.get("name"))
        title = self.ctx.texts(element, "label")
        for child in element.get("children", ()):
            if not title and str(child.get("name")).startswith("generated_table_list_label_"):
                title = self.ctx.texts(child, "label")  # pyxform moves a table's label here
        if not title:
            title = {self.ctx.langs.default: name}
            self.ctx.change(element, f"group '{name}' has no label; its title is the name")
        condition, failed = self.ctx.relevant(element, f"group '{name}'")
        if failed:
            self.ctx.change(element, f"the questions of group '{name}' are optional")
        return _Frame(element, title, condition, failed)

    def _section(self) -> tuple[dict[str, Any], bool]:
        """The section for a question at the current nesting, and whether it is new."""
        path = tuple(int(f.element[ROW]) for f in self.frames)
        if self.sections and path == self.section_path:
            return self.sections[-1], False
        titles = [f.title for f in self.frames] or [self.form_title]
        name = str(self.frames[-1].element.get("name")) if self.frames else self.section_base
        section: dict[str, Any] = {
            "id": unique(slug(name, prefix="section"), self.section_ids),
            "title": as_text(self._join(titles, TITLE_SEPARATOR), self.ctx.langs.default),
        }
        conditions: list[Condition] = []
        for frame in self.frames:
            if frame.condition is not None:
                condition = frame.condition
                conditions += condition["all"] if list(condition) == ["all"] else [condition]
        if conditions:
            section["show_if"] = conditions[0] if len(conditions) == 1 else {"all": conditions}
        repeat = next((f for f in reversed(self.frames) if f.repeat is not None), None)
        if repeat is not None and repeat.repeat is not None:
            section["repeat"] = dict(repeat.repeat)
            if repeat.element in self.repeats.values():
                self.ctx.change(
                    repeat.element,
                    f"repeat '{repeat.element.get('name')}' holds groups or other repeats: "
                    f"section '{section['id']}' repeats with items of its own",
                )
            self.repeats[section["id"]] = repeat.element
        section["questions"] = []
        self.sections.append(section)
        self.section_path = path
        return section, True

    def _place(self, built: Built) -> None:
        """Add a question to its section, with the notes waiting for it."""
        section, new = self._section()
        default = self.ctx.langs.default
        # A note shown under a condition goes with the next question only when that
        # question shows under the very same condition; otherwise it would show when it
        # should not, so it is dropped and listed.
        for note in self.notes:
            if note.relevant and note.relevant != built.relevant:
                self.ctx.skip(
                    note.element,
                    f"note '{note.element.get('name')}' shows only when {note.relevant}, and "
                    "the next question under another condition; dropped",
                )
        notes = [n for n in self.notes if not n.relevant or n.relevant == built.relevant]
        for note in notes:
            if note.relevant:
                self.ctx.change(
                    note.element,
                    f"note '{note.element.get('name')}' is shown in the help of "
                    f"'{built.data['id']}', which has the same condition",
                )
        intro = [n.texts for n in notes if n.before_any_question]
        rest = [n.texts for n in notes if not n.before_any_question]
        if any(n.relevant for n in notes):
            new = False  # a section intro has no condition of its own: keep it as help
        self.notes = []
        if intro:
            self.intro = self._join([*([self.intro] if self.intro else []), *intro])
        if rest and new:
            section["intro"] = as_text(self._join(rest), default)
            rest = []
        help_parts = rest + ([built.help] if built.help else [])
        data = built.data
        data["prompt"] = as_text(built.prompt, default)
        if help_parts:
            data["help"] = as_text(self._join(help_parts), default)
        if any(f.optional for f in self.frames):
            data.pop("required", None)
        section["questions"].append(data)

    def _list_ignored_columns(self) -> None:
        survey = self.ctx.form.sheets.survey or ()
        columns: dict[str, list[int]] = {}
        for i, row in enumerate(survey):
            number = i + 2
            if number not in self.used_rows:
                continue
            for column, value in row.items():
                base = column.partition(":")[0].strip().lower()
                # `$kuid`, `_version`...: bookkeeping of KoboToolbox, not part of the form.
                if base == "constraint_message" and number in self.ctx.message_rows:
                    continue  # the message of a constraint that converted
                if value and base not in READ_COLUMNS and not column.startswith(("_", "$")):
                    columns.setdefault(column, []).append(number)
        for column, rows in columns.items():
            shown = ", ".join(map(str, rows[:10]))
            if len(rows) > 10:
                shown += f" and {len(rows) - 10} more"
            self.ctx.skipped.append(
                Problem(
                    "survey",
                    None,
                    f"column '{column}' ({'rows' if len(rows) > 1 else 'row'} {shown}) "
                    "has no equivalent here; ignored",
                )
            )


def _calculate_rows(parent: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, element) of every `calculate` row of the form, in row order."""
    for element in parent.get("children", ()):
        if str(element.get("type")) == "calculate" and element.get(ROW) is not None:
            yield str(element.get("name")), element
        yield from _calculate_rows(element)


def _is_questionnaire_id(value: str) -> bool:
    return bool(re.fullmatch(r"[a-z][a-z0-9_-]*", value)) and len(value) <= 100


def _by_place(problem: Problem) -> tuple[int, int]:
    """Sheet by sheet in workbook order, row by row; whole-column notes after the rows."""
    order = {"settings": 0, "survey": 1, "choices": 2}
    return order.get(problem.sheet or "", 3), problem.row or 1_000_000


def _ordered(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(keys)}
    return dict(sorted(data.items(), key=lambda item: rank.get(item[0], len(keys))))


__all__ = ["Conversion", "convert_workbook", "count_questions", "texts"]
