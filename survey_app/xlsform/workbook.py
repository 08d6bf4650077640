"""Reading an XLSForm workbook into plain rows of text, refusing files that are not one."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

#: XLSForms are small; a bigger file is a mistake (or a zip bomb) and is refused unread.
MAX_WORKBOOK_BYTES = 20_000_000
ZIP_MAGIC = b"PK\x03\x04"
#: Legacy .xls files and password-protected .xlsx files are both OLE2 compound files.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Streams Excel puts in the OLE container of an encrypted workbook (names are UTF-16LE).
ENCRYPTION_STREAMS = tuple(
    name.encode("utf-16-le") for name in ("EncryptedPackage", "EncryptionInfo")
)

NOT_XLSX = "not an .xlsx workbook"
PASSWORD_PROTECTED = "the workbook is password-protected; remove the password and try again"  # noqa: S105 -- a message, not a password
LEGACY_XLS = (
    "an Excel 97-2003 (.xls) workbook; open it in Excel or LibreOffice, save it as .xlsx and "
    "try again"
)


@dataclass(frozen=True)
class Problem:
    """Something wrong in the workbook, with its sheet and 1-based row when known."""

    sheet: str | None
    row: int | None
    message: str

    def __str__(self) -> str:
        if self.sheet is None:
            return self.message
        if self.row is None:
            return f"{self.sheet} sheet: {self.message}"
        return f"{self.sheet} sheet, row {self.row}: {self.message}"


class XLSFormError(Exception):
    """The workbook cannot be converted; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its 1-based number and the text of each non-empty cell by column."""

    number: int
    cells: Mapping[str, str]

    def get(self, column: str) -> str:
        """The cell's text, or "" when the row has none in that column."""
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Sheet:
    """A sheet's header (normalised column names, in order) and its non-blank rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[SheetRow, ...] = field(default_factory=tuple)
    header_row: int = 1


@dataclass(frozen=True)
class Workbook:
    """The three sheets an XLSForm uses; `choices` and `settings` are optional."""

    survey: Sheet
    choices: Sheet | None
    settings: Sheet | None


def normalise_header(header: str) -> str:
    """`List Name` -> `list_name`; `Label::English (en)` -> `label::English (en)`.

    Why: XLSForm column names are case-insensitive and tools write `list name` or
    `list_name`; the language after `::` is kept as written, it is matched later.
    """
    base, sep, suffix = header.strip().rpartition("::")
    if not sep:
        base, suffix = suffix, ""
    base = "_".join(base.lower().split())
    return f"{base}::{suffix.strip()}" if sep else base


def cell_text(value: Any) -> str:
    """A cell's value as the text an author typed (numbers without a spurious `.0`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _sheet(name: str, rows: Iterable[tuple[Any, ...]]) -> Sheet:
    header: tuple[str, ...] | None = None
    header_row = 1
    data: list[SheetRow] = []
    for number, values in enumerate(rows, start=1):
        texts = [cell_text(v) for v in values]
        if not any(texts):
            continue
        if header is None:
            header, header_row = tuple(normalise_header(t) for t in texts), number
            continue
        cells: dict[str, str] = {}
        for column, text in zip(header, texts, strict=False):
            if column and text and column not in cells:
                cells[column] = text
        if cells:
            data.append(SheetRow(number, cells))
    return Sheet(name, header or (), tuple(data), header_row)


def read_workbook(path: Path) -> Workbook:
    """The survey, choices and settings sheets of an .xlsx file; raise XLSFormError otherwise."""
    with path.open("rb") as stream:
        data = stream.read(MAX_WORKBOOK_BYTES + 1)
    if len(data) > MAX_WORKBOOK_BYTES:
        raise XLSFormError([Problem(None, None, f"larger than {MAX_WORKBOOK_BYTES} bytes")])
    if data.startswith(OLE2_MAGIC):
        protected = any(stream in data for stream in ENCRYPTION_STREAMS)
        raise XLSFormError([Problem(None, None, PASSWORD_PROTECTED if protected else LEGACY_XLS)])
    if not data.startswith(ZIP_MAGIC):
        raise XLSFormError([Problem(None, None, NOT_XLSX)])
    try:
        # From bytes, not the path: openpyxl would refuse a real workbook named `.XLSX` or
        # without an extension, and the format is told by content anyway.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        raise XLSFormError([Problem(None, None, NOT_XLSX)]) from None
    try:
        by_name = {str(ws.title).strip().lower(): ws for ws in book.worksheets}
        survey = by_name.get("survey")
        if survey is None:
            names = ", ".join(str(ws.title) for ws in book.worksheets)
            raise XLSFormError(
                [Problem(None, None, f"the workbook has no 'survey' sheet (its sheets: {names})")]
            )
        sheets: dict[str, Sheet | None] = {}
        for name in ("survey", "choices", "settings"):
            ws = by_name.get(name)
            if ws is None:
                sheets[name] = None
                continue
            # Some tools write a wrong <dimension>; forget it and read every row there is.
            ws.reset_dimensions()
            sheets[name] = _sheet(name, ws.iter_rows(values_only=True))
    finally:
        book.close()
    survey_sheet = sheets["survey"]
    assert survey_sheet is not None  # noqa: S101 -- checked above
    return Workbook(survey_sheet, sheets["choices"], sheets["settings"])
