"""Retention block: did the change last? Pre, post and follow-up means of the same people.

Computed only when the report is filtered to a training whose pre, post and follow-up
questionnaires are the block's two and the report's own. The three-wave set (codes with a
response in every wave, the latest per code: waves.py) is a population within each wave's
respondents and within the pre/post pairs; each compared item's set (those of them who
rated it in all three waves) one within each wave's people who rated it. The disclosure
layer decides what shows; every number returned is the value `Disclosure.release` recorded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select

from ...models import Response
from ...questionnaire.questions import MatrixQuestion, QuestionBase
from ...waves import triples_query
from ..context import ReportContext
from ..disclosure import HIDDEN_MARK, Population, PopulationDef
from ..results import BlockResult, Chart
from ..schema import RetentionBlock
from ..scope import Scope
from ..sql import numbers_of
from . import BlockKind

WAVES = ("pre", "post", "followup")
WAVE_LABELS = {"pre": "Before", "post": "After", "followup": "Follow-up"}
EVERYONE = {
    "pre": "All respondents before the training",
    "post": "All respondents after the training",
    "followup": "All follow-up respondents",
}
METHOD_NOTE = (
    "Only participants who answered all three questionnaires with the same personal code "
    "count (the latest answers of each code in each wave). Each row is the mean rating of "
    "those of them who rated the item in all three waves, so the three means describe the "
    "same people. Kept: follow-up mean minus the mean before the training, as a share of "
    "the gain from before to after (shown when the gain is at least 0.1)."
)


@dataclass(frozen=True)
class RetentionRow:
    """One item's mean in each wave, as printed; `hidden` prints the hidden mark only."""

    label: str
    hidden: bool = True
    n: int | None = None
    means: tuple[float, ...] = ()
    #: Follow-up minus before, over after minus before (None when the gain is too small).
    kept: float | None = None


@dataclass(frozen=True)
class RetentionQuestion:
    """A compared question's rows (one for a scale)."""

    question_id: str
    prompt: str
    rows: tuple[RetentionRow, ...]


@dataclass(frozen=True)
class RetentionResult(BlockResult):
    """The three-wave comparison of one training."""

    #: Respondents per wave, and people in all three waves (None: hidden).
    respondents: tuple[tuple[str, int | None], ...] = ()
    people: int | None = None
    questions: tuple[RetentionQuestion, ...] = ()
    wave_labels: tuple[str, ...] = tuple(WAVE_LABELS[w] for w in WAVES)
    method_note: str = METHOD_NOTE
    hidden_mark: str = HIDDEN_MARK


def compute(ctx: ReportContext, block: RetentionBlock) -> RetentionResult:
    """Means per wave of the people in all three waves, for each compared item."""
    heading = block.title or "Before, after and at follow-up"
    training = ctx.training
    followup_qid = ctx.report.questionnaire
    if training is None or (
        training.pre_questionnaire_id,
        training.post_questionnaire_id,
        training.followup_questionnaire_id,
    ) != (block.pre, block.post, followup_qid):
        note = (
            "The three-wave comparison needs the report of one training whose pre, post and "
            "follow-up questionnaires are this block's."
        )
        return RetentionResult(heading, block.intro, notes=(note,), empty=True)
    qids = {"pre": block.pre, "post": block.post, "followup": followup_qid}
    scopes = {w: replace(ctx.scope(qids[w], w), paired=False) for w in WAVES}
    everyone = {w: ctx.population(scopes[w], EVERYONE[w]) for w in WAVES}
    pairs = ctx.population(replace(scopes["pre"], paired=True))
    triples = _triples_in_scope(ctx, training.id, scopes)
    base = scopes["followup"].population().narrowed(waves=True)
    people = ctx.disclosure.population(
        base,
        "Participants in all three waves",
        len(triples),
        within=everyone["followup"],
        also_within=(everyone["pre"], everyone["post"], pairs),
    )
    respondents = tuple(
        (
            WAVE_LABELS[w],
            ctx.disclosure.release_count(pop, "size", pop.size)
            if isinstance(pop, Population)
            else None,
        )
        for w, pop in everyone.items()
    )
    if not isinstance(people, Population):
        note = (
            f"Fewer than {ctx.k} participants answered all three waves with the same code "
            "(or showing them would let a smaller group be worked out): nothing is compared."
        )
        return RetentionResult(
            heading, block.intro, notes=(note,), empty=True, respondents=respondents
        )
    printed_people = ctx.disclosure.release_count(people, "size", people.size)
    questions = tuple(
        _question(ctx, qids, scopes, ctx.question(qid, followup_qid), triples)
        for qid in block.questions
    )
    return RetentionResult(
        heading,
        block.intro,
        respondents=respondents,
        people=printed_people,
        questions=questions,
    )


