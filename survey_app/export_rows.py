"""The rows of an export, read in batches: one phase, both phases stacked (long), or one row
per pre/post pair (wide).

Why batches: only `BATCH_SIZE` responses' answers are held at a time, and `end_read` (the
view passes the session's rollback) ends each batch's read transaction, since on SQLite
every transaction holds the write lock that participants' submissions wait for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .content import phase_versions, registry
from .export_layout import Layout, build_layout, codebook, combine_options, item_question
from .exports import META_COLUMNS, Cell, CodebookEntry, Column, fill_calculation, fill_question
from .models import PHASES, Answer, Response, Training
from .pairing import pairs_query
from .questionnaire import Questionnaire
from .questionnaire.questions import QuestionBase
from .waves import triples_query

BATCH_SIZE = 200
LAYOUTS = ("pre", "post", "followup", "long", "wide")
#: Meta columns that say the same for both halves of a wide row, so they appear once.
WIDE_SHARED = ("pair_id",)
WIDE_DROPPED = ("phase", "paired")


@dataclass(frozen=True)
class Plan:
    """What one export reads: its columns and each phase's questionnaire layout."""

    training_id: int
    #: "pre" or "post" (one phase), "long" (both, one row per response) or "wide" (pairs).
    shape: str
    columns: tuple[Column, ...]
    layouts: Mapping[str, Layout]
    #: Response ids that are part of a pair (the `paired` column).
    paired: frozenset[int]
    #: (pre id, post id) of every pair, by pre id: the wide layout's rows. Held anyway by
    #: the pairing summary `paired` comes from; reading pairs per batch in SQL re-grouped
    #: the whole training each time (minutes for 100,000 responses).
    pairs: tuple[tuple[int, int], ...] = ()
    #: For each column, the position of the `version` cell whose words label it (None for
    #: the shared meta columns of a wide row).
    label_versions: tuple[int | None, ...] = ()
    #: Wide layout with a follow-up: the follow-up response id of each pair's code, by pre id.
    followups: Mapping[int, int] = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        """Column names, in order."""
        return [c.name for c in self.columns]

    def labelled(self, row: Sequence[Cell]) -> list[Cell]:
        """The row as a reader sees it: options by their label in the row's own version."""
        return [
            column.label_of(value, None if at is None else row[at])
            for column, value, at in zip(self.columns, row, self.label_versions, strict=True)
        ]

    def codebook(self) -> Iterator[CodebookEntry]:
        """The codebook of the plan's columns, per questionnaire version."""
        if self.shape in self.layouts and len(self.layouts) == 1:
            yield from self.layouts[self.shape].codebook()
            return
        seen: set[tuple[str, ...]] = set()
        if self.shape == "wide":
            yield from codebook(c for c in META_COLUMNS if c.name in WIDE_SHARED)
        for phase, layout in self.layouts.items():
            for entry in layout.codebook():
                if self.shape == "wide":
                    if entry.column in WIDE_SHARED + WIDE_DROPPED:
                        continue
                    name, prompt = f"{entry.column}_{phase}", f"{entry.prompt} ({phase})"
                    entry = replace(entry, column=name, prompt=prompt)
                if entry.cells() not in seen:
                    seen.add(entry.cells())
                    yield entry

    @property
    def include_text(self) -> bool:
        """Whether free-text columns are in."""
        return any(layout.include_text for layout in self.layouts.values())


def plan_export(
    training_id: int,
    shape: str,
    layouts: Mapping[str, Layout],
    paired: frozenset[int],
    pairs: tuple[tuple[int, int], ...] = (),
) -> Plan:
    """The columns for a shape, from the layouts of the phases it covers."""
    if shape in PHASES:
        columns = layouts[shape].columns
    elif shape == "long":
        names: dict[str, Column] = {}
        for layout in layouts.values():
            for column in layout.columns:
                known = names.setdefault(column.name, column)
                if known is not column and known.kind == "choice":
                    names[column.name] = combine_options(known, column)
        columns = tuple(names.values())
    else:
        columns = tuple(c for c in META_COLUMNS if c.name in WIDE_SHARED)
        for phase, layout in layouts.items():
            columns += tuple(
                c.renamed(f"{c.name}_{phase}", phase)
                for c in layout.columns
                if c.name not in WIDE_SHARED + WIDE_DROPPED
            )
    header = [c.name for c in columns]
    if shape == "wide":
        positions = [
            header.index(f"version_{c.name.rsplit('_', 1)[1]}")
            if c.name not in WIDE_SHARED
            else None
            for c in columns
        ]
    else:
        positions = [header.index("version")] * len(columns)
    return Plan(training_id, shape, columns, layouts, paired, pairs, tuple(positions))


