"""First pass over an XLSForm: what each survey row is, the choice lists, and bad input.

Every problem that makes the form unconvertible (unknown type, duplicate name, undefined
choice list, unmatched groups, references to names that do not exist) is collected here,
so an author sees all of them at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from .workbook import Problem, Sheet, SheetRow, Workbook

Kind = Literal["question", "begin_group", "end_group", "begin_block", "end_block", "note", "skip"]

#: XLSForm question types this importer converts (after aliases).
QUESTION_TYPES = frozenset(
    {"select_one", "select_multiple", "rank", "integer", "decimal", "text", "date", "range"}
)
SELECT_TYPES = frozenset({"select_one", "select_multiple", "rank"})
ALIASES = {
    "select1": "select_one",
    "int": "integer",
    "gps": "geopoint",
    "imei": "deviceid",
    "photo": "image",
}
#: Rows the data-collection app fills in itself; nothing to ask a participant.
METADATA = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "phonenumber",
        "simserial",
        "subscriberid",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-geopoint",
        "background-audio",
    }
)
#: Known XLSForm types without an equivalent here, and how to say so.
UNSUPPORTED = {
    "geopoint": "location questions are not supported",
    "geotrace": "location questions are not supported",
    "geoshape": "location questions are not supported",
    "image": "photo and image uploads are not supported",
    "audio": "audio recordings are not supported",
    "video": "video recordings are not supported",
    "file": "file uploads are not supported",
    "barcode": "barcode scanning is not supported",
    "time": "time questions are not supported",
    "datetime": "date-and-time questions are not supported",
    "acknowledge": "acknowledge questions are not supported",
    "trigger": "acknowledge questions are not supported",
    "hidden": "hidden fields are not supported",
    "calculate": "calculations are not supported",
    "xml-external": "external data is not supported",
    "csv-external": "external data is not supported",
    "select_one_from_file": "choice lists from files are not supported",
    "select_multiple_from_file": "choice lists from files are not supported",
    "select_one_external": "external choice lists are not supported",
}
#: Blocks dropped with everything inside them: begin type -> (end type, reason).
BLOCKS = {
    "begin_repeat": ("end_repeat", "repeats are not supported"),
    "begin_kobomatrix": ("end_kobomatrix", "KoboToolbox matrix blocks are not supported"),
    "begin_score": ("end_score", "KoboToolbox score blocks are not supported"),
    "begin_rank": ("end_rank", "KoboToolbox rank blocks are not supported"),
}
BLOCK_ENDS = {end: begin for begin, (end, _) in BLOCKS.items()}
#: Survey columns whose `${name}` references must name a row.
LOGIC_COLUMNS = ("relevant", "constraint", "required")
_REFERENCE = re.compile(r"\$\{\s*([^}\s]*)\s*\}")


def referenced_names(expression: str) -> list[str]:
    """The names in `${...}` references of an expression, in order."""
    return _REFERENCE.findall(expression)


@dataclass(frozen=True)
class Entry:
    """A survey row classified: what it is, its name, and its choice list when a select."""

    row: SheetRow
    kind: Kind
    #: The type keyword after aliases: `select_one`, `integer`, `begin_group`, `geopoint`...
    base: str
    name: str
    list_name: str = ""
    or_other: bool = False
    #: Why a `skip` row or a block is not converted.
    reason: str = ""

    @property
    def type_text(self) -> str:
        """The type cell as the author wrote it."""
        return self.row.get("type")


@dataclass(frozen=True)
class Choice:
    """One row of the choices sheet."""

    row: SheetRow
    list_name: str
    name: str


@dataclass
class Structure:
    """Classified survey rows, choice lists by name, and the problems found."""

    entries: list[Entry] = field(default_factory=list)
    lists: dict[str, list[Choice]] = field(default_factory=dict)
    by_name: dict[str, Entry] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _keyword(type_text: str) -> tuple[str, list[str]]:
    """`Begin Group` -> (`begin_group`, []); `select one yes_no` -> (`select_one`, [`yes_no`])."""
    words = type_text.split()
    lowered = [w.lower() for w in words]
    if lowered[:4] == ["select", "all", "that", "apply"]:
        return "select_multiple", words[4:]
    if lowered[0] in {"begin", "end"} and len(words) > 1:
        return f"{lowered[0]}_{lowered[1]}", words[2:]
    if lowered[0] == "select" and len(words) > 1 and lowered[1] in {"one", "multiple"}:
        return f"select_{lowered[1]}", words[2:]
    return ALIASES.get(lowered[0], lowered[0]), words[1:]


def _classify(row: SheetRow, problems: list[Problem]) -> Entry | None:
    type_text = row.get("type")
    name = row.get("name")
    base, args = _keyword(type_text)
    if base in SELECT_TYPES:
        other = args[1:] == ["or_other"]
        if not args or (len(args) > 1 and not other):
            problems.append(
                Problem("survey", row.number, f"type '{type_text}' needs one choice list name")
            )
            return None
        return Entry(row, "question", base, name, list_name=args[0], or_other=other)
    if base in UNSUPPORTED:
        return Entry(row, "skip", base, name, reason=UNSUPPORTED[base])
    if not args:
        if base in QUESTION_TYPES:
            return Entry(row, "question", base, name)
        if base == "note":
            return Entry(row, "note", base, name)
        if base in METADATA:
            return Entry(row, "skip", base, name, reason="metadata the data-collection app records")
        if base == "begin_group":
            return Entry(row, "begin_group", base, name)
        if base == "end_group":
            return Entry(row, "end_group", base, name)
        if base in BLOCKS:
            return Entry(row, "begin_block", base, name, reason=BLOCKS[base][1])
        if base in BLOCK_ENDS:
            return Entry(row, "end_block", base, name)
    problems.append(Problem("survey", row.number, f"unknown type '{type_text}'"))
    return None


def _choice_lists(sheet: Sheet | None, problems: list[Problem]) -> dict[str, list[Choice]]:
    if sheet is None or not sheet.rows:
        return {}
    missing = [c for c in ("list_name", "name") if c not in sheet.columns]
    if missing:
        problems += [
            Problem(
                "choices",
                sheet.header_row,
                f"no '{c}' column (its columns: {', '.join(x for x in sheet.columns if x)})",
            )
            for c in missing
        ]
        return {}
    lists: dict[str, list[Choice]] = {}
    first_row: dict[tuple[str, str], int] = {}
    for row in sheet.rows:
        list_name, name = row.get("list_name"), row.get("name")
        if not list_name:
            continue
        if not name:
            problems.append(
                Problem("choices", row.number, f"a choice in list '{list_name}' has no name")
            )
            continue
        key = (list_name, name)
        if key in first_row:
            problems.append(
                Problem(
                    "choices",
                    row.number,
                    f"duplicate choice name '{name}' in list '{list_name}' "
                    f"(also at row {first_row[key]})",
                )
            )
            continue
        first_row[key] = row.number
        lists.setdefault(list_name, []).append(Choice(row, list_name, name))
    return lists


def read_structure(workbook: Workbook) -> Structure:
    """Classify every survey row and read the choice lists; collect every problem."""
    found = Structure()
    problems = found.problems
    survey = workbook.survey
    missing = [c for c in ("type", "name") if c not in survey.columns]
    if missing:
        columns = ", ".join(c for c in survey.columns if c) or "none"
        problems += [
            Problem("survey", survey.header_row, f"no '{c}' column (its columns: {columns})")
            for c in missing
        ]
        return found
    found.lists = _choice_lists(workbook.choices, problems)
    open_blocks: list[Entry] = []
    for row in survey.rows:
        if not row.get("type"):
            if row.get("name"):
                problems.append(Problem("survey", row.number, "a row with a name has no type"))
            continue
        entry = _classify(row, problems)
        if entry is None:
            continue
        found.entries.append(entry)
        _check_entry(entry, found, open_blocks)
    problems += [
        Problem(
            "survey",
            entry.row.number,
            f"{entry.base} '{entry.name}' is never closed (no {_end_of(entry)})",
        )
        for entry in open_blocks
    ]
    for entry in found.entries:
        for column in LOGIC_COLUMNS:
            for name in referenced_names(entry.row.get(column)):
                if name not in found.by_name:
                    problems.append(
                        Problem(
                            "survey",
                            entry.row.number,
                            f"{column} refers to ${{{name}}}, but no row is named '{name}'",
                        )
                    )
    return found


def _end_of(entry: Entry) -> str:
    return "end_group" if entry.kind == "begin_group" else BLOCKS[entry.base][0]


def _check_entry(entry: Entry, found: Structure, open_blocks: list[Entry]) -> None:
    problems, number = found.problems, entry.row.number
    if entry.kind in {"question", "begin_group", "begin_block", "note"} and not entry.name:
        problems.append(Problem("survey", number, f"a '{entry.type_text}' row needs a name"))
    if entry.name and entry.kind not in {"end_group", "end_block"}:
        first = found.by_name.get(entry.name)
        if first is not None:
            problems.append(
                Problem(
                    "survey",
                    number,
                    f"duplicate name '{entry.name}' (also used at row {first.row.number})",
                )
            )
        else:
            found.by_name[entry.name] = entry
    if entry.list_name and entry.list_name not in found.lists:
        problems.append(
            Problem(
                "survey",
                number,
                f"choice list '{entry.list_name}' of '{entry.name}' is not defined "
                "in the choices sheet",
            )
        )
    if entry.kind in {"begin_group", "begin_block"}:
        open_blocks.append(entry)
    elif entry.kind in {"end_group", "end_block"}:
        expected = "begin_group" if entry.kind == "end_group" else BLOCK_ENDS[entry.base]
        if not open_blocks:
            problems.append(Problem("survey", number, f"{entry.base} without a {expected}"))
            return
        opened = open_blocks.pop()
        if opened.base != expected:
            problems.append(
                Problem(
                    "survey",
                    number,
                    f"{entry.base} closes {opened.base} '{opened.name}' "
                    f"(row {opened.row.number}); expected {_end_of(opened)}",
                )
            )
