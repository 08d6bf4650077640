"""Read an XLSForm with pyxform: its workbook readers and its JSON form model.

pyxform (the reference XLSForm converter) reads .xlsx, .xls, .csv and .md forms and checks
them as ODK does; we take its form model and only add what it drops: the spreadsheet row
of every element and choice, so that each message can name its sheet and row.
"""

from __future__ import annotations

import copy
import warnings as warnings_module
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError
from pyxform.parsing.expression import RE_PYXFORM_REF
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData, get_xlsform

#: Spreadsheet row of a sheet's first data row (row 1 holds the column headers).
FIRST_ROW = 2
#: Beyond these a form is refused before pyxform builds its model, so that a runaway or
#: hostile file fails in bounded time; the largest real forms we know are far smaller.
MAX_SURVEY_ROWS = 5000
MAX_CHOICE_ROWS = 50_000
MAX_FILE_BYTES = 20_000_000
#: Streams of an Office file encrypted with a password (MS-OFFCRYPTO), as UTF-16 names.
_ENCRYPTED_MARKERS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".md")
#: Key under which each element of the model gets its spreadsheet row.
ROW = "_row"


@dataclass(frozen=True)
class Problem:
    """Something about one place of the workbook, e.g. `survey row 12: ...`."""

    sheet: str | None
    row: int | None
    message: str

    def __str__(self) -> str:
        where = " ".join(p for p in (self.sheet, f"row {self.row}" if self.row else "") if p)
        return f"{where}: {self.message}" if where else self.message


class XLSFormError(Exception):
    """The workbook cannot be converted; `problems` says why, each with sheet and row."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Form:
    """pyxform's model of a form (elements carry `_row`) and the sheets it came from."""

    model: dict[str, Any]
    sheets: DefinitionData
    warnings: tuple[str, ...]
    path: Path

    def choice_row(self, list_name: str, name: str) -> int | None:
        """The choices sheet row of a choice."""
        for i, row in enumerate(self.sheets.choices or ()):
            if _list_name(row) == list_name and cell(row, "name") == name:
                return i + FIRST_ROW
        return None

    def setting(self, key: str) -> str:
        """A value of the settings sheet, or ""."""
        for row in self.sheets.settings or ():
            value = cell(row, key)
            if value:
                return value
        return ""


def cell(row: dict[str, Any], *keys: str) -> str:
    """A row's value under any of these column names, in any case (pyxform's rule)."""
    wanted = {k.lower() for k in keys}
    for column, value in row.items():
        if column and column.strip().lower() in wanted and value not in (None, ""):
            return str(value).strip()
    return ""


def _list_name(row: dict[str, Any]) -> str:
    return cell(row, "list_name", "list name")


def read_form(path: Path) -> Form:
    """Read an XLSForm file into pyxform's model; raise XLSFormError when it cannot be read."""
    _check_file(path)
    try:
        sheets = get_xlsform(str(path))
    except PyXFormError as exc:
        raise XLSFormError(
            [Problem(None, None, f"not a readable XLSForm ({'/'.join(SUFFIXES)}): {exc}")]
        ) from exc
    _check_size(sheets)
    found: list[str] = []
    try:
        with warnings_module.catch_warnings():
            # pyxform reports some form problems as Python warnings too; they are in `found`.
            warnings_module.simplefilter("ignore")
            model = workbook_to_json(
                workbook_dict=sheets,
                fallback_form_name=sheets.fallback_form_name,
                warnings=found,
            )
            # The rest of pyxform's checks run when it builds the XForm (e.g. triggers):
            # a form ODK tools refuse is refused here too.
            create_survey_element_from_dict(copy.deepcopy(model)).to_xml(
                validate=False, warnings=found
            )
    except PyXFormError as exc:
        raise XLSFormError([Problem(None, None, f"pyxform refuses the form: {exc}")]) from exc
    _annotate_rows(model, sheets)
    _check_cycles(model)
    return Form(model, sheets, tuple(w for w in found if w), path)


def _check_file(path: Path) -> None:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise XLSFormError(
            [Problem(None, None, f"the file has {size:,} bytes; at most {MAX_FILE_BYTES:,}")]
        )
    with path.open("rb") as stream:
        head = stream.read(min(size, 1 << 16))
    if head.startswith(_OLE_SIGNATURE) and any(m in head for m in _ENCRYPTED_MARKERS):
        raise XLSFormError(
            [
                Problem(
                    None,
                    None,
                    "the workbook is protected with a password; save a copy without one "
                    "and import that",
                )
            ]
        )


def _check_size(sheets: DefinitionData) -> None:
    problems = []
    for name, rows, limit in (
        ("survey", sheets.survey, MAX_SURVEY_ROWS),
        ("choices", sheets.choices, MAX_CHOICE_ROWS),
    ):
        if rows is not None and len(rows) > limit:
            problems.append(Problem(name, None, f"{len(rows):,} rows; at most {limit:,}"))
    if problems:
        raise XLSFormError(problems)


def _annotate_rows(model: dict[str, Any], sheets: DefinitionData) -> None:
    """Give each element the survey row it came from (None for what pyxform added).

    Why: pyxform's model has no row numbers. Rows and elements are in the same order, so
    each element takes the first row not yet taken with its name; pyxform names unnamed
    notes and table-list labels after their row.
    """
    rows: dict[str, deque[int]] = defaultdict(deque)
    for i, row in enumerate(sheets.survey or ()):
        name = cell(row, "name")
        if name:
            rows[name].append(i + FIRST_ROW)

    def walk(element: dict[str, Any]) -> None:
        for child in element.get("children", ()):
            name = str(child.get("name", ""))
            generated = name.rpartition("_")[0]
            if generated in {"generated_note_name", "generated_table_list_label"}:
                child[ROW] = int(name.rpartition("_")[2])
            elif rows.get(name):
                child[ROW] = rows[name].popleft()
            else:
                child[ROW] = None
            walk(child)

    walk(model)


def _check_cycles(model: dict[str, Any]) -> None:
    """Refuse a form whose conditions or calculations depend on themselves in a cycle.

    Why: ODK refuses such a form when it opens it; we say which rows before writing anything.
    """
    depends: dict[str, set[str]] = {}
    rows: dict[str, int | None] = {}

    def walk(element: dict[str, Any]) -> None:
        for child in element.get("children", ()):
            name = str(child.get("name"))
            bind = child.get("bind") or {}
            text = " ".join(str(bind.get(k) or "") for k in ("relevant", "calculate", "required"))
            depends.setdefault(name, set()).update(
                m.group("ncname") for m in RE_PYXFORM_REF.finditer(text)
            )
            rows.setdefault(name, child.get(ROW))
            walk(child)

    walk(model)
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for other in sorted(depends.get(name, ())):
            if state.get(other) == 1:
                return [*path[path.index(other) :], other]
            if other in depends and not state.get(other):
                found = visit(other)
                if found:
                    return found
        path.pop()
        state[name] = 2
        return None

    for name in depends:
        if not state.get(name):
            cycle = visit(name)
            if cycle:
                shown = " -> ".join(f"${{{n}}}" for n in cycle)
                where = ", ".join(str(rows.get(n)) for n in cycle[:-1])
                raise XLSFormError(
                    [
                        Problem(
                            "survey",
                            rows.get(cycle[0]),
                            f"the conditions and calculations form a cycle: {shown} (rows "
                            f"{where}); no order of questions can satisfy them",
                        )
                    ]
                )
