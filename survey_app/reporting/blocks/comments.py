"""Comments block: free-text answers, printed only because a block asks for them.

The one place a report reads answer texts. They print only for a population of at least
k_text people who wrote one (`Disclosure.text_population`), never per breakdown group (a
group's comments would point at its few members), and in an order that is shuffled with
a fixed seed: the same on every build, unrelated to who submitted first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from ...models import Answer, Response
from ..context import ReportContext
from ..disclosure import Population
from ..results import BlockResult, Chart
from ..schema import CommentsBlock
from ..scope import Scope
from ..sql import ALL, answered_by_group
from . import BlockKind


def anonymisation_note(k_text: int) -> str:
    """The sentence printed above every comments block."""
    return (
        "Comments are printed as written, in a shuffled order, without names or any other "
        "detail of who wrote them. Comments that could identify a person or an organisation "
        "should be removed from the data before the report is shared. Comments are printed "
        f"only when at least {k_text} people wrote one, and never per group."
    )


@dataclass(frozen=True)
class CommentsResult(BlockResult):
    """Texts for printing, in their shuffled order."""

    prompt: str = ""
    anonymisation_note: str = ""
    comments: tuple[str, ...] = ()
    #: Non-empty comments written (released as "texts"), None when none are printed.
    total: int | None = None
    #: Too few people wrote one: the block says so instead of printing any.
    withheld: bool = False
    #: The minimum number of writers for comments to print.
    k_text: int = 0


def compute(ctx: ReportContext, block: CommentsBlock) -> CommentsResult:
    """Up to `limit` non-empty texts, shuffled, when k_text or more people wrote one."""
    scope = ctx.scope()
    question = ctx.question(block.question)
    base = CommentsResult(
        heading=block.title or "Comments",
        intro=block.intro,
        prompt=question.prompt,
        anonymisation_note=anonymisation_note(ctx.disclosure.k_text),
        k_text=ctx.disclosure.k_text,
    )
    everyone = ctx.population(scope)
    if not isinstance(everyone, Population):
        return replace(base, empty=True)
    texts = ctx.aggregate(comment_texts, scope, question.id)
    # The people who answered the question, counted as every block counts them (a
    # question block on the same question describes the same population).
    answered = ctx.aggregate(answered_by_group, scope, question.id).get(ALL, 0)
    definition = scope.population().narrowed(answered=question.id)
    label = f"{ctx.scope_label(scope)} who answered “{question.id}”"
    writers = ctx.disclosure.text_population(definition, label, answered)
    if not isinstance(writers, Population):
        return replace(base, withheld=bool(texts))
    total = ctx.disclosure.release_count(writers, "texts", len(texts), question=question.id)
    seed = f"{ctx.report.id}/{question.id}"
    return replace(base, comments=tuple(shuffled(texts, seed)[: block.limit]), total=total)


def draw(result: CommentsResult) -> tuple[Chart, ...]:
    """Comments are text: no chart."""
    return ()


def shuffled(texts: tuple[str, ...], seed: str) -> list[str]:
    """The texts in an order fixed by `seed` and the texts alone, not by submission order.

    Why a keyed hash rather than `random.shuffle`: the order of a text stays the same when
    others are added, so two builds do not reveal which comments are new by reordering.
    """

    def key(text: str) -> bytes:
        return hashlib.sha256(f"{seed}\0{text}".encode()).digest()

    return sorted(texts, key=key)


def comment_texts(session: Session, scope: Scope, question_id: str) -> tuple[str, ...]:
    """The non-empty answers to a text question in scope, stripped (one per respondent)."""
    answer = aliased(Answer)
    stmt = (
        select(answer.text_value)
        .join(Response, Response.id == answer.response_id)
        .where(
            answer.question_id == question_id,
            answer.text_value.is_not(None),
            func.trim(answer.text_value) != "",
            *scope.conditions(),
        )
        .order_by(answer.response_id)
    )
    return tuple(str(text).strip() for text in session.scalars(stmt))


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/comments.html")
