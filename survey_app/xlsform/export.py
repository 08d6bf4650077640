"""A questionnaire -> an XLSForm workbook that pyxform accepts (for ODK Collect, KoboCollect).

| questionnaire              | XLSForm                                                        |
| -------------------------- | -------------------------------------------------------------- |
| section                    | begin group / end group (`relevant` from `show_if`)            |
| repeated section           | begin repeat / end repeat (`repeat_count` when fixed)          |
| intro, section intro       | a note before the first group / first in the group             |
| single/multi_choice        | select_one / select_multiple (`or_other` for "Other")          |
| option attributes, filter  | choices-sheet columns, `choice_filter` `col = ${question}`     |
| scale                      | select_one of the points, appearance `likert`                  |
| matrix                     | a `table-list` group: one select_one per row                   |
| ranking, number, date      | rank, integer/decimal, date (bounds as constraints)            |
| short_text, long_text      | text (`multiline`), `string-length(.) <= n`                    |
| country                    | select_one of the ISO 3166-1 codes                             |
| calculations               | `calculate` rows after the last group                          |
| show_if / constraint on a  | `${calc} > 5`... in `relevant` / `constraint` (with the        |
| calculation, ordered tests | bounds: `. >= 0 and ${calc} <= 12`), `constraint_message`      |

What XLSForm has no column for (answer keys, units, ranking `top`, translated titles) goes in
`survey_app::...` columns, which ODK tools ignore and the importer reads back.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pycountry
from openpyxl import Workbook

from ..questionnaire.conditions import AllOf, AnyOf, Comparison, Condition, NotOf
from ..questionnaire.questions import (
    OTHER_VALUE,
    ChoiceQuestionBase,
    CountryQuestion,
    DateQuestion,
    LongTextQuestion,
    MatrixQuestion,
    MultiChoiceQuestion,
    NumberQuestion,
    QuestionBase,
    RankingQuestion,
    Scale,
    ScaleQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
)
from ..questionnaire.schema import Questionnaire, Repeat
from ..questionnaire.texts import Text
from .texts import display_name

COUNTRY_LIST = "iso3166_countries"
EXTRA_COLUMNS = ("unit", "correct", "points", "top", "type", "choice_filter")
Row = dict[str, Any]


def _translations(value: Text, default: str) -> dict[str, str]:
    """Every language of a text (a loaded text carries its translations)."""
    found = getattr(value, "translations", None)
    if isinstance(found, dict) and found:
        return {str(k): str(v) for k, v in found.items()}
    return dict(value) if isinstance(value, dict) else {default: str(value)}


def _literal(value: str | int | float) -> str:
    if not isinstance(value, str):
        return f"{value:g}"
    return f"'{value}'" if "'" not in value else f'"{value}"'


def relevant(condition: Condition, q: Questionnaire) -> str:
    """A `show_if` as an XLSForm `relevant` expression."""
    if isinstance(condition, AllOf | AnyOf):
        items = condition.all if isinstance(condition, AllOf) else condition.any
        joined = (" and " if isinstance(condition, AllOf) else " or ").join(
            relevant(c, q) for c in items
        )
        return f"({joined})" if len(items) > 1 else joined
    if isinstance(condition, NotOf):
        return f"not({relevant(condition.not_, q)})"
    assert isinstance(condition, Comparison)  # noqa: S101 -- the union has four members
    ref = f"${{{condition.question}}}"
    if condition.answered is not None:
        return f"{ref} != ''" if condition.answered else f"{ref} = ''"
    ordered = condition.ordered()
    if ordered is not None:
        return f"{ref} {ordered[0]} {ordered[1]:g}"
    target = q.question(condition.question)
    parts = []
    for value in condition.values():
        shown = "other" if value == OTHER_VALUE else value
        if isinstance(target, MultiChoiceQuestion | RankingQuestion):
            parts.append(f"selected({ref}, {_literal(str(shown))})")
        elif target is None or isinstance(target, ScaleQuestion | NumberQuestion):
            parts.append(f"{ref} = {_literal(shown)}")  # a number, or a calculation's value
        else:
            parts.append(f"{ref} = {_literal(str(shown))}")
    return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"


class _Sheets:
    """The rows of the survey, choices and settings sheets as they are built."""

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.survey: list[Row] = []
        self.choices: list[Row] = []
        self.lists: set[str] = set()
        self.names: set[str] = {s.id for s in q.sections} | {x.id for x in q.questions()}

    def texts(self, key: str, value: Text | None) -> Row:
        """`label::French (fr)`-style cells for a text in every language it has."""
        if value is None:
            return {}
        items = _translations(value, self.q.language)
        return {f"{key}::{display_name(code)}": text for code, text in items.items()}

    def name(self, wanted: str) -> str:
        """A row name no question or section uses."""
        value, n = wanted, 1
        while value in self.names:
            n += 1
            value = f"{wanted}_{n}"
        self.names.add(value)
        return value

    def choice_list(
        self, name: str, options: list[tuple[str, Text]], attributes: list[Row] | None = None
    ) -> str:
        """Add a choice list once (with a column per option attribute); its name."""
        if name not in self.lists:
            self.lists.add(name)
            self.choices += [
                {"list_name": name, "name": value, **self.texts("label", label), **extra}
                for (value, label), extra in zip(
                    options, attributes or [{}] * len(options), strict=True
                )
            ]
        return name

    def scale_list(self, name: str, scale: Scale) -> str:
        """The points of a scale as a choice list; a point without a label shows its number."""
        points: list[tuple[str, Text]] = [
            (str(p), scale.labels.get(p, str(p))) for p in scale.points()
        ]
        return self.choice_list(name, points)

    def note(self, wanted: str, text: Text) -> None:
        """A note row."""
        self.survey.append({"type": "note", "name": self.name(wanted), **self.texts("label", text)})

    def question(self, x: QuestionBase) -> None:
        """The rows of one question."""
        row: Row = {"name": x.id, **self.texts("label", x.prompt), **self.texts("hint", x.help)}
        if x.required:
            row["required"] = "yes"
        if x.show_if is not None:
            row["relevant"] = relevant(x.show_if, self.q)
        if isinstance(x, MatrixQuestion):
            self.matrix(x, row)
            return
        row.update(self.typed(x))
        if x.constraint is not None:
            # Bounds test the answer (`.`), the condition other answers or calculations.
            rule = relevant(x.constraint, self.q)
            row["constraint"] = f"{row['constraint']} and {rule}" if "constraint" in row else rule
            row.update(self.texts("constraint_message", x.constraint_message))
        self.survey.append(row)

    def typed(self, x: QuestionBase) -> Row:
        """The type cell and the columns that go with it."""
        if isinstance(x, ChoiceQuestionBase):
            options = [(o.value, o.label) for o in x.options]
            attributes = [dict(o.attributes) for o in x.options]
            kind = "select_one" if isinstance(x, SingleChoiceQuestion) else "select_multiple"
            row: Row = {"type": f"{kind} {self.choice_list(x.id, options, attributes)}"}
            if x.choice_filter:
                # pyxform refuses a choice_filter with or_other: ODK then offers every
                # choice, and the import reads the filter back from our own column.
                column = "survey_app::choice_filter" if x.other else "choice_filter"
                row[column] = " and ".join(
                    f"{rule.attribute} = ${{{rule.question}}}" for rule in x.choice_filter
                )
            if x.other:
                row["type"] += " or_other"
            if x.correct:
                row["survey_app::correct"] = " ".join(x.correct)
                if x.points != 1:
                    row["survey_app::points"] = f"{x.points:g}"
            if isinstance(x, MultiChoiceQuestion):
                bounds = [f"count-selected(.) >= {x.min}"] if x.min else []
                bounds += [f"count-selected(.) <= {x.max}"] if x.max else []
                if bounds:
                    row["constraint"] = " and ".join(bounds)
            return row
        if isinstance(x, ScaleQuestion):
            return {"type": f"select_one {self.scale_list(x.id, x.scale)}", "appearance": "likert"}
        if isinstance(x, RankingQuestion):
            options = [(o.value, o.label) for o in x.options]
            return {
                "type": f"rank {self.choice_list(x.id, options)}",
                "survey_app::top": str(x.top),
            }
        if isinstance(x, NumberQuestion):
            row = {"type": "integer" if x.integer else "decimal"}
            bounds = [f". >= {x.min:g}"] if x.min is not None else []
            bounds += [f". <= {x.max:g}"] if x.max is not None else []
            if bounds:
                row["constraint"] = " and ".join(bounds)
            if x.unit is not None:
                units = _translations(x.unit, self.q.language)
                row["survey_app::unit"] = (
                    json.dumps(units, ensure_ascii=False) if len(units) > 1 else str(x.unit)
                )
            return row
        if isinstance(x, ShortTextQuestion | LongTextQuestion):
            row = {"type": "text", "constraint": f"string-length(.) <= {x.max_length}"}
            if isinstance(x, LongTextQuestion):
                row["appearance"] = "multiline"
            return row
        if isinstance(x, DateQuestion):
            row = {"type": "date"}
            bounds = [f". >= date('{x.min.isoformat()}')"] if x.min else []
            bounds += [f". <= date('{x.max.isoformat()}')"] if x.max else []
            if bounds:
                row["constraint"] = " and ".join(bounds)
            return row
        if isinstance(x, CountryQuestion):
            countries = sorted(pycountry.countries, key=lambda c: c.name)
            name = self.choice_list(COUNTRY_LIST, [(c.alpha_2, c.name) for c in countries])
            return {"type": f"select_one {name}", "survey_app::type": "country"}
        raise AssertionError(f"no XLSForm equivalent written for {type(x).__name__}")

    def matrix(self, x: MatrixQuestion, group: Row) -> None:
        """A matrix as a table-list group of selects on the scale."""
        scale = self.scale_list(x.id, x.scale)
        begin = {k: v for k, v in group.items() if k != "required"}
        self.survey.append({**begin, "type": "begin group", "appearance": "table-list"})
        for row in x.rows:
            cells: Row = {"type": f"select_one {scale}", "name": row.value}
            cells.update(self.texts("label", row.label))
            if x.required:
                cells["required"] = "yes"
            self.survey.append(cells)
        self.survey.append({"type": "end group"})


def xlsform_sheets(q: Questionnaire) -> dict[str, list[Row]]:
    """The survey, choices and settings rows of the questionnaire's XLSForm."""
    sheets = _Sheets(q)
    if q.intro is not None:
        sheets.note("intro", q.intro)
    for section in q.sections:
        kind = "group" if section.repeat is None else "repeat"
        group: Row = {
            "type": f"begin {kind}",
            "name": section.id,
            **sheets.texts("label", section.title),
        }
        if section.show_if is not None:
            group["relevant"] = relevant(section.show_if, q)
        if section.repeat is not None:
            group.update(_repeat_columns(section.repeat, q.language))
        sheets.survey.append(group)
        if section.intro is not None:
            sheets.note(f"{section.id}_intro", section.intro)
        for x in section.questions:
            sheets.question(x)
        sheets.survey.append({"type": f"end {kind}"})
    sheets.survey += [
        {"type": "calculate", "name": c.id, "calculation": c.expression} for c in q.calculations
    ]
    titles = _translations(q.title, q.language)
    settings: Row = {
        "form_title": titles.get(q.language, str(q.title)),
        "form_id": q.id,
        "default_language": display_name(q.language),
    }
    if len(titles) > 1:
        settings["survey_app::title"] = json.dumps(titles, ensure_ascii=False)
    return {"survey": sheets.survey, "choices": sheets.choices, "settings": [settings]}


def _repeat_columns(repeat: Repeat, language: str) -> Row:
    """A fixed number of items as `repeat_count`; every setting in `survey_app::repeat`."""
    kept: dict[str, Any] = {"min": repeat.min, "max": repeat.max}
    for key in ("add_label", "item_label"):
        text = getattr(repeat, key)
        if text is not None:
            kept[key] = _translations(text, language)
    columns: Row = {"survey_app::repeat": json.dumps(kept, ensure_ascii=False)}
    if repeat.min == repeat.max:
        columns["repeat_count"] = repeat.max
    return columns


def write_xlsform(q: Questionnaire, path: Path) -> None:
    """Write the questionnaire as an .xlsx XLSForm."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in xlsform_sheets(q).items():
        sheet = book.create_sheet(name)
        columns = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(columns)
        for row in rows:
            sheet.append([row.get(c) for c in columns])
    book.save(path)
