"""Reports across versions: count each question only where versions define it alike.

A report describes its questionnaire as currently served. Responses given to earlier (or
other) versions count for a question only when that version's definition of it agrees
with the served one: the same type, options (or matrix rows) and scale, both ways (what
`compat.breaking_changes` checks), and the same skip logic. Otherwise the question is
counted over the agreeing versions only, as a population of its own (so its size goes
through the disclosure layer like any other), and the block says so under its table.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ContentVersion, Response
from ..questionnaire.compat import breaking_changes, version_notes
from ..questionnaire.conditions import Condition
from ..questionnaire.questions import QuestionBase
from ..questionnaire.schema import Questionnaire
from .disclosure import HIDDEN_MARK, Hidden, Population
from .scope import Scope, version_ranges

if TYPE_CHECKING:
    from .context import ReportContext

#: Stored versions are never changed, so each is parsed once per process.
_LOADED: dict[int, tuple[str, Questionnaire]] = {}


@dataclass(frozen=True)
class Agreement:
    """Which versions a question is counted over, and why not over the others."""

    scope: Scope
    #: Sentences saying where versions disagree ("option 'meh' added in version 2").
    reasons: tuple[str, ...] = ()

    @property
    def restricted(self) -> bool:
        """Whether some responses in scope are left out for this question."""
        return self.scope.versions is not None


def stored_definitions(
    session: Session, questionnaire_id: str
) -> tuple[tuple[int, Questionnaire], ...]:
    """Every published version of a questionnaire as (number, model), oldest first."""
    from ..versions import load_version  # here: versions.py imports the report schema

    out = []
    rows = session.scalars(
        select(ContentVersion)
        .where(
            ContentVersion.kind == "questionnaire", ContentVersion.content_id == questionnaire_id
        )
        .order_by(ContentVersion.number)
    )
    for version in rows:
        cached = _LOADED.get(version.id)
        if cached is None or cached[0] != version.sha256:
            cached = (version.sha256, load_version(Questionnaire, version).model)
            _LOADED[version.id] = cached
        out.append((version.number, cached[1]))
    return tuple(out)


def versions_in_scope(session: Session, scope: Scope) -> tuple[int | None, ...]:
    """The version numbers responses in scope answered (None for responses without one)."""
    stmt = (
        select(ContentVersion.number)
        .select_from(Response)
        .outerjoin(ContentVersion, ContentVersion.id == Response.version_id)
        .where(*scope.conditions())
        .distinct()
    )
    return tuple(session.scalars(stmt))


def agreeing_scope(ctx: ReportContext, scope: Scope, question_ids: tuple[str, ...]) -> Agreement:
    """The scope narrowed to the versions that define every one of `question_ids` alike."""
    stored = ctx.aggregate(stored_definitions, scope.questionnaire_id)
    served = ctx.questionnaires.get(scope.questionnaire_id)
    if not stored or served is None:
        return Agreement(scope)
    agreeing = tuple(
        number
        for number, model in stored
        if all(_agrees(served, model, qid) for qid in question_ids)
    )
    present = ctx.aggregate(versions_in_scope, scope)
    # Responses without a version (stored before versions were kept) answered an unknown
    # text: counted while no version in scope disagrees, left out once one does.
    if all(v is None or v in agreeing for v in present):
        return Agreement(scope)
    notes = version_notes([(n, list(m.questions())) for n, m in stored])
    reasons = [r for qid in question_ids for r in notes.get(qid, [])]
    if not reasons:
        others = [n for n, _ in stored if n not in agreeing]
        reasons = [f"asked under other conditions in versions {version_ranges(others)}"]
    return Agreement(replace(scope, versions=agreeing), tuple(reasons))


def agreement_note(
    ctx: ReportContext, agreement: Agreement, population: Population | Hidden
) -> str:
    """The sentence under a table counted over some versions only; its n is released."""
    reasons = "; ".join(agreement.reasons)
    reasons = reasons[:1].upper() + reasons[1:]
    versions = agreement.scope.versions or ()
    counted = f"counted for versions {version_ranges(versions)} only"
    if len(versions) == 1:
        counted = f"counted for version {versions[0]} only"
    if isinstance(population, Population):
        n = ctx.disclosure.release_count(population, "size", population.size)
        return f"{reasons}: {counted} (n = {n:,})."
    return f"{reasons}: {counted} (n: {HIDDEN_MARK})."


def versions_note(ctx: ReportContext, agreement: Agreement) -> tuple[str, ...]:
    """The agreement's note, for a block whose figures all count the agreement's scope."""
    if not agreement.restricted:
        return ()
    return (agreement_note(ctx, agreement, ctx.population(agreement.scope)),)


def note_removed_questions(ctx: ReportContext, scope: Scope) -> None:
    """Name, on the disclosure page, questions answered in scope that the report's version lacks."""
    stored = ctx.aggregate(stored_definitions, scope.questionnaire_id)
    served = ctx.questionnaires.get(scope.questionnaire_id)
    if not stored or served is None:
        return
    present = set(ctx.aggregate(versions_in_scope, scope))
    current = {q.id for q in served.questions()}
    asked: dict[str, tuple[QuestionBase, list[int]]] = {}
    for number, model in stored:
        if number not in present:
            continue
        for question in model.questions():
            if question.id not in current:
                asked.setdefault(question.id, (question, []))[1].append(number)
    for qid, (question, numbers) in asked.items():
        removed = ""
        later = [n for n, m in stored if n > max(numbers) and m.question(qid) is None]
        if later:
            removed = f", removed in version {min(later)}"
        ctx.disclosure.hide_note(
            f"“{question.prompt}” ({qid}) was asked in versions {version_ranges(numbers)}"
            f"{removed}: it is no longer in the questionnaire and its answers are not reported."
        )


def _agrees(served: Questionnaire, other: Questionnaire, question_id: str) -> bool:
    """Whether `other` defines the question as `served` does (answers mean the same)."""
    mine, theirs = served.question(question_id), other.question(question_id)
    if mine is None or theirs is None:
        return False
    if breaking_changes([theirs], [mine]) or breaking_changes([mine], [theirs]):
        return False
    return _conditions(served, question_id) == _conditions(other, question_id)


def _conditions(questionnaire: Questionnaire, question_id: str) -> tuple[Condition | None, ...]:
    """The skip logic that decides whether the question is shown: its section's and its own."""
    for section in questionnaire.sections:
        for question in section.questions:
            if question.id == question_id:
                return (section.show_if, question.show_if)
    return ()
