"""Figures for a folder of XLSForms: how many pyxform accepts, import, and questions kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from .convert import Conversion, convert_workbook
from .reading import SUFFIXES, XLSFormError


@dataclass
class CorpusFigures:
    """What happened to each form of a corpus."""

    refused_by_pyxform: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    imported: dict[str, Conversion] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        """Forms pyxform accepts (the ones that count)."""
        return len(self.imported) + len(self.failed)

    def import_share(self) -> float:
        """Imported / accepted by pyxform."""
        return len(self.imported) / self.accepted if self.accepted else 0.0

    def question_share(self) -> float:
        """Questions kept / questions in the imported forms."""
        asked = sum(c.form_questions for c in self.imported.values())
        kept = sum(len(c.questions()) for c in self.imported.values())
        return kept / asked if asked else 1.0

    def lines(self) -> list[str]:
        """The figures, for the command line."""
        asked = sum(c.form_questions for c in self.imported.values())
        kept = sum(len(c.questions()) for c in self.imported.values())
        return [
            f"forms: {self.accepted + len(self.refused_by_pyxform)}; pyxform accepts "
            f"{self.accepted}, refuses {len(self.refused_by_pyxform)}",
            f"imported: {len(self.imported)} of {self.accepted} ({self.import_share():.0%})",
            f"questions kept: {kept} of {asked} ({self.question_share():.0%})",
            *(f"not imported: {name}: {why}" for name, why in sorted(self.failed.items())),
        ]


def corpus_figures(folder: Path) -> CorpusFigures:
    """Import every form in the folder (nothing is written)."""
    figures = CorpusFigures()
    forms = (p for p in folder.iterdir() if p.suffix in SUFFIXES and p.name != "SOURCES.md")
    for path in sorted(forms):
        try:
            # The reference: pyxform's whole conversion to an XForm, as ODK tools run it.
            convert(str(path))
        except PyXFormError:
            figures.refused_by_pyxform.append(path.name)
            continue
        try:
            figures.imported[path.name] = convert_workbook(path)
        except XLSFormError as exc:
            figures.failed[path.name] = str(exc)
    return figures
