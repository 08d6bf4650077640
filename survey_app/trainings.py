"""Write side for trainings: participant links, collection status, codes, deletion, audit."""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from .codes import new_pairing_salt
from .group_minimums import GroupMinimums, change_minimums, freeze_minimums
from .models import (
    PHASES,
    Answer,
    AuditEvent,
    ParticipantLink,
    ReminderAddress,
    Response,
    Training,
    User,
    utcnow,
)
from .versions import current_version


class TrainingChangeError(ValueError):
    """A change that would relabel stored responses; the message says what to do instead."""


#: The shape of a participant-link token (token_urlsafe), with room for older lengths.
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass(frozen=True)
class TrainingFields:
    """What staff type in to create or edit a training."""

    title: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    organiser: str
    pre_questionnaire_id: str | None
    post_questionnaire_id: str | None
    #: Answered weeks or months later, through its own link (optional).
    followup_questionnaire_id: str | None = None
    #: Offer an email reminder for the follow-up on the thank-you page (reminders.py).
    reminders: bool = False
    #: k and k_text; None keeps the stored ones (a new training gets the model's defaults).
    minimums: GroupMinimums | None = None

    def details(self) -> dict[str, object]:
        """The training's plain columns (everything but the minimums)."""
        return {name: value for name, value in vars(self).items() if name != "minimums"}


@dataclass(frozen=True)
class Placement:
    """Where a submission belongs: its training, phase and participant-code hash."""

    training_id: int
    phase: str
    code_hash: str | None
    #: Near-miss tags of the code (codes.py), when near-miss pairing is on.
    near_miss_tags: str | None = None


def create_training(session: Session, fields: TrainingFields) -> Training:
    """A draft training with a participant link for each phase that has a questionnaire."""
    training = Training(**fields.details(), status="draft", pairing_secret=new_pairing_salt())
    if fields.minimums is not None:
        training.min_group_size = fields.minimums.k
        training.min_text_group_size = fields.minimums.k_text
    session.add(training)
    for phase in PHASES:
        if training.questionnaire_for(phase):
            training.links.append(ParticipantLink(phase=phase, token=new_link_token()))
    session.flush()
    return training


def update_training(session: Session, training: Training, fields: TrainingFields) -> str | None:
    """Change a training's details; phases that gain a questionnaire get a link.

    Returns "old → new" when the group minimums changed (for the audit log). Raises
    TrainingChangeError when a phase with responses would get another questionnaire:
    its exports and reports would label the stored answers with the other one's questions;
    and GroupMinimumError when frozen minimums would fall.
    """
    minimums_change = (
        change_minimums(training, fields.minimums) if fields.minimums is not None else None
    )
    for phase in PHASES:
        new_id = getattr(fields, f"{phase}_questionnaire_id")
        if new_id == training.questionnaire_for(phase):
            continue
        answered = responses_in_phase(session, training.id, phase)
        if answered:
            raise TrainingChangeError(
                f"The {phase}-training questionnaire cannot change: {answered} participant(s) "
                "have answered it. Publish a new version of the questionnaire for future "
                "trainings, or create a new training."
            )
        setattr(training, f"{phase}_version_id", None)
    for name, value in fields.details().items():
        setattr(training, name, value)
    if training.status == "open":
        pin_versions(session, training)
    for phase in PHASES:
        if training.questionnaire_for(phase) and active_link(training, phase) is None:
            training.links.append(ParticipantLink(phase=phase, token=new_link_token()))
    session.flush()
    return minimums_change


def set_status(session: Session, training: Training, status: str) -> None:
    """Open, close or return a training to draft."""
    if status not in ("draft", "open", "closed"):
        raise ValueError(f"unknown status {status!r}")
    training.status = status
    if status == "open":
        pin_versions(session, training)
        freeze_minimums(training)
    session.flush()


