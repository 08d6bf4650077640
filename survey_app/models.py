"""ORM models (SQLAlchemy 2.x, typed); invariants live in constraints here."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Response(Base):
    """One participant's submitted questionnaire."""

    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100), index=True)
    #: sha256 of the YAML file the participant answered, so reports can tell versions apart.
    definition_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    language: Mapped[str] = mapped_column(String(16))
    #: Issued with the form; a second post with the same token is the same submission.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: sha256 of the normalised answers, to tell a repeated post from a conflicting one.
    answers_digest: Mapped[str] = mapped_column(String(64))

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """One answered question, or one chosen option, matrix row or ranked item of it."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "item", name="one_per_item"),
        CheckConstraint(
            "option_value IS NOT NULL OR number_value IS NOT NULL"
            " OR text_value IS NOT NULL OR date_value IS NOT NULL",
            name="has_value",
        ),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        Index("ix_answers_question_option", "question_id", "option_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    #: "" for single-valued questions, else the option, matrix row or rank slot it stands for.
    item: Mapped[str] = mapped_column(String(64), default="")
    #: Matrix row value, so per-row counts are one GROUP BY.
    row: Mapped[str | None] = mapped_column(String(64))
    option_value: Mapped[str | None] = mapped_column(String(64))
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(Text)
    date_value: Mapped[dt.date | None] = mapped_column(Date)
    rank: Mapped[int | None]

    response: Mapped[Response] = relationship(back_populates="answers")
