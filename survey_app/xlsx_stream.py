"""A minimal XLSX writer that streams rows into the zip: numbers, inline text, dates, a bold
frozen and filtered header. Nothing else (no formulas: a cell is never one).

Why not openpyxl: its write-only mode builds an object per cell and took ten times as long
as the CSV export for 100,000 responses (bench/export.py), past gunicorn's timeout.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl.utils import get_column_letter

EPOCH = dt.datetime(1899, 12, 30)
#: Styles (cellXfs order): 0 plain, 1 bold header, 2 date, 3 date and time.
BOLD, DATE, DATETIME = 1, 2, 3
#: Characters XML 1.0 cannot hold (exports strip control characters before this too).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

OFFICE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{OFFICE}.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{OFFICE}.styles+xml"/>'
    "{sheets}</Types>"
)
SHEET_TYPE = (
    f'<Override PartName="/xl/worksheets/sheet{{n}}.xml" ContentType="{OFFICE}.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
    "</cellStyles></styleSheet>"
)


def _text(value: str) -> str:
    value = _ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _serial(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        days = (value.replace(tzinfo=None) - EPOCH).total_seconds() / 86400
        return repr(round(days, 8))
    return str((value - EPOCH.date()).days)


def _cell(ref: str, value: Any, style: int = 0) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, dt.date):
        kind = DATETIME if isinstance(value, dt.datetime) else DATE
        return f'<c r="{ref}" s="{kind}"><v>{_serial(value)}</v></c>'
    s = f' s="{style}"' if style else ""
    text = _text(str(value))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{text}</t></is></c>'


class XlsxWriter:
    """Sheets written one after another into a zip file on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=5)
        self.sheets: list[tuple[str, int, int]] = []

    def sheet(
        self, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], filtered: bool
    ) -> None:
        """One sheet: the header (bold, frozen), then every row; the filter spans them all."""
        number = len(self.sheets) + 1
        letters = [get_column_letter(i + 1) for i in range(max(len(header), 1))]
        count = 1
        with self.zip.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True) as raw:
            out: IO[bytes] = raw
            out.write(
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{NS}" xmlns:r="{REL}">'
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
                "<sheetData>".encode()
            )
            cells = "".join(
                _cell(f"{c}1", name, BOLD) for c, name in zip(letters, header, strict=False)
            )
            out.write(f'<row r="1">{cells}</row>'.encode())
            buffer: list[str] = []
            for row in rows:
                count += 1
                cells = "".join(_cell(f"{c}{count}", v) for c, v in zip(letters, row, strict=True))
                buffer.append(f'<row r="{count}">{cells}</row>')
                if len(buffer) >= 200:
                    out.write("".join(buffer).encode())
                    buffer.clear()
            out.write("".join(buffer).encode())
            tail = "</sheetData>"
            if filtered:
                tail += f'<autoFilter ref="A1:{letters[-1]}{count}"/>'
            out.write(f"{tail}</worksheet>".encode())
        self.sheets.append((title, count, len(letters) if filtered else 0))

    def close(self) -> None:
        """Write the workbook parts that name the sheets, and close the zip."""
        overrides = "".join(SHEET_TYPE.format(n=n) for n in range(1, len(self.sheets) + 1))
        self.zip.writestr("[Content_Types].xml", CONTENT_TYPES.format(sheets=overrides))
        self.zip.writestr("_rels/.rels", ROOT_RELS)
        self.zip.writestr("xl/styles.xml", STYLES)
        sheets, names, rels = [], [], []
        for n, (title, count, columns) in enumerate(self.sheets, start=1):
            sheets.append(f'<sheet name="{_text(title)}" sheetId="{n}" r:id="rId{n}"/>')
            rels.append(
                f'<Relationship Id="rId{n}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
            )
            if columns:
                ref = f"'{title}'!$A$1:${get_column_letter(columns)}${count}"
                names.append(
                    f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n - 1}" '
                    f'hidden="1">{_text(ref)}</definedName>'
                )
        styles = len(self.sheets) + 1
        rels.append(f'<Relationship Id="rId{styles}" Type="{REL}/styles" Target="styles.xml"/>')
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        self.zip.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>{"".join(sheets)}</sheets>'
            f"{defined}</workbook>",
        )
        self.zip.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{''.join(rels)}</Relationships>",
        )
        self.zip.close()