def pin_versions(session: Session, training: Training) -> None:
    """Pin each phase without a pinned version to its questionnaire's current version.

    Why when collection opens: until then organisers may still revise the questionnaire;
    from then on every participant of the training answers the same questions.
    """
    for phase in PHASES:
        questionnaire_id = training.questionnaire_for(phase)
        if questionnaire_id and training.version_for(phase) is None:
            version = current_version(session, "questionnaire", questionnaire_id)
            if version is not None:
                setattr(training, f"{phase}_version_id", version.id)


def responses_in_phase(session: Session, training_id: int, phase: str) -> int:
    """How many responses a training's phase has."""
    stmt = select(func.count(Response.id)).where(
        Response.training_id == training_id, Response.phase == phase
    )
    return int(session.scalar(stmt) or 0)


def new_link_token() -> str:
    """256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def active_link(training: Training, phase: str) -> ParticipantLink | None:
    """The phase's link that still works, if any."""
    return next(
        (link for link in training.links if link.phase == phase and link.revoked_at is None),
        None,
    )


def revoke_link(session: Session, training: Training, phase: str) -> None:
    """Stop the phase's link from working (participants holding it get 404)."""
    link = active_link(training, phase)
    if link is not None:
        link.revoked_at = utcnow()
        session.flush()


def regenerate_link(session: Session, training: Training, phase: str) -> ParticipantLink:
    """Revoke the phase's link and issue a new one."""
    revoke_link(session, training, phase)
    link = ParticipantLink(phase=phase, token=new_link_token())
    training.links.append(link)
    session.flush()
    return link


def link_by_token(session: Session, token: str) -> ParticipantLink | None:
    """The active link with this token; revoked and unknown tokens give None."""
    # Only what new_link_token makes: anything else (a NUL, which PostgreSQL refuses in a
    # query, among others) cannot be a link.
    if not LINK_TOKEN.fullmatch(token):
        return None
    return session.scalar(
        select(ParticipantLink).where(
            ParticipantLink.token == token, ParticipantLink.revoked_at.is_(None)
        )
    )


def normalise_code(letters: str, day: int, digits: str) -> str:
    """One canonical text per code, whatever the case, accents' encoding or spacing."""
    letters = unicodedata.normalize("NFKC", letters).casefold().replace(" ", "")
    return f"{letters}|{day:02d}|{digits.strip()}"


def has_pre_with_code(session: Session, training_id: int, hashed: str) -> bool:
    """Whether a pre response with this code hash exists in the training."""
    stmt = select(Response.id).where(
        Response.training_id == training_id,
        Response.phase == "pre",
        Response.participant_code_hash == hashed,
    )
    return session.scalar(stmt.limit(1)) is not None


def delete_responses(session: Session, training: Training) -> int:
    """Delete every response of the training with its answers, and the reminder addresses
    still kept for it; returns how many responses."""
    session.execute(delete(ReminderAddress).where(ReminderAddress.training_id == training.id))
    return _delete_where(session, Response.training_id == training.id)


def delete_response_ids(session: Session, training: Training, ids: Iterable[int]) -> int:
    """Delete these responses of the training (others' ids are ignored) with their answers;
    returns how many. Reports and exports read only what is stored, so they leave them out."""
    return _delete_where(session, Response.training_id == training.id, Response.id.in_(list(ids)))


def _delete_where(session: Session, *conditions: ColumnElement[bool]) -> int:
    ids = select(Response.id).where(*conditions)
    session.execute(delete(Answer).where(Answer.response_id.in_(ids)))
    result = session.execute(delete(Response).where(*conditions))
    return int(getattr(result, "rowcount", 0) or 0)


def record_audit(
    session: Session, user: User | None, action: str, detail: str = "", address: str = ""
) -> None:
    """Append to the audit log (flush only)."""
    session.add(
        AuditEvent(
            user_id=user.id if user else None,
            user_email=user.email if user else "",
            action=action,
            detail=detail,
            address=address,
        )
    )
    session.flush()
