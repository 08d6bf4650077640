"""Programme report: a programme's trainings side by side on one needs-assessment matrix,
and the needs that recur across them, ranked, as the basis for next year's plan.

Each training is a group of the programme's respondents: per matrix row, the people who
rated it are broken down by training through `Disclosure.breakdown` (minimum group and
residual rule), so a training of fewer than k raters of a row shows nothing for it, and
the hidden ones are never the difference of the shown ones and the total. Every number
returned is the value `Disclosure.release` recorded.

How needs are ranked: an item *recurs* in a training when its mean importance there is
among the `top` highest of that training's shown items (ties share the place). Items are
ranked by the number of trainings they recur in, then by their programme-wide mean.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Programme, Response
from ..questionnaire.questions import MatrixQuestion
from ..questionnaire.schema import Questionnaire
from .disclosure import HIDDEN_MARK, Disclosure, Population, PopulationDef
from .pipeline import html_to_pdf, report_environment
from .scope import Scope
from .sql import numbers_of

#: The needs-assessment question compared by default (if the questionnaire has it): how
#: important each skill is.
NEEDS_QUESTION = "capacity_importance"
TOP = 3
BY = "training"
RANKING_NOTE = (
    "How needs are ranked: an item recurs in a training when its mean rating there is among "
    "the {top} highest of that training (ties share the place). Items are ranked by the "
    "number of trainings they recur in, then by the mean rating over all respondents of "
    "the programme. Only trainings and items shown in the table count."
)


@dataclass(frozen=True)
class ProgrammeItem:
    """One matrix row: its mean per column (None: hidden), overall, and recurrence."""

    value: str
    label: str
    cells: tuple[float | None, ...]
    overall: float | None
    recurs: int = 0
    rank: int = 0


@dataclass(frozen=True)
class ProgrammeReport:
    """What the programme report prints, as plain data."""

    name: str
    description: str
    questionnaire_title: str
    prompt: str
    k: int
    generated: dt.date
    #: Column headings (a training's title, or "Other trainings") and their respondents.
    columns: tuple[tuple[str, int], ...]
    respondents: int | None
    #: Items in their ranked order.
    items: tuple[ProgrammeItem, ...]
    trainings_compared: int
    hidden_trainings: int
    disclosure: dict[str, Any] = field(default_factory=dict)
    ranking_note: str = RANKING_NOTE.format(top=TOP)
    hidden_mark: str = HIDDEN_MARK


def build_programme_report(
    session: Session,
    programme_id: int,
    questionnaire: Questionnaire,
    *,
    question_id: str | None = None,
    today: dt.date | None = None,
) -> ProgrammeReport:
    """Compute the programme report from the trainings' pre responses to `questionnaire`,
    on the matrix `question_id` (by default `default_question`)."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise LookupError(f"there is no programme #{programme_id}")
    question_id = question_id or default_question(questionnaire)
    question = questionnaire.question(question_id) if question_id else None
    if not isinstance(question, MatrixQuestion):
        raise ValueError(
            f"'{question_id}' is not a matrix question of '{questionnaire.id}'"
            if question_id
            else f"'{questionnaire.id}' has no matrix question to compare the trainings on"
        )
    trainings = [t for t in programme.trainings if t.pre_questionnaire_id == questionnaire.id]
    k = max([5, *(t.min_group_size for t in trainings)])
    k_text = max([10, *(t.min_text_group_size for t in trainings)])
    disclosure = Disclosure(k, k_text, dimensions=frozenset({BY}), k_source="the trainings")
    # Per training: its counted pre responses (latest per code), and their ratings.
    ids = {
        str(t.id): list(
            session.scalars(
                select(Response.id).where(
                    *Scope(questionnaire.id, training_id=t.id, phase="pre").conditions()
                )
            )
        )
        for t in trainings
    }
    labels = {str(t.id): t.title for t in trainings}
    ratings = _ratings(session, question.id, ids)
    base = PopulationDef(questionnaire=questionnaire.id, programme=programme.id, phase="pre")
    total = sum(len(v) for v in ids.values())
    everyone = disclosure.population(base, "All respondents of the programme", total)
    empty = ProgrammeReport(
        programme.name,
        programme.description,
        questionnaire.title,
        question.prompt,
        k,
        today or dt.datetime.now(dt.UTC).date(),
        (),
        None,
        (),
        0,
        len(trainings),
    )
    if not isinstance(everyone, Population):
        return _with_disclosure(empty, disclosure)
    sizes = {tid: len(v) for tid, v in ids.items()}
    plan = disclosure.breakdown(everyone, BY, sizes, labels, other_label="Other trainings")
    keys = [g for g, _ in plan.groups] + (["other"] if plan.other else [])
    columns = tuple(
        (pop.label, disclosure.release_count(pop, "size", pop.size)) for pop in plan.populations
    )
    # Rows break down only into the trainings the whole table shows: a training hidden
    # there (to keep the residual at 0 or k+) must not reappear in a row.
    named = {tid: sizes[tid] for tid, _ in plan.groups}
    items = [
        _item(disclosure, everyone, question.id, (row.value, row.label), ratings, named, keys)
        for row in question.rows
    ]
    ranked = _ranked(items, len(plan.groups))
    report = ProgrammeReport(
        programme.name,
        programme.description,
        questionnaire.title,
        question.prompt,
        k,
        empty.generated,
        columns,
        disclosure.release_count(everyone, "size", everyone.size),
        ranked,
        len(plan.groups),
        len(trainings) - len(plan.groups),
    )
    return _with_disclosure(report, disclosure)


