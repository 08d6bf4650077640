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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Answer, Response
from .questionnaire import Questionnaire
from .questionnaire.schema import (
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
BATCH_SIZE = 200
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


META_COLUMNS = (
    Column("response_id", "", "meta", "Response number (stable within this server)", "integer"),
    Column("phase", "", "meta", "Before (pre) or after (post) the training", "pre | post"),
    Column("submitted_at", "", "meta", "When the response was submitted", "UTC, ISO 8601"),
    Column("language", "", "meta", "Language of the questionnaire", "language tag"),
    Column(
        "paired",
        "",
        "meta",
        "Part of a pre/post pair (latest response with the code in each phase)",
        "yes | no",
    ),
    Column(
        "version",
        "",
        "meta",
        "Questionnaire version answered (its texts: the codebook lines of that version)",
        "integer",
    ),
)


@dataclass(frozen=True)
class Layout:
    """The columns of one questionnaire's export, with or without free text."""

    questionnaire: Questionnaire
    include_text: bool
    columns: tuple[Column, ...]
    #: (number, questionnaire) of each version the rows answered, by version id: every row
    #: is read and labelled with its own version's questions.
    versions: Mapping[int, tuple[int, Questionnaire]] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        """Column names, in order."""
        return [c.name for c in self.columns]

    @property
    def question_ids(self) -> list[str]:
        """Questions whose answers the export reads."""
        return list(dict.fromkeys(c.question_id for c in self.columns if c.question_id))

    def codebook(self) -> Iterator[CodebookEntry]:
        """One line per column, plus one per option of single-choice columns; with several
        versions, the question columns once per version, in that version's words."""
        yield from _entries(self.questionnaire, [c for c in self.columns if not c.question_id])
        names = set(self.header)
        labelled = sorted(self.versions.values(), key=lambda v: v[0])
        for number, questionnaire in labelled or [(0, self.questionnaire)]:
            columns = [
                c
                for q in questionnaire.questions()
                for c in question_columns(q, self.include_text)
                if c.name in names
            ]
            yield from _entries(questionnaire, columns, str(number) if number else "")


def _entries(
    questionnaire: Questionnaire, columns: Iterable[Column], version: str = ""
) -> Iterator[CodebookEntry]:
    for column in columns:
        question = questionnaire.question(column.question_id)
        values: list[tuple[str, str]] = []
        if isinstance(question, SingleChoiceQuestion) and column.name == question.id:
            values = [(o.value, o.label) for o in question.options]
            values += [(OTHER_VALUE, "Other")] if question.other else []
        base = (column.name, column.question_id, column.qtype, column.prompt)
        yield CodebookEntry(*base, column.value, column.label, column.coding, version)
        for value, label in values:
            yield CodebookEntry(*base, value, label, column.coding, version)


def build_layout(
    questionnaire: Questionnaire,
    include_text: bool,
    versions: Mapping[int, tuple[int, Questionnaire]] | None = None,
) -> Layout:
    """The columns for a questionnaire, in questionnaire order; then those only older
    `versions` have (a removed question or option), newest version first."""
    columns = list(META_COLUMNS)
    for question in questionnaire.questions():
        columns += question_columns(question, include_text)
    names = {c.name for c in columns}
    for _number, older in sorted((versions or {}).values(), key=lambda v: -v[0]):
        for question in older.questions():
            for column in question_columns(question, include_text):
                if column.name not in names:
                    names.add(column.name)
                    columns.append(column)
    return Layout(questionnaire, include_text, tuple(columns), dict(versions or {}))


def question_columns(question: QuestionBase, include_text: bool) -> list[Column]:
    """The columns one question expands into (none for free text unless included)."""
    qid, qtype, prompt = question.id, getattr(question, "type", ""), question.prompt

    def col(name: str, coding: str, value: str = "", label: str = "") -> Column:
        return Column(name, qid, qtype, prompt, coding, value, label)

    out: list[Column] = []
    if isinstance(question, SingleChoiceQuestion):
        out.append(col(qid, "option value (see the value/label lines)"))
    elif isinstance(question, MultiChoiceQuestion):
        out += [
            col(f"{qid}__{o.value}", "1 chosen, 0 not; empty when not answered", o.value, o.label)
            for o in question.options
        ]
        if question.other:
            out.append(
                col(
                    f"{qid}__{OTHER_VALUE}",
                    "1 chosen, 0 not; empty when not answered",
                    OTHER_VALUE,
                    "Other",
                )
            )
    elif isinstance(question, MatrixQuestion):
        coding = scale_coding(question.scale)
        out += [col(f"{qid}__{r.value}", coding, r.value, r.label) for r in question.rows]
    elif isinstance(question, RankingQuestion):
        coding = f"rank 1..{question.top}; empty when not ranked"
        out += [col(f"{qid}__{o.value}", coding, o.value, o.label) for o in question.options]
    elif isinstance(question, ScaleQuestion):
        out.append(col(qid, scale_coding(question.scale)))
    elif isinstance(question, NumberQuestion):
        out.append(col(qid, "number" + (f" ({question.unit})" if question.unit else "")))
    elif isinstance(question, DateQuestion):
        out.append(col(qid, "date, YYYY-MM-DD"))
    elif isinstance(question, CountryQuestion):
        out.append(col(qid, "ISO 3166-1 alpha-2 code"))
    elif isinstance(question, TEXT_TYPES) and include_text:
        out.append(col(qid, "free text"))
    if isinstance(question, ChoiceQuestionBase) and question.other and include_text:
        out.append(col(f"{qid}__{OTHER_VALUE}_text", "free text typed for Other"))
    return out


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


def iter_rows(
    session: Session,
    layout: Layout,
    training_id: int,
    phase: str,
    paired: frozenset[int],
    end_read: Callable[[], None] | None = None,
) -> Iterator[list[Cell]]:
    """One row per response of the training's phase, by response id, in batches.

    Why batches: only `BATCH_SIZE` responses' answers are held at a time, and `end_read`
    (the view passes the session's rollback) ends each batch's read transaction, since on
    SQLite every transaction holds the write lock that participants' submissions wait for.
    """
    questions = {q.id: q for q in layout.questionnaire.questions()}
    own = {
        version_id: ({q.id: q for q in model.questions()}, number)
        for version_id, (number, model) in layout.versions.items()
    }
    qids = layout.question_ids
    after = 0
    while True:
        responses = session.execute(
            select(Response.id, Response.submitted_at, Response.language, Response.version_id)
            .where(
                Response.training_id == training_id, Response.phase == phase, Response.id > after
            )
            .order_by(Response.id)
            .limit(BATCH_SIZE)
        ).all()
        if not responses:
            return
        ids = [r.id for r in responses]
        answers = session.execute(
            select(
                Answer.response_id,
                Answer.question_id,
                Answer.row,
                Answer.option_value,
                Answer.number_value,
                Answer.text_value,
                Answer.date_value,
                Answer.rank,
            )
            .where(Answer.response_id.in_(ids), Answer.question_id.in_(qids))
            .order_by(Answer.response_id, Answer.id)
        ).all()
        if end_read is not None:
            end_read()
        by_response = {rid: list(rows) for rid, rows in groupby(answers, lambda a: a.response_id)}
        for r in responses:
            cells: dict[str, Cell] = {
                "response_id": r.id,
                "phase": phase,
                "submitted_at": utc_iso(r.submitted_at),
                "language": r.language,
                "paired": "yes" if r.id in paired else "no",
            }
            asked, number = own.get(r.version_id, (questions, None))
            cells["version"] = number
            mine = sorted(by_response.get(r.id, []), key=lambda a: a.question_id)
            for qid, rows in groupby(mine, lambda a: a.question_id):
                question = asked.get(qid) or questions.get(qid)
                if question is not None:
                    cells.update(fill_question(question, list(rows), layout.include_text))
            yield [cells.get(name) for name in layout.header]
        after = ids[-1]


def utc_iso(value: dt.datetime) -> str:
    """ISO 8601 in UTC to the second (SQLite gives back naive datetimes stored as UTC)."""
    aware = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    return aware.replace(microsecond=0).isoformat().replace("+00:00", "Z")


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
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(printable(value))


def printable(value: Cell) -> Cell:
    """Text without the control characters XLSX cannot hold (see text.py).

    Why here too: answers stored before the form removed them must still export.
    """
    return without_controls(value) if isinstance(value, str) else value


def build_xlsx(layout: Layout, rows: Iterable[Sequence[Cell]]) -> bytes:
    """A workbook with a `responses` sheet and a `codebook` sheet, every cell neutralised."""
    workbook = Workbook(write_only=True)
    responses = workbook.create_sheet("responses")
    responses.freeze_panes = "A2"
    responses.append([neutralise(printable(name)) for name in layout.header])
    for row in rows:
        responses.append([neutralise(printable(c)) for c in row])
    codebook = workbook.create_sheet("codebook")
    codebook.append(CODEBOOK_HEADER)
    for entry in layout.codebook():
        codebook.append([neutralise(printable(c)) for c in entry.cells()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_filename(title: str, phase: str, extension: str, today: dt.date) -> str:
    """`<training-slug>-<phase>-<date>.<extension>`, ASCII only."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].rstrip("-")
    return f"{slug or 'training'}-{phase}-{today.isoformat()}.{extension}"
