"""Classified XLSForm rows -> questionnaire data, in the file's key order.

Decisions (the README's "Importing an XLSForm" says the same for authors):

- Groups become sections. Nested groups flatten: each run of questions at one nesting level
  is a section titled with the group titles joined by " — " and shown only when every
  enclosing group's `relevant` holds. Questions outside any group go into sections titled
  with the form title.
- Notes have no question type here. A note goes with the next converted question: into the
  questionnaire's intro when it stands before every question and outside any group, into
  the section's intro when that question opens a section, otherwise in front of the
  question's help. A note with no question after it is listed and dropped.
- Repeats (and KoboToolbox matrix, score and rank blocks) are dropped with everything in
  them; calculations, metadata and types without an equivalent are dropped; each is listed.
  How single questions convert is in `questions`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .logic import Condition
from .questions import Built, Context, build_question, humanise, slug, unique
from .structure import Entry, read_structure
from .texts import Texts, as_text, detect_languages, join, setting
from .workbook import Problem, Workbook, XLSFormError, read_workbook

#: Key order of the written file: what a reader looks for first comes first.
QUESTIONNAIRE_KEYS = ("schema_version", "id", "title", "intro", "languages", "sections")
SECTION_KEYS = ("id", "title", "intro", "show_if", "questions")
QUESTION_KEYS = (
    "id",
    "type",
    "prompt",
    "help",
    "required",
    "integer",
    "min",
    "max",
    "max_length",
    "scale",
    "top",
    "other",
    "options",
    "show_if",
)
TITLE_SEPARATOR = " — "
PARAGRAPH = "\n\n"
#: Survey columns this importer reads; any other non-empty column is listed as ignored.
READ_COLUMNS = frozenset(
    {"type", "name", "label", "hint", "required", "relevant", "constraint", "appearance"}
)
#: Read only for `range` rows; elsewhere (e.g. `randomize=true`) presentation only.
QUIET_COLUMNS = frozenset({"parameters"})
#: Depth change of a skipped block's nesting count, per row kind.
_NESTING = {"begin_group": 1, "begin_block": 1, "end_group": -1, "end_block": -1}


@dataclass(frozen=True)
class Conversion:
    """A converted form: the questionnaire data and what was left out or changed."""

    questionnaire: dict[str, Any]
    languages: tuple[str, ...]
    skipped: tuple[Problem, ...]
    changed: tuple[Problem, ...]
    constraints: int = 0

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
    """Read an XLSForm and convert it; raise XLSFormError listing every problem with it."""
    workbook = read_workbook(path)
    structure = read_structure(workbook)
    problems = structure.problems
    languages, note = detect_languages(workbook, problems)
    if problems:
        raise XLSFormError(problems)
    ctx = Context(structure, languages)
    if note:
        ctx.changed.append(Problem("settings", None, note))
    return _Converter(ctx, workbook, path).run()


@dataclass
class _Frame:
    """An open group: its row, title texts and converted condition."""

    entry: Entry
    title: Texts
    condition: Condition | None


@dataclass
class _Note:
    """A note waiting for the next question."""

    entry: Entry
    texts: Texts
    before_any_question: bool


@dataclass
class _Converter:
    """Walks the survey rows, keeping the open groups, sections and waiting notes."""

    ctx: Context
    workbook: Workbook
    path: Path
    sections: list[dict[str, Any]] = field(default_factory=list)
    section_ids: set[str] = field(default_factory=set)
    section_path: tuple[int, ...] | None = None
    frames: list[_Frame] = field(default_factory=list)
    notes: list[_Note] = field(default_factory=list)
    intro: Texts | None = None
    converted_rows: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        form_id = setting(self.workbook, "form_id") or self.path.stem
        self.questionnaire_id = slug(form_id, prefix="form", sep="-", max_length=100)
        title = setting(self.workbook, "form_title") or humanise(self.path.stem)
        self.form_title: Texts = {self.ctx.langs.default: title}
        self.section_base = slug(self.questionnaire_id, prefix="section")

    def run(self) -> Conversion:
        """Convert every row, then assemble the questionnaire."""
        depth, block, inside = 0, None, 0
        for entry in self.ctx.structure.entries:
            if depth:
                depth += _NESTING.get(entry.kind, 0)
                if depth:
                    inside += 1
                else:
                    assert block is not None  # noqa: S101 -- set when depth became 1
                    self.ctx.skip(
                        block,
                        f"{block.base.removeprefix('begin_')} '{block.name}' (rows "
                        f"{block.row.number}-{entry.row.number}): {block.reason}; dropped "
                        f"with the {inside} rows inside it",
                    )
            elif entry.kind == "begin_block":
                depth, block, inside = 1, entry, 0
            elif entry.kind == "begin_group":
                self.frames.append(self._frame(entry))
            elif entry.kind == "end_group":
                self.frames.pop()
            elif entry.kind == "note":
                self._note(entry)
            elif entry.kind == "skip":
                self.ctx.skip(entry, f"'{entry.name}' ({entry.type_text}): {entry.reason}; dropped")
            else:
                built = build_question(self.ctx, entry)
                if built is not None:
                    self._place(built)
                    self.converted_rows.add(entry.row.number)
        return self._finish()

    def _finish(self) -> Conversion:
        for note in self.notes:
            self.ctx.skip(note.entry, f"note '{note.entry.name}' has no question after it; dropped")
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
        return Conversion(
            questionnaire,
            self.ctx.langs.codes,
            tuple(sorted(self.ctx.skipped, key=_by_place)),
            tuple(sorted(self.ctx.changed, key=_by_place)),
            self.ctx.constraints,
        )

    def _join(self, parts: list[Texts], separator: str = PARAGRAPH) -> Texts:
        return join(parts, separator, self.ctx.langs.codes)

    def _note(self, entry: Entry) -> None:
        texts = self.ctx.texts(entry, "label")
        hint = self.ctx.texts(entry, "hint")
        if texts and hint:
            texts = self._join([texts, hint])
        if not texts:
            self.ctx.skip(entry, f"note '{entry.name}' has no text; dropped")
            return
        if entry.row.get("relevant"):
            self.ctx.skip(
                entry,
                f"relevant of note '{entry.name}' not converted (a note becomes an intro or "
                "help text, which has no condition); the text is always shown",
            )
        first = not self.sections and not self.frames
        self.notes.append(_Note(entry, texts, first))
        self.converted_rows.add(entry.row.number)

    def _frame(self, entry: Entry) -> _Frame:
        title = self.ctx.texts(entry, "label")
        if not title:
            title = {self.ctx.langs.default: humanise(entry.name)}
            self.ctx.change(entry, f"group '{entry.name}' has no label; its title is the name")
        condition = self.ctx.relevant(entry, f"group '{entry.name}'", "the section is always shown")
        self.converted_rows.add(entry.row.number)
        return _Frame(entry, title, condition)

    def _section(self) -> tuple[dict[str, Any], bool]:
        """The section for a question at the current nesting, and whether it is new."""
        path = tuple(f.entry.row.number for f in self.frames)
        if self.sections and path == self.section_path:
            return self.sections[-1], False
        titles = [f.title for f in self.frames] or [self.form_title]
        name = self.frames[-1].entry.name if self.frames else self.section_base
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
        section["questions"] = []
        self.sections.append(section)
        self.section_path = path
        return section, True

    def _place(self, built: Built) -> None:
        """Add a question to its section, with the notes waiting for it."""
        section, new = self._section()
        default = self.ctx.langs.default
        intro = [n.texts for n in self.notes if n.before_any_question]
        rest = [n.texts for n in self.notes if not n.before_any_question]
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
        section["questions"].append(data)

    def _list_ignored_columns(self) -> None:
        survey = self.workbook.survey
        for column in survey.columns:
            if (
                not column
                or column.startswith(("$", "_"))
                or column.partition("::")[0] in READ_COLUMNS
                or column in QUIET_COLUMNS
            ):
                continue
            rows = [
                r.number for r in survey.rows if r.number in self.converted_rows and r.get(column)
            ]
            if rows:
                shown = ", ".join(map(str, rows[:10]))
                if len(rows) > 10:
                    shown += f" and {len(rows) - 10} more"
                self.ctx.skipped.append(
                    Problem(
                        "survey",
                        None,
                        f"column '{column}' ({'rows' if len(rows) > 1 else 'row'} {shown}) "
                        "is not supported; ignored",
                    )
                )


def _by_place(problem: Problem) -> tuple[int, int]:
    """Sheet by sheet in workbook order, row by row; whole-column notes after the rows."""
    order = {"survey": 0, "choices": 1, "settings": 2}
    return order.get(problem.sheet or "", 3), problem.row or 1_000_000


def _ordered(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    rank = {key: i for i, key in enumerate(keys)}
    return dict(sorted(data.items(), key=lambda item: rank.get(item[0], len(keys))))
