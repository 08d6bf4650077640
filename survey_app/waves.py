"""Three-wave pairing: a training's follow-up responses with its pre and post ones, in SQL.

A follow-up response joins the pre and post responses of the same participant-code hash,
each the latest submission per code (as pairing.py does for pre/post). With near-miss
pairing on, an unmatched follow-up code one element away from exactly one unmatched
earlier code (and that code from it alone) is a *probable* match: counted, never joined.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .models import Response
from .pairing import latest_by_code, match_near_misses, split_tags


@dataclass(frozen=True)
class WaveSummary:
    """How a training's follow-up responses match its earlier waves."""

    #: Follow-up responses stored, and how many of them carry no code.
    followup: int
    followup_without_code: int
    #: Distinct follow-up codes also used before (pre) or after (post) the training.
    matched_codes: int
    #: (pre id, post id, follow-up id): the latest response per code in each of the three.
    triples: tuple[tuple[int, int, int], ...]
    #: Unmatched follow-up codes one element away from exactly one unmatched earlier code.
    probable: int = 0

    @property
    def triple_ids(self) -> frozenset[int]:
        """Ids of every response that is part of a three-wave set."""
        return frozenset(i for triple in self.triples for i in triple)


def triples_query(training_id: int) -> Select[int, int, int]:
    """(pre id, post id, follow-up id) of every code present in all three waves."""
    pre = latest_by_code(training_id, "pre").subquery("latest_pre")
    post = latest_by_code(training_id, "post").subquery("latest_post")
    followup = latest_by_code(training_id, "followup").subquery("latest_followup")
    return (
        select(pre.c.id, post.c.id, followup.c.id)
        .join(post, pre.c.code == post.c.code)
        .join(followup, pre.c.code == followup.c.code)
        .order_by(pre.c.id)
    )


def wave_summary(session: Session, training_id: int) -> WaveSummary:
    """Counts, three-wave sets and probable matches of one training's follow-up."""
    total, without = session.execute(
        select(
            func.count(Response.id),
            func.count(Response.id).filter(Response.participant_code_hash.is_(None)),
        ).where(Response.training_id == training_id, Response.phase == "followup")
    ).one()
    triples = tuple(
        (int(a), int(b), int(c)) for a, b, c in session.execute(triples_query(training_id))
    )
    followup_codes = _codes(session, training_id, ("followup",))
    earlier_codes = _codes(session, training_id, ("pre", "post"))
    return WaveSummary(
        followup=int(total),
        followup_without_code=int(without),
        matched_codes=len(followup_codes & earlier_codes),
        triples=triples,
        probable=_probable(
            session, training_id, followup_codes - earlier_codes, earlier_codes - followup_codes
        ),
    )


def has_earlier_code(session: Session, training_id: int, hashed: str) -> bool:
    """Whether a pre or post response of the training carries this code hash."""
    stmt = select(Response.id).where(
        Response.training_id == training_id,
        Response.phase.in_(("pre", "post")),
        Response.participant_code_hash == hashed,
    )
    return session.scalar(stmt.limit(1)) is not None


def _codes(session: Session, training_id: int, phases: tuple[str, ...]) -> set[str]:
    stmt = select(Response.participant_code_hash).where(
        Response.training_id == training_id,
        Response.phase.in_(phases),
        Response.participant_code_hash.is_not(None),
    )
    return {code for code in session.scalars(stmt.distinct()) if code is not None}


def _probable(session: Session, training_id: int, followup: set[str], earlier: set[str]) -> int:
    """Unambiguous near misses between unmatched follow-up and unmatched earlier codes."""
    if not followup or not earlier:
        return 0
    later = _tags(session, training_id, ("followup",), followup)
    before = _tags(session, training_id, ("pre", "post"), earlier)
    return len(match_near_misses(before, later)) if later and before else 0


def _tags(
    session: Session, training_id: int, phases: tuple[str, ...], codes: set[str]
) -> dict[str, tuple[str, ...]]:
    """code → tags of its latest tagged response in these phases."""
    stmt = (
        select(Response.participant_code_hash, Response.near_miss_tags)
        .where(
            Response.training_id == training_id,
            Response.phase.in_(phases),
            Response.participant_code_hash.in_(codes),
            Response.near_miss_tags.is_not(None),
        )
        .order_by(Response.id)
    )
    found: dict[str, tuple[str, ...]] = {}
    for code, stored in session.execute(stmt):
        tags = split_tags(stored)
        if code is not None and tags is not None:
            found[code] = tags
    return found
