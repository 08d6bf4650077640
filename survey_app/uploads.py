"""Uploaded content files -> YAML source ready to validate: YAML as is, XLSForm converted.

Why the XLSForm glue is this thin: the importer is its own package with one entry point
(`convert_workbook` + `questionnaire_yaml`); this module only guards what reaches it.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .questionnaire.loader import MAX_FILE_BYTES, ContentError, read_document
from .xlsform import XLSFormError, convert_workbook, questionnaire_yaml

YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx",)
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xltm")


class UploadError(Exception):
    """The upload cannot be read as content; `problems` lists every reason, located."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Upload:
    """An upload as YAML text, with what it was written in and what kind of content it is."""

    filename: str
    source: str
    fmt: str
    kind: str


def read_upload(filename: str, raw: bytes) -> Upload:
    """YAML (questionnaire or report) or an XLSForm workbook, as YAML source; UploadError."""
    name = Path(filename).name or "upload"
    suffix = Path(name).suffix.lower()
    if len(raw) > MAX_FILE_BYTES:
        raise UploadError([f"{name}:1:1: file is larger than {MAX_FILE_BYTES} bytes"])
    if suffix in MACRO_SUFFIXES or (suffix in WORKBOOK_SUFFIXES and _has_macros(raw)):
        raise UploadError(
            [f"{name}: workbooks with macros are not accepted; save it as a plain .xlsx"]
        )
    if suffix in WORKBOOK_SUFFIXES:
        return Upload(name, _convert(name, raw), "xlsform", "questionnaire")
    if suffix not in YAML_SUFFIXES:
        raise UploadError([f"{name}: upload a .yaml questionnaire or report, or an .xlsx XLSForm"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UploadError([f"{name}:1:1: not UTF-8 text (byte {exc.start})"]) from None
    return Upload(name, text, "yaml", "report" if _is_report(text, name) else "questionnaire")


def _is_report(text: str, name: str) -> bool:
    """A top-level `blocks:` key makes a report (as `flask survey validate` decides)."""
    try:
        return "blocks" in read_document(text, name).data
    except ContentError:
        return False


def _has_macros(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return any(n.lower().endswith("vbaproject.bin") for n in archive.namelist())
    except zipfile.BadZipFile:
        return False


def _convert(name: str, raw: bytes) -> str:
    """The XLSForm importer's YAML for the workbook (it reads from a path)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(raw)
        try:
            conversion = convert_workbook(path)
        except XLSFormError as exc:
            raise UploadError([f"{name}: {problem}" for problem in exc.problems]) from None
        return questionnaire_yaml(conversion, name, dt.date.today())
