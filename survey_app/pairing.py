"""Pre/post pairing of a training's responses by participant-code hash, in SQL (no Flask).

For each code hash the latest pre response (highest id) is paired with the latest post
response. Earlier submissions with the same code stay stored; they are counted as
duplicates so reports can say so, and are left out of the pairs.

Near misses (a code with one element mistyped): the hash of the whole code tells two codes
that differ in one letter no better than any two. With near-miss pairing on, each response
also stores a tag per element of its code (the code with that element masked, hashed the
same way; codes.py). An unmatched post code and an unmatched pre code that share a tag
differ in that element only; when each is the other's only such candidate they are a
*probable pair*. Probable pairs are counted apart and never enter the pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from .models import Response


@dataclass(frozen=True)
class PairingSummary:
    """How a training's pre and post responses pair up."""

    pre: int
    post: int
    #: (pre response id, post response id), ordered by the pre id.
    pairs: tuple[tuple[int, int], ...]
    #: Codes used by more than one pre response (only the latest of each is paired).
    duplicate_pre_codes: int
    #: Codes used by more than one post response (only the latest of each is paired).
    duplicate_post_codes: int
    #: Post responses whose code matches no pre response (stored, unpaired).
    unmatched_post: int
    #: Post responses that carry no code at all.
    post_without_code: int
    #: Distinct pre codes that no post code matches, and post codes that match no pre code.
    unmatched_pre_codes: int = 0
    unmatched_post_codes: int = 0
    #: Distinct people over both phases: one per code, one per response without a code.
    participants: int = 0
    #: (pre id, post id) of the latest responses of unmatched codes one element apart,
    #: each the other's only candidate (`match_near_misses`); not among `pairs`.
    probable_pairs: tuple[tuple[int, int], ...] = ()

    @property
    def match_rate(self) -> float | None:
        """Pairs per distinct participant (a code used twice is one person), 0-1."""
        if self.participants <= 0:
            return None
        return len(self.pairs) / self.participants

    @property
    def paired_ids(self) -> frozenset[int]:
        """Ids of every response that is part of a pair, pre and post."""
        return frozenset(i for pair in self.pairs for i in pair)


def latest_by_code(training_id: int, phase: str) -> Select[str | None, int]:
    """(code hash, id of the latest response with it) for one phase of a training."""
    return (
        select(Response.participant_code_hash.label("code"), func.max(Response.id).label("id"))
        .where(
            Response.training_id == training_id,
            Response.phase == phase,
            Response.participant_code_hash.is_not(None),
        )
        .group_by(Response.participant_code_hash)
    )


def pairs_query(training_id: int) -> Select[int, int]:
    """(pre id, post id) of every pair: the latest pre and post response per code."""
    pre = latest_by_code(training_id, "pre").subquery("latest_pre")
    post = latest_by_code(training_id, "post").subquery("latest_post")
    return (
        select(pre.c.id.label("pre_id"), post.c.id.label("post_id"))
        .join(post, pre.c.code == post.c.code)
        .order_by(pre.c.id)
    )


def pairing_summary(session: Session, training_id: int) -> PairingSummary:
    """Counts and pairs of one training's responses."""
    pre_count, post_count, post_without_code = _phase_counts(session, training_id)
    pairs = tuple((int(a), int(b)) for a, b in session.execute(pairs_query(training_id)))
    pre_codes = _codes(session, training_id, "pre")
    post_codes = _codes(session, training_id, "post")
    return PairingSummary(
        pre=pre_count,
        post=post_count,
        pairs=pairs,
        duplicate_pre_codes=_duplicate_codes(session, training_id, "pre"),
        duplicate_post_codes=_duplicate_codes(session, training_id, "post"),
        unmatched_post=_unmatched_post(session, training_id),
        post_without_code=post_without_code,
        unmatched_pre_codes=len(pre_codes - post_codes),
        unmatched_post_codes=len(post_codes - pre_codes),
        participants=len(pre_codes | post_codes) + _without_code(session, training_id),
        probable_pairs=_probable_pairs(session, training_id, pre_codes, post_codes),
    )


