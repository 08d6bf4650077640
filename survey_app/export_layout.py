"""The columns of an export across questionnaire versions, and its codebook.

Every version a phase's rows answered contributes its columns; a choice column's options are
the union over versions (retired ones noted), so statistics files get one set of value
labels per variable, while each row is read and labelled in its own version's words.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from .exports import META_COLUMNS, CodebookEntry, Column, calculation_column, question_columns
from .questionnaire import Questionnaire
from .questionnaire.questions import QuestionBase
from .questionnaire.readable import unpiped


@dataclass(frozen=True)
class Layout:
    """The columns of one questionnaire's export, with or without free text."""

    questionnaire: Questionnaire
    include_text: bool
    columns: tuple[Column, ...]
    #: (number, questionnaire) of each version the rows answered, by version id: every row
    #: is read and labelled with its own version's questions.
    versions: Mapping[int, tuple[int, Questionnaire]] = field(default_factory=dict)
    #: Items (the most any row gave) of each repeated section, by section id.
    items: Mapping[str, int] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        """Column names, in order."""
        return [c.name for c in self.columns]

    @cached_property
    def questions(self) -> dict[str, QuestionBase]:
        """The (newest) questionnaire's questions by id."""
        return {q.id: q for q in self.questionnaire.questions()}

    @cached_property
    def version_questions(self) -> dict[int, tuple[int, dict[str, QuestionBase]]]:
        """(number, questions by id) of each answered version, by version id."""
        return {
            vid: (number, {q.id: q for q in model.questions()})
            for vid, (number, model) in self.versions.items()
        }

    @cached_property
    def calculated(self) -> frozenset[str]:
        """Ids of the calculations of every version."""
        models = [self.questionnaire, *(m for _n, m in self.versions.values())]
        return frozenset(c.id for m in models for c in m.calculations)

    @property
    def question_ids(self) -> list[str]:
        """Questions whose answers the export reads."""
        return list(dict.fromkeys(c.question_id for c in self.columns if c.question_id))

    def codebook(self, meta: bool = True) -> Iterator[CodebookEntry]:
        """One line per column, plus one per option of single-choice columns; with several
        versions, the question columns once per version, in that version's words."""
        if meta:
            yield from codebook(c for c in self.columns if not c.question_id)
        names = set(self.header)
        labelled = sorted(self.versions.values(), key=lambda v: v[0])
        for number, questionnaire in labelled or [(0, self.questionnaire)]:
            columns = [
                c
                for c in exported_columns(questionnaire, self.include_text, self.items)
                if c.name in names
            ]
            columns += [
                c for c in map(calculation_column, questionnaire.calculations) if c.name in names
            ]
            yield from codebook(columns, str(number) if number else "")


def item_question(question: QuestionBase, n: int) -> QuestionBase:
    """A repeated question as exported for item `n`: its columns are named `<id>_<n>`."""
    return question.model_copy(update={"id": f"{question.id}_{n}"})


def exported_columns(
    questionnaire: Questionnaire, include_text: bool, items: Mapping[str, int]
) -> Iterator[Column]:
    """The columns of every question in order; a repeated question's once per item (wide),
    up to the most items any row gave, each labelled with its item."""
    for section in questionnaire.sections:
        if section.repeat is None:
            for question in section.questions:
                yield from question_columns(question, include_text)
            continue
        name = str(section.repeat.item_label or "Item")
        for n in range(1, items.get(section.id, 0) + 1):
            for question in section.questions:
                for column in question_columns(item_question(question, n), include_text):
                    yield replace(
                        column, question_id=question.id, prompt=f"{column.prompt} ({name} {n})"
                    )


def codebook(columns: Iterable[Column], version: str = "") -> Iterator[CodebookEntry]:
    """One line per column, plus one per option of single-choice columns."""
    for column in columns:
        base = (column.name, column.question_id, column.qtype, column.prompt)
        yield CodebookEntry(*base, column.value, column.label, column.coding, version)
        if column.question_id:
            for value, label in column.options:
                yield CodebookEntry(*base, value, label, column.coding, version)


def build_layout(
    questionnaire: Questionnaire,
    include_text: bool,
    versions: Mapping[int, tuple[int, Questionnaire]] | None = None,
    items: Mapping[str, int] | None = None,
) -> Layout:
    """The columns for a questionnaire, in questionnaire order; then those only older
    `versions` have (a removed question, option or row), newest version first.

    A choice column's options are those of every version: the newest's, then retired ones
    (see `merge_options`), so one set of codes and value labels serves every row.
    """
    # Codebook and header labels describe every response: `${id}` names the piped answer.
    questionnaire = unpiped(questionnaire)
    versions = {vid: (number, unpiped(model)) for vid, (number, model) in (versions or {}).items()}
    newest_first = sorted(versions.values(), key=lambda v: -v[0])
    items = dict(items or {})
    own = [
        (number, list(exported_columns(model, include_text, items)))
        for number, model in newest_first
    ]
    columns: dict[str, Column] = {c.name: c for c in META_COLUMNS}
    columns.update((c.name, c) for c in exported_columns(questionnaire, include_text, items))
    for _number, older in own:
        for column in older:
            columns.setdefault(column.name, column)
    # Calculated values after every question, newest version's first, as the form lists them.
    for model in [questionnaire, *(m for _n, m in newest_first)]:
        for calculation in model.calculations:
            columns.setdefault(calculation.id, calculation_column(calculation))
    by_version: dict[str, list[tuple[int, Column]]] = {}
    for number, cols in own:
        for column in cols:
            if column.kind == "choice":
                by_version.setdefault(column.name, []).append((number, column))
    for name, seen in by_version.items():
        columns[name] = merge_options(columns[name], seen)
    return Layout(questionnaire, include_text, tuple(columns.values()), dict(versions or {}), items)


def merge_options(column: Column, seen: Sequence[tuple[int, Column]]) -> Column:
    """The column with the options of every version it was answered in.

    Why: statistics files take one set of value labels per variable. Options the column's
    own (newest) version still has keep its label; an option later versions dropped is added
    after them, labelled from the last version that had it, with
    "(retired after version N)". Each version's own labels stay in `version_options`.
    """
    options = dict(column.options)
    last: dict[str, tuple[int, str]] = {}
    for number, older in seen:
        for value, label in older.options:
            if value not in options and number > last.get(value, (-1, ""))[0]:
                last[value] = (number, label)
    retired = tuple(
        (value, f"{label} (retired after version {number})")
        for value, (number, label) in last.items()
    )
    by_number = tuple(sorted((n, c.options) for n, c in seen))
    return replace(column, options=column.options + retired, version_options=by_number)


def combine_options(first: Column, second: Column) -> Column:
    """One choice column for two phases' layouts (the long shape): the first's options, then
    the second's it lacks; each version's own labels from both."""
    known = {value for value, _ in first.options}
    extra = tuple(pair for pair in second.options if pair[0] not in known)
    versions = dict(second.version_options) | dict(first.version_options)
    return replace(
        first, options=first.options + extra, version_options=tuple(sorted(versions.items()))
    )