class NoQuestionnaireError(LookupError):
    """The training has no questionnaire for a phase the export asked for."""


def plan_training_export(
    session: Session, training: Training, shape: str, include_text: bool
) -> Plan:
    """The plan of one export of a training (the web and `flask export` both start here).

    Raises ValueError for an unknown shape, NoQuestionnaireError for a phase without one.
    """
    if shape not in LAYOUTS:
        raise ValueError(f"unknown layout '{shape}' (expected one of: {', '.join(LAYOUTS)})")
    layouts = {}
    for phase in (shape,) if shape in PHASES else _combined_phases(training):
        layout = (
            phase_layout(training, phase, include_text, repeat_items(session, training, phase))
            if training.questionnaire_for(phase)
            else None
        )
        if layout is None:
            raise NoQuestionnaireError(f"the training has no questionnaire for the {phase} phase")
        layouts[phase] = layout
    # Only the pairs: the full pairing summary also held every code of both phases in sets
    # (about a quarter of an export's memory at 100,000 responses).
    pairs = tuple((int(a), int(b)) for a, b in session.execute(pairs_query(training.id)))
    paired = frozenset(i for pair in pairs for i in pair)
    plan = plan_export(training.id, shape, layouts, paired, pairs)
    if shape == "wide" and "followup" in layouts:
        plan = replace(plan, followups=followups_by_pre(session, training.id))
    return plan


def _combined_phases(training: Training) -> tuple[str, ...]:
    """The phases of a long or wide export: pre and post, and the follow-up if it has one."""
    return ("pre", "post") + (("followup",) if training.followup_questionnaire_id else ())


def followups_by_pre(session: Session, training_id: int) -> dict[int, int]:
    """pre id → follow-up id of every pre/post pair whose code answered the follow-up too."""
    return {int(pre): int(fu) for pre, _, fu in session.execute(triples_query(training_id))}


def count_plan_rows(session: Session, plan: Plan) -> int:
    """How many rows the plan's export has (for progress)."""
    if plan.shape == "wide":
        return len(plan.pairs)
    phases = tuple(plan.layouts) if plan.shape == "long" else (plan.shape,)
    stmt = select(func.count(Response.id)).where(
        Response.training_id == plan.training_id, Response.phase.in_(phases)
    )
    return session.scalar(stmt) or 0


def repeat_items(session: Session, training: Training, phase: str) -> dict[str, int]:
    """The most items any of the phase's responses gave, by question id (repeated ones only)."""
    rows = session.execute(
        select(Answer.question_id, func.max(Answer.instance))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.training_id == training.id, Response.phase == phase, Answer.instance > 0)
        .group_by(Answer.question_id)
    )
    return {str(qid): int(most) for qid, most in rows}


def phase_layout(
    training: Training, phase: str, include_text: bool, items: Mapping[str, int] | None = None
) -> Layout | None:
    """The layout of a training's phase: labelled by the newest version its rows answered
    (or its pinned one), every answered version's columns in; None without a questionnaire.

    `items` (most items by question id) gives the number of columns of repeated questions.
    """
    answered = {
        vid: (lf.version or 0, lf.model) for vid, lf in phase_versions(training, phase).items()
    }
    ordered = sorted(answered.values(), key=lambda v: v[0])
    if ordered:
        newest = ordered[-1][1]
        return build_layout(newest, include_text, answered, section_items(newest, items))
    current = registry().questionnaire(training.questionnaire_for(phase) or "")
    if current is None:
        return None
    return build_layout(current.model, include_text, items=section_items(current.model, items))


def section_items(questionnaire: Questionnaire, items: Mapping[str, int] | None) -> dict[str, int]:
    """The most items of each repeated section: the most of any of its questions."""
    found = items or {}
    return {
        s.id: max(found.get(q.id, 0) for q in s.questions)
        for s in questionnaire.sections
        if s.repeat is not None
    }


