"""ORM models (SQLAlchemy 2.x, typed); invariants live in constraints here."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
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


def new_session_token() -> str:
    """256 random bits, URL-safe: what a session cookie names a staff user by."""
    return secrets.token_urlsafe(32)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Response(Base):
    """One participant's submitted questionnaire."""

    __tablename__ = "responses"

    __table_args__ = (
        CheckConstraint(
            "phase IS NULL OR phase IN ('pre', 'post', 'followup')", name="phase_known"
        ),
        CheckConstraint("(training_id IS NULL) = (phase IS NULL)", name="phase_with_training"),
        Index("ix_responses_pairing", "training_id", "phase", "participant_code_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(100), index=True)
    #: sha256 of the YAML file the participant answered, so reports can tell versions apart.
    definition_hash: Mapped[str] = mapped_column(String(64))
    #: The published version answered. NULL only for responses stored before versions were
    #: kept in the database whose file was never published (see publishing.link_responses).
    version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", ondelete="RESTRICT"), index=True
    )
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    language: Mapped[str] = mapped_column(String(16))
    #: Issued with the form; a second post with the same token is the same submission.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: sha256 of the normalised answers, to tell a repeated post from a conflicting one.
    answers_digest: Mapped[str] = mapped_column(String(64))
    #: Set when the response came through a training's participant link.
    training_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainings.id", ondelete="RESTRICT"), index=True
    )
    phase: Mapped[str | None] = mapped_column(String(16))
    #: argon2id hash (deployment pepper, per-training salt) of the participant's
    #: self-generated code; never the code. See codes.py.
    participant_code_hash: Mapped[str | None] = mapped_column(String(64))
    #: Near-miss tags: the hashes (same pepper and salt) of the code with each of its five
    #: elements masked, comma-separated; NULL unless near-miss pairing is on. See codes.py.
    near_miss_tags: Mapped[str | None] = mapped_column(Text)

    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """One answered question, or one chosen option, matrix row or ranked item of it."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("response_id", "question_id", "instance", "item", name="one_per_item"),
        CheckConstraint("instance >= 0", name="instance_not_negative"),
        CheckConstraint(
            "option_value IS NOT NULL OR number_value IS NOT NULL"
            " OR text_value IS NOT NULL OR date_value IS NOT NULL",
            name="has_value",
        ),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        # Covers every report aggregate: they filter on a question, join on the response and
        # read only these columns, so the database never visits the table rows.
        Index(
            "ix_answers_report",
            "question_id",
            "response_id",
            "row",
            "option_value",
            "number_value",
            "rank",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(64))
    #: "" for single-valued questions, else the option, matrix row or rank slot it stands for.
    item: Mapped[str] = mapped_column(String(64), default="")
    #: 0 outside a repeat; else the item (1, 2, ...) of the repeated section it answers.
    instance: Mapped[int] = mapped_column(server_default="0")
    #: Matrix row value, so per-row counts are one GROUP BY.
    row: Mapped[str | None] = mapped_column(String(64))
    option_value: Mapped[str | None] = mapped_column(String(64))
    number_value: Mapped[float | None] = mapped_column(Float)
    text_value: Mapped[str | None] = mapped_column(Text)
    date_value: Mapped[dt.date | None] = mapped_column(Date)
    rank: Mapped[int | None]

    response: Mapped[Response] = relationship(back_populates="answers")


ROLES = ("admin", "editor", "staff")
#: Roles that may publish, retire and upload questionnaires and reports.
CONTENT_ROLES = ("admin", "editor")
TRAINING_STATUSES = ("draft", "open", "closed")
PHASES = ("pre", "post", "followup")


class User(Base):
    """A staff account; participants never have one."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('admin', 'editor', 'staff')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: argon2id hash in PHC string format.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: What the session cookie names the user by (Flask-Login's alternative id). Replaced at
    #: logout and deactivation, so copies of old cookies stop working (they are not stored).
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    # Flask-Login's user protocol, without inheriting its mixin.
    @property
    def is_authenticated(self) -> bool:
        """Every loaded user is authenticated."""
        return True

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot log in."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Never anonymous."""
        return False

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the session token, not the row id."""
        return self.session_token


class PasswordReset(Base):
    """A one-time link an admin made for someone to set a new password."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the link's token: a copy of the database does not give working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: Set when the link is used or replaced by a newer one; it never works again.
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ReportBuild(Base):
    """One PDF build of a report, for one training or all, at one state of the data: its
    progress while it runs, then the file, so the next download of unchanged data is instant.

    Why in the database: the build runs in one gunicorn worker while the progress page and
    the next download may be served by any other.
    """

    __tablename__ = "report_builds"
    __table_args__ = (CheckConstraint("status IN ('building', 'done', 'failed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: sha256 of (report, its definition and the content stamp, training, data version, day):
    #: a build of changed data has another key, so a stale PDF is never looked up.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    report_id: Mapped[str] = mapped_column(String(200))
    training_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="building")
    #: What the build is doing now, in words for the progress page.
    stage: Mapped[str] = mapped_column(String(200), default="")
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Touched at every stage: a build whose worker died stops being touched, and is redone.
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seconds: Mapped[float | None] = mapped_column(Float)
    filename: Mapped[str] = mapped_column(String(200), default="")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str] = mapped_column(Text, default="")