def _triples_in_scope(
    ctx: ReportContext, training_id: int, scopes: Mapping[str, Scope]
) -> list[tuple[int, int, int]]:
    """(pre, post, follow-up) ids of the three-wave set, each response within its scope."""
    in_scope = {
        w: set(ctx.session.scalars(select(Response.id).where(*scopes[w].conditions())))
        for w in WAVES
    }
    return [
        (int(a), int(b), int(c))
        for a, b, c in ctx.session.execute(triples_query(training_id))
        if a in in_scope["pre"] and b in in_scope["post"] and c in in_scope["followup"]
    ]


def _question(
    ctx: ReportContext,
    qids: Mapping[str, str],
    scopes: Mapping[str, Scope],
    question: QuestionBase,
    triples: list[tuple[int, int, int]],
) -> RetentionQuestion:
    """One question's rows: each row's three-wave people and their mean per wave."""
    values = _values(ctx, question.id, triples)
    rows: Iterable[tuple[str | None, str]] = (
        [(r.value, r.label) for r in question.rows]
        if isinstance(question, MatrixQuestion)
        else [(None, "Rating")]
    )
    shown = []
    for row, label in rows:
        complete = [v for v in values.get(row, {}).values() if len(v) == len(WAVES)]
        shown.append(_row(ctx, scopes, question.id, row, label, complete))
    return RetentionQuestion(question.id, question.prompt, tuple(shown))


def _row(
    ctx: ReportContext,
    scopes: Mapping[str, Scope],
    qid: str,
    row: str | None,
    label: str,
    complete: list[dict[str, float]],
) -> RetentionRow:
    """A row's means, if its three-wave people may show in every wave."""
    shown: dict[str, Population] = {}
    # Each wave's raters of the row, if shown. Every wave's joint population is checked
    # against all of them: the three are the same people, so they show or hide together
    # (one shown beside a hidden one would still print its size).
    around = {
        wave: ctx.disclosure.shown.get(
            scopes[wave].population().narrowed(answered=qid, row=row).key()
        )
        for wave in ("followup", "pre", "post")
    }
    for wave, raters in around.items():
        definition = _answered(scopes[wave].population(), qid, row)
        found = ctx.disclosure.population(
            definition,
            f"In all three waves, rated “{label}”",
            len(complete),
            within=raters,
            also_within=[other for w, other in around.items() if w != wave],
        )
        if not isinstance(found, Population):
            return RetentionRow(label)
        shown[wave] = found
    means = tuple(
        ctx.disclosure.release(
            shown[w],
            "mean",
            sum(person[w] for person in complete) / len(complete),
            digits=2,
            question=qid,
            row=row,
        )
        for w in WAVES
    )
    n = ctx.disclosure.release_count(
        shown["followup"], "answered", len(complete), question=qid, row=row
    )
    gain = means[1] - means[0]
    kept = (means[2] - means[0]) / gain if gain >= 0.1 else None
    return RetentionRow(label, hidden=False, n=n, means=means, kept=kept)


def _answered(base: PopulationDef, qid: str, row: str | None) -> PopulationDef:
    return base.narrowed(waves=True, answered=qid, row=row, answered_both=True)


def _values(
    ctx: ReportContext, qid: str, triples: list[tuple[int, int, int]]
) -> dict[str | None, dict[int, dict[str, float]]]:
    """row → person (their pre id) → wave → rating, over the three-wave set."""
    wave_of: dict[int, tuple[int, str]] = {}
    for triple in triples:
        for wave, response_id in zip(WAVES, triple, strict=True):
            wave_of[response_id] = (triple[0], wave)
    out: dict[str | None, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    for response_id, row, value in numbers_of(ctx.session, qid, list(wave_of)):
        person, wave = wave_of[response_id]
        out[row][person][wave] = value
    return out


def draw(result: RetentionResult) -> tuple[Chart, ...]:
    """No chart: the table is the figure."""
    return ()


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/retention.html")
