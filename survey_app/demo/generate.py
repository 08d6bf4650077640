"""Writing demo responses: batched executemany INSERTs that add and flush, never commit."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from ..models import Answer, Response
from ..questionnaire import LoadedFile, Questionnaire
from ..questionnaire.answers import digest
from ..responses import answer_rows
from .answers import Plan
from .population import draw_respondent

NEEDS_ASSESSMENT = "untoc-needs-assessment"
POST_TRAINING = "untoc-post-training"
FOLLOW_UP = "untoc-follow-up"
#: Responses per INSERT batch: large enough to amortise round trips, small enough to stream.
BATCH_SIZE = 2_000
#: Starts every demo submission token, so demo data can be told apart (and deleted) later.
TOKEN_PREFIX = "demo-"  # noqa: S105 -- a visible marker, not a secret
#: On the Core table rather than the ORM entity. Why: ORM bulk INSERT starts a new statement
#: whenever the set of None columns changes (every few rows here, ~4x slower for 100,000
#: responses); Core sends each batch as one executemany.
INSERT_ANSWERS = insert(Answer.metadata.tables[Answer.__tablename__])


@dataclass(frozen=True)
class Profile:
    """How many responses a questionnaire gets relative to N, and when they arrive."""

    share: float = 1.0
    #: Answered after the training: more confident, more correct knowledge answers.
    trained: bool = False
    #: Collection window as (first, last) days before the end of the demo period.
    window_days: tuple[int, int] = (7, 0)


PROFILES = {
    NEEDS_ASSESSMENT: Profile(share=1.0, trained=False, window_days=(14, 9)),
    POST_TRAINING: Profile(share=0.85, trained=True, window_days=(4, 0)),
    # Fewer answer a follow-up months later.
    FOLLOW_UP: Profile(share=0.6, trained=True, window_days=(2, 0)),
}


def demo_counts(questionnaire_ids: Iterable[str], responses: int) -> dict[str, int]:
    """Responses per questionnaire for N: N for the needs assessment, 85% of N after training,
    60% of N for the follow-up."""
    # Half rounds up (10 -> 9), unlike round()'s half-to-even.
    return {
        qid: int(responses * PROFILES.get(qid, Profile()).share + 0.5) for qid in questionnaire_ids
    }


def remove_demo(session: Session) -> int:
    """Delete every demo response with its answers (flush only); returns how many.

    Why here and not in a database shell: SQLite's shell does not enforce foreign keys, so
    deleting responses there leaves their answers behind for the reports to count.
    """
    demo = select(Response.id).where(Response.submission_token.startswith(TOKEN_PREFIX))
    session.execute(delete(Answer).where(Answer.response_id.in_(demo)))
    result = session.execute(
        delete(Response).where(Response.submission_token.startswith(TOKEN_PREFIX))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def count_responses(session: Session) -> int:
    """Stored responses, demo or real."""
    return session.scalar(select(func.count()).select_from(Response)) or 0


def generate_demo(
    session: Session,
    questionnaires: Mapping[str, LoadedFile[Questionnaire]],
    counts: Mapping[str, int],
    rng: random.Random,
    *,
    end: dt.datetime | None = None,
    added: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Add `counts[id]` synthetic responses to each questionnaire, collected before `end`;
    `added(n)` is called after each batch of n (for progress)."""
    end = end or dt.datetime.now(dt.UTC).replace(microsecond=0)
    return {
        qid: generate_responses(session, questionnaires[qid], count, rng, end=end, added=added)
        for qid, count in counts.items()
    }


def generate_responses(
    session: Session,
    loaded: LoadedFile[Questionnaire],
    count: int,
    rng: random.Random,
    *,
    end: dt.datetime,
    batch_size: int = BATCH_SIZE,
    added: Callable[[int], None] | None = None,
) -> int:
    """Add `count` synthetic responses to one questionnaire; flushes, never commits.

    Why RETURNING rather than ids computed from max(id): it is one statement per batch on
    SQLite (3.35+) and PostgreSQL alike, and explicit ids would leave a PostgreSQL sequence
    behind, so the next real submission would collide with a demo one.
    """
    questionnaire = loaded.model
    plan = Plan(questionnaire)
    profile = PROFILES.get(questionnaire.id, Profile())
    first, last = profile.window_days
    start = end - dt.timedelta(days=first)
    fixed = {
        "questionnaire_id": questionnaire.id,
        "definition_hash": loaded.sha256,
        "version_id": loaded.version_id,
        "language": questionnaire.language,
    }
    returning = insert(Response).returning(Response.id, sort_by_parameter_order=True)
    for size in _batches(count, batch_size):
        people = [
            draw_respondent(rng, start, first - last, trained=profile.trained) for _ in range(size)
        ]
        answers = [plan.answers(person, rng) for person in people]
        ids = session.scalars(
            returning,
            [
                {
                    **fixed,
                    "submitted_at": person.submitted_at,
                    # Not from `rng`: re-running a seed must not collide with its own tokens.
                    "submission_token": TOKEN_PREFIX + secrets.token_urlsafe(24),
                    "answers_digest": digest(given),
                }
                for person, given in zip(people, answers, strict=True)
            ],
        ).all()
        rows = []
        for response_id, given in zip(ids, answers, strict=True):
            for question_id, value in given.items():
                for row in answer_rows(question_id, plan.types[question_id], value):
                    row["response_id"] = response_id
                    rows.append(row)
        if rows:
            session.execute(INSERT_ANSWERS, rows)
        if added is not None:
            added(size)
    session.flush()
    return count


def _batches(count: int, size: int) -> Iterator[int]:
    for done in range(0, count, size):
        yield min(size, count - done)