def matrix_questions(questionnaire: Questionnaire) -> list[MatrixQuestion]:
    """The questions a programme report can compare trainings on: every matrix."""
    return [q for q in questionnaire.questions() if isinstance(q, MatrixQuestion)]


def default_question(questionnaire: Questionnaire) -> str | None:
    """How important each skill is (`NEEDS_QUESTION`) when the questionnaire asks it, else
    its first matrix; None without one."""
    ids = [q.id for q in matrix_questions(questionnaire)]
    return NEEDS_QUESTION if NEEDS_QUESTION in ids else next(iter(ids), None)


def _ratings(
    session: Session, question_id: str, ids: dict[str, list[int]]
) -> dict[str, dict[str, list[float]]]:
    """row → training → the ratings of that training's counted responses."""
    training_of = {rid: tid for tid, rids in ids.items() for rid in rids}
    out: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for response_id, row, value in numbers_of(session, question_id, list(training_of)):
        if row is not None:
            out[row][training_of[response_id]].append(value)
    return out


def _item(
    disclosure: Disclosure,
    everyone: Population,
    qid: str,
    item: tuple[str, str],
    ratings: dict[str, dict[str, list[float]]],
    named: dict[str, int],
    keys: list[str],
) -> ProgrammeItem:
    """One row: the programme's raters of it, then broken down by training."""
    row, label = item
    per_training = ratings.get(row, {})
    every = [v for values in per_training.values() for v in values]
    answered_def = everyone.definition.narrowed(answered=qid, row=row)
    raters = disclosure.population(answered_def, f"All respondents who rated “{label}”", len(every))
    if not isinstance(raters, Population):
        return ProgrammeItem(row, label, (None,) * len(keys), None)
    where = {"question": qid, "row": row}
    overall = disclosure.release(raters, "mean", sum(every) / len(every), digits=2, **where)
    sizes = {tid: len(per_training.get(tid, [])) for tid in named}
    labels = {tid: tid for tid in named}
    plan = disclosure.breakdown(
        raters, BY, sizes, labels, other_label="Other trainings", before=(everyone.size, named)
    )
    shown: dict[str, float] = {}
    for tid, pop in plan.groups:
        values = per_training[tid]
        shown[tid] = disclosure.release(pop, "mean", sum(values) / len(values), digits=2, **where)
    # "Other trainings" of a row is the column's only when the row shows every named
    # training; otherwise it would mix them in, so it is not printed.
    if plan.other is not None and set(shown) == set(named) and "other" in keys:
        rest = [v for tid, values in per_training.items() if tid not in named for v in values]
        shown["other"] = disclosure.release(
            plan.other, "mean", sum(rest) / len(rest), digits=2, **where
        )
    return ProgrammeItem(row, label, tuple(shown.get(key) for key in keys), overall)


def _ranked(items: list[ProgrammeItem], trainings: int) -> tuple[ProgrammeItem, ...]:
    """Items by how many trainings they recur in, then by their programme-wide mean."""
    recurs: dict[str, int] = dict.fromkeys((i.value for i in items), 0)
    for column in range(trainings):
        means = [(i.cells[column], i.value) for i in items]
        shown = [(m, v) for m, v in means if m is not None]
        for mean, value in shown:
            # Competition ranking: the place is 1 + the number of strictly higher means.
            if sum(1 for m, _ in shown if m > mean) < TOP:
                recurs[value] += 1
    ordered_items = sorted(
        items,
        key=lambda i: (-recurs[i.value], -(i.overall if i.overall is not None else -1), i.label),
    )
    return tuple(
        ProgrammeItem(i.value, i.label, i.cells, i.overall, recurs[i.value], rank)
        for rank, i in enumerate(ordered_items, start=1)
    )


def _with_disclosure(report: ProgrammeReport, disclosure: Disclosure) -> ProgrammeReport:
    data = {"programme": report.name, **disclosure.as_json()}
    return ProgrammeReport(**{**report.__dict__, "disclosure": data})


def programme_json(report: ProgrammeReport) -> str:
    """The machine-readable report: the table, the ranking and every released figure."""
    data = {
        "generated": report.generated.isoformat(),
        "columns": [{"label": label, "respondents": n} for label, n in report.columns],
        "items": [
            {
                "rank": i.rank,
                "item": i.value,
                "label": i.label,
                "recurs_in": i.recurs,
                "overall_mean": i.overall,
                "means": list(i.cells),
            }
            for i in report.items
        ],
        **report.disclosure,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def programme_html(report: ProgrammeReport, *, static_url: str = "") -> str:
    """The print layout of the programme report."""
    template = report_environment().get_template("reports/programme.html")
    return template.render(r=report, static_url=static_url)


def programme_pdf(report: ProgrammeReport) -> bytes:
    """The programme report as PDF bytes."""
    return html_to_pdf(programme_html(report))
