"""CSV and XLSX exports of one phase of a training: one row per response, one column per
question (choices, matrix rows and ranked options expanded), plus an XLSX codebook.

Every text cell that a spreadsheet could read as a formula is neutralised on the way out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from .questionnaire.countries import country_name
from .questionnaire.questions import (
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
from .questionnaire.schema import Calculation
from .text import without_controls

Cell = str | int | float | dt.date | None

#: OWASP "CSV injection": text starting with one of these can run as a formula (the
#: full-width forms too: East Asian versions of Excel read them as the ASCII ones).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: A trigger after a character a spreadsheet may split a CSV line at: which separator it
#: uses depends on its locale and import dialog (`;` in much of Europe), so `x;=1+1` can
#: open as two cells, the second a formula. OWASP: "take care of the field separator".
_SPLIT_TRIGGER = re.compile(r"([,;\t|\r\n\"]\s*)(?=[=+\-@\uff1d\uff0b\uff0d\uff20])")
TEXT_TYPES = (ShortTextQuestion, LongTextQuestion)
CODEBOOK_HEADER = ("column", "question_id", "type", "prompt", "value", "label", "coding", "version")


def neutralise(value: Cell) -> Cell:
    """Text a spreadsheet could execute gets a `'` before the trigger, at the start and after
    every possible cell separator; numbers and dates stay as they are.

    The one place every export cell (CSV and XLSX, data and codebook) goes through.
    """
    if not isinstance(value, str):
        return value
    value = _SPLIT_TRIGGER.sub(r"\1'", value)
    # Leading spaces too: LibreOffice's import may trim them, and then the formula runs.
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    """One export column and what it holds, as the codebook lists it."""

    name: str
    question_id: str
    qtype: str
    prompt: str
    coding: str
    value: str = ""
    label: str = ""
    #: What a cell holds: "number", "text", "date", "datetime" or "choice" (one of `options`).
    kind: str = "text"
    #: (stored value, label) of a choice column, in questionnaire order: statistics files
    #: code them 1, 2, ... and label the codes.
    options: tuple[tuple[str, str], ...] = ()
    #: Labels of some numbers of a numeric column (scale ends, 1 chosen / 0 not).
    number_labels: tuple[tuple[int, str], ...] = ()
    #: (version number, its (value, label) pairs) of a choice column answered in several
    #: versions: each row's option is labelled in the words of the version it answered.
    version_options: tuple[tuple[int, tuple[tuple[str, str], ...]], ...] = ()

    @cached_property
    def _labels(self) -> dict[int | None, dict[str, str]]:
        labels: dict[int | None, dict[str, str]] = {None: dict(self.options)}
        labels.update({n: dict(pairs) for n, pairs in self.version_options})
        return labels

    def label_of(self, value: Cell, version: Cell = None) -> Cell:
        """The cell as a reader sees it: an option's label (in the words of `version`, when
        given) for a choice, else as stored."""
        if self.kind == "choice" and isinstance(value, str):
            own = self._labels.get(version if isinstance(version, int) else None, {})
            return own.get(value) or self._labels[None].get(value, value)
        if self.question_id and self.qtype == "country" and isinstance(value, str):
            return country_name(value)
        return value

    def renamed(self, name: str, prompt_suffix: str) -> Column:
        """The same column under another name (the wide layout's `_pre` / `_post`)."""
        return replace(self, name=name, prompt=f"{self.prompt} ({prompt_suffix})")


@dataclass(frozen=True)
class CodebookEntry:
    """One codebook line: a column, or one coded value of it."""

    column: str
    question_id: str
    qtype: str
    prompt: str
    value: str
    label: str
    coding: str
    #: The questionnaire version whose texts these are ("" for the meta columns).
    version: str = ""

    def cells(self) -> tuple[str, ...]:
        """The line as it appears in the sheet."""
        return (
            self.column,
            self.question_id,
            self.qtype,
            self.prompt,
            self.value,
            self.label,
            self.coding,
            self.version,
        )


PHASE_OPTIONS = (
    ("pre", "Before the training"),
    ("post", "After the training"),
    ("followup", "Follow-up, weeks or months after the training"),
)
YES_NO = (("yes", "yes"), ("no", "no"))
META_COLUMNS = (
    Column(
        "response_id",
        "",
        "meta",
        "Response number (stable within this server)",
        "integer",
        kind="number",
    ),
    Column(
        "pair_id",
        "",
        "meta",
        "Anonymous participant number: the same in each phase for the same code",
        "integer, numbered within this training in order of first response; empty without code",
        kind="number",
    ),
    Column(
        "phase",
        "",
        "meta",
        "Before (pre) or after (post) the training, or the follow-up (followup)",
        "pre | post | followup",
        kind="choice",
        options=PHASE_OPTIONS,
    ),
    Column(
        "submitted_at",
        "",
        "meta",
        "When the response was submitted",
        "UTC (ISO 8601 in CSV)",
        kind="datetime",
    ),
    Column("language", "", "meta", "Language of the questionnaire", "language tag"),
    Column(
        "paired",
        "",
        "meta",
        "Part of a pre/post pair (latest response with the code in each phase)",
        "yes | no",
        kind="choice",
        options=YES_NO,
    ),
    Column(
        "version",
        "",
        "meta",
        "Questionnaire version answered (its texts: the codebook lines of that version)",
        "integer",
        kind="number",
    ),
)


def question_columns(question: QuestionBase, include_text: bool) -> list[Column]:
    """The columns one question expands into (none for free text unless included)."""
    qid, qtype, prompt = question.id, getattr(question, "type", ""), question.prompt

    def col(name: str, coding: str, value: str = "", label: str = "", **kw: Any) -> Column:
        return Column(name, qid, qtype, prompt, coding, value, label, **kw)

    chosen = "1 chosen, 0 not; empty when not answered"
    out: list[Column] = []
    if isinstance(question, SingleChoiceQuestion):
        options = tuple((o.value, o.label) for o in question.options)
        options += ((OTHER_VALUE, "Other"),) if question.other else ()
        out.append(
            col(qid, "option value (see the value/label lines)", kind="choice", options=options)
        )
    elif isinstance(question, MultiChoiceQuestion):
        flags = [(o.value, o.label) for o in question.options]
        flags += [(OTHER_VALUE, "Other")] if question.other else []
        out += [
            col(f"{qid}__{v}", chosen, v, lab, kind="number", number_labels=CHOSEN)
            for v, lab in flags
        ]
    elif isinstance(question, MatrixQuestion):
        coding, ends = scale_coding(question.scale), scale_labels(question.scale)
        out += [
            col(f"{qid}__{r.value}", coding, r.value, r.label, kind="number", number_labels=ends)
            for r in question.rows
        ]
    elif isinstance(question, RankingQuestion):
        coding = f"rank 1..{question.top}; empty when not ranked"
        out += [
            col(f"{qid}__{o.value}", coding, o.value, o.label, kind="number")
            for o in question.options
        ]
    elif isinstance(question, ScaleQuestion):
        out.append(
            col(
                qid,
                scale_coding(question.scale),
                kind="number",
                number_labels=scale_labels(question.scale),
            )
        )
    elif isinstance(question, NumberQuestion):
        unit = f" ({question.unit})" if question.unit else ""
        out.append(col(qid, "number" + unit, kind="number"))
    elif isinstance(question, DateQuestion):
        out.append(col(qid, "date, YYYY-MM-DD", kind="date"))
    elif isinstance(question, CountryQuestion):
        out.append(col(qid, "ISO 3166-1 alpha-2 code"))
    elif isinstance(question, TEXT_TYPES) and include_text:
        out.append(col(qid, "free text"))
    if isinstance(question, ChoiceQuestionBase) and question.other and include_text:
        out.append(col(f"{qid}__{OTHER_VALUE}_text", "free text typed for Other"))
    return out


def calculation_column(calculation: Calculation) -> Column:
    """The column of a calculated value (XLSForm `calculate`), computed on submit."""
    return Column(
        calculation.id,
        calculation.id,
        "calculate",
        f"Calculated: {calculation.expression}",
        "number or text computed on submit; empty when it had no value",
    )


def fill_calculation(calculation_id: str, answers: Sequence[Any], include_text: bool) -> Cell:
    """The cell of a calculated value: its number, or its text when texts are included."""
    for a in answers:
        if a.number_value is not None:
            return number(a.number_value)
        # Why only with texts: a calculation may concatenate free-text answers (names).
        if include_text:
            return str(a.text_value) if a.text_value is not None else None
    return None


CHOSEN = ((0, "not chosen"), (1, "chosen"))


def scale_labels(scale: Scale) -> tuple[tuple[int, str], ...]:
    """The scale's labelled points, as number labels."""
    return tuple(sorted((k, str(v)) for k, v in scale.labels.items()))


def scale_coding(scale: Scale) -> str:
    """`1..5 (1 = Not at all; 5 = Very)`."""
    labels = "; ".join(f"{k} = {v}" for k, v in sorted(scale.labels.items()))
    return f"{scale.min}..{scale.max}" + (f" ({labels})" if labels else "")


def fill_question(
    question: QuestionBase, answers: Sequence[Any], include_text: bool
) -> dict[str, Cell]:
    """Cells of one question from its stored answer rows (see responses.answer_rows)."""
    qid = question.id
    cells: dict[str, Cell] = {}
    if isinstance(question, MultiChoiceQuestion):
        cells = dict.fromkeys((f"{qid}__{v}" for v in question.option_values()), 0)
    for a in answers:
        if isinstance(question, SingleChoiceQuestion):
            cells[qid] = a.option_value
        elif isinstance(question, MultiChoiceQuestion):
            cells[f"{qid}__{a.option_value}"] = 1
        elif isinstance(question, MatrixQuestion):
            cells[f"{qid}__{a.row}"] = number(a.number_value)
        elif isinstance(question, RankingQuestion):
            cells[f"{qid}__{a.option_value}"] = a.rank
        elif isinstance(question, ScaleQuestion | NumberQuestion):
            cells[qid] = number(a.number_value)
        elif isinstance(question, DateQuestion):
            cells[qid] = a.date_value
        elif isinstance(question, CountryQuestion):
            cells[qid] = a.option_value
        elif include_text:
            cells[qid] = a.text_value
        if a.option_value == OTHER_VALUE and include_text:
            cells[f"{qid}__{OTHER_VALUE}_text"] = a.text_value
    return cells


def number(value: float | None) -> int | float | None:
    """Whole numbers as int, so 7 does not come out as 7.0."""
    if value is not None and float(value).is_integer():
        return int(value)
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """CSV text line by line (with a BOM, so Excel reads UTF-8), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def line(cells: Sequence[Cell]) -> str:
        writer.writerow([_csv_cell(c) for c in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(header)
    for row in rows:
        yield line(row)


def _csv_cell(value: Cell) -> Cell:
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(printable(value))


def utc_iso(value: dt.datetime) -> str:
    """ISO 8601 in UTC to the second (SQLite gives back naive datetimes stored as UTC)."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def printable(value: Cell) -> Cell:
    """Text without the control characters XLSX cannot hold (see text.py).

    Why here too: answers stored before the form removed them must still export.
    """
    return without_controls(value) if isinstance(value, str) else value


def export_filename(title: str, phase: str, extension: str, today: dt.date) -> str:
    """`<training-slug>-<phase>-<date>.<extension>`, ASCII only."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return f"{slug or 'training'}-{phase}-{today.isoformat()}.{extension}"