def code_numbers(session: Session, training_id: int) -> dict[str, int]:
    """Each participant-code hash of the training -> 1, 2, ... in order of its first response.

    Why numbers: the hash never leaves the server (with the pepper it can be tested against
    every code), and a number says the same thing to an analyst. Memory: one entry per code.
    """
    first = func.min(Response.id)
    rows = session.execute(
        select(Response.participant_code_hash)
        .where(Response.training_id == training_id, Response.participant_code_hash.is_not(None))
        .group_by(Response.participant_code_hash)
        .order_by(first)
    ).scalars()
    return {code: n for n, code in enumerate(rows, start=1) if code is not None}


def response_cells(
    session: Session, plan: Plan, numbers: Mapping[str, int], ids: Sequence[int]
) -> dict[int, dict[str, Cell]]:
    """Every cell (meta and answers) of these responses, by response id."""
    meta = session.execute(
        select(
            Response.id,
            Response.phase,
            Response.submitted_at,
            Response.language,
            Response.version_id,
            Response.participant_code_hash,
        ).where(Response.id.in_(ids))
    ).all()
    qids = {qid for layout in plan.layouts.values() for qid in layout.question_ids}
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
            Answer.instance,
        )
        .where(Answer.response_id.in_(ids), Answer.question_id.in_(qids))
        .order_by(Answer.response_id, Answer.question_id, Answer.instance, Answer.id)
    ).all()
    out: dict[int, dict[str, Cell]] = {}
    asked: dict[int, Mapping[str, QuestionBase]] = {}
    for r in meta:
        out[r.id] = {
            "response_id": r.id,
            "pair_id": numbers.get(r.participant_code_hash or ""),
            "phase": r.phase,
            "submitted_at": r.submitted_at,
            "language": r.language,
            "paired": "yes" if r.id in plan.paired else "no",
        }
        own = plan.layouts[r.phase].version_questions.get(r.version_id)
        out[r.id]["version"] = own[0] if own else None
        asked[r.id] = own[1] if own else {}
    for rid, rows in groupby(answers, lambda a: a.response_id):
        cells = out[rid]
        layout = plan.layouts[str(cells["phase"])]
        for (qid, instance), qrows in groupby(rows, lambda a: (a.question_id, a.instance)):
            # Read with the row's own version's question (its options, its rows).
            question = asked[rid].get(qid) or layout.questions.get(qid)
            if question is not None and instance:
                question = item_question(question, instance)
            if question is not None:
                cells.update(fill_question(question, list(qrows), layout.include_text))
            elif qid in layout.calculated:
                cells[qid] = fill_calculation(qid, list(qrows), layout.include_text)
    return out


def iter_plan_rows(
    session: Session, plan: Plan, end_read: Callable[[], None] | None = None
) -> Iterator[list[Cell]]:
    """The plan's rows, in order of response id (of the pre response, for pairs)."""
    numbers = code_numbers(session, plan.training_id)
    header = plan.header
    for batch in _batches(session, plan, end_read):
        ids = [i for pair in batch for i in pair]
        ids += [plan.followups[pair[0]] for pair in batch if pair[0] in plan.followups]
        cells = response_cells(session, plan, numbers, ids)
        if end_read is not None:
            end_read()
        for pair in batch:
            if plan.shape != "wide":
                row = cells[pair[0]]
            else:
                pre, post = cells[pair[0]], cells[pair[1]]
                row = {"pair_id": pre["pair_id"]}
                row.update({f"{k}_pre": v for k, v in pre.items()})
                row.update({f"{k}_post": v for k, v in post.items()})
                followup = plan.followups.get(pair[0])
                if followup is not None:
                    row.update({f"{k}_followup": v for k, v in cells[followup].items()})
            yield [row.get(name) for name in header]


def _batches(
    session: Session, plan: Plan, end_read: Callable[[], None] | None
) -> Iterator[Sequence[tuple[int, ...]]]:
    """Response ids a batch at a time: `(id,)` per response, `(pre id, post id)` per pair."""
    if plan.shape == "wide":
        for start in range(0, len(plan.pairs), BATCH_SIZE):
            yield list(plan.pairs[start : start + BATCH_SIZE])
        return
    after = 0
    phases = tuple(plan.layouts) if plan.shape == "long" else (plan.shape,)
    while True:
        stmt = (
            select(Response.id)
            .where(
                Response.training_id == plan.training_id,
                Response.phase.in_(phases),
                Response.id > after,
            )
            .order_by(Response.id)
        )
        batch = [(int(i),) for i in session.scalars(stmt.limit(BATCH_SIZE))]
        if end_read is not None:
            end_read()
        if not batch:
            return
        yield batch
        after = batch[-1][0]
