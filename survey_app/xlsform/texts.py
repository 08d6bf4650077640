"""Languages of an XLSForm (`label::English (en)` columns) and texts in several of them.

Texts are handled as `{code: text}` dicts that always hold the default language, and
written out in the questionnaire's translation format: a plain string when only the default
language has a text, else a mapping `{en: ..., fr: ...}` in the order of `languages`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry

from .workbook import Problem, Sheet, SheetRow, Workbook

#: Columns whose texts are converted; other translatable columns are listed as ignored.
TEXT_COLUMNS = ("label", "hint")
#: A BCP 47 tag as XLSForms write them: `en`, `fr`, `pt-BR`, `zh-Hans`.
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_NAMED_TAG = re.compile(r"\(([^()]*)\)\s*$")

Texts = dict[str, str]
#: A text as the questionnaire file holds it.
Text = str | dict[str, str]


def language_code(suffix: str) -> str | None:
    """`English (en)` -> `en`; `fr` -> `fr`; `French` -> `fr`; None when it names no language."""
    named = _NAMED_TAG.search(suffix)
    candidate = named.group(1).strip() if named else suffix.strip()
    if _TAG.match(candidate):
        primary, *rest = candidate.split("-")
        try:
            language = pycountry.languages.lookup(primary)
        except LookupError:
            if not named:
                return None
            language = None
        code = getattr(language, "alpha_2", None) or primary.lower()
        subtags = [t.upper() if len(t) == 2 else t.title() if len(t) == 4 else t for t in rest]
        return "-".join([code.lower(), *subtags])
    if named:
        return None
    try:
        language = pycountry.languages.lookup(candidate)
    except LookupError:
        return None
    code = getattr(language, "alpha_2", None) or language.alpha_3
    return str(code)


@dataclass(frozen=True)
class Languages:
    """The form's languages (default first) and which column suffix means which."""

    default: str
    codes: tuple[str, ...]
    #: `English (en)` -> `en`, for every `label::...`/`hint::...` column.
    by_suffix: dict[str, str]

    @property
    def multilingual(self) -> bool:
        """True when texts may come in more than one language."""
        return len(self.codes) > 1

    def texts(self, row: SheetRow, column: str) -> Texts:
        """The row's texts in a column (`label`, `hint`) by language code, default first.

        The plain column (no `::`) holds the default language; a `::` column of the default
        language wins over it when both are filled.
        """
        found: Texts = {}
        for suffix, code in self.by_suffix.items():
            text = row.get(f"{column}::{suffix}")
            if text and code not in found:
                found[code] = text
        plain = row.get(column)
        if plain and self.default not in found:
            found[self.default] = plain
        return {code: found[code] for code in self.codes if code in found}


def _suffixes(sheet: Sheet | None) -> Iterable[tuple[str, str]]:
    """(column, language suffix) of every translated text column."""
    for column in sheet.columns if sheet else ():
        base, sep, suffix = column.partition("::")
        if sep and base in TEXT_COLUMNS:
            yield column, suffix


def detect_languages(workbook: Workbook, problems: list[Problem]) -> tuple[Languages, str | None]:
    """The form's languages, and a note when the default language had to be assumed.

    Unreadable language names are appended to `problems`.
    """
    by_suffix: dict[str, str] = {}
    for sheet in (workbook.survey, workbook.choices):
        for column, suffix in _suffixes(sheet):
            if suffix in by_suffix:
                continue
            code = language_code(suffix)
            if code is None:
                assert sheet is not None  # noqa: S101 -- _suffixes yields nothing for None
                problems.append(
                    Problem(
                        sheet.name,
                        sheet.header_row,
                        f"cannot tell the language of column '{column}'; write it as "
                        "'Name (code)', e.g. 'label::English (en)'",
                    )
                )
                continue
            by_suffix[suffix] = code
    note = None
    plain = any(
        c in TEXT_COLUMNS for s in (workbook.survey, workbook.choices) if s for c in s.columns
    )
    setting = _setting(workbook, "default_language")
    if setting is not None:
        row, value = setting
        default = by_suffix.get(value) or language_code(value)
        if default is None:
            problems.append(
                Problem(
                    "settings",
                    row,
                    f"default_language '{value}' names no language this importer knows; "
                    "write it as 'Name (code)', e.g. 'English (en)'",
                )
            )
            default = "en"
    elif plain or not by_suffix:
        default = "en"
        if by_suffix and set(by_suffix.values()) != {"en"}:
            note = "no default_language; the plain label and hint columns are taken as en"
    else:
        default = next(iter(by_suffix.values()))
    codes = [default] + [c for c in dict.fromkeys(by_suffix.values()) if c != default]
    return Languages(default, tuple(codes), by_suffix), note


def _setting(workbook: Workbook, key: str) -> tuple[int, str] | None:
    """(row, value) of a setting from the first row under the settings sheet's header."""
    sheet = workbook.settings
    if sheet is None or not sheet.rows:
        return None
    row = sheet.rows[0]
    value = row.get(key)
    return (row.number, value) if value else None


def setting(workbook: Workbook, key: str) -> str:
    """A value from the settings sheet, or "" when it is not set."""
    found = _setting(workbook, key)
    return found[1] if found else ""


def as_text(texts: Texts, default: str) -> Text:
    """The file form of a text: a plain string unless other languages have one too."""
    if list(texts) == [default]:
        return texts[default]
    return dict(texts)


def join(parts: list[Texts], separator: str, codes: tuple[str, ...]) -> Texts:
    """Texts joined language by language; a part missing a language adds its default text."""
    default = codes[0]
    present = [c for c in codes if any(c in p for p in parts)]
    return {c: separator.join(p.get(c, p[default]) for p in parts) for c in present}