def match_near_misses(
    pre: Mapping[str, Sequence[str]], post: Mapping[str, Sequence[str]]
) -> list[tuple[str, str]]:
    """(pre code, post code) of every unambiguous near miss, given each code's tags.

    Two different codes share the tag of an element exactly when they differ in that
    element only. A pair counts when the post code has exactly one pre candidate and that
    pre code exactly one post candidate: with two, nothing says which is the person.
    """
    for_post = _candidates(post, pre)
    for_pre = _candidates(pre, post)
    found = []
    for post_code, candidates in for_post.items():
        if len(candidates) == 1:
            (pre_code,) = candidates
            if for_pre[pre_code] == {post_code}:
                found.append((pre_code, post_code))
    return sorted(found)


def _candidates(
    source: Mapping[str, Sequence[str]], target: Mapping[str, Sequence[str]]
) -> dict[str, set[str]]:
    """For each code of `source`, the codes of `target` sharing one of its tags."""
    index: dict[tuple[int, str], set[str]] = defaultdict(set)
    for code, tags in target.items():
        for position, tag in enumerate(tags):
            index[(position, tag)].add(code)
    return {
        code: {other for position, tag in enumerate(tags) for other in index[(position, tag)]}
        for code, tags in source.items()
    }


def _probable_pairs(
    session: Session, training_id: int, pre_codes: set[str], post_codes: set[str]
) -> tuple[tuple[int, int], ...]:
    """Probable pairs among the codes of one phase that match none of the other."""
    pre = _tagged(session, training_id, "pre", pre_codes - post_codes)
    post = _tagged(session, training_id, "post", post_codes - pre_codes)
    if not pre or not post:
        return ()
    matched = match_near_misses(
        {c: t for c, (_, t) in pre.items()}, {c: t for c, (_, t) in post.items()}
    )
    return tuple(sorted((pre[a][0], post[b][0]) for a, b in matched))


def split_tags(stored: str | None) -> tuple[str, ...] | None:
    """The tags of a `near_miss_tags` column, in element order; None when there are none."""
    return tuple(stored.split(",")) if stored else None


def _tagged(
    session: Session, training_id: int, phase: str, codes: set[str]
) -> dict[str, tuple[int, tuple[str, ...]]]:
    """code → (id, tags) of the latest tagged response of each of these codes."""
    if not codes:
        return {}
    stmt = (
        select(Response.participant_code_hash, Response.id, Response.near_miss_tags)
        .where(
            Response.training_id == training_id,
            Response.phase == phase,
            Response.participant_code_hash.in_(codes),
            Response.near_miss_tags.is_not(None),
        )
        .order_by(Response.id)
    )
    found = {}
    for code, response_id, stored in session.execute(stmt):
        tags = split_tags(stored)
        if code is not None and tags is not None:
            found[code] = (int(response_id), tags)
    return found


def _phase_counts(session: Session, training_id: int) -> tuple[int, int, int]:
    is_pre = Response.phase == "pre"
    is_post = Response.phase == "post"
    row = session.execute(
        select(
            func.count(case((is_pre, Response.id))),
            func.count(case((is_post, Response.id))),
            func.count(
                case((and_(is_post, Response.participant_code_hash.is_(None)), Response.id))
            ),
        ).where(Response.training_id == training_id)
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def _codes(session: Session, training_id: int, phase: str) -> set[str]:
    """The distinct code hashes of one phase (a few dozen per training)."""
    stmt = select(Response.participant_code_hash).where(
        Response.training_id == training_id,
        Response.phase == phase,
        Response.participant_code_hash.is_not(None),
    )
    return {code for code in session.scalars(stmt.distinct()) if code is not None}


def _without_code(session: Session, training_id: int) -> int:
    """Responses of either phase without a code: each is one person (nothing pairs them)."""
    stmt = select(func.count(Response.id)).where(
        Response.training_id == training_id,
        Response.phase.in_(("pre", "post")),
        Response.participant_code_hash.is_(None),
    )
    return int(session.scalar(stmt) or 0)


def _duplicate_codes(session: Session, training_id: int, phase: str) -> int:
    used_twice = latest_by_code(training_id, phase).having(func.count(Response.id) > 1).subquery()
    return int(session.scalar(select(func.count()).select_from(used_twice)) or 0)


def _unmatched_post(session: Session, training_id: int) -> int:
    pre = aliased(Response)
    has_pre = exists().where(
        pre.training_id == training_id,
        pre.phase == "pre",
        pre.participant_code_hash == Response.participant_code_hash,
    )
    stmt = select(func.count(Response.id)).where(
        Response.training_id == training_id,
        Response.phase == "post",
        Response.participant_code_hash.is_not(None),
        ~has_pre,
    )
    return int(session.scalar(stmt) or 0)