class LoginFailure(Base):
    """A failed login, kept for a while to slow down guessing per account and per address."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


class Training(Base):
    """A workshop with a pre and a post questionnaire, answered through participant links."""

    __tablename__ = "trainings"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
        CheckConstraint("starts_on <= ends_on", name="dates_ordered"),
        CheckConstraint("min_group_size >= 3", name="group_minimum_floor"),
        CheckConstraint("min_text_group_size >= 3", name="text_minimum_floor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    organiser: Mapped[str] = mapped_column(String(200))
    pre_questionnaire_id: Mapped[str | None] = mapped_column(String(100))
    post_questionnaire_id: Mapped[str | None] = mapped_column(String(100))
    #: The questionnaire versions answered in each phase, pinned when collection first opens.
    pre_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", ondelete="RESTRICT")
    )
    post_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", ondelete="RESTRICT")
    )
    #: The follow-up questionnaire, answered weeks or months after the training (optional).
    followup_questionnaire_id: Mapped[str | None] = mapped_column(String(100))
    followup_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("content_versions.id", ondelete="RESTRICT")
    )
    #: The programme the training belongs to, if any (programme reports compare its trainings).
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(8), default="draft")
    #: Salt of the participant-code hashes (`argon2id:<hex>`); older trainings hold their
    #: HMAC key here (64 hex characters). Useless without the pepper, which is not stored.
    pairing_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: k: the smallest group of this training's people a report may show figures for.
    min_group_size: Mapped[int] = mapped_column(default=5, server_default="5")
    #: k_text: the fewest writers whose free-text answers a report may print.
    min_text_group_size: Mapped[int] = mapped_column(default=10, server_default="10")
    #: When collection first opened: from then on the minimums may rise but never fall
    #: (see group_minimums.py).
    group_minimums_frozen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Offer participants an email reminder when the follow-up opens (reminders.py).
    reminders: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    links: Mapped[list[ParticipantLink]] = relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="ParticipantLink.id"
    )

    programme: Mapped[Programme | None] = relationship(back_populates="trainings")

    def questionnaire_for(self, phase: str) -> str | None:
        """The questionnaire id answered in this phase."""
        return {
            "pre": self.pre_questionnaire_id,
            "post": self.post_questionnaire_id,
            "followup": self.followup_questionnaire_id,
        }.get(phase)

    def version_for(self, phase: str) -> int | None:
        """The pinned questionnaire version of this phase (None until collection opens)."""
        return {
            "pre": self.pre_version_id,
            "post": self.post_version_id,
            "followup": self.followup_version_id,
        }.get(phase)

    @property
    def asks_code(self) -> bool:
        """Whether participants make a code: when at least two phases can be paired."""
        return sum(1 for phase in PHASES if self.questionnaire_for(phase)) >= 2


class Programme(Base):
    """A group of trainings reported side by side (e.g. one year's courses)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    trainings: Mapped[list[Training]] = relationship(
        back_populates="programme", order_by="(Training.starts_on, Training.id)"
    )


