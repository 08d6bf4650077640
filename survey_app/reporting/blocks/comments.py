"""Comments block: free-text answers, printed only because a block asks for them.

The one place a report reads answer texts, limited by `limit`. Nothing is read when the
scope has fewer than k respondents, and groups (`by`) with fewer than k respondents are
filtered out in SQL, so their texts never leave the database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import aliased

from ...models import Answer, Response
from ...questionnaire.countries import country_name
from ...questionnaire.schema import OTHER_VALUE, ChoiceQuestionBase, QuestionBase
from ..context import ReportContext
from ..results import BlockResult, Chart
from ..schema import CommentsBlock
from ..scope import Scope
from ..sql import count_respondents, respondents_by_group
from . import BlockKind

#: Group key of respondents who did not answer the `by` question.
NO_ANSWER = None


def anonymisation_note(k: int) -> str:
    """The sentence printed above every comments block."""
    return (
        "Comments are printed as written, without names or any other detail of who wrote "
        "them. Comments that could identify a person or an organisation should be removed "
        "from the data before the report is shared. Comments from groups of fewer than "
        f"{k} respondents are never printed."
    )


@dataclass(frozen=True)
class CommentGroup:
    """Comments of one group (the whole scope when the block has no `by`)."""

    #: None without a breakdown.
    label: str | None
    #: Respondents in the group (all, not only those who commented); always >= k.
    respondents: int
    comments: tuple[str, ...]


@dataclass(frozen=True)
class CommentsResult(BlockResult):
    """Texts grouped for printing, most recent first within each group."""

    prompt: str = ""
    by_prompt: str | None = None
    anonymisation_note: str = ""
    groups: tuple[CommentGroup, ...] = ()
    #: Comments printed, and comments there are in the groups that may be printed.
    shown: int = 0
    total: int = 0
    #: Groups not printed because they have fewer than k respondents.
    withheld_groups: int = 0


def compute(ctx: ReportContext, block: CommentsBlock) -> CommentsResult:
    """The `limit` most recent non-empty texts from groups of at least k respondents."""
    scope = ctx.scope()
    question = ctx.question(block.question)
    by = ctx.question(block.by) if block.by else None
    base = CommentsResult(
        heading=block.title or "Comments",
        intro=block.intro,
        prompt=question.prompt,
        by_prompt=by.prompt if by else None,
        anonymisation_note=anonymisation_note(ctx.k),
    )
    respondents = ctx.aggregate(count_respondents, scope)
    if respondents < ctx.k:
        return replace(base, empty=True)
    sizes: dict[str | None, int] = {None: respondents}
    if by is not None:
        sizes = {str(v): n for v, n in respondents_by_group(ctx.session, scope, by.id).items()}
        sizes[NO_ANSWER] = respondents - sum(sizes.values())
    allowed = [group for group, n in sizes.items() if n >= ctx.k]
    withheld = sum(1 for group, n in sizes.items() if 0 < n < ctx.k)
    total, rows = _texts(ctx, scope, block, allowed)
    order = _group_order(by, allowed)
    groups = tuple(
        CommentGroup(
            _group_label(by, group),
            sizes[group],
            tuple(text for g, text in rows if g == group),
        )
        for group in order
        if any(g == group for g, _ in rows)
    )
    return replace(
        base,
        empty=not groups and not withheld,
        groups=groups,
        shown=len(rows),
        total=total,
        withheld_groups=withheld,
    )


def draw(result: CommentsResult) -> tuple[Chart, ...]:
    """Comments are text: no chart."""
    return ()


def _texts(
    ctx: ReportContext, scope: Scope, block: CommentsBlock, allowed: list[str | None]
) -> tuple[int, list[tuple[str | None, str]]]:
    """(comments in the allowed groups, the `limit` most recent as (group, text))."""
    if not allowed:
        return 0, []
    answer = aliased(Answer)
    conditions: list[ColumnElement[bool]] = [
        answer.question_id == block.question,
        answer.text_value.is_not(None),
        func.trim(answer.text_value) != "",
        *scope.conditions(),
    ]
    grouping = aliased(Answer)
    stmt = (
        select(answer.text_value, grouping.option_value)
        .select_from(answer)
        .join(Response, Response.id == answer.response_id)
        # Without `by` the join matches nothing (question_id is never NULL): group NULL.
        .outerjoin(
            grouping,
            and_(grouping.response_id == answer.response_id, grouping.question_id == block.by),
        )
    )
    if block.by is not None:
        named = [group for group in allowed if group is not None]
        in_group = [grouping.option_value.in_(named)] if named else []
        if NO_ANSWER in allowed:
            in_group.append(grouping.option_value.is_(None))
        conditions.append(or_(*in_group))
    total = int(
        ctx.session.scalar(select(func.count()).select_from(stmt.where(*conditions).subquery()))
        or 0
    )
    rows = ctx.session.execute(
        stmt.where(*conditions)
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(block.limit)
    ).all()
    return total, [(group, str(text).strip()) for text, group in rows]


def _group_order(by: QuestionBase | None, allowed: list[str | None]) -> list[str | None]:
    """Options in questionnaire order (then Other), countries by name, no answer last."""
    if by is None:
        return [None]
    named = [group for group in allowed if group is not None]
    if isinstance(by, ChoiceQuestionBase):
        position = {value: i for i, value in enumerate(by.option_values())}
        named.sort(key=lambda value: (position.get(value, len(position)), value))
    else:
        named.sort(key=lambda value: _group_label(by, value) or "")
    return [*named, *([NO_ANSWER] if NO_ANSWER in allowed else [])]


def _group_label(by: QuestionBase | None, group: str | None) -> str | None:
    if by is None:
        return None
    if group is NO_ANSWER:
        return "No answer"
    if isinstance(by, ChoiceQuestionBase):
        labels = {o.value: o.label for o in by.options} | {OTHER_VALUE: "Other"}
        return labels.get(group, group)
    return country_name(group)


KIND = BlockKind(compute=compute, charts=draw, template="reports/blocks/comments.html")
