"""Write side for programmes: create one, and choose which trainings it groups."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Programme, Training


class ProgrammeError(ValueError):
    """A programme change that cannot be made; the message says why."""


def create_programme(session: Session, name: str, description: str = "") -> Programme:
    """A new programme (flush only); raises ProgrammeError for a blank or taken name."""
    name = name.strip()
    if not name or len(name) > 200:
        raise ProgrammeError("Give the programme a name of 1 to 200 characters.")
    if session.scalar(select(Programme.id).where(Programme.name == name)) is not None:
        raise ProgrammeError(f"There is already a programme named “{name}”.")
    programme = Programme(name=name, description=description.strip())
    session.add(programme)
    session.flush()
    return programme


def assign_trainings(session: Session, programme: Programme, training_ids: Iterable[int]) -> None:
    """Make exactly these trainings the programme's (others of it leave it; flush only).

    A training belongs to one programme at most: choosing it here moves it from another.
    """
    chosen = set(training_ids)
    for training in session.scalars(select(Training)):
        if training.id in chosen:
            training.programme_id = programme.id
        elif training.programme_id == programme.id:
            training.programme_id = None
    session.flush()


def programme_questionnaire(programme: Programme) -> str | None:
    """The pre-training questionnaire most of the programme's trainings use (its needs
    assessment), the first such by title on a tie; None without one."""
    counts: dict[str, int] = {}
    for training in programme.trainings:
        if training.pre_questionnaire_id:
            counts[training.pre_questionnaire_id] = counts.get(training.pre_questionnaire_id, 0) + 1
    if not counts:
        return None
    return sorted(counts, key=lambda qid: (-counts[qid], qid))[0]