class ReminderAddress(Base):
    """An address to remind once when the follow-up opens; deleted once the reminder is sent.

    Why no link to a response, code or link, a random id and a date without a time: nothing
    in the row may line an address up with the answers stored at the same moment.
    """

    __tablename__ = "reminder_addresses"
    __table_args__ = (UniqueConstraint("training_id", "email", name="one_per_address"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    created_on: Mapped[dt.date] = mapped_column(Date)


class ParticipantLink(Base):
    """An unguessable link to one phase of a training; revoked links stop working."""

    __tablename__ = "participant_links"
    __table_args__ = (CheckConstraint("phase IN ('pre', 'post', 'followup')", name="phase_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), index=True
    )
    phase: Mapped[str] = mapped_column(String(16))
    #: 256 bits from `secrets`; the capability itself, shown to staff to print and project.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    training: Mapped[Training] = relationship(back_populates="links")


class AuditEvent(Base):
    """Who did what and when: logins, exports, deletions, training changes."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Kept as written, so the log still says who after an account is removed.
    user_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(64), default="")


class SubmissionAttempt(Base):
    """A stored submission, kept only as long as the submission limits look back.

    Why a table: the limits must hold across every worker and host, and the database is the
    one store they all share. It names neither the response nor the address, so it cannot
    tie an answer to a network; rows older than the window are deleted as new ones come.
    """

    __tablename__ = "submission_attempts"
    __table_args__ = (
        Index("ix_submission_attempts_client", "client_key", "at"),
        Index("ix_submission_attempts_form", "form_key", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    #: HMAC-SHA256, keyed with the app's secret key, of the client's address (an IPv6
    #: address by its /64): never the address, and not reversible from the database alone.
    client_key: Mapped[str] = mapped_column(String(64))
    #: What was answered: `training:<id>:<phase>` (a participant link) or `questionnaire:<id>`.
    form_key: Mapped[str] = mapped_column(String(120))


class Heartbeat(Base):
    """One row the readiness check rewrites and commits, to prove the database takes writes."""

    __tablename__ = "heartbeats"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


CONTENT_KINDS = ("questionnaire", "report")
CONTENT_FORMATS = ("yaml", "xlsform")


class ContentVersion(Base):
    """One published version of a questionnaire or report definition; never changed after."""

    __tablename__ = "content_versions"
    __table_args__ = (
        UniqueConstraint("kind", "content_id", "number", name="one_number"),
        CheckConstraint("kind IN ('questionnaire', 'report')", name="kind_known"),
        CheckConstraint("format IN ('yaml', 'xlsform')", name="format_known"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_id: Mapped[str] = mapped_column(String(100))
    #: 1, 2, 3... per (kind, content_id); the highest is the current version.
    number: Mapped[int]
    #: The YAML the app validates and serves (for an XLSForm upload: the converted YAML).
    source: Mapped[str] = mapped_column(Text)
    #: What the author wrote it in.
    format: Mapped[str] = mapped_column(String(8), default="yaml")
    #: sha256 of `source` as UTF-8: equal to the file hash responses stored before versions.
    sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Email of the publisher, or "start-up" / "command line"; kept as written.
    published_by: Mapped[str] = mapped_column(String(254))
    note: Mapped[str] = mapped_column(Text, default="")
    #: Set when staff retire the questionnaire (on its current version); a new version revives it.
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ContentDraft(Base):
    """An uploaded, valid definition waiting to be previewed and published."""

    __tablename__ = "content_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    content_id: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(String(255))
    uploaded_by: Mapped[str] = mapped_column(String(254))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ContentStamp(Base):
    """One row whose value grows at every publish or retire: what workers compare per request.

    Why a counter row rather than max(id): retiring changes what is served without a new
    version, and one primary-key read is the cheapest query there is.
    """

    __tablename__ = "content_stamp"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
