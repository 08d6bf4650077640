"""Export files built on disk and streamed back: XLSX (labels, codes, codebook), SPSS .sav
and Stata .dta with variable and value labels.

Memory: XLSX rows are streamed into the zip file (xlsx_stream.py). SPSS and Stata
files are written by pyreadstat from one DataFrame (it cannot append rows), so those hold
the table once in memory: 8 bytes per numeric, choice or datetime cell (typed arrays the
frame uses without copying) plus the text cells; `python -m bench export` measures it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .exports import CODEBOOK_HEADER, Cell, CodebookEntry, Column, neutralise, printable
from .xlsx_stream import XlsxWriter

CHUNK = 64 * 1024
#: Stata allows 32 characters, but a value-label set is named after its variable and
#: readstat refused 31-character set names in our tests (30 passed): 28 leaves a margin.
#: SPSS: 64 bytes. Stata's labels stop at 80
#: bytes (UTF-8: a dash takes 3).
NAME_LIMITS = {"dta": 28, "sav": 64}
LABEL_LIMITS = {"dta": 80, "sav": 256}
SHEETS = ("labels", "codes", "codebook")
#: How each format stores a date and time: (display format, epoch, units per second), the
#: same as pyreadstat writes for a datetime column.
DATETIMES = {
    "sav": ("DATETIME20", dt.datetime(1582, 10, 14), 1.0),
    "dta": ("%tc", dt.datetime(1960, 1, 1), 1000.0),
}


def stream_file(path: Path) -> Iterator[bytes]:
    """The file in chunks; it is deleted once read (or when the download is abandoned)."""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)


def temp_path(suffix: str) -> Path:
    """A fresh temporary file's path (the caller deletes it)."""
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="survey-export-")
    os.close(handle)
    return Path(name)


def xlsx_cell(value: Cell) -> Cell:
    """Text neutralised; datetimes naive UTC (Excel has no time zones); numbers as they are."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    return neutralise(printable(value))


def build_xlsx_file(
    columns: Sequence[Column],
    codebook: Iterable[CodebookEntry],
    rows: Callable[[], Iterable[Sequence[Cell]]],
    label: Callable[[Sequence[Cell]], Sequence[Cell]] | None = None,
) -> Path:
    """A workbook on disk: `labels` (options by label), `codes` (as stored), `codebook`;
    each with a bold, frozen, filtered header.

    `rows` is called once per data sheet: the rows are read twice rather than held. `label`
    turns a row into its labels (Plan.labelled: each row in its own version's words).
    """
    path = temp_path(".xlsx")
    writer = XlsxWriter(path)
    if label is None:
        label = lambda row: [c.label_of(v) for c, v in zip(columns, row, strict=True)]  # noqa: E731 - one-line default
    try:
        header = [str(xlsx_cell(c.name)) for c in columns]
        labelled = (label(row) for row in rows())
        writer.sheet("labels", header, ([xlsx_cell(v) for v in row] for row in labelled), True)
        writer.sheet("codes", header, ([xlsx_cell(v) for v in row] for row in rows()), True)
        lines = ([xlsx_cell(c) for c in entry.cells()] for entry in codebook)
        writer.sheet("codebook", [str(xlsx_cell(h)) for h in CODEBOOK_HEADER], lines, True)
        writer.close()
    except BaseException:
        writer.zip.close()
        path.unlink(missing_ok=True)
        raise
    return path


def stat_names(names: Sequence[str], limit: int) -> list[str]:
    """Variable names a statistics package accepts: letters, digits, `_`; unique; short."""
    out: list[str] = []
    taken: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name)
        base = base if re.match(r"[A-Za-z]", base) else f"v{base}"
        candidate, n = base[:limit], 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def variable_label(column: Column) -> str:
    """`Prompt — option or row` (what an analyst reads in the variable view)."""
    label = str(column.prompt or column.name)
    return f"{label} — {column.label}" if column.label else label


def truncate_utf8(text: str, limit: int) -> str:
    """At most `limit` UTF-8 bytes (the formats count bytes), never half a character."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def value_labels(column: Column) -> dict[int | float, str]:
    """Numeric codes and their labels: options 1, 2, ... in order; labelled numbers."""
    if column.kind == "choice":
        return {i: str(label) for i, (_, label) in enumerate(column.options, start=1)}
    return {k: str(v) for k, v in column.number_labels}


def _stat_value(column: Column, codes: dict[str, int], value: Cell, kind: str) -> Any:
    if column.kind == "choice":
        return float(codes[value]) if isinstance(value, str) and value in codes else float("nan")
    if column.kind == "number":
        return float("nan") if value is None else float(value)  # type: ignore[arg-type]
    if column.kind == "datetime":
        if not isinstance(value, dt.datetime):
            return float("nan")
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        utc = aware.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
        _, epoch, per_second = DATETIMES[kind]
        return (utc - epoch).total_seconds() * per_second
    if column.kind == "date":
        return value
    # Neutralised too: these files get converted to spreadsheets and passed on.
    return "" if value is None else neutralise(printable(value))


def build_stat_file(kind: str, columns: Sequence[Column], rows: Iterable[Sequence[Cell]]) -> Path:
    """A `.sav` (kind "sav") or `.dta` (kind "dta") file with variable and value labels.

    Choices are coded 1, 2, ... in questionnaire order and labelled; numbers keep their
    value; missing answers are system-missing.
    """
    import numpy as np
    import pandas as pd  # only exports need them: keep them out of every worker's start
    import pyreadstat

    # Datetimes as numbers with a datetime format: a datetime64 column made pyreadstat
    # copy the whole table before writing.
    numeric = [c.kind in ("choice", "number", "datetime") for c in columns]
    codes = [{v: i for i, (v, _) in enumerate(c.options, start=1)} for c in columns]
    data: list[Any] = [array("d") if is_num else [] for is_num in numeric]
    for row in rows:
        for i, value in enumerate(row):
            data[i].append(_stat_value(columns[i], codes[i], value, kind))
    names = stat_names([c.name for c in columns], NAME_LIMITS[kind])
    # Why frombuffer and copy=False: the numbers stay in the arrays they were read into;
    # building Series and then a consolidated frame made two more copies of the table.
    frame = pd.DataFrame(
        {
            name: (
                pd.Series(np.frombuffer(values, dtype="float64"), copy=False)
                if is_num
                else _object_series(values)
            )
            for name, values, is_num in zip(names, data, numeric, strict=True)
        },
        copy=False,
    )
    del data
    limit = LABEL_LIMITS[kind]
    labels: list[str | None] = [truncate_utf8(variable_label(c), limit) for c in columns]
    value_label_map: dict[str, dict[int | float, str]] = {
        name: value_labels(c) for name, c in zip(names, columns, strict=True) if value_labels(c)
    }
    formats = {
        name: DATETIMES[kind][0]
        for name, c in zip(names, columns, strict=True)
        if c.kind == "datetime"
    }
    path = temp_path(f".{kind}")
    write = pyreadstat.write_sav if kind == "sav" else pyreadstat.write_dta
    write(
        frame,
        str(path),
        column_labels=labels,
        variable_value_labels=value_label_map,
        variable_format=formats,
    )
    return path


def _object_series(values: list[Any]) -> Any:
    import pandas as pd

    return pd.Series(values, dtype="object")
